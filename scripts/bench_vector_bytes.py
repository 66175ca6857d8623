#!/usr/bin/env python
"""Bytes per article of 512-dim float32 embeddings in SQLite: the store's table against one blob per block of vectors.

    python scripts/bench_vector_bytes.py [--articles 2000] [--dim 512] [--block 64]

Writes the same random vectors into two scratch databases (vacuumed): the
``embeddings`` table as migration 0001 creates it (one row, with its two
indexes, per article) and a layout of ``--block`` vectors per blob with a
WITHOUT ROWID key table; prints file bytes per article for each. The first
is the store's layout today: a 2 KB row on a 4 KB page leaves no room for a
second row, so each vector takes a page.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--block", type=int, default=64)
    args = parser.parse_args()
    n, block = args.articles, args.block
    vectors = np.random.default_rng(0).normal(size=(n, args.dim)).astype(np.float32)
    keys = [(f"allsides_{i}_center", "embedder.minilm.v1", i << 20) for i in range(n)]
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        rows = os.path.join(folder, "rows.db")
        with sqlite3.connect(rows) as db:
            db.execute("CREATE TABLE embeddings (article_id TEXT PRIMARY KEY, model TEXT NOT NULL, "
                       "vector_id INTEGER NOT NULL UNIQUE, vector BLOB NOT NULL)")
            db.executemany("INSERT INTO embeddings VALUES (?, ?, ?, ?)", [k + (vectors[i].tobytes(),) for i, k in enumerate(keys)])
        blocks = os.path.join(folder, "blocks.db")
        with sqlite3.connect(blocks) as db:
            db.execute("CREATE TABLE vector_blocks (block INTEGER PRIMARY KEY, vectors BLOB NOT NULL)")
            db.execute("CREATE TABLE vector_keys (article_id TEXT PRIMARY KEY, model TEXT NOT NULL, vector_id INTEGER NOT NULL, "
                       "block INTEGER NOT NULL, slot INTEGER NOT NULL) WITHOUT ROWID")
            db.executemany("INSERT INTO vector_blocks VALUES (?, ?)",
                           [(b, vectors[b * block:(b + 1) * block].tobytes()) for b in range((n + block - 1) // block)])
            db.executemany("INSERT INTO vector_keys VALUES (?, ?, ?, ?, ?)", [k + (i // block, i % block) for i, k in enumerate(keys)])
        for name, path in (("row_per_article", rows), (f"blob_per_{block}", blocks)):
            connection = sqlite3.connect(path)
            connection.execute("VACUUM")
            connection.close()
            out[name + "_bytes_per_article"] = round(os.path.getsize(path) / n)
    out["vector_bytes"] = args.dim * 4
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
