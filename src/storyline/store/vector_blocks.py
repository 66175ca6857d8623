"""Embeddings in SQLite as blocks of float32 vectors (migration ``0010_vector_blocks``).

A 2 KB vector in a row of its own takes a 4 KB page (4,155 bytes per article
with its indexes, ``scripts/bench_vector_bytes.py``); ``BLOCK`` vectors in one
blob take their bytes and little more. ``vector_keys`` (WITHOUT ROWID) gives
each article its model, vector id, block and slot; ``vector_blocks`` holds a
full block's vectors end to end (``width`` bytes each, exactly the float32
bytes written). The open block's vectors wait in ``vector_pending`` (one row
each) until the block is full, then go into one blob in the same transaction:
a commit never loses a vector, and a kill -9 leaves at most an open block in
``vector_pending``, read as such. A vector of another width (another model)
closes the open block early. The view ``embeddings`` shows the rows as the old
table did, for ad-hoc SQL; the store reads the tables directly.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable, Iterator

import numpy as np

from ..errors import Codes, StoreError

__all__ = ["BLOCK", "SCHEMA", "append", "rows", "lookup", "count", "convert"]

#: vectors per block
BLOCK = 64
#: keys read (and their vectors gathered) per step of a full read, which bounds its memory
_CHUNK = 65_536

SCHEMA = """
CREATE TABLE vector_keys (
    article_id TEXT PRIMARY KEY, model TEXT NOT NULL, vector_id INTEGER NOT NULL UNIQUE,
    block INTEGER NOT NULL, slot INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE vector_blocks (block INTEGER PRIMARY KEY, width INTEGER NOT NULL, vectors BLOB NOT NULL);
CREATE TABLE vector_pending (block INTEGER NOT NULL, slot INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (block, slot));
"""

#: the old table's rows, for ad-hoc SQL (after ``convert`` dropped the table)
VIEW = """
CREATE VIEW embeddings AS
SELECT k.article_id AS article_id, k.model AS model, k.vector_id AS vector_id,
       coalesce(substr(b.vectors, k.slot * b.width + 1, b.width), p.vector) AS vector
FROM vector_keys k LEFT JOIN vector_blocks b ON b.block = k.block
LEFT JOIN vector_pending p ON p.block = k.block AND p.slot = k.slot
"""


def append(conn: sqlite3.Connection, article_id: str, model: str, vector_id: int, vector: bytes) -> None:
    """Store one vector: into the open block, which is packed into one blob when it is full."""
    row = conn.execute("SELECT block, count(*), max(length(vector)) FROM vector_pending GROUP BY block ORDER BY block").fetchone()
    if row is not None and row[2] != len(vector):
        _pack(conn, row[0])  # another width: the open block closes early
        row = None
    if row is None:
        last = conn.execute("SELECT max(block) FROM vector_blocks").fetchone()[0]
        block, slot = (-1 if last is None else last) + 1, 0
    else:
        block, slot = row[0], row[1]
    conn.execute("INSERT INTO vector_keys (article_id, model, vector_id, block, slot) VALUES (?, ?, ?, ?, ?)",
                 (article_id, model, vector_id, block, slot))
    conn.execute("INSERT INTO vector_pending (block, slot, vector) VALUES (?, ?, ?)", (block, slot, vector))
    if slot + 1 >= BLOCK:
        _pack(conn, block)


def _pack(conn: sqlite3.Connection, block: int) -> None:
    found = conn.execute("SELECT vector FROM vector_pending WHERE block = ? ORDER BY slot", (block,)).fetchall()
    conn.execute("INSERT INTO vector_blocks (block, width, vectors) VALUES (?, ?, ?)",
                 (block, len(found[0][0]), b"".join(bytes(r[0]) for r in found)))
    conn.execute("DELETE FROM vector_pending WHERE block = ?", (block,))


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM vector_keys").fetchone()[0])


def _gather(conn: sqlite3.Connection, keys: list[tuple]) -> list[bytes]:
    """The vector bytes of ``keys`` (rows ending in block, slot), in their order; each block is read once."""
    by_block: dict[int, list[int]] = {}
    for n, key in enumerate(keys):
        by_block.setdefault(key[-2], []).append(n)
    out: list[bytes | None] = [None] * len(keys)
    for block, positions in sorted(by_block.items()):
        row = conn.execute("SELECT width, vectors FROM vector_blocks WHERE block = ?", (block,)).fetchone()
        if row is not None:
            width, blob = row[0], row[1]
            for n in positions:
                out[n] = bytes(blob[keys[n][-1] * width : (keys[n][-1] + 1) * width])
        else:
            pending = dict(conn.execute("SELECT slot, vector FROM vector_pending WHERE block = ?", (block,)).fetchall())
            for n in positions:
                found = pending.get(keys[n][-1])
                out[n] = None if found is None else bytes(found)
    missing = [keys[n][0] for n, v in enumerate(out) if v is None or len(v) == 0]
    if missing:
        raise StoreError(f"the store has no vector for the embedding key of {missing[0]} (block of vector_keys lost): "
                         "the database is damaged", code=Codes.STORE_SCHEMA)
    return out  # type: ignore[return-value]


def rows(conn: sqlite3.Connection) -> Iterator[tuple[str, str, int, bytes]]:
    """Every (article_id, model, vector_id, float32 bytes) in vector id order, read ``_CHUNK`` keys at a time."""
    cursor = conn.execute("SELECT article_id, model, vector_id, block, slot FROM vector_keys ORDER BY vector_id")
    while True:
        keys = cursor.fetchmany(_CHUNK)
        if not keys:
            return
        for key, vector in zip(keys, _gather(conn, keys)):
            yield key[0], key[1], key[2], vector


def keys(conn: sqlite3.Connection) -> Iterator[tuple[str, int]]:
    """Every (article_id, vector_id) in vector id order, without reading a vector."""
    for article_id, vid in conn.execute("SELECT article_id, vector_id FROM vector_keys ORDER BY vector_id"):
        yield article_id, vid


def lookup(conn: sqlite3.Connection, article_ids: Iterable[str]) -> dict[str, np.ndarray]:
    """The vectors of ``article_ids`` that have one."""
    ids = list(article_ids)
    out: dict[str, np.ndarray] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        keys = conn.execute(f"SELECT article_id, block, slot FROM vector_keys WHERE article_id IN ({marks})", chunk).fetchall()
        for key, vector in zip(keys, _gather(conn, keys)):  # placeholders only, above
            out[key[0]] = np.frombuffer(vector, dtype=np.float32)
    return out


def convert(conn: sqlite3.Connection) -> None:
    """Migration step: the rows of the old ``embeddings`` table into blocks (vector id order), then the table
    becomes the view."""
    cursor = conn.execute("SELECT article_id, model, vector_id, vector FROM embeddings ORDER BY vector_id")
    while True:
        found = cursor.fetchmany(4096)
        if not found:
            break
        for article_id, model, vid, vector in found:
            append(conn, article_id, model, vid, bytes(vector))
    conn.execute("DROP TABLE embeddings")
    conn.execute(VIEW)
