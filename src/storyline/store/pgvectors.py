"""Nearest-article search over the PostgreSQL store's pgvector column (the :class:`~.base.VectorIndex` of :mod:`.postgres`)."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .vectors import _SHIFT, FaissIndex

if TYPE_CHECKING:
    from .postgres import PostgresStore

__all__ = ["HNSW_MIN_VECTORS", "PgVectorIndex", "as_array", "index_vectors", "set_vector_column"]

#: candidates fetched beyond ``k``, rescored exactly
_MARGIN = 8
#: the widest vector kept in its row (4 bytes a dimension; a row must fit in an 8 kB page)
_INLINE_DIM = 1800
#: vectors a store holds before its HNSW index is built (:func:`index_vectors`)
HNSW_MIN_VECTORS = 10_000
#: vectors a writer keeps in memory for window searches (about 200 MB at 1024 dimensions)
_CACHED_VECTORS = 50_000
#: days read beyond a window's last day when some of its days must be read (:meth:`PgVectorIndex._read_days`)
_READ_AHEAD = 30
#: the row-number bits of a vector id (``day << _SHIFT | row number``, :func:`.vectors.vector_id`)
_LOW = (1 << _SHIFT) - 1


class PgVectorIndex:
    """Nearest stored articles by cosine, from the store's pgvector column (implements :class:`VectorIndex`).

    The vectors are the rows :meth:`PostgresStore.add_embedding` wrote, on the
    writer's own connection, so a search sees the batch in flight and a rolled
    back batch is gone from the index with it. A time window is a range of
    vector ids, as for faiss.

    A writer (the one process that adds vectors: it holds the store's lock)
    answers a window search from memory: the window's days are read once, in
    one query, and the vectors it adds afterwards join the days already read
    (:meth:`add`), so the clusterer's search per article costs no round trip,
    as faiss beside a SQLite file costs none. The days read are kept up to
    :data:`_CACHED_VECTORS` vectors, the least recently searched dropped first;
    :meth:`forget` drops them all (the store calls it when a transaction rolls
    back). A search without a window asks pgvector (the HNSW index once built).
    """

    def __init__(self, store: PostgresStore, dim: int, *, cache: bool = True) -> None:
        self.store, self.dim, self.cache = store, dim, cache
        #: day number -> that day's stored vectors in vector id order; the most recently searched last
        self._days: OrderedDict[int, _Day] = OrderedDict()
        self._cached = 0
        self._flat: Any = None

    def __len__(self) -> int:
        return self.store.count("embeddings")

    def add(self, ids: Sequence[int], keys: Sequence[str], vectors: np.ndarray) -> None:
        """The store holds these vectors already (written with the article); a day read into memory gains them."""
        for vid, key, vector in zip(ids, keys, np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)):
            day = self._days.get(int(vid) >> _SHIFT)
            if day is not None:  # a vector id holds the article's row number: a day's new vectors come in id order
                day.append(key, vector)
                self._cached += 1

    def forget(self) -> None:
        """Drop every day read into memory (they are read again from the table when searched)."""
        self._days.clear()
        self._cached = 0

    def search(self, vector: np.ndarray, k: int, id_range: tuple[int, int] | None = None) -> list[tuple[str, float]]:
        """The ``k`` nearest stored vectors as (key, cosine), optionally within an id range [lo, hi)."""
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if id_range is not None and self.cache:
            return self._window(query, k, int(id_range[0]), int(id_range[1]))
        return self._ask_pgvector(query, k, id_range)

    def _window(self, query: np.ndarray, k: int, lo: int, hi: int) -> list[tuple[str, float]]:
        """The window's vectors from memory (its days read first when some are not), in vector id order, scored
        by the kernel :class:`FaissIndex` scores a window with, so the scores are the SQLite store's to the last bit."""
        first, last = max(lo >> _SHIFT, 0), (hi - 1) >> _SHIFT
        if lo & _LOW or hi & _LOW:  # not whole days (day_range gives whole days): read the range itself
            return self._ask_pgvector(query, k, (lo, hi))
        self._read_days(first, last)
        days = []
        for number in range(first, last + 1):
            self._days.move_to_end(number)
            if self._days[number].keys:
                days.append(self._days[number])
        self._evict(keep=last - first + 1)
        if not days:
            return []
        keys = [key for day in days for key in day.keys]
        window = self._scratch()
        window.add(np.concatenate([day.matrix() for day in days]))
        # with a selector, as FaissIndex searches a window: the same kernel, so the same scores to the last bit
        scores, found = window.search(query.reshape(1, -1), min(k, len(keys)), params=self._every)
        window.reset()
        return [(keys[int(j)], float(score)) for score, j in zip(scores[0], found[0]) if j != -1]

    def _scratch(self) -> Any:
        """A flat index reused for each window's vectors (emptied after each search)."""
        if self._flat is None:
            import faiss

            self._flat = faiss.IndexFlatIP(self.dim)
            self._every = faiss.SearchParameters(sel=faiss.IDSelectorAll())
        return self._flat

    def _read_days(self, first: int, last: int) -> None:
        """Read the days of [first, last] not in memory, in one query over the span of the missing ones and the
        :data:`_READ_AHEAD` days after it (a date-ordered ingest moves its windows forward a day at a time, onto days
        that hold nothing yet: read now, they cost the next searches no round trip, and :meth:`add` fills them)."""
        if all(d in self._days for d in range(first, last + 1)):
            return
        missing = [d for d in range(first, last + 1 + _READ_AHEAD) if d not in self._days]
        lo, hi = missing[0] << _SHIFT, (missing[-1] + 1) << _SHIFT

        def run(conn: Any) -> list[dict[str, Any]]:
            with conn.cursor(binary=True) as cur:  # vectors as float32 bytes, not decimal text
                return cur.execute("SELECT article_id, vector_id, vector FROM embeddings WHERE vector_id >= %s"
                                   " AND vector_id < %s ORDER BY vector_id", [lo, hi]).fetchall()

        wanted = set(missing)
        for number in missing:
            self._days[number] = _Day(self.dim)
        for row in self.store.session.read(run):
            number = int(row["vector_id"]) >> _SHIFT
            if number in wanted:
                self._days[number].append(row["article_id"], as_array(row["vector"]))
                self._cached += 1

    def _evict(self, keep: int) -> None:
        """Drop the least recently searched days while memory holds more than :data:`_CACHED_VECTORS` vectors
        (never the ``keep`` days just searched)."""
        while self._cached > _CACHED_VECTORS and len(self._days) > keep:
            _number, day = self._days.popitem(last=False)
            self._cached -= len(day.keys)

    def _ask_pgvector(self, query: np.ndarray, k: int, id_range: tuple[int, int] | None) -> list[tuple[str, float]]:
        """pgvector finds the candidates (the HNSW index, or an exact scan of a
        narrow window, as the planner chooses) with a margin of
        :data:`_MARGIN` more; their scores are then computed by faiss's own
        kernel, as the SQLite store's index computes them, so both backends
        see the same cosines to the last bit and decide alike.
        """
        where, window = "", []
        if id_range is not None:
            where, window = " WHERE vector_id >= %s AND vector_id < %s", [int(id_range[0]), int(id_range[1])]
        # ORDER BY the distance alone, so that the planner can walk the HNSW index (fixed text; values are parameters)
        def run(conn: Any) -> list[dict[str, Any]]:
            with conn.cursor(binary=True) as cur:  # vectors as float32 bytes, not decimal text
                return cur.execute(f"SELECT article_id, vector_id, vector FROM embeddings{where} ORDER BY vector <=> %s LIMIT %s",
                                   [*window, query, int(k) + _MARGIN]).fetchall()

        rows = self.store.session.read(run)
        if not rows:
            return []
        rows.sort(key=lambda r: r["vector_id"])
        exact = FaissIndex(self.dim)
        exact.add([r["vector_id"] for r in rows], [r["article_id"] for r in rows], np.vstack([as_array(r["vector"]) for r in rows]))
        return exact.search(query, k)

    def save(self, path: Path) -> None:
        """Nothing to save: the index is the table."""


class _Day:
    """The keys and vectors of one publication day, the vectors as rows of one array (grown by doubling)."""

    def __init__(self, dim: int) -> None:
        self.keys: list[str] = []
        self._rows = np.zeros((0, dim), dtype=np.float32)

    def append(self, key: str, vector: np.ndarray) -> None:
        n = len(self.keys)
        if n == len(self._rows):
            grown = np.zeros((max(4, 2 * n), self._rows.shape[1]), dtype=np.float32)
            grown[:n] = self._rows
            self._rows = grown
        self._rows[n] = vector
        self.keys.append(key)

    def matrix(self) -> np.ndarray:
        return self._rows[: len(self.keys)]


def as_array(value: Any) -> np.ndarray:
    """A pgvector value as float32 (the driver returns ``pgvector.Vector`` or an array, by version)."""
    return np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value, dtype=np.float32)


def set_vector_column(store: PostgresStore, dim: int) -> None:
    """Give the embeddings' vector column its dimension (when the first vector arrives), or check it."""
    from ..errors import Codes, StoreError

    sql = store._pg.sql
    row = store._one("SELECT atttypmod FROM pg_attribute WHERE attrelid = 'embeddings'::regclass AND attname = 'vector'")
    if row["atttypmod"] == -1:
        store.conn.execute(sql.SQL("ALTER TABLE embeddings ALTER COLUMN vector TYPE vector({})").format(sql.Literal(int(dim))))
        if dim <= _INLINE_DIM:  # in the row, not in TOAST: a search reads each candidate without a detour (10x faster)
            store.conn.execute("ALTER TABLE embeddings ALTER COLUMN vector SET STORAGE PLAIN")
    elif row["atttypmod"] != dim:
        raise StoreError(f"{store.path} holds vectors of dimension {row['atttypmod']}, not {dim}: use the same embedder "
                         "or a new database", code=Codes.STORE_SCHEMA)


def index_vectors(store: PostgresStore) -> bool:
    """Build the HNSW index (cosine) once the store holds :data:`HNSW_MIN_VECTORS` vectors; True when it exists.

    Below that an exact scan (what faiss does beside a SQLite file) is fast, and the graph's upkeep would cost
    every insert some 20 ms at 1024 dimensions (docs/benchmarks.md); from then on PostgreSQL keeps the index
    with each insert. Built by the writer outside any transaction, once."""
    if store._one("SELECT to_regclass('embeddings_hnsw') AS t")["t"] is not None:
        return True
    if store.count("embeddings") < HNSW_MIN_VECTORS:
        return False
    with store.session.guard(write=True):
        store.conn.execute("CREATE INDEX IF NOT EXISTS embeddings_hnsw ON embeddings USING hnsw (vector vector_cosine_ops)")
    return True
