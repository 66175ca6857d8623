"""Read-side queries of the SQLite store: story lists with filters, full-text search.

The SQLite store (:mod:`storyline.store.sqlite`) calls these; this module holds the queries that page through a large store. Every page is
a keyset page: the caller gets the sort key of the last row as a cursor and
asks for the rows after it, so rows added while someone pages never shift
or repeat what they already saw (an offset would). Every value is a
parameter; a user's search text becomes a quoted FTS5 phrase list, never
FTS5 syntax.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ..model import PLACE_LABELS, StoryFilter, StoryKey

__all__ = ["story_page", "search_articles", "fts_query", "split_marks"]

_PLACE_LABELS = tuple(sorted(PLACE_LABELS))

_WORD = re.compile(r"\w+", re.UNICODE)
#: the sort of the story list: newest last report first, then the biggest, then the newest story
_STORY_ORDER = "coalesce(s.last_date, '') DESC, s.n_articles DESC, s.number DESC"
_STORY_KEY = "(coalesce(s.last_date, ''), s.n_articles, s.number)"


def fts_query(text: str) -> str | None:
    """A safe FTS5 query for ``text``: every word must appear; the last may be a prefix.

    Quotes, operators and brackets in ``text`` are never FTS5 syntax: only the
    words are kept, each as a quoted string. None when ``text`` has no word.
    """
    words = _WORD.findall(text or "")[:16]
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _place_story_ids(conn: sqlite3.Connection, key: str | None, text: str | None) -> tuple[str, list[Any]]:
    """SQL (and its parameters) selecting the ids of stories with an article naming a place."""
    marks = ",".join("?" * len(_PLACE_LABELS))
    parts = [
        "SELECT ev.story_id FROM mentions m JOIN event_articles ea ON ea.article_id = m.article_id"
        f" JOIN events ev ON ev.id = ea.event_id WHERE m.key = ? AND m.label IN ({marks})"
    ]
    params: list[Any] = [key or "", *_PLACE_LABELS]
    columns = {r[1] for r in conn.execute("PRAGMA table_info(places)")} if _has_table(conn, "places") else set()
    if text and {"article_id", "name", "country"} <= columns:
        parts.append(
            "SELECT ev.story_id FROM places p JOIN event_articles ea ON ea.article_id = p.article_id"
            " JOIN events ev ON ev.id = ea.event_id WHERE p.name = ? COLLATE NOCASE OR p.country = ? COLLATE NOCASE"
        )
        params += [text, text]
    return " UNION ".join(parts), params


def story_page(conn: sqlite3.Connection, where: StoryFilter, after: StoryKey | None, limit: int) -> list[sqlite3.Row]:
    """Up to ``limit`` story rows after ``after`` in list order, matching ``where``."""
    clauses: list[str] = []
    params: list[Any] = []
    if where.date_from:
        clauses.append("s.last_date >= ?")
        params.append(where.date_from)
    if where.date_to:
        clauses.append("s.first_date <= ?")
        params.append(where.date_to)
    if where.source:
        clauses.append(
            "s.id IN (SELECT ev.story_id FROM articles a JOIN event_articles ea ON ea.article_id = a.id"
            " JOIN events ev ON ev.id = ea.event_id WHERE a.source = ?)"
        )
        params.append(where.source)
    if where.place_key or where.place_text:
        sql, more = _place_story_ids(conn, where.place_key, where.place_text)
        clauses.append(f"s.id IN ({sql})")
        params += more
    if where.query is not None:
        match = fts_query(where.query)
        if match is None:
            return []
        clauses.append(
            "s.id IN (SELECT ev.story_id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid"
            " JOIN event_articles ea ON ea.article_id = a.id JOIN events ev ON ev.id = ea.event_id"
            " WHERE articles_fts MATCH ?)"
        )
        params.append(match)
    if after is not None:
        clauses.append(f"{_STORY_KEY} < (?, ?, ?)")
        params += [after.last_date, after.n_articles, after.number]
    sql = "SELECT s.* FROM stories s"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {_STORY_ORDER} LIMIT ?"
    return conn.execute(sql, [*params, limit]).fetchall()  # clauses are fixed text; values are parameters


def search_articles(conn: sqlite3.Connection, text: str, after_rowid: int | None, limit: int) -> list[sqlite3.Row]:
    """Articles whose title or text has every word of ``text``, newest stored first.

    Rows carry the article's columns (without its text), ``rowid``, its event
    and story, and ``snippet``: a short excerpt with the matches between
    U+E000 and U+E001 (private-use marks the renderer turns into highlights
    after escaping).
    """
    match = fts_query(text)
    if match is None:
        return []
    sql = (
        "SELECT a.rowid AS rowid, a.id, a.source, a.title, a.published, a.duplicate_of, ea.event_id, ev.story_id,"
        " snippet(articles_fts, 1, char(57344), char(57345), ' … ', 24) AS snippet"
        " FROM articles_fts f JOIN articles a ON a.rowid = f.rowid"
        " LEFT JOIN event_articles ea ON ea.article_id = a.id LEFT JOIN events ev ON ev.id = ea.event_id"
        " WHERE articles_fts MATCH ?"
    )
    params: list[Any] = [match]
    if after_rowid is not None:
        sql += " AND f.rowid < ?"
        params.append(after_rowid)
    sql += " ORDER BY f.rowid DESC LIMIT ?"
    return conn.execute(sql, [*params, limit]).fetchall()


def split_marks(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet from :func:`search_articles` as plain text and the (start, end) of each matched part.

    The marks are U+E000 (open) and U+E001 (close), as FTS5's ``snippet()`` was asked to write them;
    an unbalanced mark is dropped.
    """
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    start = None
    length = 0
    for ch in snippet or "":
        if ch == "\ue000":
            start = length
        elif ch == "\ue001":
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            text.append(ch)
            length += 1
    return "".join(text), tuple(spans)
