#!/usr/bin/env python
"""Vector index: a time-window search on a small and on a large index, the same number of articles per day.

    python scripts/bench_vector_window.py [--sizes 20000 200000] [--per-day 100] [--dim 512] [--window 3]

Fills one :class:`~storyline.store.vectors.FaissIndex` per size with random
unit vectors, ``per-day`` articles a day, then times (interleaved, so the load
of a shared machine falls on both alike) the window search of the engine (the
``event_window_days`` around a random stored day, 20 neighbours) and the scan
of every vector with faiss's id-range selector it replaces, checking that both
give the same neighbours and scores; and an undated article's search (each
index also holds 50 undated articles) as the engine runs it (among the 5,000
articles a clusterer remembers, ``event_memory``) against the search of
every vector it replaces. Prints medians in ms and the ratio of the large
index to the small one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from types import SimpleNamespace

import numpy as np

from storyline.engine.ingest import neighbours
from storyline.store.vectors import FaissIndex, day_range, vector_id

DAY = dt.date(2015, 1, 1)
#: undated articles added to each index
UNDATED = 50
#: articles the clusterer remembers (the setting event_memory's default)
MEMORY = 5000


def _index(size: int, per_day: int, dim: int, rng: np.random.Generator) -> tuple[FaissIndex, int, SimpleNamespace]:
    index = FaissIndex(dim)
    days = size // per_day
    order = rng.permutation(size)  # added out of date order, as a resumed or back-filled store is
    memory: dict[str, SimpleNamespace] = {}  # what a clusterer remembers: the MEMORY articles added last
    for start in range(0, size, 5000):
        chunk = order[start : start + 5000]
        vectors = rng.normal(size=(len(chunk), dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index.add([vector_id(DAY + dt.timedelta(days=int(i) // per_day), int(i) + 1) for i in chunk],
                  [f"a{i}" for i in chunk], vectors)
        memory.update((f"a{i}", SimpleNamespace(key=f"a{i}", vector=v)) for i, v in zip(chunk, vectors))
        memory = dict(list(memory.items())[-MEMORY:])
    undated = rng.normal(size=(UNDATED, dim)).astype(np.float32)  # a few undated articles besides
    index.add([vector_id(None, size + 1 + i) for i in range(UNDATED)], [f"u{i}" for i in range(UNDATED)], undated)
    return index, days, SimpleNamespace(items=memory)


def _undated(index: FaissIndex, clusterer: SimpleNamespace, query: np.ndarray, window: int) -> dict:
    """An undated article's neighbours as the engine finds them (among the clusterer's memory) and as it did
    before (every vector)."""
    item, options = SimpleNamespace(date=None, vector=query), SimpleNamespace(event_candidates=20, event_window_days=window)
    return {"undated memory": lambda: neighbours(index, item, options, clusterer),
            "undated scan": lambda: index.search(query, 20)}


def _scan(index: FaissIndex, query: np.ndarray, k: int, window: tuple[int, int]) -> list[tuple[str, float]]:
    faiss = index._faiss
    params = faiss.SearchParameters(sel=faiss.IDSelectorRange(int(window[0]), int(window[1])))
    scores, ids = index.index.search(query.reshape(1, -1), k, params=params)
    return [(index.keys[int(i)], float(s)) for s, i in zip(scores[0], ids[0]) if i != -1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--window", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    built = {size: _index(size, args.per_day, args.dim, rng) for size in args.sizes}
    times: dict[tuple[int, str], list[float]] = {}
    for _ in range(args.queries):
        for size, (index, days, clusterer) in built.items():
            query = rng.normal(size=args.dim).astype(np.float32)
            query /= np.linalg.norm(query)
            window = day_range(DAY + dt.timedelta(days=int(rng.integers(0, days))), args.window)
            for name, search in (("window", index.search), ("scan", lambda q, k, w, i=index: _scan(i, q, k, w))):
                started = time.perf_counter()
                found = search(query, 20, window)
                times.setdefault((size, name), []).append((time.perf_counter() - started) * 1000)
                if name == "window":
                    first = found
            assert first == found, "the window search and the scan disagree"
            for name, search in _undated(index, clusterer, query, args.window).items():
                started = time.perf_counter()
                search()
                times.setdefault((size, name), []).append((time.perf_counter() - started) * 1000)
    names = ("window", "scan", "undated memory", "undated scan")
    print("| vectors | window search ms | id-range scan ms | undated, the clusterer's memory ms | undated, every vector ms |")
    print("|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        print(f"| {size} | " + " | ".join(f"{statistics.median(times[size, n]):.2f}" for n in names) + " |")
    small, big = min(args.sizes), max(args.sizes)
    for name in names:
        print(f"{name}: {big} / {small} vectors = {statistics.median(times[big, name]) / statistics.median(times[small, name]):.2f}x")


if __name__ == "__main__":
    main()
