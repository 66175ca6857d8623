"""Check that the fast rule finders find what their reference forms find, on every text of some JSONL files.

``python scripts/finder_equivalence.py FILE.jsonl ...`` runs :func:`find_triggers` against
:func:`find_triggers_reference` and :func:`find_dates` against :func:`find_dates_reference` (with the row's date as
the anchor, and with none) on every title, every text and every sentence of every text, prints the counts and the
CPU seconds of each, and exits 1 when any result differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

from storyline.pipeline.dates import find_dates, find_dates_reference
from storyline.pipeline.normalise import split_sentences
from storyline.pipeline.record.eventtype import find_triggers, find_triggers_reference


def _texts(paths: list[str]) -> list[tuple[str, dt.date | None]]:
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                text, anchor = row.get("text") or "", _date(row.get("date"))
                if row.get("title"):
                    out.append((row["title"], anchor))
                out.append((text, anchor))
                out.extend((text[s:e], anchor) for s, e in split_sentences(text))
    return out


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _compare(name: str, fast, reference, calls: list[tuple]) -> int:
    start = time.process_time()
    new = [fast(*call) for call in calls]
    fast_cpu = time.process_time() - start
    start = time.process_time()
    old = [reference(*call) for call in calls]
    reference_cpu = time.process_time() - start
    differ = sum(a != b for a, b in zip(new, old))
    print(f"{name}: {len(calls)} texts, {sum(map(len, old))} found, {differ} differ; "
          f"CPU s {fast_cpu:.2f} (reference {reference_cpu:.2f})")
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    texts = _texts(args.files)
    differ = _compare("triggers", find_triggers, find_triggers_reference, [(text,) for text, _ in texts])
    differ += _compare("dates", find_dates, find_dates_reference, texts)
    differ += _compare("dates, no anchor", find_dates, find_dates_reference, [(text, None) for text, _ in texts])
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
