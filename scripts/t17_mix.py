"""Build the story-linking corpus that mixes every Timeline17 topic (the topic is the story).

    python scripts/t17_mix.py ../shared/data/timelines/t17 /tmp/t17_mix.jsonl

Reads ``<t17>/<topic>/articles.jsonl`` (corpus JSONL) for every topic folder and writes one corpus JSONL
file, in date order (the order a stream would bring them; ties by topic and id), with ``story`` set to the
topic's folder name and ``event`` left null (Timeline17 has no event labels). Score it with
``storyline eval cluster OUT --level story``. The output is written outside the repository (the data is
not ours to copy).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def build(root: Path) -> list[dict]:
    rows = []
    for topic in sorted(p for p in root.iterdir() if (p / "articles.jsonl").is_file()):
        with open(topic / "articles.jsonl", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    rows.append(row | {"story": topic.name, "event": None})
    if not rows:
        raise SystemExit(f"no <topic>/articles.jsonl under {root}")
    rows.sort(key=lambda r: (r.get("date") or "", r["story"], r["id"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("t17", type=Path, help="the Timeline17 folder (one folder per topic)")
    parser.add_argument("out", type=Path, help="the corpus JSONL to write")
    args = parser.parse_args()
    rows = build(args.t17)
    with open(args.out, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    topics = sorted({r["story"] for r in rows})
    print(f"{len(rows)} articles, {len(topics)} topics ({', '.join(topics)}) -> {args.out}")


if __name__ == "__main__":
    main()
