"""Copy a store between backends (SQLite <-> PostgreSQL), verified by counts and checksums.

Every table of the schema is read in a fixed order from the source and
written to an empty, fully migrated destination; then both stores' tables are
summarised (row count and sha256 of the rows in canonical form: vectors as
float32 bytes, blobs as bytes, numbers by value) and must agree. Search
indexes are derived: the destination builds its own (FTS5 or tsvector). The
``migrations`` table is not copied: both sides must have the same list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from ..errors import Codes, StoreError
from .pg_browse import search_document
from .pgvectors import as_array
from .postgres import PostgresStore

__all__ = ["TABLES", "TableSummary", "summarise", "copy_store"]

#: table -> (columns common to both dialects, the key that orders its rows)
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "meta": (("key", "value"), "key"),
    "sources": (("name", "domain", "language", "country"), "name"),
    "articles": (("rowid", "id", "source", "url", "title", "published", "text", "language", "fingerprint", "duplicate_of",
                  "origin", "ingested_at"), "rowid"),
    "segments": (("article_id", "idx", "kind", "start", '"end"', "paragraph"), "article_id, idx"),
    "mentions": (("article_id", "start", '"end"', "label", "text", "key", "detail"), "article_id, start, \"end\", {tie}"),
    "places": (("article_id", "start", '"end"', "text", "name", "geonameid", "latitude", "longitude", "country_code", "country",
                "admin1", "feature_code", "precision", "confidence"), "article_id, start, {tie}"),
    "embeddings": (("article_id", "model", "vector_id", "vector"), "vector_id"),
    "signatures": (("article_id", "minhash"), "article_id"),
    "events": (("id", "number", "story_id", "title", "date", "date_precision", "first_date", "last_date", "size", "n_articles",
                "n_sources", "state", "vector_sum"), "number"),
    "event_articles": (("article_id", "event_id", "position"), "article_id"),
    "stories": (("id", "number", "title", "first_date", "last_date", "n_events", "n_articles", "n_sources"), "number"),
    "decisions": (("id", "subject_id", "target_id", "level", "action", "score", "threshold", "features", "explanation",
                   "created_at"), "id"),
    "rejections": (("id", "origin", "line", "code", "reason", "excerpt", "created_at"), "id"),
    "vocabulary": (("kind", "key", "df"), "kind, key"),
    "runs": (("id", "started_at", "finished_at", "components", "settings", "summary"), "id"),
    "event_records": (("event_id", "record", "n_articles", "built_at", "relays"), "event_id"),
    "event_comparisons": (("event_id", "comparison", "n_articles", "built_at"), "event_id"),
    "digests": (("kind", "subject_id", "digest", "n_articles", "n_events", "built_by", "built_at"), "kind, subject_id"),
    "cluster_items": (("article_id", "seq", "item"), "seq"),
    "cluster_pairs": (("a", "b", "p"), "a, b"),
}


@dataclass(frozen=True)
class TableSummary:
    table: str
    rows: int
    sha256: str


def _is_pg(store: Any) -> bool:
    return isinstance(store, PostgresStore)


def _rows(store: Any, table: str) -> Iterator[tuple]:
    columns, order = TABLES[table]
    pg = _is_pg(store)
    if table == "embeddings" and not pg:  # SQLite keeps them in blocks (store/vector_blocks.py)
        yield from store.embedding_rows()
        return
    # text keys in byte order on both sides (SQLite compares text as bytes)
    order = ", ".join(f'{c.strip()} COLLATE "C"' if pg and c.strip() in _TEXT_KEYS else c.strip() for c in order.split(","))
    order = order.replace("{tie}", "seq" if pg else "rowid")
    sql = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"  # names from TABLES only, no values
    if pg:
        from psycopg.rows import tuple_row

        yield from store.conn.cursor(row_factory=tuple_row).execute(sql)
    else:
        for row in store.conn.execute(sql):
            yield tuple(row)


_TEXT_KEYS = {"key", "name", "article_id", "kind", "event_id", "subject_id", "a", "b"}


def _canonical(value: Any) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return b"B" + bytes(value)
    if isinstance(value, bool) or isinstance(value, int):
        return b"I%d" % int(value)
    if isinstance(value, float):
        return b"F" + repr(value).encode()
    if isinstance(value, str):
        return b"S" + value.encode("utf-8")
    return b"B" + as_array(value).tobytes()  # a pgvector value


def summarise(store: Any) -> list[TableSummary]:
    """Every copied table's row count and checksum."""
    out = []
    for table in TABLES:
        digest, n = hashlib.sha256(), 0
        for row in _rows(store, table):
            for value in row:
                part = _canonical(value)
                digest.update(b"%d:" % len(part) + part)
            n += 1
        out.append(TableSummary(table, n, digest.hexdigest()))
    return out


def _write(dst: Any, table: str, rows: list[tuple]) -> None:
    columns, _ = TABLES[table]
    pg = _is_pg(dst)
    names = list(columns)
    if table == "embeddings":
        rows = [r[:3] + (_vector(r[3], pg),) for r in rows]
        if pg and rows:
            dst._ensure_vector_column(len(rows[0][3]))
    if pg:
        _copy_rows(dst, table, names, rows)
        return
    if table == "embeddings":
        for article_id, model, vid, vector in rows:
            dst.add_embedding(article_id, model, vid, np.frombuffer(vector, dtype=np.float32))
        return
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"  # names from TABLES only
    dst.conn.executemany(sql, rows)


def _copy_rows(dst: Any, table: str, names: list[str], rows: list[tuple]) -> None:
    """Rows into a PostgreSQL table with COPY (one stream, not a statement a row); an article's text search
    document (as PostgresStore.add_article writes it) is then set for the batch in one statement."""
    if not rows:
        return
    conn = dst.conn
    with conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:  # names from TABLES only
            for row in rows:
                copy.write_row(row)
        if table == "articles":
            cur.execute("UPDATE articles SET search = to_tsvector('simple', d.doc)"
                        " FROM unnest(%s::bigint[], %s::text[]) AS d(rowid, doc) WHERE articles.rowid = d.rowid",
                        ([r[0] for r in rows], [search_document(r[4], r[6]) for r in rows]))


def _vector(value: Any, pg: bool) -> Any:
    """A stored vector (SQLite: float32 bytes; PostgreSQL: pgvector) as the destination stores it."""
    array = np.frombuffer(bytes(value), dtype=np.float32) if isinstance(value, (bytes, memoryview)) else as_array(value)
    return array if pg else array.tobytes()


def copy_store(src: Any, dst: Any, batch: int = 2000) -> list[TableSummary]:
    """Copy every table of ``src`` into the empty store ``dst`` in one transaction; return the verified summary.

    Raises :class:`StoreError` when ``dst`` is not empty, the migrations differ,
    or a table's count or checksum differs after the copy.
    """
    if src.migrations() != dst.migrations():
        raise StoreError(f"the stores have different migrations ({src.migrations()[-1:]} vs {dst.migrations()[-1:]}): "
                         "run `storyline db migrate` on the older one first", code=Codes.STORE_SCHEMA)
    if any(s.rows for s in summarise(dst)):
        raise StoreError(f"the destination {dst.path} is not empty: copy into a new store", code=Codes.STORE_WRITE)
    with dst.transaction():
        for table in TABLES:
            rows: list[tuple] = []
            for row in _rows(src, table):
                rows.append(row)
                if len(rows) >= batch:
                    _write(dst, table, rows)
                    rows = []
            _write(dst, table, rows)
        if not _is_pg(dst):
            dst.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    if _is_pg(dst):
        dst.index_vectors()  # the HNSW index, built once over the copied vectors (when there are enough)
    before, after = summarise(src), summarise(dst)
    for a, b in zip(before, after):
        if (a.rows, a.sha256) != (b.rows, b.sha256):
            raise StoreError(f"copy check failed for table {a.table}: {a.rows} rows ({a.sha256[:12]}) in the source, "
                             f"{b.rows} ({b.sha256[:12]}) in the destination", code=Codes.STORE_WRITE)
    return after
