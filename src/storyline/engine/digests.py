"""Digests: an event's cited summary and a story's (or a query's) timeline, computed on demand and cached.

Both are derived from stored articles and the relays stored with each
event's record, so they are computed when asked for rather than stored:
nothing to migrate, never stale. An event's digest is kept in memory keyed
by the event and its number of articles (a grown event is summarised again),
and every sentence vector is embedded once per engine (the summariser reads
the engine's embedder through :class:`~storyline.pipeline.embed.CachingEmbedder`).
A story's timeline summarises many events at once, so its lines use the
hashing embedder (word n-grams, no model): the first view of a story of 240
articles would otherwise embed some 3,000 sentences (48 s measured); the
event page uses the engine's embedder.
The summariser and the timeliner are the components of the ``summariser``
and ``timeliner`` settings.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

from ..errors import NotFoundError
from ..model import Article, EventDigest, StoredStory, Timeline, TimelineDay
from ..pipeline.embed import CachingEmbedder, Embedder, HashingEmbedder
from ..store import Store
from .components import Components
from .records import RecordBuilder

__all__ = ["Digests", "QUERY_ARTICLES", "STORY_REPORTS"]

#: a query timeline reads at most this many matching articles (the newest stored)
QUERY_ARTICLES = 1000
#: a story's own summary reads at most this many reports (the lead reports of its events, in date order)
STORY_REPORTS = 40
#: event digests kept in memory
_CACHED_DIGESTS = 5000


class Digests:
    def __init__(self, store: Store, records: RecordBuilder, components: Components) -> None:
        self.store, self.records, self.components = store, records, components
        self._digests: OrderedDict[tuple[str, int, bool], EventDigest] = OrderedDict()
        self._embedder: CachingEmbedder | None = None
        self._lexical = HashingEmbedder()
        self._timelines: OrderedDict[tuple[str, int, int], Timeline] = OrderedDict()

    def _vectors(self, semantic: bool) -> Embedder:
        if not semantic:
            return self._lexical
        if self._embedder is None:
            self._embedder = CachingEmbedder(self.components.get("embedder"))
        return self._embedder

    def _summarise(self, key: str, articles: Sequence[Article], groups: dict[str, str], upstreams=(),
                   semantic: bool = True, record: dict | None = None) -> EventDigest:
        return self.components.get("summariser").summarise(key, articles, groups, tuple(upstreams),
                                                           embedder=self._vectors(semantic), record=record)

    def _event(self, event_id: str, semantic: bool = True) -> tuple[EventDigest, list[Article]]:
        articles = self.store.articles(self.store.event_members(event_id))
        key = (event_id, len(articles), semantic)
        if key not in self._digests:
            relays = self.records.stored_relays(event_id, articles)
            self._digests[key] = self._summarise(event_id, articles, relays.groups(), (r.name for r in relays.relays),
                                                 semantic, self.store.record(event_id))
            if len(self._digests) > _CACHED_DIGESTS:
                self._digests.popitem(last=False)
        return self._digests[key], articles

    def event_summary(self, event_id: str) -> EventDigest:
        """The event's cited summary: agreed sentences first, relays of one upstream counted once."""
        rows = self.store.events([event_id])
        if not rows:
            raise NotFoundError(f"no event {event_id!r}")
        cached = self._digests.get((event_id, rows[0].n_articles, True))  # without reading every article again
        return cached if cached is not None else self._event(event_id)[0]

    def story_timeline(self, story_id: str) -> Timeline:
        """The story's events in date order, each with a one-line cited summary; the story's summary on top."""
        row = self.store.story(story_id)
        if row is None:
            raise NotFoundError(f"no story {story_id!r}")
        key = (story_id, row.n_articles, row.n_events)
        if key not in self._timelines:
            self._timelines[key] = self._story_timeline(row)
            if len(self._timelines) > _CACHED_DIGESTS:
                self._timelines.popitem(last=False)
        return self._timelines[key]

    def _story_timeline(self, row: StoredStory) -> Timeline:
        story_id = row.id
        days, leads, n_articles, sources, upstreams, groups = [], [], 0, set(), [], {}
        for event in self.store.events(story_id=story_id):
            digest, articles = self._event(event.id, semantic=False)
            n_articles += len(articles)
            sources |= {a.source for a in articles if a.source}
            upstreams.extend(digest.upstreams)
            groups.update(self.records.stored_relays(event.id, articles).groups())
            cited = {c.article_id for s in digest.sentences for c in s.citations}
            leads.extend(a for a in articles if a.id in cited)
            days.append(TimelineDay(event.date or event.first_date or "", event.date_precision, digest.sentences[:1],
                                    0, len(articles), event.id, digest.title or event.title))
        days.sort(key=lambda d: (d.date, d.event_id or ""))
        story = self._summarise(story_id, leads[:STORY_REPORTS], groups, dict.fromkeys(upstreams), semantic=False)
        return Timeline(story_id, row.title, tuple(days), story.sentences, self.components.get("summariser").name,
                        n_articles, tuple(sorted(sources)))

    def query_timeline(self, query: str, n_dates: int = 10, n_sentences: int = 2) -> Timeline:
        """A timeline over the whole store: the stored articles matching ``query``, dates chosen by importance."""
        hits = self.store.search(query, None, QUERY_ARTICLES)
        articles = self.store.articles([hit.id for _, hit in hits])
        if not articles:
            raise NotFoundError(f"no stored article matches {query!r}")
        timeliner = self.components.get("timeliner")
        days = timeliner.build(articles, n_dates, n_sentences)
        return Timeline(query, query, tuple(days), (), timeliner.name, len(articles),
                        tuple(sorted({a.source for a in articles if a.source})))
