"""Digests: an event's cited summary and a story's (or a query's) timeline, stored at ingest, else computed.

Both are derived from stored articles, the relays stored with each event's
record and the event's stored comparison (its agreed facts lead the summary
when the summariser reads them: ``uses_comparison``). The ingest run stores
the digest of every event it touched and the timeline of every story those
events belong to (:meth:`Digests.refresh`, after the records), with the
counts they were built from and the summariser's name; a page reads them as
stored. A digest that is missing or stale (other counts, another summariser:
a store ingested before migration 0008, a changed setting, a read-only copy)
is computed on demand and kept in memory keyed by the event and its number of
articles. Every sentence vector is embedded once per engine (the summariser
reads the engine's sentence cache, :meth:`Components.sentences`, which the
comparison's claims share; its model time is the ``embed`` stage). A story's timeline
computed on demand summarises many events at once, so its lines then use the
hashing embedder (word n-grams, no model): the first view of a story of 240
articles would otherwise embed some 3,000 sentences (48 s measured); stored
timelines use the stored event digests. The story's own summary always uses
the hashing embedder. The summariser and the timeliner are the components of
the ``summariser`` and ``timeliner`` settings.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterable, Sequence

from ..errors import NotFoundError
from ..model import Article, EventDigest, StoredEvent, StoredStory, SummarySentence, Timeline, TimelineDay
from ..pipeline.summarise_v2 import agreed_from_comparison
from ..pipeline.embed import Embedder, HashingEmbedder
from ..store import Store
from . import deferral
from .components import Components
from .records import RecordBuilder, relays_from_dict
from .timing import StageTimer

__all__ = ["Digests", "QUERY_ARTICLES", "STORY_REPORTS", "DIGEST_STAGE"]

#: the digests' seconds in the ingest summary's stage_seconds
DIGEST_STAGE = "digest"

#: a query timeline reads at most this many matching articles (the newest stored)
QUERY_ARTICLES = 1000
#: a story's own summary reads at most this many reports (the lead reports of its events, in date order)
STORY_REPORTS = 40
#: event digests kept in memory
_CACHED_DIGESTS = 5000
#: events read at a time while a story's summary gathers its lead reports
_SUMMARY_CHUNK = 20


class Digests:
    def __init__(self, store: Store, records: RecordBuilder, components: Components) -> None:
        self.store, self.records, self.components = store, records, components
        self._digests: OrderedDict[tuple[str, int, bool], EventDigest] = OrderedDict()
        self._lexical = HashingEmbedder()
        self._timelines: OrderedDict[tuple[str, int, int], Timeline] = OrderedDict()
        self._summaries: OrderedDict[tuple[str, int, int], tuple[SummarySentence, ...]] = OrderedDict()

    def _vectors(self, semantic: bool) -> Embedder:
        if not semantic:
            return self._lexical
        return self.components.sentences()

    @property
    def _name(self) -> str:
        return self.components.get("summariser").name

    def _summarise(self, key: str, articles: Sequence[Article], groups: dict[str, str], upstreams=(),
                   semantic: bool = True, record: dict | None = None, comparison: dict | None = None) -> EventDigest:
        summariser = self.components.get("summariser")
        extra = {}
        if comparison is not None and getattr(summariser, "uses_comparison", False):
            extra = {"agreed": agreed_from_comparison(comparison), "comparison": comparison}
        return summariser.summarise(key, articles, groups, tuple(upstreams), embedder=self._vectors(semantic),
                                    record=record, **extra)

    def _build_event(self, event_id: str, articles: Sequence[Article], semantic: bool = True) -> EventDigest:
        relays = self.records.stored_relays(event_id, articles)
        return self._summarise(event_id, articles, relays.groups(), (r.name for r in relays.relays), semantic,
                               self.store.record(event_id), self.store.comparison(event_id))

    def _stored_event(self, event_id: str, n_articles: int, waiting: bool = False) -> EventDigest | None:
        """The stored digest of an event of ``n_articles``; ``waiting``: also one that lags with the event's record
        while its rebuild waits (:mod:`.deferral`), the summary of what the shown record reflects."""
        stored = self.store.digest("event", event_id)
        if stored is None or stored.built_by != self._name:
            return None
        if stored.n_articles != n_articles and not (waiting and self._lags_with_record(event_id, n_articles, stored.n_articles)):
            return None
        return EventDigest.from_dict(stored.digest)

    def _lags_with_record(self, event_id: str, n_articles: int, built_from: int) -> bool:
        return (deferral.is_waiting(n_articles, built_from, self.components.options)
                and self.store.record_counts([event_id]).get(event_id) == built_from)

    def _event(self, event_id: str, semantic: bool = True) -> tuple[EventDigest, list[Article]]:
        articles = self.store.articles(self.store.event_members(event_id))
        stored = self._stored_event(event_id, len(articles))
        if stored is not None:
            return stored, articles
        key = (event_id, len(articles), semantic)
        if key not in self._digests:
            self._digests[key] = self._build_event(event_id, articles, semantic)
            if len(self._digests) > _CACHED_DIGESTS:
                self._digests.popitem(last=False)
        return self._digests[key], articles

    def refresh(self, events: Iterable[str], batch_size: int = 64, timer: StageTimer | None = None,
                waiting: Iterable[str] = ()) -> tuple[int, int]:
        """Store the digest of every event of ``events`` or stale, then the timeline of every story they belong
        to or stale, except the events ``waiting`` for their record (:mod:`.deferral`) and the stories whose only
        changed events wait; returns how many of each were built."""
        timer = timer or StageTimer({})
        stale_events, stale_stories = self.store.stale_digests(self._name)
        waiting = set(waiting)
        todo = self.store.events(sorted((set(events) | set(stale_events)) - waiting))
        rebuilt = {e.story_id for e in todo if e.story_id}
        held = {e.story_id for e in self.store.events(sorted(waiting)) if e.story_id} - rebuilt if waiting else set()
        stories = sorted((set(stale_stories) | rebuilt) - held)
        sentences = self.components.sentences()
        sentences.timer = timer  # the sentences' embedding is a model stage of its own
        try:
            self._store_digests(todo, stories, batch_size, timer)
        finally:
            sentences.timer = None
        return len(todo), len(stories)

    def _store_digests(self, todo, stories, batch_size: int, timer: StageTimer) -> None:
        name = self._name
        with timer(DIGEST_STAGE):
            for start in range(0, len(todo), batch_size):
                with self.store.transaction():
                    for event in todo[start : start + batch_size]:
                        articles = self.store.articles(self.store.event_members(event.id))
                        digest = self._build_event(event.id, articles)
                        self.store.save_digest("event", event.id, digest.to_dict(), len(articles), 1, name)
            for start in range(0, len(stories), batch_size):
                with self.store.transaction():
                    for story_id in stories[start : start + batch_size]:
                        row = self.store.story(story_id)
                        if row is not None:
                            timeline = self._story_timeline(row)
                            self.store.save_digest("story", story_id, timeline.to_dict(), row.n_articles, row.n_events, name)
            with self.store.transaction():
                self.store.drop_orphan_records()

    def event_summary(self, event_id: str) -> EventDigest:
        """The event's cited summary: agreed sentences first, relays of one upstream counted once."""
        rows = self.store.events([event_id])
        if not rows:
            raise NotFoundError(f"no event {event_id!r}")
        cached = self._digests.get((event_id, rows[0].n_articles, True))  # without reading every article again
        if cached is None:
            cached = self._stored_event(event_id, rows[0].n_articles, waiting=True)
        return cached if cached is not None else self._event(event_id)[0]

    def story_timeline(self, story_id: str) -> Timeline:
        """The story's events in date order, each with a one-line cited summary; the story's summary on top."""
        row = self.store.story(story_id)
        if row is None:
            raise NotFoundError(f"no story {story_id!r}")
        known = self._known_timeline(row)
        if known is not None:
            return known
        return self._remember_timeline((story_id, row.n_articles, row.n_events), self._story_timeline(row))

    def _known_timeline(self, row: StoredStory) -> Timeline | None:
        """The story's whole timeline when it is at hand: computed before by this engine, or stored and fresh."""
        key = (row.id, row.n_articles, row.n_events)
        if key in self._timelines:
            return self._timelines[key]
        stored = self.store.digest("story", row.id)
        if (stored is not None and stored.built_by == self._name
                and (stored.n_articles, stored.n_events) == (row.n_articles, row.n_events)):
            return self._remember_timeline(key, Timeline.from_dict(stored.digest))  # parsed once, not per page
        return None

    def _remember_timeline(self, key: tuple[str, int, int], timeline: Timeline) -> Timeline:
        self._timelines[key] = timeline
        if len(self._timelines) > _CACHED_DIGESTS:
            self._timelines.popitem(last=False)
        return timeline

    def story_page(self, story_id: str, event_ids: Sequence[str]) -> tuple[tuple[TimelineDay, ...], tuple[SummarySentence, ...]]:
        """The timeline lines of a page of the story's events (in timeline order) and the story's summary, as
        :meth:`story_timeline` gives them, without summarising every event of the story: each listed event's line
        comes from its stored digest (else it is summarised alone), the summary from the first events' leads."""
        row = self.store.story(story_id)
        if row is None:
            raise NotFoundError(f"no story {story_id!r}")
        known = self._known_timeline(row)
        if known is not None:
            wanted = set(event_ids)
            return tuple(d for d in known.days if d.event_id in wanted), known.summary
        events = self.store.events(event_ids)
        digests = self._lexical_digests(events)
        days = [TimelineDay(e.date or e.first_date or "", e.date_precision, digests[e.id].sentences[:1], 0, e.n_articles,
                            e.id, digests[e.id].title or e.title) for e in events]
        days.sort(key=lambda d: (d.date, d.event_id or ""))
        return tuple(days), self._story_summary(row)

    def _lexical_digests(self, events: Sequence[StoredEvent]) -> dict[str, EventDigest]:
        """Each event's digest as a computed story timeline reads it: stored and fresh (one query for all), else
        summarised with the hashing embedder (and remembered)."""
        stored = self.store.digests_of("event", [e.id for e in events])
        out = {}
        for e in events:
            found = stored.get(e.id)
            if found is not None and found.n_articles == e.n_articles and found.built_by == self._name:
                out[e.id] = EventDigest.from_dict(found.digest)
            else:
                out[e.id] = self._digests.get((e.id, e.n_articles, False)) or self._event(e.id, semantic=False)[0]
        return out

    def _story_summary(self, row: StoredStory) -> tuple[SummarySentence, ...]:
        """The story's summary as :meth:`_story_timeline` writes it (over the first ``STORY_REPORTS`` lead reports of
        its events in date order), reading only the events up to the last of those leads."""
        key = (row.id, row.n_articles, row.n_events)
        if key not in self._summaries:
            leads: list[Article] = []
            groups: dict[str, str] = {}
            offset = 0
            while len(leads) < STORY_REPORTS:
                events = self.store.events(story_id=row.id, offset=offset, limit=_SUMMARY_CHUNK)
                if not events:
                    break
                offset += len(events)
                digests = self._lexical_digests(events)
                members = self.store.members_of([e.id for e in events])
                derived = self.store.derived_of([e.id for e in events])
                cited = {e.id: {c.article_id for s in digests[e.id].sentences for c in s.citations} for e in events}
                found = {a.id: a for a in self.store.articles([a for e in events for a in members[e.id] if a in cited[e.id]])}
                for e in events:
                    relays = derived.get(e.id, (None, None))[1]
                    groups.update((relays_from_dict(relays) if relays is not None
                                   else self.records.stored_relays(e.id, self.store.articles(members[e.id]))).groups())
                    leads.extend(found[a] for a in members[e.id] if a in cited[e.id] and a in found)
            story = self._summarise(row.id, leads[:STORY_REPORTS], groups, (), semantic=False)
            self._summaries[key] = story.sentences
            if len(self._summaries) > _CACHED_DIGESTS:
                self._summaries.popitem(last=False)
        return self._summaries[key]

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
