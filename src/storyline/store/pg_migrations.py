"""The PostgreSQL dialect of every named migration in :mod:`.migrations`.

A store records the migrations applied to it in its ``migrations`` table, by
the same names on both backends, so a store copied from SQLite to PostgreSQL
(``storyline db copy``) and back carries the same history. Each SQLite script
has its counterpart here under the same name; a new migration adds both (the
test ``test_every_migration_has_a_postgresql_dialect`` fails until it does).

The differences from the SQLite text: ``BYTEA`` for blobs, ``DOUBLE PRECISION``
for ``REAL``, explicit ``BIGINT`` row ids (the store numbers rows as SQLite
does, ``max + 1`` under the one writer's lock, so vector ids and positions
match on both backends), a ``seq`` column where SQLite breaks ties by its
hidden rowid, a pgvector column for embeddings, and a ``tsvector`` column
with a GIN index where SQLite has its FTS5 table. The HNSW index needs the
vectors' dimension, which only the first embedding tells: the store creates it
then (:meth:`storyline.store.postgres.PostgresStore.add_embedding`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import Codes, StoreError
from . import stamps
from .migrations import MIGRATIONS

__all__ = ["POSTGRES_MIGRATIONS", "apply_pg_migrations", "applied_pg_migrations"]

_INITIAL = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY, domain TEXT, language TEXT, country TEXT
);
CREATE TABLE articles (
    rowid BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source TEXT,
    url TEXT,
    title TEXT,
    published TEXT,
    text TEXT NOT NULL,
    language TEXT,
    fingerprint TEXT NOT NULL,
    duplicate_of TEXT,
    origin TEXT,
    ingested_at TEXT NOT NULL
);
CREATE INDEX articles_fingerprint ON articles (fingerprint);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_source ON articles (source);
CREATE TABLE segments (
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, paragraph INTEGER NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE TABLE mentions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    label TEXT NOT NULL, text TEXT NOT NULL, key TEXT NOT NULL
);
CREATE INDEX mentions_article ON mentions (article_id);
CREATE INDEX mentions_key ON mentions (key);
CREATE TABLE embeddings (
    article_id TEXT PRIMARY KEY, model TEXT NOT NULL, vector_id BIGINT NOT NULL UNIQUE, vector vector NOT NULL
);
CREATE TABLE signatures (article_id TEXT PRIMARY KEY, minhash BYTEA NOT NULL);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    story_id TEXT,
    title TEXT,
    date TEXT,
    date_precision TEXT,
    first_date TEXT,
    last_date TEXT,
    size INTEGER NOT NULL,
    n_articles INTEGER NOT NULL,
    n_sources INTEGER NOT NULL,
    state TEXT NOT NULL,
    vector_sum BYTEA NOT NULL
);
CREATE INDEX events_story ON events (story_id);
CREATE TABLE event_articles (
    article_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, position INTEGER NOT NULL
);
CREATE INDEX event_articles_event ON event_articles (event_id);
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    title TEXT,
    first_date TEXT,
    last_date TEXT,
    n_events INTEGER NOT NULL,
    n_articles INTEGER NOT NULL,
    n_sources INTEGER NOT NULL
);
CREATE INDEX stories_last_date ON stories (last_date);
CREATE TABLE decisions (
    id BIGINT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    level TEXT NOT NULL,
    action TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    threshold DOUBLE PRECISION NOT NULL,
    features TEXT NOT NULL,
    explanation TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX decisions_subject ON decisions (subject_id);
CREATE INDEX decisions_target ON decisions (target_id);
CREATE TABLE rejections (
    id BIGINT PRIMARY KEY,
    origin TEXT NOT NULL,
    line INTEGER NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (origin, line, code)
);
CREATE TABLE vocabulary (
    kind TEXT NOT NULL, key TEXT NOT NULL, df INTEGER NOT NULL, PRIMARY KEY (kind, key)
);
CREATE TABLE runs (
    id BIGINT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    components TEXT NOT NULL,
    settings TEXT NOT NULL,
    summary TEXT
);
"""

_PLACES = """
CREATE TABLE places (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    name TEXT, geonameid BIGINT, latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, country_code TEXT, country TEXT,
    admin1 TEXT, feature_code TEXT, precision TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL
);
CREATE INDEX places_article ON places (article_id);
CREATE INDEX places_country ON places (country_code);
"""

_RECORDS = """
ALTER TABLE mentions ADD COLUMN detail TEXT;
CREATE TABLE event_records (
    event_id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    built_at TEXT NOT NULL
);
"""

#: PostgreSQL's text search where SQLite has FTS5: the store writes each article's ``search`` document
#: (title and text with diacritics folded, see postgres.py); rows from before this migration get theirs here.
_SEARCH = """
ALTER TABLE articles ADD COLUMN search tsvector;
UPDATE articles SET search = to_tsvector('simple', coalesce(title, '') || ' ' || text);
CREATE INDEX articles_search ON articles USING gin (search);
CREATE INDEX stories_order ON stories (coalesce(last_date, '') DESC, n_articles DESC, number DESC);
CREATE INDEX event_articles_event_position ON event_articles (event_id, position);
"""

_RELAYS = """
ALTER TABLE event_records ADD COLUMN relays TEXT;
"""

_CLUSTER_MEMORY = """
CREATE TABLE cluster_items (article_id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, item TEXT NOT NULL);
CREATE TABLE cluster_pairs (a TEXT NOT NULL, b TEXT NOT NULL, p DOUBLE PRECISION NOT NULL, PRIMARY KEY (a, b));
"""

#: name -> PostgreSQL script, for every name of :data:`storyline.store.migrations.MIGRATIONS`.
_COMPARISONS = """
CREATE TABLE event_comparisons (
    event_id TEXT PRIMARY KEY,
    comparison TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    built_at TEXT NOT NULL
);
"""

_DIGESTS = """
CREATE TABLE digests (
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    n_events INTEGER NOT NULL,
    built_by TEXT NOT NULL,
    built_at TEXT NOT NULL,
    PRIMARY KEY (kind, subject_id)
);
"""

_STORY_SCALE = """
CREATE INDEX events_story_date ON events (story_id, date);
"""

#: SQLite's vector blocks (``store/vector_blocks.py``) have no counterpart: PostgreSQL keeps one pgvector row per
#: article (the HNSW index and the window search read them), stored uncompressed and inline. Recorded all the same,
#: so both backends carry the same list of migrations.
_VECTOR_BLOCKS = "SELECT 1"

_DUPLICATES = """
CREATE INDEX articles_duplicates ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;
"""

POSTGRES_MIGRATIONS: dict[str, str] = {
    "0001_initial": _INITIAL,
    "0002_places": _PLACES,
    "0003_records": _RECORDS,
    "0004_search": _SEARCH,
    "0005_relays": _RELAYS,
    "0006_cluster_memory": _CLUSTER_MEMORY,
    "0007_comparisons": _COMPARISONS,
    "0008_digests": _DIGESTS,
    "0009_story_scale": _STORY_SCALE,
    "0010_vector_blocks": _VECTOR_BLOCKS,
    "0011_duplicates": _DUPLICATES,
    "0012_stamps": stamps.POSTGRES,  # the same triggers as plpgsql functions
}

#: an advisory lock key (transaction scope) that serialises two processes migrating one new database
_MIGRATION_LOCK = 0x5354_4F52_594D  # "STORYM"


def _migrations_table(conn: Any) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL,"
                 " position INTEGER NOT NULL)")


def applied_pg_migrations(conn: Any) -> list[str]:
    """The names of the migrations recorded in the database, in the order they were applied."""
    cur = conn.cursor(row_factory=_tuples())
    if cur.execute("SELECT to_regclass('migrations')").fetchone()[0] is None:
        return []
    return [r[0] for r in cur.execute("SELECT name FROM migrations ORDER BY position")]


def _tuples() -> Any:
    from psycopg.rows import tuple_row

    return tuple_row


def apply_pg_migrations(conn: Any, migrations: tuple[tuple[str, str], ...] | None = None) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return the names applied now.

    ``conn`` is a psycopg connection in autocommit mode. The SQLite list
    decides the names and their order; a name without a PostgreSQL dialect is
    an error naming it (a migration added for one backend only).
    """
    names = [name for name, _ in (migrations if migrations is not None else MIGRATIONS)]
    missing = [n for n in names if n not in POSTGRES_MIGRATIONS]
    if missing:
        raise StoreError(f"migration {missing[0]} has no PostgreSQL dialect (storyline/store/pg_migrations.py): "
                         "this version cannot open a PostgreSQL store", code=Codes.STORE_SCHEMA)
    if applied_pg_migrations(conn) == names:
        return []
    applied = []
    for position, name in enumerate(names, start=1):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            _migrations_table(conn)
            if conn.execute("SELECT 1 FROM migrations WHERE name = %s", (name,)).fetchone():
                continue
            conn.execute(POSTGRES_MIGRATIONS[name])  # a fixed script of this module, no values in it
            conn.execute("INSERT INTO migrations (name, applied_at, position) VALUES (%s, %s, %s)",
                         (name, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), position))
        applied.append(name)
    return applied
