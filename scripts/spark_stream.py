"""Build an article stream of N articles from the development corpora (for the Spark benchmark, docs/scaling.md).

    python scripts/spark_stream.py 10000 /tmp/stream.jsonl

Takes, in this order, AllSides, ECB+, BBC News and ACLED development articles (every one has a distinct id),
interleaved round-robin so that any prefix mixes long news articles and short event reports, and stops at N.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
CORPORA = ("clustering/allsides_dev.jsonl", "clustering/ecbplus_dev.jsonl", "topics/bbc_news.jsonl",
           "events/acled_dev.jsonl")


def main(n: int, out: str, data: Path = DATA) -> int:
    if not data.is_dir():
        data = Path("/work/shared/data")
    sources = [(json.loads(line) for line in (data / name).open(encoding="utf-8")) for name in CORPORA]
    written = 0
    with open(out, "w", encoding="utf-8") as fh:
        for record in itertools.chain.from_iterable(itertools.zip_longest(*sources)):
            if record is None:
                continue
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
            if written == n:
                break
    print(f"{written} articles -> {out}")
    return 0 if written == n else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]), sys.argv[2]))
