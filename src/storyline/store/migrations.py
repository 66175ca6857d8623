"""Named schema migrations, applied in order, each in its own transaction.

Applied migrations are recorded in the ``migrations`` table, so opening a
store brings it up to date exactly once. Never edit a migration that has been
released: add a new one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Callable

from . import stamps, vector_blocks

__all__ = ["MIGRATIONS", "apply_migrations", "applied_migrations", "statements"]

_INITIAL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY, domain TEXT, language TEXT, country TEXT
);
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY,
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
) WITHOUT ROWID;
CREATE TABLE mentions (
    article_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    label TEXT NOT NULL, text TEXT NOT NULL, key TEXT NOT NULL
);
CREATE INDEX mentions_article ON mentions (article_id);
CREATE INDEX mentions_key ON mentions (key);
CREATE TABLE embeddings (
    article_id TEXT PRIMARY KEY, model TEXT NOT NULL, vector_id INTEGER NOT NULL UNIQUE, vector BLOB NOT NULL
);
CREATE TABLE signatures (article_id TEXT PRIMARY KEY, minhash BLOB NOT NULL);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
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
    vector_sum BLOB NOT NULL
);
CREATE INDEX events_story ON events (story_id);
CREATE TABLE event_articles (
    article_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, position INTEGER NOT NULL
);
CREATE INDEX event_articles_event ON event_articles (event_id);
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    title TEXT,
    first_date TEXT,
    last_date TEXT,
    n_events INTEGER NOT NULL,
    n_articles INTEGER NOT NULL,
    n_sources INTEGER NOT NULL
);
CREATE INDEX stories_last_date ON stories (last_date);
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    subject_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    level TEXT NOT NULL,
    action TEXT NOT NULL,
    score REAL NOT NULL,
    threshold REAL NOT NULL,
    features TEXT NOT NULL,
    explanation TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX decisions_subject ON decisions (subject_id);
CREATE INDEX decisions_target ON decisions (target_id);
CREATE TABLE rejections (
    id INTEGER PRIMARY KEY,
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
) WITHOUT ROWID;
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    components TEXT NOT NULL,
    settings TEXT NOT NULL,
    summary TEXT
);
"""

#: Toponyms per article and what each resolved to (``pipeline/geo/places.py``).
_PLACES = """
CREATE TABLE places (
    article_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    name TEXT, geonameid INTEGER, latitude REAL, longitude REAL, country_code TEXT, country TEXT,
    admin1 TEXT, feature_code TEXT, precision TEXT NOT NULL, confidence REAL NOT NULL
);
CREATE INDEX places_article ON places (article_id);
CREATE INDEX places_country ON places (country_code)
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

#: Full-text search over article titles and texts (read by the web UI and the REST API).
#: An external-content FTS5 table: the text stays in ``articles``; the store adds each
#: new article's row (no triggers: the migration runner splits scripts on ";").
_SEARCH = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
CREATE INDEX stories_order ON stories (coalesce(last_date, '') DESC, n_articles DESC, number DESC);
CREATE INDEX event_articles_event_position ON event_articles (event_id, position)
"""

#: The relays stage's result, kept with the record it was computed for (read by every surface).
_RELAYS = """
ALTER TABLE event_records ADD COLUMN relays TEXT;
"""

#: The clusterer's second-pass memory (recent originals' features and reports, pair scores), so that a
#: resumed run revisits exactly what an uninterrupted one would.
_CLUSTER_MEMORY = """
CREATE TABLE cluster_items (article_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, item TEXT NOT NULL);
CREATE TABLE cluster_pairs (a TEXT NOT NULL, b TEXT NOT NULL, p REAL NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
"""

#: The comparison stage's result per event (``pipeline/compare/``), rebuilt with the event's record.
_COMPARISONS = """
CREATE TABLE event_comparisons (
    event_id TEXT PRIMARY KEY,
    comparison TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    built_at TEXT NOT NULL
);
"""

#: Event summaries and story timelines (``engine/digests.py``) as JSON, rebuilt when their event or story
#: changes: ``n_articles`` / ``n_events`` are the counts they were built from, ``built_by`` the summariser.
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

#: A story's date span (``refresh_story_dates``) and its events page read from the index alone, so their
#: cost does not grow with the number of the story's events.
_STORY_SCALE = """
CREATE INDEX events_story_date ON events (story_id, date)
"""

#: Embeddings as blocks of vectors (``store/vector_blocks.py``); the old rows are converted by the step below.
_VECTOR_BLOCKS = vector_blocks.SCHEMA

#: A writer's start-up reads the duplicates (few) and the originals' signatures: a partial index of the
#: duplicates spares both a scan of every article's row.
_DUPLICATES = """
CREATE INDEX articles_duplicates ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL
"""

#: Version stamps per story and event, bumped by triggers in the writing transaction (``store/stamps.py``): the
#: web server's response cache keeps a page until its story's or event's stamp moves.
_STAMPS = stamps.SQLITE

#: (name, SQL script) in the order they apply.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_initial", _INITIAL),
    ("0002_places", _PLACES),
    ("0003_records", _RECORDS),
    ("0004_search", _SEARCH),
    ("0005_relays", _RELAYS),
    ("0006_cluster_memory", _CLUSTER_MEMORY),
    ("0007_comparisons", _COMPARISONS),
    ("0008_digests", _DIGESTS),
    ("0009_story_scale", _STORY_SCALE),
    ("0010_vector_blocks", _VECTOR_BLOCKS),
    ("0011_duplicates", _DUPLICATES),
    ("0012_stamps", _STAMPS),
)

#: what a migration does after its script, in the same transaction (data that SQL alone cannot reshape)
_STEPS: dict[str, Callable[[sqlite3.Connection], None]] = {
    "0010_vector_blocks": vector_blocks.convert,
}


def statements(script: str) -> list[str]:
    """The complete SQL statements of ``script``, in order.

    A ";" inside a string literal or a trigger body does not end a statement:
    SQLite's own parser (``sqlite3.complete_statement``) decides where one ends.
    """
    out, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                out.append(pending.strip())
            pending = ""
    if pending.strip().strip(";").strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {pending.strip()[:80]!r}")
    return out


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    return [row[0] for row in conn.execute("SELECT name FROM migrations ORDER BY rowid")]


def apply_migrations(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied now."""
    done = set(applied_migrations(conn))
    applied = []
    for name, script in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        # another connection may have applied it between the read above and this lock
        if conn.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
            conn.execute("ROLLBACK")
            continue
        try:
            for statement in statements(script):
                conn.execute(statement)
            if name in _STEPS:
                _STEPS[name](conn)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (name, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(name)
    return applied
