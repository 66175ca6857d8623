#!/usr/bin/env python
"""Record-scale benchmark: rebuilding the record of a 200-article event as its articles arrive one at a time.

    python scripts/bench_record_scale.py DATA.jsonl [--articles 200] [--arrivals 20] [--no-kinds]

Takes the first ``--articles`` records of DATA.jsonl as the reports of one
event and times, in one run: the batch build (one ``build_record`` over all
of them, divided by their number: the per-article cost), then the last
``--arrivals`` arrivals one at a time (each rebuilds the record of the
articles so far) with the engine's remembered codings
(:class:`storyline.engine.records.ArticleCodings`: each article's coding with
its type probabilities, and the kind typer's reading of its lead) and without
them. With the bundled kind typer, as the default recorder (v3) runs, unless
``--no-kinds``. In-process (no HTTP server, no mentions or places): the record
stage alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from storyline.engine.records import ArticleCodings
from storyline.model import RawRecord
from storyline.pipeline.normalise import to_article
from storyline.pipeline.record.build import build_record
from storyline.pipeline.record.eventtype import LinearEventTyper
from storyline.pipeline.record.kind import LinearKindTyper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--arrivals", type=int, default=20)
    parser.add_argument("--no-kinds", action="store_true", help="without the kind typer (the default recorder uses one)")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(args.articles), f)]
    articles = [to_article(RawRecord(args.data, i + 1, row)) for i, row in enumerate(rows)]
    typer = LinearEventTyper.bundled()
    kinds = None if args.no_kinds else LinearKindTyper.bundled()
    build_record("E1", articles[:5], typer=typer, kinds=kinds)  # warm up
    start = time.perf_counter()
    batch = build_record("E1", articles, typer=typer, kinds=kinds)
    per_article = (time.perf_counter() - start) / len(articles)
    codings = ArticleCodings()
    coder = codings.coder("recorder.agreement.v3")
    remembered_kinds = codings.kinds(kinds) if kinds is not None else None
    first = len(articles) - args.arrivals
    build_record("E1", articles[:first], typer=typer, kinds=remembered_kinds, coder=coder)
    cached, fresh = [], []
    for n in range(first + 1, len(articles) + 1):
        start = time.perf_counter()
        record = build_record("E1", articles[:n], typer=typer, kinds=remembered_kinds, coder=coder)
        cached.append(time.perf_counter() - start)
        if n > len(articles) - 3:  # without remembered codings every call codes every article: three suffice
            start = time.perf_counter()
            build_record("E1", articles[:n], typer=typer, kinds=kinds)
            fresh.append(time.perf_counter() - start)
    assert record == batch, "a record built from remembered codings differs from the batch record"
    ms = lambda s: round(1000 * s, 2)  # noqa: E731
    print(json.dumps({"articles": len(articles), "batch_ms_per_article": ms(per_article),
                      "arrival_ms_remembered_median": ms(statistics.median(cached)),
                      "arrival_ms_fresh_median": ms(statistics.median(fresh)),
                      "ratio_remembered_to_batch_per_article": round(statistics.median(cached) / per_article, 2),
                      "ratio_fresh_to_batch_per_article": round(statistics.median(fresh) / per_article, 2)}, indent=1))


if __name__ == "__main__":
    main()
