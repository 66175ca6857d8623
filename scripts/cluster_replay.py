"""Replay the clusterer alone over cached analyses, to compare clusterer versions side by side cheaply.

    python scripts/cluster_replay.py analyse CORPUS.jsonl CACHE.pkl
    python scripts/cluster_replay.py run CACHE.pkl [--clusterer clusterer.online.v3 ...] [--first N] [--profile]

``analyse`` prepares a corpus as ``storyline fit cluster`` does (:func:`storyline.evaluate.fit.prepare`:
opaque ids, stream order, the default models) and pickles its :class:`ClusterItem`\\ s with their gold events
(outside the repository). ``run`` feeds those items to each named clusterer exactly as an ingest does
(:func:`storyline.engine.ingest.stream_events`: the window's neighbours from a vector index, the second pass
after every batch) and prints B3-F1, pairwise F1, the number of clusters and the clusterer's CPU seconds
(``time.process_time``, the replay only). On a corpus without near-duplicates this is what
``storyline eval cluster CORPUS`` scores (the deduplicator is the only stage it leaves out).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pickle
import pstats
import tempfile
import time
from pathlib import Path

from storyline import registry
from storyline.engine import Storyline
from storyline.engine.ingest import stream_events
from storyline.evaluate.fit import prepare
from storyline.evaluate.metrics import score_clustering
from storyline.settings import load_options


def analyse(corpus: Path, cache: Path) -> None:
    options = load_options().replace(progress=False)
    started = time.process_time()
    with tempfile.TemporaryDirectory() as tmp, Storyline(Path(tmp) / "a.db", options) as engine:
        items, gold = prepare(corpus, engine, titles_only=False)
    print(f"{len(items)} items analysed in {time.process_time() - started:.0f} CPU s")
    with open(cache, "wb") as f:
        pickle.dump({"corpus": str(corpus), "items": items, "gold": gold}, f)


def replay(name: str, items, gold, *, profile: int = 0, batch: int | None = None) -> dict:
    """One clusterer (by registered name) over ``items``: its scores and CPU seconds."""
    options = load_options().replace(progress=False)
    if batch:
        options = options.replace(batch_size=batch)
    clusterer = registry.create(name, options)
    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    predicted = stream_events(clusterer, items, options)
    if profiler:
        profiler.disable()
    cpu = time.process_time() - started
    scores = score_clustering(gold, predicted)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)
    return {"clusterer": name, "n": len(items), "b3_f1": round(scores.b3_f1, 5),
            "pairwise_f1": round(scores.pairwise_f1, 5), "clusters": scores.n_clusters, "cpu_s": round(cpu, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyse")
    a.add_argument("corpus", type=Path)
    a.add_argument("cache", type=Path)
    r = sub.add_parser("run")
    r.add_argument("cache", type=Path)
    r.add_argument("--clusterer", action="append", help="registered name (repeatable; default v3)")
    r.add_argument("--first", type=int, default=0, help="only the first N items in stream order")
    r.add_argument("--batch", type=int, default=0, help="batch size (default: the setting, 64)")
    r.add_argument("--profile", type=int, default=0, help="print the top N functions of a cProfile run")
    args = parser.parse_args()
    if args.command == "analyse":
        analyse(args.corpus, args.cache)
        return
    with open(args.cache, "rb") as f:
        cached = pickle.load(f)
    items, gold = cached["items"], cached["gold"]
    if args.first:
        items, gold = items[: args.first], gold[: args.first]
    for name in args.clusterer or ["clusterer.online.v3"]:
        print(json.dumps(replay(name, items, gold, profile=args.profile, batch=args.batch or None)), flush=True)


if __name__ == "__main__":
    main()
