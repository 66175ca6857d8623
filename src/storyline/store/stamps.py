"""Version stamps per story and per event: counters the database bumps in the transaction that changes them.

The web server's response cache (:mod:`storyline.web.cache`) keeps a story's or
an event's page until what the page shows changes. What it shows is spread
over several tables (the story row, its events, their members, records,
comparisons, digests and the decisions behind them), written by several
stages; a stamp that a writer had to remember to bump would go stale the
first time one forgot. So the stamps are bumped by triggers (the migration
``0012_stamps``, both backends): every insert, delete or real change of a row
adds one to the stamp of each subject the row belongs to, in the same
transaction, so a reader sees the new rows and the new stamp together.

Subjects (the ``stamps`` table's ``subject``):

- an event id: its row, its members, its record, comparison and digest, the
  decisions about it or about one of its articles;
- a story id: its row, its digest, and everything that bumps one of its
  events (the event's story is looked up when the row is written; an event
  that moves bumps both stories);
- :data:`LIST`: any story row (the unfiltered story list shows story rows only).

A bump that lands on a subject nothing reads (an article id in a decision, a
story id an event no longer has) costs a row and is otherwise harmless: a
stamp may move without a visible change, never the other way round. Article
rows, their segments and mentions are written once, before the article
joins an event (that join bumps the event), and never change after (a change
of an article row is stamped all the same); places are stamped as they are
written (a store may add them later). Mentions are read by no stamped page.
Stamps only grow; a subject never stamped reads 0.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["LIST", "SQLITE", "POSTGRES", "EVENT_STAMP_SQL", "SUBJECT_STAMP_SQL", "event_stamp", "subject_stamp"]

#: the stamp of the story list (no story or event id has a colon)
LIST = ":stories"

#: table -> (its columns, the subjects of a row ``{r}`` as an SQL set of values ``k``)
_EVENT_OF = "SELECT {r}.event_id AS k UNION SELECT story_id FROM events WHERE id = {r}.event_id"
_ARTICLE_OF = ("SELECT event_id AS k FROM event_articles WHERE article_id = {a} UNION SELECT e.story_id"
               " FROM event_articles ea JOIN events e ON e.id = ea.event_id WHERE ea.article_id = {a}")
_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "events": (("id", "number", "story_id", "title", "date", "date_precision", "first_date", "last_date", "size",
                "n_articles", "n_sources", "state", "vector_sum"),
               "SELECT {r}.id AS k UNION SELECT {r}.story_id"),
    "event_articles": (("article_id", "event_id", "position"), _EVENT_OF),
    "event_records": (("event_id", "record", "n_articles", "built_at", "relays"), _EVENT_OF),
    "event_comparisons": (("event_id", "comparison", "n_articles", "built_at"), _EVENT_OF),
    "digests": (("kind", "subject_id", "digest", "n_articles", "n_events", "built_by", "built_at"),
                "SELECT {r}.subject_id AS k UNION SELECT story_id FROM events WHERE id = {r}.subject_id"),
    "stories": (("id", "number", "title", "first_date", "last_date", "n_events", "n_articles", "n_sources"),
                "SELECT {r}.id AS k UNION SELECT '" + LIST + "'"),
    "places": (("article_id", "start", "end", "text", "name", "geonameid", "latitude", "longitude", "country_code",
                "country", "admin1", "feature_code", "precision", "confidence"), _ARTICLE_OF.format(a="{r}.article_id")),
    "decisions": (("id", "subject_id", "target_id", "level", "action", "score", "threshold", "features", "explanation",
                   "created_at"),
                  "SELECT {r}.subject_id AS k UNION SELECT {r}.target_id"
                  " UNION SELECT story_id FROM events WHERE id IN ({r}.subject_id, {r}.target_id)"
                  " UNION SELECT event_id FROM event_articles WHERE article_id = {r}.subject_id"
                  " UNION SELECT e.story_id FROM event_articles ea JOIN events e ON e.id = ea.event_id"
                  " WHERE ea.article_id = {r}.subject_id"),
}


#: rows written once with their article, before it joins an event, and never changed: only a change is stamped
#: (none is made today; a later one must not go unseen)
_UPDATES_ONLY: dict[str, tuple[tuple[str, ...], str]] = {
    "articles": (("id", "source", "url", "title", "published", "text", "language", "fingerprint", "duplicate_of",
                  "origin", "ingested_at"), _ARTICLE_OF.format(a="{r}.id")),
}


def _sqlite() -> str:
    bump = ("INSERT INTO stamps (subject, n) SELECT k, 1 FROM ({keys}) WHERE k IS NOT NULL"
            " ON CONFLICT (subject) DO UPDATE SET n = n + 1;")
    out = ["CREATE TABLE stamps (subject TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"]
    for table, (columns, keys) in (_TABLES | _UPDATES_ONLY).items():
        changed = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns)
        if table in _TABLES:
            out += [
                f"CREATE TRIGGER stamp_{table}_insert AFTER INSERT ON {table} BEGIN {bump.format(keys=keys.format(r='NEW'))} END;",
                f"CREATE TRIGGER stamp_{table}_delete AFTER DELETE ON {table} BEGIN {bump.format(keys=keys.format(r='OLD'))} END;",
            ]
        out += [
            f"CREATE TRIGGER stamp_{table}_update AFTER UPDATE ON {table} WHEN {changed} BEGIN "
            f"{bump.format(keys=keys.format(r='OLD'))} {bump.format(keys=keys.format(r='NEW'))} END;",
        ]
    return "\n".join(out)


def _postgres() -> str:
    out = [
        "CREATE TABLE stamps (subject TEXT PRIMARY KEY, n BIGINT NOT NULL);",
        "CREATE FUNCTION stamps_bump(keys text[]) RETURNS void LANGUAGE sql AS $$"
        " INSERT INTO stamps (subject, n) SELECT DISTINCT k, 1 FROM unnest(keys) AS u(k) WHERE k IS NOT NULL"
        " ON CONFLICT (subject) DO UPDATE SET n = stamps.n + 1 $$;",
    ]
    for table, (columns, keys) in (_TABLES | _UPDATES_ONLY).items():
        old, new = (f"ARRAY({keys.format(r=r)})" for r in ("OLD", "NEW"))
        changed = " OR ".join(f'NEW."{c}" IS DISTINCT FROM OLD."{c}"' for c in columns)  # not articles.search
        out += [
            f"CREATE FUNCTION stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM stamps_bump({old}); END IF;"
            f" IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM stamps_bump({new}); END IF;"
            " RETURN NULL; END $$;",
            f"CREATE TRIGGER stamp_{table}_update AFTER UPDATE ON {table} FOR EACH ROW"
            f" WHEN ({changed}) EXECUTE FUNCTION stamp_{table}();",
        ]
        if table in _TABLES:
            out.append(f"CREATE TRIGGER stamp_{table}_write AFTER INSERT OR DELETE ON {table} FOR EACH ROW"
                       f" EXECUTE FUNCTION stamp_{table}();")
    return "\n".join(out)


#: the migration ``0012_stamps`` on each backend (fixed text, built once from the table list above)
SQLITE = _sqlite()
POSTGRES = _postgres()

#: one query, by primary keys: an event's stamp, its story and the story's stamp (the event's id bound twice)
EVENT_STAMP_SQL = ("SELECT (SELECT n FROM stamps WHERE subject = {p}) AS own, e.story_id AS story,"
                   " (SELECT n FROM stamps WHERE subject = e.story_id) AS story_n"
                   " FROM (SELECT {p} AS id) q LEFT JOIN events e ON e.id = q.id")
SUBJECT_STAMP_SQL = "SELECT n FROM stamps WHERE subject = {p}"


def event_stamp(fetch: Callable[[str, tuple[Any, ...]], Any], p: str, event_id: str) -> tuple[int, str, int]:
    """(the event's stamp, its story's id or "", the story's stamp) through ``fetch(sql, params)`` (one row or None)."""
    row = fetch(EVENT_STAMP_SQL.format(p=p), (event_id, event_id))
    if row is None:
        return 0, "", 0
    own, story, story_n = (row[k] for k in ("own", "story", "story_n")) if isinstance(row, dict) else tuple(row)
    return int(own or 0), story or "", int(story_n or 0)


def subject_stamp(fetch: Callable[[str, tuple[Any, ...]], Any], p: str, subject: str) -> int:
    """The stamp of a story id or :data:`LIST` (0 when never stamped)."""
    row = fetch(SUBJECT_STAMP_SQL.format(p=p), (subject,))
    if row is None:
        return 0
    return int((row["n"] if isinstance(row, dict) else row[0]) or 0)
