"""The vector index beside the database (faiss, exact inner product).

Vector ids encode the publication day in their high bits
(``day_number << 32 | article rowid``), so "articles within W days of this
date" is an id range and the index searches only inside the time window. The
embeddings live in the database too, so the index file is a cache: when it is
missing or does not match the database it is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Iterable

import numpy as np

__all__ = ["FaissIndex", "vector_id", "day_range"]

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


class FaissIndex:
    """Exact inner-product search with faiss (implements :class:`storyline.store.base.VectorIndex`)."""

    def __init__(self, dim: int) -> None:
        import faiss

        faiss.omp_set_num_threads(1)
        self._faiss = faiss
        self.dim = dim
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.keys: dict[int, str] = {}

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: Iterable[int], keys: Iterable[str], vectors: np.ndarray) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0:
            return
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        self.keys.update(zip(ids.tolist(), keys))

    def search(self, vector: np.ndarray, k: int, id_range: tuple[int, int] | None = None) -> list[tuple[str, float]]:
        """The ``k`` nearest stored vectors as (key, cosine), optionally within an id range."""
        if len(self) == 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        params = None
        if id_range is not None:
            params = self._faiss.SearchParameters(sel=self._faiss.IDSelectorRange(int(id_range[0]), int(id_range[1])))
        scores, ids = self.index.search(query, min(k, len(self)), params=params)
        return [(self.keys[i], float(s)) for s, i in zip(scores[0], ids[0]) if i != -1]

    def save(self, path: Path) -> None:
        """Write the index beside ``path`` and move it into place, so that a kill mid-write leaves the old file."""
        partial = path.with_name(path.name + ".partial")
        self._faiss.write_index(self.index, str(partial))
        os.replace(partial, path)

    @classmethod
    def load_or_build(cls, path: Path, dim: int, rows: Iterable[tuple[str, int, np.ndarray]], expected: int) -> "FaissIndex":
        """Load the index file when it holds exactly the vector ids of ``rows``; else rebuild from ``rows``.

        ``expected`` is the number of stored embeddings (a cheap first check).
        A file with the right count but other ids (say, left beside a database
        that was replaced) is stale too.
        """
        index = cls(dim)
        rows = list(rows)
        if path.exists():
            try:
                loaded = index._faiss.read_index(str(path))
                if loaded.ntotal == expected == len(rows) and loaded.d == dim and _ids(index._faiss, loaded) == {vid for _, vid, _ in rows}:
                    index.index = loaded
                    index.keys = {vid: key for key, vid, _ in rows}
                    return index
            except (RuntimeError, AttributeError):
                pass  # a damaged cache or another kind of index: rebuild below
        if rows:
            index.add((vid for _, vid, _ in rows), (key for key, _, _ in rows), np.vstack([v for _, _, v in rows]))
        return index


def _ids(faiss, index) -> set[int]:
    """The vector ids held by a loaded ``IndexIDMap``."""
    return set(faiss.vector_to_array(index.id_map).tolist())
