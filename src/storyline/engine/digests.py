"""Digests: an event's cited summary and a story's (or a query's) timeline, computed on demand.

Both are derived from stored articles and the relays stored with each
event's record, so they are computed when asked for (a few milliseconds for
an event of a dozen reports) rather than stored: nothing to migrate, never
stale. The summariser and the timeliner are the registered components of the
``summariser`` and ``timeliner`` settings.
"""

from __future__ import annotations

from typing import Sequence

from ..errors import NotFoundError
from ..model import Article, EventDigest, Timeline, TimelineDay
from ..store import Store
from .components import Components
from .records import RecordBuilder

__all__ = ["Digests", "QUERY_ARTICLES"]

#: a query timeline reads at most this many matching articles (the newest stored)
QUERY_ARTICLES = 1000


class Digests:
    def __init__(self, store: Store, records: RecordBuilder, components: Components) -> None:
        self.store, self.records, self.components = store, records, components

    def _articles(self, event_id: str) -> list[Article]:
        return self.store.articles(self.store.event_members(event_id))

    def event_summary(self, event_id: str) -> EventDigest:
        """The event's cited summary: agreed sentences first, relays of one upstream counted once."""
        if not self.store.events([event_id]):
            raise NotFoundError(f"no event {event_id!r}")
        articles = self._articles(event_id)
        relays = self.records.stored_relays(event_id, articles)
        upstreams = tuple(r.name for r in relays.relays)
        return self._summarise(event_id, articles, relays.groups(), upstreams)

    def _summarise(self, key: str, articles: Sequence[Article], groups: dict[str, str], upstreams=()) -> EventDigest:
        return self.components.get("summariser").summarise(key, articles, groups, tuple(upstreams),
                                                           embedder=self.components.get("embedder"))

    def story_timeline(self, story_id: str) -> Timeline:
        """The story's events in date order, each with a one-line cited summary; the story's summary on top."""
        row = self.store.story(story_id)
        if row is None:
            raise NotFoundError(f"no story {story_id!r}")
        days, everything, groups, upstreams = [], [], {}, []
        for event in self.store.events(story_id=story_id):
            articles = self._articles(event.id)
            relays = self.records.stored_relays(event.id, articles)
            digest = self._summarise(event.id, articles, relays.groups())
            everything.extend(articles)
            groups.update(relays.groups())
            upstreams.extend(r.name for r in relays.relays)
            days.append(TimelineDay(event.date or event.first_date or "", event.date_precision, digest.sentences[:1],
                                    0, len(articles), event.id))
        story = self._summarise(story_id, everything, groups, dict.fromkeys(upstreams))
        days.sort(key=lambda d: (d.date, d.event_id or ""))
        return Timeline(story_id, row.title, tuple(days), story.sentences, self.components.get("summariser").name,
                        len(everything), _sources(everything))

    def query_timeline(self, query: str, n_dates: int = 10, n_sentences: int = 2) -> Timeline:
        """A timeline over the whole store: the stored articles matching ``query``, dates chosen by importance."""
        hits = self.store.search(query, None, QUERY_ARTICLES)
        articles = self.store.articles([hit.id for _, hit in hits])
        if not articles:
            raise NotFoundError(f"no stored article matches {query!r}")
        timeliner = self.components.get("timeliner")
        days = timeliner.build(articles, n_dates, n_sentences)
        return Timeline(query, query, tuple(days), (), timeliner.name, len(articles), _sources(articles))


def _sources(articles: Sequence[Article]) -> tuple[str, ...]:
    return tuple(sorted({a.source for a in articles if a.source}))
