"""Compare's share of a real ingest: the comparison stage with the embedding of its claims, against the whole run.

    python scripts/compare_share.py ../shared/data/clustering/allsides_dev.jsonl [--db /tmp/share.db] \
        [--set NAME=VALUE]

Ingests the corpus into a fresh store (``Storyline.ingest``, the code ``storyline ingest`` runs) and prints one
JSON line: the summary's ``stage_seconds`` and ``stage_cpu_seconds`` (where the claims' embedding counts as
``embed``, not ``compare``), and, timed around every comparison of the records stage, the comparisons' wall and
CPU seconds with their embedding (``compare_total``) and the embedding within them (``compare_embed``); then
the run's wall and CPU seconds and compare's share: ``compare_total`` over the run, and what it adds to the
run without it. The timers only read clocks (the same code runs).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import storyline
from storyline.settings import load_options


class _Clock:
    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def wrap(self, fn):
        def timed(*args, **kwargs):
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - w
                self.cpu += time.process_time() - c
        return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--db", default=None)
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    options = load_options(overrides=dict(s.split("=", 1) for s in args.sets)) if args.sets else load_options()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "share.db")
        started, cpu = time.perf_counter(), time.process_time()
        engine = storyline.Storyline(db, options)
        total, embed = _Clock(), _Clock()
        records, sentences = engine.records, engine.components.sentences()
        inner_embed = sentences.embed
        in_compare = [False]

        def embed_call(texts):
            if not in_compare[0]:
                return inner_embed(texts)
            return embed.wrap(inner_embed)(texts)

        compare = records.compare

        def compare_call(*a, **k):
            in_compare[0] = True
            try:
                return total.wrap(compare)(*a, **k)
            finally:
                in_compare[0] = False

        sentences.embed, records.compare = embed_call, compare_call
        summary = engine.ingest([args.corpus])
        engine.close()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    rnd = lambda d: {k: round(v, 2) for k, v in d.items()}  # noqa: E731
    print(json.dumps({"ingested": summary.ingested, "events_created": summary.events_created,
                      "stage_seconds": rnd(summary.stage_seconds), "stage_cpu_seconds": rnd(summary.stage_cpu_seconds),
                      "compare_total": {"seconds": round(total.wall, 2), "cpu_seconds": round(total.cpu, 2)},
                      "compare_embed": {"seconds": round(embed.wall, 2), "cpu_seconds": round(embed.cpu, 2)},
                      "run": {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)},
                      "share_cpu": round(total.cpu / cpu, 3), "adds_cpu": round(total.cpu / (cpu - total.cpu), 3),
                      "share_wall": round(total.wall / wall, 3), "adds_wall": round(total.wall / (wall - total.wall), 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
