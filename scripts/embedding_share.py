#!/usr/bin/env python
"""Ingest allsides_dev (plain, or analysed rows) counting the embedder's CPU seconds and texts, whatever the
stage timers say: the model share of a run with code whose timers hide the sentence embedding inside ``record``.

    PYTHONPATH=src python scripts/embedding_share.py plain DB [--corpus FILE]
    PYTHONPATH=src python scripts/embedding_share.py analysed DB --rows DIR    # DIR from `storyline spark analyse`

Prints one JSON line: the ingest's CPU seconds, the embedder's (CPU seconds, texts, calls) and the stage CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from storyline import Storyline
from storyline.pipeline.embed import UseEmbedder
from storyline.settings import load_options

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "clustering" / "allsides_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("plain", "analysed"))
    parser.add_argument("db")
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--rows", help="the analysed rows (mode analysed)")
    args = parser.parse_args()
    spent = {"cpu": 0.0, "texts": 0, "calls": 0}
    real = UseEmbedder.embed

    def counted(self, texts):
        started = time.process_time()
        try:
            return real(self, texts)
        finally:
            spent["cpu"] += time.process_time() - started
            spent["texts"] += len(texts)
            spent["calls"] += 1

    UseEmbedder.embed = counted
    with Storyline(args.db, load_options().replace(progress=False)) as engine:
        started = time.process_time()
        if args.mode == "analysed":
            from storyline.spark.analysed import ingest_analysed

            summary = ingest_analysed(engine, args.rows)
        else:
            summary = engine.ingest([args.corpus])
        total = time.process_time() - started
    print(json.dumps({"mode": args.mode, "ingest_cpu": total, "embedder": spent, "stage_cpu": summary.stage_cpu_seconds}))


if __name__ == "__main__":
    main()
