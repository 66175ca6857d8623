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
them; with the remembered codings each arrival is timed twice, side by side:
re-voting every article (``build_record`` without a tally), and adding the
new article's votes to the event's remembered ballots
(:class:`storyline.pipeline.record.tally.Tally`). Every arrival's record from
the tally must equal the one re-voted from all articles, and the last one the
batch record (the script asserts both). With the bundled kind typer, as the
default recorder (v3) runs, unless ``--no-kinds``. In-process (no HTTP server,
no mentions or places): the record stage alone.
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
from storyline.pipeline.record.tally import Tally


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
    start, cpu = time.perf_counter(), time.process_time()
    batch = build_record("E1", articles, typer=typer, kinds=kinds)
    per_article = (time.perf_counter() - start) / len(articles)
    cpu_per_article = (time.process_time() - cpu) / len(articles)
    codings = ArticleCodings()
    coder = codings.coder("recorder.agreement.v3")
    remembered_kinds = codings.kinds(kinds) if kinds is not None else None
    first = len(articles) - args.arrivals
    tally = Tally()
    build_record("E1", articles[:first], typer=typer, kinds=remembered_kinds, coder=coder)
    build_record("E1", articles[:first], typer=typer, kinds=remembered_kinds, coder=coder, tally=tally)
    cached, tallied, fresh, cpu_cached, cpu_tallied = [], [], [], [], []
    for n in range(first + 1, len(articles) + 1):
        start, cpu = time.perf_counter(), time.process_time()
        record = build_record("E1", articles[:n], typer=typer, kinds=remembered_kinds, coder=coder)
        cached.append(time.perf_counter() - start)
        cpu_cached.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        added = build_record("E1", articles[:n], typer=typer, kinds=remembered_kinds, coder=coder, tally=tally)
        tallied.append(time.perf_counter() - start)
        cpu_tallied.append(time.process_time() - cpu)
        assert added == record, f"arrival {n}: the record from the remembered ballots differs from the one re-voted"
        assert tally.counted == n and tally.recounts == 0, f"arrival {n}: the tally re-counted"
        if n > len(articles) - 3:  # without remembered codings every call codes every article: three suffice
            start = time.perf_counter()
            build_record("E1", articles[:n], typer=typer, kinds=kinds)
            fresh.append(time.perf_counter() - start)
    assert record == batch, "a record built from remembered codings differs from the batch record"
    assert added == batch, "a record built from the remembered ballots differs from the batch record"
    ms = lambda s: round(1000 * s, 2)  # noqa: E731
    median = statistics.median
    print(json.dumps({"articles": len(articles), "batch_ms_per_article": ms(per_article),
                      "batch_cpu_ms_per_article": ms(cpu_per_article),
                      "arrival_ms_remembered_median": ms(median(cached)),
                      "arrival_ms_tally_median": ms(median(tallied)),
                      "arrival_cpu_ms_remembered_median": ms(median(cpu_cached)),
                      "arrival_cpu_ms_tally_median": ms(median(cpu_tallied)),
                      "arrival_ms_fresh_median": ms(median(fresh)),
                      "ratio_remembered_to_batch_per_article": round(median(cached) / per_article, 2),
                      "ratio_tally_to_batch_per_article": round(median(tallied) / per_article, 2),
                      "ratio_tally_to_remembered": round(median(tallied) / median(cached), 3),
                      "cpu_ratio_remembered_to_batch_per_article": round(median(cpu_cached) / cpu_per_article, 2),
                      "cpu_ratio_tally_to_batch_per_article": round(median(cpu_tallied) / cpu_per_article, 2),
                      "ratio_fresh_to_batch_per_article": round(median(fresh) / per_article, 2)}, indent=1))

if __name__ == "__main__":
    main()
