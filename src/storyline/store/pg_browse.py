"""Read-side queries of the PostgreSQL store: story lists with filters, full-text search.

The PostgreSQL twin of :mod:`.browse`, with the same keyset pages and the
same results. Search uses PostgreSQL's text search where SQLite has FTS5: each
article's ``search`` column is ``to_tsvector('simple', ...)`` of its title and
text with diacritics folded (:func:`fold`), as FTS5's ``unicode61
remove_diacritics 2`` tokenizer folds them; a user's words become a tsquery
of plain lexemes (every word, the last as a prefix), never tsquery syntax.
Every value is a parameter.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ..model import PLACE_LABELS, StoryFilter, StoryKey
from .browse import _WORD

__all__ = ["story_page", "search_articles", "ts_query", "fold", "search_document"]

_PLACE_LABELS = sorted(PLACE_LABELS)
_STORY_ORDER = "coalesce(s.last_date, '') DESC, s.n_articles DESC, s.number DESC"
_STORY_KEY = "(coalesce(s.last_date, ''), s.n_articles, s.number)"
#: ts_headline's options: the matches between U+E000 and U+E001, as the SQLite store's snippet() marks them
_HEADLINE = "StartSel=\ue000, StopSel=\ue001, MaxWords=24, MinWords=12, MaxFragments=1, FragmentDelimiter=\" … \""


def fold(text: str) -> str:
    """``text`` without combining marks (é -> e), so that search ignores diacritics on both sides."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_document(title: str | None, text: str) -> str:
    """What the ``search`` column indexes for an article: its title and text, folded."""
    return fold(f"{title or ''} {text}")


def ts_query(text: str) -> str | None:
    """A safe tsquery for ``text``: every word must appear; the last may be a prefix. None without a word.

    Only ``\\w+`` runs are kept, so quotes, ``&``, ``|``, ``!`` and brackets in
    ``text`` never reach the tsquery parser as operators.
    """
    words = _WORD.findall(fold(text or ""))[:16]
    if not words:
        return None
    return " & ".join(words[:-1] + [words[-1] + ":*"])


def _place_story_ids(key: str | None, text: str | None) -> tuple[str, list[Any]]:
    parts = [
        "SELECT ev.story_id FROM mentions m JOIN event_articles ea ON ea.article_id = m.article_id"
        " JOIN events ev ON ev.id = ea.event_id WHERE m.key = %s AND m.label = ANY(%s)"
    ]
    params: list[Any] = [key or "", _PLACE_LABELS]
    if text:
        # SQLite's NOCASE folds ASCII letters only; lower() on both sides is the same for every place name seen
        parts.append(
            "SELECT ev.story_id FROM places p JOIN event_articles ea ON ea.article_id = p.article_id"
            " JOIN events ev ON ev.id = ea.event_id WHERE lower(p.name) = lower(%s) OR lower(p.country) = lower(%s)"
        )
        params += [text, text]
    return " UNION ".join(parts), params


def story_page(conn: Any, where: StoryFilter, after: StoryKey | None, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` story rows after ``after`` in list order, matching ``where``."""
    clauses: list[str] = []
    params: list[Any] = []
    if where.date_from:
        clauses.append("s.last_date >= %s")
        params.append(where.date_from)
    if where.date_to:
        clauses.append("s.first_date <= %s")
        params.append(where.date_to)
    if where.source:
        clauses.append(
            "s.id IN (SELECT ev.story_id FROM articles a JOIN event_articles ea ON ea.article_id = a.id"
            " JOIN events ev ON ev.id = ea.event_id WHERE a.source = %s)"
        )
        params.append(where.source)
    if where.place_key or where.place_text:
        sql, more = _place_story_ids(where.place_key, where.place_text)
        clauses.append(f"s.id IN ({sql})")
        params += more
    if where.query is not None:
        match = ts_query(where.query)
        if match is None:
            return []
        clauses.append(
            "s.id IN (SELECT ev.story_id FROM articles a JOIN event_articles ea ON ea.article_id = a.id"
            " JOIN events ev ON ev.id = ea.event_id WHERE a.search @@ to_tsquery('simple', %s))"
        )
        params.append(match)
    if after is not None:
        clauses.append(f"{_STORY_KEY} < (%s, %s, %s)")
        params += [after.last_date, after.n_articles, after.number]
    sql = "SELECT s.* FROM stories s"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {_STORY_ORDER} LIMIT %s"
    return conn.execute(sql, [*params, limit]).fetchall()  # clauses are fixed text; values are parameters


def search_articles(conn: Any, text: str, after_rowid: int | None, limit: int) -> list[dict[str, Any]]:
    """Articles whose title or text has every word of ``text``, newest stored first (rows as :func:`.browse.search_articles`)."""
    match = ts_query(text)
    if match is None:
        return []
    inner = "SELECT a.rowid, a.id, a.source, a.title, a.published, a.duplicate_of, a.text FROM articles a" \
            " WHERE a.search @@ to_tsquery('simple', %s)"
    params: list[Any] = [match]
    if after_rowid is not None:
        inner += " AND a.rowid < %s"
        params.append(after_rowid)
    inner += " ORDER BY a.rowid DESC LIMIT %s"
    params.append(limit)
    sql = (
        "SELECT h.rowid, h.id, h.source, h.title, h.published, h.duplicate_of, ea.event_id, ev.story_id,"
        " ts_headline('simple', h.text, to_tsquery('simple', %s), %s) AS snippet"
        f" FROM ({inner}) h LEFT JOIN event_articles ea ON ea.article_id = h.id"
        " LEFT JOIN events ev ON ev.id = ea.event_id ORDER BY h.rowid DESC"
    )
    return conn.execute(sql, [match, _HEADLINE, *params]).fetchall()
