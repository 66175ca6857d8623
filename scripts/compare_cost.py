"""Cost of comparing one large event: N reports of one topic compared as one event.

    python scripts/compare_cost.py ../shared/data/timelines/t17/egypt/articles.jsonl --reports 200 \
        [--comparer comparer.facts.v1 --comparer comparer.facts.v2]

The reports are analysed by the real pipeline first (not timed); each comparer
(the default one, or each ``--comparer`` in turn, side by side on the same
analysed reports, with the default embedder) is then timed on all of them as
one event. Prints reports, claims, facts, seconds and CPU seconds as one JSON line per comparer (repeat
``--comparer`` names to time them more than once, e.g. v2, v3, v2, v3).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import storyline
from storyline.model import RawRecord
from storyline.pipeline.normalise import to_article


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--comparer", action="append", default=[], help="A registered comparer (repeatable).")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in open(args.corpus, encoding="utf-8")]
    rows = [r for r in rows if (r.get("text") or "").strip()][: args.reports]
    articles = [to_article(RawRecord(args.corpus, i + 1, {"id": r["id"], "date": r.get("date"), "source": r.get("source") or f"outlet{i % 50}",
                                                          "title": r.get("title"), "text": r["text"]})) for i, r in enumerate(rows)]
    with tempfile.TemporaryDirectory() as folder:
        engine = storyline.Storyline(Path(folder) / "cost.db")
        mentions = {a.id: x.mentions for a, x in zip(articles, engine.analyse(articles))}
        embedder = engine.components.get("embedder")
        embedder.embed(["warm up"])
        from storyline import registry

        comparers = [registry.create(n, engine.options) for n in args.comparer] or [engine.components.get("comparer")]
        for comparer in comparers:
            started, cpu = time.perf_counter(), time.process_time()
            comparison = comparer.compare("E1", articles, mentions, (), embedder)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            claims = sum(len(f.supports) for f in comparison.facts)
            print(json.dumps({"comparer": comparer.name, "reports": len(articles), "characters": sum(len(a.text) for a in articles),
                              "claims": claims, "facts": len(comparison.facts), "note": comparison.note,
                              "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2)}), flush=True)
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
