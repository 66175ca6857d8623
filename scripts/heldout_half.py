"""Write the held-out half of a corpus (the rows `storyline fit linker` never reads) for `eval cluster`.

    python scripts/heldout_half.py ../shared/data/clustering/allsides_dev.jsonl /tmp/allsides_later.jsonl

The held-out half is the rows dated on or after the corpus's median date
(:func:`storyline.evaluate.fit_link.heldout_rows`); the output goes outside the repository.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from storyline.evaluate.clustering import load_corpus
from storyline.evaluate.fit_link import heldout_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    rows = load_corpus(args.corpus)
    kept = heldout_rows(rows)
    with open(args.out, "w", encoding="utf-8") as f:
        for row in kept:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(kept)} of {len(rows)} rows (dated on or after the median) -> {args.out}")


if __name__ == "__main__":
    main()
