#!/usr/bin/env python
"""Entity extraction on long documents: CPU, peak memory and spans, for bounds of the text the model reads.

    python scripts/bench_ner_bound.py ../shared/data/timelines/t17 [--longest 40] \\
        [--configs 50000:0 5000:0 2000:0 50000:10000]

Takes the ``--longest`` longest articles of every ``<t17>/<topic>/articles.jsonl`` (or of one corpus JSONL
file) and runs the engine's entity step (``storyline.engine.analyse._entities``, as an ingest runs it) once per
configuration ``PIECE:MAX`` (the settings ``ner_piece_chars`` and ``ner_max_chars``), each in a fresh Python
process so that its peak RSS is its own. Prints, per configuration, CPU seconds (user + system of the child),
peak RSS, and the spans against the first configuration (the reference): how many are the same, missing, extra.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _articles(path: Path, longest: int) -> list[dict]:
    files = [path] if path.is_file() else sorted(path.glob("*/articles.jsonl"))
    rows = [json.loads(line) for f in files for line in open(f, encoding="utf-8") if line.strip()]
    rows.sort(key=lambda r: (-len(r.get("text") or ""), r["id"]))
    return rows[:longest]


def _child(rows_path: str, piece: int, max_chars: int, out_path: str) -> None:
    from storyline.engine.analyse import _Clocks, _entities
    from storyline.model import Article
    from storyline.pipeline.entities import SpacyEntityExtractor

    rows = [json.loads(line) for line in open(rows_path, encoding="utf-8")]
    articles = [Article(id=r["id"], text=r["text"], title=r.get("title")) for r in rows]
    extractor = SpacyEntityExtractor()
    extractor.extract(["Warm up the model in Paris."])
    before = os.times()
    started = time.perf_counter()
    spans = _entities(articles, extractor, _Clocks(articles, None), piece, max_chars)
    after = os.times()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"cpu_s": (after.user - before.user) + (after.system - before.system),
                   "wall_s": time.perf_counter() - started, "peak_rss_mb": peak_kb / 1024,
                   "spans": {a.id: s for a, s in zip(articles, spans)}}, f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--longest", type=int, default=40)
    parser.add_argument("--configs", nargs="+", default=["50000:0", "5000:0", "2000:0", "50000:10000"])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]), int(args.child[2]), args.child[3])
        return
    rows = _articles(args.data, args.longest)
    print(f"{len(rows)} articles, {sum(len(r['text']) for r in rows):,} characters, longest {len(rows[0]['text']):,}")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        rows_path = os.path.join(folder, "rows.jsonl")
        with open(rows_path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
        for n, config in enumerate(args.configs):
            piece, max_chars = (int(x) for x in config.split(":"))
            out = os.path.join(folder, f"{n}.json")
            subprocess.run([sys.executable, __file__, str(args.data), "--child", rows_path, str(piece), str(max_chars), out],
                           check=True)
            results.append((config, json.load(open(out, encoding="utf-8"))))
    reference = {k: {tuple(s) for s in v} for k, v in results[0][1]["spans"].items()}
    print("| ner_piece_chars:ner_max_chars | CPU s | peak RSS MB | spans same | missing | extra |")
    print("|---|---:|---:|---:|---:|---:|")
    for config, found in results:
        spans = {k: {tuple(s) for s in v} for k, v in found["spans"].items()}
        same = sum(len(reference[k] & spans[k]) for k in reference)
        missing = sum(len(reference[k] - spans[k]) for k in reference)
        extra = sum(len(spans[k] - reference[k]) for k in reference)
        print(f"| {config} | {found['cpu_s']:.1f} | {found['peak_rss_mb']:.0f} | {same} | {missing} | {extra} |")


if __name__ == "__main__":
    main()
