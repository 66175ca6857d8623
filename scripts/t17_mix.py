"""Build the story-linking corpus that mixes every Timeline17 topic (the topic is the story).

    python scripts/t17_mix.py ../shared/data/timelines/t17 /tmp/t17_mix.jsonl [--per-topic 120]

Reads ``<t17>/<topic>/articles.jsonl`` (corpus JSONL) for every topic folder and writes one corpus JSONL
file, in date order (the order a stream would bring them; ties by topic and id), with ``story`` set to the
topic's folder name and ``event`` left null (Timeline17 has no event labels). Score it with
``storyline eval cluster OUT --level story``. The output is written outside the repository (the data is
not ours to copy). ``--per-topic N`` keeps N articles of each topic, evenly spaced in date order (every
k-th), so a smaller corpus still spans each topic's dates. ``--topics a,b`` keeps only those topics (a
mix of the topics a fit leaves out, say). A row without text (which the pipeline would reject, error SL104)
is left out and reported on stderr, as is a line that is not a JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _spaced(rows: list[dict], n: int | None) -> list[dict]:
    rows = sorted(rows, key=lambda r: (r.get("date") or "", r["id"]))
    if not n or n >= len(rows):
        return rows
    return [rows[int(i * len(rows) / n)] for i in range(n)]


def _rows(path: Path, story: str) -> list[dict]:
    """The usable rows of one topic's articles.jsonl; a row without text or a bad line is reported and left out."""
    found = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{number}: left out, not JSON ({exc})", file=sys.stderr)
                continue
            if not isinstance(row, dict) or not str(row.get("text") or "").strip():
                print(f"{path}:{number}: left out, no text (the pipeline would reject it: SL104)", file=sys.stderr)
                continue
            found.append(row | {"story": story, "event": None})
    return found


def build(root: Path, per_topic: int | None = None, topics: set[str] | None = None) -> list[dict]:
    rows = []
    for topic in sorted(p for p in root.iterdir() if (p / "articles.jsonl").is_file()):
        if topics is None or topic.name in topics:
            rows.extend(_spaced(_rows(topic / "articles.jsonl", topic.name), per_topic))
    if not rows:
        raise SystemExit(f"no <topic>/articles.jsonl under {root}" + (f" for topics {sorted(topics)}" if topics else ""))
    rows.sort(key=lambda r: (r.get("date") or "", r["story"], r["id"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("t17", type=Path, help="the Timeline17 folder (one folder per topic)")
    parser.add_argument("out", type=Path, help="the corpus JSONL to write")
    parser.add_argument("--per-topic", type=int, default=None, help="keep this many articles a topic, evenly spaced")
    parser.add_argument("--topics", default=None, help="comma-separated topic folders to keep (default: all)")
    args = parser.parse_args()
    rows = build(args.t17, args.per_topic, set(args.topics.split(",")) if args.topics else None)
    with open(args.out, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    topics = sorted({r["story"] for r in rows})
    print(f"{len(rows)} articles, {len(topics)} topics ({', '.join(topics)}) -> {args.out}")


if __name__ == "__main__":
    main()
