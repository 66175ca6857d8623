"""What a page of a story or an event lists, read in a fixed number of SQLite queries whatever the page holds.

A story page lists a page of events, each with its first articles (their
summaries: no text, no segments), its stored record and relays, and the
decisions behind its articles; these functions read each of those for the
whole page at once (one query per 500 ids), so the number of queries does not
grow with the story or with the page. The PostgreSQL store has the same
methods (:mod:`.pg_pages`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any, Callable, Iterable, Sequence

from ..model import ArticleSummary, Place, Segment, StoredDecision, StoredDigest

__all__ = ["article_summaries", "members_of", "derived_of", "record_counts", "places_of", "digests_of", "decisions_of", "segments_of",
           "summary_date", "CHUNK"]

#: ids bound in one query (SQLite allows 32,766 parameters; a page holds far fewer)
CHUNK = 500


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _rows(conn: sqlite3.Connection, sql: str, ids: Sequence[str], extra: Sequence[Any] = ()) -> list[sqlite3.Row]:
    """``sql`` with ``{marks}`` filled by one placeholder per id, run once per chunk of ``ids``."""
    out: list[sqlite3.Row] = []
    for chunk in _chunks(list(dict.fromkeys(ids))):
        out += conn.execute(sql.format(marks=",".join("?" * len(chunk))), (*chunk, *extra)).fetchall()  # placeholders only
    return out


def summary_date(published: str | None) -> str | None:
    """An article's date as its summary shows it (the day of its publication time)."""
    return dt.date.fromisoformat(published[:10]).isoformat() if published else None


def article_summaries(conn: sqlite3.Connection, ids: Sequence[str]) -> list[ArticleSummary]:
    """The summaries of the articles with ``ids``, in that order (missing ones left out)."""
    found = {r["id"]: r for r in _rows(conn, "SELECT id, source, published, title, duplicate_of FROM articles WHERE id IN ({marks})", ids)}
    return [ArticleSummary(r["id"], r["source"], summary_date(r["published"]), r["title"], r["duplicate_of"])
            for i in ids if (r := found.get(i)) is not None]


def members_of(conn: sqlite3.Connection, event_ids: Sequence[str], limit: int | None) -> dict[str, list[str]]:
    """The first ``limit`` articles (all when None) of each event, in the order they joined."""
    out: dict[str, list[str]] = {e: [] for e in event_ids}
    sql = ("SELECT event_id, article_id FROM (SELECT event_id, article_id, position, row_number() OVER"
           " (PARTITION BY event_id ORDER BY position) AS n FROM event_articles WHERE event_id IN ({marks}))"
           " WHERE n <= ? ORDER BY event_id, position")
    for r in _rows(conn, sql, event_ids, (2**62 if limit is None else limit,)):
        out[r[0]].append(r[1])
    return out


def derived_of(conn: sqlite3.Connection, event_ids: Sequence[str]) -> dict[str, tuple[dict | None, dict | None]]:
    """Each event's stored record and relays (events without a record are left out), each parsed once."""
    return {r[0]: (json.loads(r[1]), json.loads(r[2]) if r[2] else None)
            for r in _rows(conn, "SELECT event_id, record, relays FROM event_records WHERE event_id IN ({marks})", event_ids)}


def record_counts(conn: sqlite3.Connection, event_ids: Sequence[str]) -> dict[str, int]:
    """How many articles each event's stored record was built from (an event without a record is left out)."""
    return {r[0]: int(r[1]) for r in _rows(conn, "SELECT event_id, n_articles FROM event_records WHERE event_id IN ({marks})", event_ids)}


def places_of(conn: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, list[Place]]:
    """The toponyms of each article in text order (an article without any is left out)."""
    out: dict[str, list[Place]] = {}
    for r in _rows(conn, "SELECT * FROM places WHERE article_id IN ({marks}) ORDER BY article_id, start, rowid", article_ids):
        out.setdefault(r["article_id"], []).append(
            Place(r["article_id"], r["start"], r["end"], r["text"], r["name"], r["geonameid"], r["latitude"], r["longitude"],
                  r["country_code"], r["country"], r["admin1"], r["feature_code"], r["precision"], r["confidence"]))
    return out


def segments_of(conn: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, list[Segment]]:
    """The segments of each article, in order."""
    out: dict[str, list[Segment]] = {a: [] for a in article_ids}
    sql = 'SELECT article_id, kind, start, "end", paragraph FROM segments WHERE article_id IN ({marks}) ORDER BY article_id, idx'
    for r in _rows(conn, sql, article_ids):
        out[r[0]].append(Segment(r[1], r[2], r[3], r[4]))
    return out


def digests_of(conn: sqlite3.Connection, kind: str, subject_ids: Sequence[str]) -> dict[str, StoredDigest]:
    """The stored digests of these events (``kind`` "event") or stories ("story")."""
    sql = "SELECT subject_id, digest, n_articles, n_events, built_by FROM digests WHERE subject_id IN ({marks}) AND kind = ?"
    return {r[0]: StoredDigest(kind, r[0], json.loads(r[1]), r[2], r[3], r[4]) for r in _rows(conn, sql, subject_ids, (kind,))}


def decisions_of(conn: sqlite3.Connection, subject_ids: Iterable[str],
                 make: Callable[[sqlite3.Row], StoredDecision]) -> list[StoredDecision]:
    """The decisions about each subject, subjects in the order given (each once), each subject's in the order made."""
    subjects = list(dict.fromkeys(subject_ids))
    order = {s: i for i, s in enumerate(subjects)}
    rows = _rows(conn, "SELECT * FROM decisions WHERE subject_id IN ({marks})", subjects)
    return [make(r) for r in sorted(rows, key=lambda r: (order[r["subject_id"]], r["id"]))]
