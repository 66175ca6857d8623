"""Compare every event of a stored ingest again: the comparison stage alone, on the store's analyses.

    python scripts/compare_replay.py STORE.db [--out comparisons.jsonl] [--profile 25] [--limit N] \
        [--set comparer=comparer.facts.v4]

Each event's stored articles, mentions and relays are read from the store (not timed) and the configured
comparer compares the event from nothing (no memory of an earlier comparison), as ``storyline db refresh``
would. Prints one JSON line: events, claims, facts, seconds and CPU seconds of the comparisons alone (the
embedder included). ``--out`` writes each event's comparison (``Comparison.to_dict``) as one JSON line in
event order, so two code versions can be diffed on the same store; ``--profile N`` runs under cProfile and
prints the N functions with the most own time and the N with the most cumulative time (to stderr).
The store is opened read-only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time

import storyline
from storyline.settings import load_options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("--out", default=None)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    options = load_options(overrides=dict(s.split("=", 1) for s in args.sets)) if args.sets else load_options()
    engine = storyline.Storyline(args.store, options, readonly=True)
    store, records = engine.store, engine.records
    events = [e.id for e in store.events()]
    events.sort(key=lambda i: int(i[1:]) if i[1:].isdigit() else 0)
    events = events[: args.limit]
    inputs = []
    for event_id in events:
        articles = store.articles(store.event_members(event_id))
        mentions, _ = records.stored.of(articles)
        inputs.append((event_id, articles, mentions, records.relays(articles, mentions)))
    sentences = engine.components.sentences()
    sentences.embed(["warm up"])
    profiler = cProfile.Profile() if args.profile else None
    out, claims, facts = [], 0, 0
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for event_id, articles, mentions, relays in inputs:
        comparison = records.compare(event_id, articles, relays, mentions)
        claims += sum(len(f.supports) for f in comparison.facts)
        facts += len(comparison.facts)
        if args.out:
            out.append(comparison.to_dict())
    if profiler:
        profiler.disable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"comparer": engine.components.get("comparer").name, "events": len(inputs), "claims": claims,
                      "facts": facts, "embedded": sentences.misses, "seconds": round(seconds, 2),
                      "cpu_seconds": round(cpu, 2)}), flush=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for row in out:
                f.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
    if profiler:
        for order in ("tottime", "cumulative"):
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(args.profile)
            print(text.getvalue(), file=sys.stderr)
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
