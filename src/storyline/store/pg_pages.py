"""What a page of a story or an event lists, read from PostgreSQL in a fixed number of queries (see :mod:`.page_rows`).

A mixin of :class:`~.postgres.PostgresStore`: it uses the store's ``_all`` reads;
every list of ids is bound as one array parameter.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from ..model import ArticleSummary, Place, StoredDigest
from .page_rows import summary_date


class PageRows:
    """Article summaries, first members, records and relays, places and digests of many events or articles at once."""

    def article_summaries(self, ids: Iterable[str]) -> list[ArticleSummary]:
        """The summaries of the articles with ``ids`` (no text, no segments), in that order (missing ones left out)."""
        ids = list(ids)
        found = {r["id"]: r for r in self._all(
            "SELECT id, source, published, title, duplicate_of FROM articles WHERE id = ANY(%s)", (ids,))}
        return [ArticleSummary(r["id"], r["source"], summary_date(r["published"]), r["title"], r["duplicate_of"])
                for i in ids if (r := found.get(i)) is not None]

    def members_of(self, event_ids: Iterable[str], limit: int | None = None) -> dict[str, list[str]]:
        """The first ``limit`` articles (all when None) of each event, in the order they joined."""
        out: dict[str, list[str]] = {e: [] for e in event_ids}
        for r in self._all(
                "SELECT event_id, article_id FROM (SELECT event_id, article_id, position, row_number() OVER"
                " (PARTITION BY event_id ORDER BY position) AS n FROM event_articles WHERE event_id = ANY(%s)) m"
                " WHERE n <= %s ORDER BY event_id, position", (list(out), 2**62 if limit is None else limit)):
            out[r["event_id"]].append(r["article_id"])
        return out

    def derived_of(self, event_ids: Iterable[str]) -> dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]]:
        """Each event's stored (record, relays); an event without a stored record is left out."""
        return {r["event_id"]: (json.loads(r["record"]), json.loads(r["relays"]) if r["relays"] else None)
                for r in self._all("SELECT event_id, record, relays FROM event_records WHERE event_id = ANY(%s)",
                                   (list(event_ids),))}

    def places_of(self, article_ids: Iterable[str]) -> dict[str, list[Place]]:
        """The toponyms of each article in text order; an article without any is left out."""
        out: dict[str, list[Place]] = {}
        for r in self._all("SELECT * FROM places WHERE article_id = ANY(%s) ORDER BY article_id, start, seq", (list(article_ids),)):
            out.setdefault(r["article_id"], []).append(
                Place(r["article_id"], r["start"], r["end"], r["text"], r["name"], r["geonameid"], r["latitude"], r["longitude"],
                      r["country_code"], r["country"], r["admin1"], r["feature_code"], r["precision"], r["confidence"]))
        return out

    def digests_of(self, kind: str, subject_ids: Iterable[str]) -> dict[str, StoredDigest]:
        """The stored digests of these events (``kind`` "event") or stories ("story")."""
        return {r["subject_id"]: StoredDigest(kind, r["subject_id"], json.loads(r["digest"]), r["n_articles"], r["n_events"],
                                              r["built_by"])
                for r in self._all("SELECT subject_id, digest, n_articles, n_events, built_by FROM digests"
                                   " WHERE kind = %s AND subject_id = ANY(%s)", (kind, list(subject_ids)))}
