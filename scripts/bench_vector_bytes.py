#!/usr/bin/env python
"""Bytes per article of 512-dim float32 embeddings in SQLite: the old table against the store's blocks of vectors.

    python scripts/bench_vector_bytes.py [--articles 2000] [--dim 512]

Writes the same random vectors into scratch databases (vacuumed): the
``embeddings`` table as migration 0001 created it (one row, with its two
indexes, per article: a 2 KB row on a 4 KB page leaves no room for a second
row, so each vector takes a page), and a store written through
``SQLiteStore.add_embedding`` (blocks of ``BLOCK`` vectors, migration 0010),
less an empty store's bytes; prints file bytes per article for each.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile

import numpy as np

from storyline.store.sqlite import SQLiteStore
from storyline.store.vector_blocks import BLOCK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--dim", type=int, default=512)
    args = parser.parse_args()
    n = args.articles
    vectors = np.random.default_rng(0).normal(size=(n, args.dim)).astype(np.float32)
    keys = [(f"allsides_{i}_center", "embedder.minilm.v1", i << 20) for i in range(n)]
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        rows = os.path.join(folder, "rows.db")
        with sqlite3.connect(rows) as db:
            db.execute("CREATE TABLE embeddings (article_id TEXT PRIMARY KEY, model TEXT NOT NULL, "
                       "vector_id INTEGER NOT NULL UNIQUE, vector BLOB NOT NULL)")
            db.executemany("INSERT INTO embeddings VALUES (?, ?, ?, ?)", [k + (vectors[i].tobytes(),) for i, k in enumerate(keys)])
        blocks = os.path.join(folder, "store.db")
        with SQLiteStore(blocks) as store:  # the store as it writes them today (store/vector_blocks.py)
            with store.transaction():
                for i, (key, model, vid) in enumerate(keys):
                    store.add_embedding(key, model, vid, vectors[i])
            store.conn.execute("DROP TABLE articles_fts")  # as in the empty store below: its bytes are subtracted
        base = os.path.join(folder, "empty.db")
        with SQLiteStore(base) as store:
            store.conn.execute("DROP TABLE articles_fts")
        sizes = {}
        for name, path in (("row_per_article", rows), ("store_blocks", blocks), ("empty_store", base)):
            connection = sqlite3.connect(path)
            connection.execute("PRAGMA journal_mode=DELETE")
            connection.execute("VACUUM")
            connection.close()
            sizes[name] = os.path.getsize(path)
        out["row_per_article_bytes_per_article"] = round(sizes["row_per_article"] / n)
        out[f"store_blocks_of_{BLOCK}_bytes_per_article"] = round((sizes["store_blocks"] - sizes["empty_store"]) / n)
    out["vector_bytes"] = args.dim * 4
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
