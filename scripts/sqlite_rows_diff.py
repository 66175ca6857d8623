#!/usr/bin/env python
"""Compare two SQLite stores table by table, row by row, byte for byte (what an ingest wrote, not its timing).

    python scripts/sqlite_rows_diff.py A.db B.db [--show 5]

Stricter than ``store_diff.py``: every column of every row of the tables an ingest writes (articles, segments,
events with their clustering state and vector sums, event membership, decisions with their features and
explanations, stories, vocabulary, the clusterer's memory and pair scores, mentions, places, signatures, vectors,
records, comparisons, digests, rejections, meta), compared exactly (an event's clustering state as the JSON
value it holds, see ``PARSED``). Rows are taken in the table's own order
(rowid, so decisions in the order they were made). Columns that record when (``ingested_at``, ``created_at``,
``built_at``) and the ``runs`` table are left out. Exits 1 when any row differs.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys

#: table -> the order its rows are compared in
TABLES = {
    "articles": "rowid", "segments": "article_id, idx", "events": "number", "event_articles": "article_id",
    "decisions": "rowid", "stories": "number", "vocabulary": "kind, key", "cluster_items": "seq",
    "cluster_pairs": "a, b", "mentions": "rowid", "places": "rowid", "signatures": "article_id",
    "vector_keys": "1, 2", "vector_blocks": "1", "vector_pending": "1", "embeddings": "1",
    "event_records": "event_id", "event_comparisons": "event_id", "digests": "rowid", "rejections": "rowid",
    "meta": "key", "sources": "name",
}
#: columns that record when, not what
IGNORED = {"ingested_at", "created_at", "built_at", "updated_at"}
#: JSON columns compared as the values they hold: an event's entity counts are made from sets, whose order
#: follows the run's string hashing (two runs of the same code order them differently)
PARSED = {("events", "state")}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in IGNORED]  # names from TABLES


def rows(conn: sqlite3.Connection, table: str) -> tuple[list[str], list[tuple]]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone():
        return [], []
    columns = _columns(conn, table)
    quoted = ", ".join(f'"{c}"' for c in columns)
    found = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY {TABLES[table]}").fetchall()
    parsed = [n for n, c in enumerate(columns) if (table, c) in PARSED]
    if parsed:
        found = [tuple(json.loads(v) if n in parsed and v is not None else v for n, v in enumerate(row)) for row in found]
    return columns, found


def compare(a_path: str, b_path: str, show: int) -> int:
    a = sqlite3.connect(f"file:{a_path}?mode=ro", uri=True)
    b = sqlite3.connect(f"file:{b_path}?mode=ro", uri=True)
    differing = 0
    for table in TABLES:
        cols_a, left = rows(a, table)
        cols_b, right = rows(b, table)
        if cols_a != cols_b:
            print(f"{table}: columns differ {cols_a} != {cols_b}")
            differing += 1
            continue
        bad = [i for i, (x, y) in enumerate(zip(left, right)) if x != y]
        extra = abs(len(left) - len(right))
        differing += len(bad) + extra
        print(f"{table}: {len(left)} vs {len(right)} rows, {len(bad)} differ")
        for i in bad[:show]:
            for name, x, y in zip(cols_a, left[i], right[i]):
                if x != y:
                    print(f"  row {i} {name}: {str(x)[:120]!r} != {str(y)[:120]!r}")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--show", type=int, default=5)
    args = parser.parse_args(argv)
    return compare(args.a, args.b, args.show)


if __name__ == "__main__":
    sys.exit(main())
