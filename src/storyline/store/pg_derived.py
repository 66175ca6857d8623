"""What the PostgreSQL store keeps per event and story besides the clustering: records (with their relays),
comparisons of the sources and digests (summaries and timelines), each with the counts it was built from.

A mixin of :class:`~.postgres.PostgresStore`: it uses the store's ``session`` and its ``_one`` / ``_all`` reads.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

from ..model import StoredDigest


def now() -> str:
    """The time a row is written, as stored (UTC, ISO 8601)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class DerivedRows:
    """Records, relays, comparisons and digests of a PostgreSQL store."""

    def save_record(self, event_id: str, record: dict[str, Any], n_articles: int, relays: dict[str, Any] | None = None) -> None:
        """Store an event's record (and the relays it was built with), built from ``n_articles`` articles."""
        self.session.write(
            "INSERT INTO event_records (event_id, record, n_articles, built_at, relays) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (event_id) DO UPDATE SET record = excluded.record, n_articles = excluded.n_articles,"
            " built_at = excluded.built_at, relays = excluded.relays WHERE (event_records.record,"
            " event_records.n_articles, event_records.relays)"
            " IS DISTINCT FROM (excluded.record, excluded.n_articles, excluded.relays)",
            (event_id, json.dumps(record, ensure_ascii=False), n_articles, now(),
             json.dumps(relays, ensure_ascii=False) if relays is not None else None),
        )

    def record(self, event_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT record FROM event_records WHERE event_id = %s", (event_id,))
        return json.loads(row["record"]) if row else None

    def relays(self, event_id: str) -> dict[str, Any] | None:
        """The relays stored with an event's record, if any."""
        row = self._one("SELECT relays FROM event_records WHERE event_id = %s", (event_id,))
        return json.loads(row["relays"]) if row and row["relays"] else None

    def stale_records(self) -> list[str]:
        """Events without a record or a comparison, or whose record or comparison was built from a different number of articles."""
        return [r["id"] for r in self._all(
            "SELECT e.id FROM events e LEFT JOIN event_records r ON r.event_id = e.id"
            " LEFT JOIN event_comparisons c ON c.event_id = e.id"
            " WHERE r.event_id IS NULL OR r.n_articles != e.n_articles OR c.event_id IS NULL OR c.n_articles != e.n_articles"
            " ORDER BY e.number")]

    def record_counts(self, event_ids: Iterable[str]) -> dict[str, int]:
        """How many articles each event's stored record was built from (an event without a record is left out): a record
        saved with fewer articles than its event holds waits for a rebuild (engine.deferral)."""
        sql = "SELECT event_id, n_articles FROM event_records WHERE event_id = ANY(%s)"
        return {r["event_id"]: int(r["n_articles"]) for r in self._all(sql, (list(event_ids),))}

    def drop_orphan_records(self) -> None:
        """Records and comparisons of events merged away."""
        self.session.write("DELETE FROM event_records WHERE event_id NOT IN (SELECT id FROM events)")
        self.session.write("DELETE FROM event_comparisons WHERE event_id NOT IN (SELECT id FROM events)")
        self.session.write("DELETE FROM digests WHERE (kind = 'event' AND subject_id NOT IN (SELECT id FROM events))"
                           " OR (kind = 'story' AND subject_id NOT IN (SELECT id FROM stories))")

    def save_comparison(self, event_id: str, comparison: dict[str, Any], n_articles: int) -> None:
        """Store an event's comparison of its sources, built from ``n_articles`` articles."""
        self.session.write(
            "INSERT INTO event_comparisons (event_id, comparison, n_articles, built_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (event_id) DO UPDATE SET comparison = excluded.comparison, n_articles = excluded.n_articles,"
            " built_at = excluded.built_at WHERE (event_comparisons.comparison, event_comparisons.n_articles)"
            " IS DISTINCT FROM (excluded.comparison, excluded.n_articles)",
            (event_id, json.dumps(comparison, ensure_ascii=False), n_articles, now()),
        )

    def comparison(self, event_id: str) -> dict[str, Any] | None:
        """The stored comparison of an event's sources, if any."""
        row = self._one("SELECT comparison FROM event_comparisons WHERE event_id = %s", (event_id,))
        return json.loads(row["comparison"]) if row else None

    def save_digest(self, kind: str, subject_id: str, digest: dict[str, Any], n_articles: int, n_events: int,
                    built_by: str) -> None:
        """Store the digest of an event (``kind`` "event") or a story ("story"), built from these counts."""
        self.session.write(
            "INSERT INTO digests (kind, subject_id, digest, n_articles, n_events, built_by, built_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (kind, subject_id) DO UPDATE SET digest = excluded.digest,"
            " n_articles = excluded.n_articles, n_events = excluded.n_events, built_by = excluded.built_by,"
            " built_at = excluded.built_at WHERE (digests.digest, digests.n_articles, digests.n_events,"
            " digests.built_by) IS DISTINCT FROM (excluded.digest, excluded.n_articles, excluded.n_events,"
            " excluded.built_by)",
            (kind, subject_id, json.dumps(digest, ensure_ascii=False), n_articles, n_events, built_by, now()))

    def digest(self, kind: str, subject_id: str) -> StoredDigest | None:
        """The stored digest of an event or a story, if any."""
        sql = "SELECT digest, n_articles, n_events, built_by FROM digests WHERE kind = %s AND subject_id = %s"
        row = self._one(sql, (kind, subject_id))
        if not row:
            return None
        text, n_articles, n_events, built_by = row["digest"], row["n_articles"], row["n_events"], row["built_by"]
        return StoredDigest(kind, subject_id, json.loads(text), n_articles, n_events, built_by)

    def stale_digests(self, built_by: str) -> tuple[list[str], list[str]]:
        """(events, stories) with no digest, one built from other counts or by another summariser than ``built_by``."""
        sql = ("SELECT e.id, 'event' AS kind FROM events e LEFT JOIN digests d ON d.kind = 'event' AND d.subject_id = e.id"
               " WHERE d.subject_id IS NULL OR d.n_articles != e.n_articles OR d.built_by != %s"
               " UNION ALL SELECT s.id, 'story' AS kind FROM stories s"
               " LEFT JOIN digests d ON d.kind = 'story' AND d.subject_id = s.id WHERE d.subject_id IS NULL"
               " OR d.n_articles != s.n_articles OR d.n_events != s.n_events OR d.built_by != %s")
        rows = list(self._all(sql, (built_by,) * 2))
        return [r["id"] for r in rows if r["kind"] == "event"], [r["id"] for r in rows if r["kind"] == "story"]
