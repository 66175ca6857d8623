"""Where a PostgreSQL ingest spends its exchanges with the server: statements and round trips per article, by
the kind of statement, and (``--profile``) the client's cProfile top functions. Same load as
``bench_postgres.py`` (the hashing embedder, the tests' capitalised-word entities, records off):

    PYTHONPATH=src nice python scripts/profile_pg_ingest.py [CORPUS] [--profile] [--limit N]

A round trip is one statement sent outside a pipeline, one pipeline (many statements, one exchange), or one COPY
(counted as one statement, whatever its rows).
"""

from __future__ import annotations

import argparse
import cProfile
import collections
import pathlib
import pstats
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from conftest import PostgresServer  # noqa: E402

import psycopg  # noqa: E402

import storyline  # noqa: E402
from storyline.pipeline.embed import HashingEmbedder  # noqa: E402
from support import CapitalisedEntities, options  # noqa: E402

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "shared/data/clustering/allsides_dev.jsonl"


class Counts:
    """Statements and round trips sent by psycopg, counted by patching its cursor and pipeline."""

    def __init__(self) -> None:
        self.statements: collections.Counter[str] = collections.Counter()
        self.trips: collections.Counter[str] = collections.Counter()

    def install(self) -> None:
        counts, execute, executemany = self, psycopg.Cursor.execute, psycopg.Cursor.executemany
        pipeline, copy = psycopg.Connection.pipeline, psycopg.Cursor.copy

        def kind(query: object) -> str:
            text = str(query).split(" VALUES")[0].split(" WHERE")[0]
            return " ".join(text.split()[:4])

        def counted_execute(cur, query, params=None, **kw):
            counts.statements[kind(query)] += 1
            if cur.connection._pipeline is None:
                counts.trips[kind(query)] += 1
            return execute(cur, query, params, **kw)

        def counted_executemany(cur, query, rows, **kw):
            rows = list(rows)
            counts.statements[kind(query)] += len(rows)
            if cur.connection._pipeline is None:
                counts.trips[kind(query)] += 1
            return executemany(cur, query, rows, **kw)

        def counted_pipeline(conn):
            counts.trips["(pipeline)"] += 1
            return pipeline(conn)

        def counted_copy(cur, statement, *args, **kw):
            counts.statements[kind(statement)] += 1
            counts.trips[kind(statement)] += 1
            return copy(cur, statement, *args, **kw)

        psycopg.Cursor.execute, psycopg.Cursor.executemany = counted_execute, counted_executemany
        psycopg.Cursor.copy = counted_copy
        psycopg.Connection.pipeline = counted_pipeline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(CORPUS))
    parser.add_argument("--profile", action="store_true", help="print the client's cProfile top functions")
    parser.add_argument("--limit", type=int, default=25)
    args = parser.parse_args()
    server = PostgresServer()
    counts = Counts()
    try:
        with storyline.Storyline(server.database(), options(records=False), embedder=HashingEmbedder(),
                                 entity_extractor=CapitalisedEntities()) as engine:
            counts.install()
            profiler = cProfile.Profile() if args.profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            summary = engine.ingest([args.corpus])
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
        n = max(summary.ingested, 1)
        print(f"{summary.ingested} articles in {seconds:.1f} s; {sum(counts.statements.values())} statements "
              f"({sum(counts.statements.values()) / n:.1f} an article), {sum(counts.trips.values())} round trips "
              f"({sum(counts.trips.values()) / n:.2f} an article)")
        for name, trips in counts.trips.most_common(args.limit):
            print(f"  {trips:7d} trips  {counts.statements.get(name, 0):7d} statements  {name}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.limit)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.limit)
    finally:
        server.close()


if __name__ == "__main__":
    main()
