"""The vector index beside the database (faiss, exact inner product).

Vector ids encode the publication day in their high bits
(``day_number << 32 | article rowid``), so "articles within W days of this
date" is an id range. The index keeps, per publication day, the positions of
that day's vectors, so a window search reads only the vectors of the window's
days (gathered in the order they were added, scored by faiss's own kernel, so
the result is the one a scan of every vector with an id-range selector gives),
whatever the size of the index. The
embeddings live in the database too, so the index file is a cache: when it is
missing or does not match the database it is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Iterable

import numpy as np

__all__ = ["FaissIndex", "MemoryIndex", "vector_id", "day_range", "search_among"]

#: gathering a window's vector costs about as much as scanning this many vectors in place
#: (``scripts/bench_vector_window.py``): a window larger than its share is scanned instead
_GATHER_COST = 50

_EPOCH = dt.date(1800, 1, 1)
_SHIFT = 32


def vector_id(day: dt.date | None, rowid: int) -> int:
    number = (day - _EPOCH).days + 1 if day is not None and day >= _EPOCH else 0
    return (number << _SHIFT) | rowid


def day_range(day: dt.date, window_days: int) -> tuple[int, int]:
    """The id range [lo, hi) of articles dated within ``window_days`` of ``day``."""
    lo = max((day - _EPOCH).days + 1 - window_days, 1)
    hi = (day - _EPOCH).days + 1 + window_days + 1
    return lo << _SHIFT, hi << _SHIFT


def search_among(vector: np.ndarray, k: int, keys: list[str], vectors: list[np.ndarray]) -> list[tuple[str, float]]:
    """The ``k`` nearest of the given vectors as (key, cosine), scored by the kernel a :class:`FaissIndex` search
    uses (one query, with a selector), so each score is the one a search of the whole index gives, to the last bit."""
    import faiss

    if not keys:
        return []
    flat = faiss.IndexFlatIP(len(vector))
    flat.add(np.ascontiguousarray(np.vstack(vectors), dtype=np.float32))
    query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
    scores, found = flat.search(query, min(k, len(keys)), params=faiss.SearchParameters(sel=faiss.IDSelectorAll()))
    return [(keys[int(j)], float(s)) for s, j in zip(scores[0], found[0]) if j != -1]


class MemoryIndex:
    """:func:`search_among` over a sliding memory of items (a clusterer's ``items``: added at the end, forgotten
    from the front), kept between searches instead of gathered again for each one.

    Each :meth:`search` first brings the flat index level with the memory: the items forgotten since the last
    search are removed from its front and the new ones added at its end, so it holds the memory's vectors in the
    memory's order, as a :func:`search_among` of them would (the same kernel, the same scores to the last bit,
    ties to the same position). When the memory changed otherwise (an item replaced or reordered, a memory
    restored), the index is made again from the memory."""

    def __init__(self, dim: int) -> None:
        import faiss

        self._faiss = faiss
        self.dim = dim
        self._flat = faiss.IndexFlatIP(dim)
        self._items: list = []  # the items the index holds, in order (held, so that their ids stay theirs)
        self._ids: list[int] = []
        self._every = faiss.SearchParameters(sel=faiss.IDSelectorAll())

    def _sync(self, items: list) -> None:
        held, ids = self._ids, list(map(id, items))
        start = len(held)  # where the memory's first item sits in the index (its length: none is held)
        if ids and held:
            try:
                start = held.index(ids[0])
            except ValueError:
                pass
        kept = len(held) - start
        if held[start:] != ids[:kept]:  # not a slide: make it again
            self._flat.reset()
            kept = 0
        elif start:
            self._flat.remove_ids(self._faiss.IDSelectorRange(0, start))
        fresh = items[kept:]
        if fresh:
            self._flat.add(np.ascontiguousarray(np.vstack([i.vector for i in fresh]), dtype=np.float32))
        self._items, self._ids = list(items), ids

    def search(self, vector: np.ndarray, k: int, items: list) -> list[tuple[str, float]]:
        """The ``k`` nearest of ``items`` (objects with ``key`` and ``vector``) as (key, cosine)."""
        if not items:
            return []
        self._sync(items)
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, found = self._flat.search(query, min(k, len(items)), params=self._every)
        return [(items[int(j)].key, float(s)) for s, j in zip(scores[0], found[0]) if j != -1]


class FaissIndex:
    """Exact inner-product search with faiss (implements :class:`storyline.store.base.VectorIndex`)."""

    def __init__(self, dim: int) -> None:
        import faiss

        faiss.omp_set_num_threads(1)
        self._faiss = faiss
        self.dim = dim
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.keys: dict[int, str] = {}
        #: day number -> positions (in the flat index) of that day's vectors, in the order they were added
        self._days: dict[int, list[int]] = {}
        self._day_arrays: dict[int, np.ndarray] = {}  # the same as arrays, made when a search needs them
        self._ids = np.zeros(0, dtype=np.int64)  # vector id by position (room for more beyond len(self))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: Iterable[int], keys: Iterable[str], vectors: np.ndarray) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0:
            return
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        self.keys.update(zip(ids.tolist(), keys))
        self._note(ids.tolist())

    def _note(self, ids: list[int]) -> None:
        """Put the positions of newly added ``ids`` under their days."""
        start = len(self) - len(ids)
        if len(self._ids) < len(self):
            grown = np.zeros(max(len(self), 2 * len(self._ids), 1024), dtype=np.int64)
            grown[:start] = self._ids[:start]
            self._ids = grown
        self._ids[start : len(self)] = ids
        if len(ids) < 256:
            for position, vid in enumerate(ids, start):
                day = vid >> _SHIFT
                self._days.setdefault(day, []).append(position)
                self._day_arrays.pop(day, None)
            return
        # many at once (an index loaded or rebuilt): grouped by day with numpy, each day's positions in order
        days = self._ids[start : len(self)] >> _SHIFT
        order = np.argsort(days, kind="stable")
        found, first = np.unique(days[order], return_index=True)
        for day, positions in zip(found.tolist(), np.split(order + start, first[1:])):
            self._days.setdefault(day, []).extend(positions.tolist())
            self._day_arrays.pop(day, None)

    def _scratch(self):
        """A flat index reused for the window's vectors (emptied after each search)."""
        if getattr(self, "_window_index", None) is None:
            self._window_index = self._faiss.IndexFlatIP(self.dim)
            self._every = self._faiss.SearchParameters(sel=self._faiss.IDSelectorAll())
        return self._window_index

    def _positions(self, day: int) -> np.ndarray:
        found = self._day_arrays.get(day)
        if found is None:
            found = self._day_arrays[day] = np.asarray(self._days[day], dtype=np.int64)
        return found

    def search(self, vector: np.ndarray, k: int, id_range: tuple[int, int] | None = None) -> list[tuple[str, float]]:
        """The ``k`` nearest stored vectors as (key, cosine), optionally within an id range [lo, hi)."""
        if len(self) == 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        if id_range is not None:
            return self._window(query, k, int(id_range[0]), int(id_range[1]))
        scores, ids = self.index.search(query, min(k, len(self)))
        return [(self.keys[i], float(s)) for s, i in zip(scores[0], ids[0]) if i != -1]

    def _scan(self, query: np.ndarray, k: int, lo: int, hi: int) -> list[tuple[str, float]]:
        """Every vector, with faiss's id-range selector."""
        params = self._faiss.SearchParameters(sel=self._faiss.IDSelectorRange(lo, hi))
        scores, ids = self.index.search(query, min(k, len(self)), params=params)
        return [(self.keys[i], float(s)) for s, i in zip(scores[0], ids[0]) if i != -1]

    def _window(self, query: np.ndarray, k: int, lo: int, hi: int) -> list[tuple[str, float]]:
        """Search the vectors of the days the id range covers, in the order they were added."""
        first, last = lo >> _SHIFT, (hi - 1) >> _SHIFT
        if last - first + 1 <= len(self._days):
            days = [d for d in range(first, last + 1) if d in self._days]
        else:
            days = [d for d in self._days if first <= d <= last]
        if not days:
            return []
        positions = np.concatenate([self._positions(d) for d in days])
        if len(positions) * _GATHER_COST >= len(self):  # a small index: the scan is cheaper, with the same result
            return self._scan(query, k, lo, hi)
        positions.sort()
        ids = self._ids[positions]
        inside = (ids >= lo) & (ids < hi)
        positions, ids = positions[inside], ids[inside]
        if len(positions) == 0:
            return []
        flat = self._faiss.downcast_index(self.index.index)
        total = len(self)
        stored = self._faiss.rev_swig_ptr(flat.get_xb(), total * self.dim).reshape(total, self.dim)
        window = self._scratch()
        window.add(stored[positions])
        # with a selector, as the full index was searched: the same kernel, so the same scores to the last bit
        scores, found = window.search(query, min(k, len(positions)), params=self._every)
        window.reset()
        return [(self.keys[int(ids[j])], float(s)) for s, j in zip(scores[0], found[0]) if j != -1]

    def save(self, path: Path) -> None:
        """Write the index beside ``path`` and move it into place, so that a kill mid-write leaves the old file."""
        partial = path.with_name(path.name + ".partial")
        self._faiss.write_index(self.index, str(partial))
        os.replace(partial, path)

    @classmethod
    def load_or_build(cls, path: Path, dim: int, rows: Iterable[tuple[str, int, np.ndarray]], expected: int,
                      keys: Iterable[tuple[str, int]] | None = None) -> "FaissIndex":
        """Load the index file when it holds exactly the vector ids of ``rows``; else rebuild from ``rows``.

        ``expected`` is the number of stored embeddings (a cheap first check). ``keys``, the (key, vector
        id) of every row without its vector, lets a matching file load without reading a vector: ``rows``
        (an iterator) is then never consumed. A file with the right count but other ids (say, left beside
        a database that was replaced) is stale too.
        """
        index = cls(dim)
        if path.exists():
            if keys is None:
                rows = list(rows)
                keys = [(key, vid) for key, vid, _ in rows]
            known = list(keys)
            try:
                loaded = index._faiss.read_index(str(path))
                if loaded.ntotal == expected == len(known) and loaded.d == dim and _ids(index._faiss, loaded) == {vid for _, vid in known}:
                    index.index = loaded
                    index.keys = {vid: key for key, vid in known}
                    index._note(index._faiss.vector_to_array(loaded.id_map).tolist())
                    return index
            except (RuntimeError, AttributeError):
                pass  # a damaged cache or another kind of index: rebuild below
        rows = list(rows)
        if rows:
            index.add((vid for _, vid, _ in rows), (key for key, _, _ in rows), np.vstack([v for _, _, v in rows]))
        return index


def _ids(faiss, index) -> set[int]:
    """The vector ids held by a loaded ``IndexIDMap``."""
    return set(faiss.vector_to_array(index.id_map).tolist())
