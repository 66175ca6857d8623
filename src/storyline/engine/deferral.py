"""Coalesced rebuilds: which big events' records wait when articles arrive one request at a time.

Rebuilding a record, its comparison and its digest costs time that grows with
the event, so an event of 200 articles posted one at a time pays that cost 200
times. Through the web server's API (and only there: a batch ingest never
waits) an event whose only change since its stored record is new articles, and
that holds at least ``record_defer_reports`` articles, is rebuilt once it has
grown by more than ``record_defer_growth`` of the articles its stored record was
built from; until then its stored record, comparison and digest stay as they
were. Nothing marks a waiting event: its stored record counts fewer articles
than the event holds (``Store.record_counts`` against the event's row), which
``Store.stale_records`` already reports, so the server's idle refresh and
``storyline db refresh`` rebuild it like any stale record.
"""

from __future__ import annotations

from typing import Iterable

from ..settings import Options
from ..store import Store

__all__ = ["waiting", "is_waiting"]


def is_waiting(n_articles: int, built_from: int | None, options: Options) -> bool:
    """Does the rebuild of an event of ``n_articles`` whose stored record was built from ``built_from`` articles
    (None: no record) wait? Only a big event that grew, by at most the allowed fraction, waits."""
    if built_from is None or n_articles < options.record_defer_reports or n_articles <= built_from:
        return False
    return n_articles - built_from <= options.record_defer_growth * built_from


def waiting(store: Store, options: Options, candidates: Iterable[str], regrouped: Iterable[str] = ()) -> set[str]:
    """The events among ``candidates`` whose rebuild waits. An event of ``regrouped`` (one the clusterer's second
    pass split, moved articles out of or merged into) never waits: its stored record may cite articles it no longer
    holds."""
    regrouped = set(regrouped)
    rows = [e for e in store.events(sorted(set(candidates) - regrouped)) if e.n_articles >= options.record_defer_reports]
    if not rows:
        return set()
    built = store.record_counts([e.id for e in rows])
    return {e.id for e in rows if is_waiting(e.n_articles, built.get(e.id), options)}
