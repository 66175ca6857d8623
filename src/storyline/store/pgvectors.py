"""Nearest-article search over the PostgreSQL store's pgvector column (the :class:`~.base.VectorIndex` of :mod:`.postgres`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .vectors import FaissIndex

if TYPE_CHECKING:
    from .postgres import PostgresStore

__all__ = ["HNSW_MIN_VECTORS", "PgVectorIndex", "as_array", "index_vectors", "set_vector_column"]

#: candidates fetched beyond ``k``, rescored exactly
_MARGIN = 8
#: the widest vector kept in its row (4 bytes a dimension; a row must fit in an 8 kB page)
_INLINE_DIM = 1800
#: vectors a store holds before its HNSW index is built (:func:`index_vectors`)
HNSW_MIN_VECTORS = 10_000


class PgVectorIndex:
    """Nearest stored articles by cosine, from the store's pgvector column (implements :class:`VectorIndex`).

    The vectors are the rows :meth:`PostgresStore.add_embedding` wrote, on the
    writer's own connection, so a search sees the batch in flight and a rolled
    back batch is gone from the index with it; :meth:`add` and :meth:`save`
    have nothing to do. A time window is a range of vector ids, as for faiss.
    """

    def __init__(self, store: PostgresStore, dim: int) -> None:
        self.store, self.dim = store, dim

    def __len__(self) -> int:
        return self.store.count("embeddings")

    def add(self, ids: Sequence[int], keys: Sequence[str], vectors: np.ndarray) -> None:
        """Nothing to add: the store holds these vectors already (written with the article)."""

    def search(self, vector: np.ndarray, k: int, id_range: tuple[int, int] | None = None) -> list[tuple[str, float]]:
        """The ``k`` nearest stored vectors as (key, cosine), optionally within an id range [lo, hi).

        pgvector finds the candidates (the HNSW index, or an exact scan of a
        narrow window, as the planner chooses) with a margin of
        :data:`_MARGIN` more; their scores are then computed by faiss's own
        kernel, as the SQLite store's index computes them, so both backends
        see the same cosines to the last bit and decide alike.
        """
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
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
