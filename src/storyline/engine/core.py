"""The engine: one object that owns a store and the stages, and that every surface talks to.

    read -> normalise -> deduplicate -> analyse (embed, entities, quotes, dates, places)
         -> cluster (article -> event) -> link (event -> story) -> store
         -> relays -> record (per touched event) -> store

The work lives in the modules beside this one: :mod:`.components` (stages by
registered name), :mod:`.state` (clustering state in and out of the store),
:mod:`.ingest`, :mod:`.records` and :mod:`.reads`. This class wires them.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..comparison import Comparison
from ..model import (Article, ArticleSummary, ArticleView, Event, EventDigest, EventRecord, IngestSummary, RawRecord,
                     Place, Rejection, SearchPage, Story, StoryOverview, StoryPage, SummarySentence, Timeline, TimelineDay)
from ..settings import Options, load_options
from ..store import Store, index_location, open_store, store_location
from . import deferral
from .analyse import Analysis, analyse
from .components import Components
from .digests import Digests
from .ingest import Ingester, Progress, read_items
from .reads import Reads
from .records import RecordBuilder
from .state import load_state
from .timing import StageTimer

__all__ = ["Storyline"]


class Storyline:
    """A Storyline store and the pipeline that fills it.

    >>> sl = Storyline("news.db")                      # doctest: +SKIP
    >>> sl.ingest(["articles.jsonl"]).line()           # doctest: +SKIP
    >>> sl.stories()                                   # doctest: +SKIP
    """

    def __init__(
        self,
        db: str | Path = "storyline.db",
        options: Options | None = None,
        *,
        embedder: Any | None = None,
        entity_extractor: Any | None = None,
        geoparser: Any | None = None,
        components: dict[str, Any] | None = None,
        readonly: bool = False,
    ) -> None:
        self.options = options or load_options()
        self.db_path = store_location(db)  # a SQLite file (Path) or a postgresql:// URL (str)
        # readonly: a reader beside a writer (the web server's request threads); it never migrates or ingests
        # a writer holds the store's writer lock (one writer per store); readers never take it
        self.store: Store = open_store(self.db_path, readonly=readonly, wait=self.options.writer_wait)
        given = {"embedder": embedder, "entity_extractor": entity_extractor, "geoparser": geoparser, **(components or {})}
        self.components = Components(self.options, given)
        self.records = RecordBuilder(self.store, self.components)
        self.reads = Reads(self.store, self.records)
        self.digests = Digests(self.store, self.records, self.components)
        self._ingester: Ingester | None = None

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Storyline":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def index_path(self) -> Path | None:
        """The vector index file (None for a PostgreSQL store: its vectors are indexed in the database)."""
        return index_location(self.db_path, self.options.index_path)

    @property
    def embedder(self) -> Any:
        return self.components.get("embedder")

    @property
    def entity_extractor(self) -> Any:
        return self.components.get("entity_extractor")

    @property
    def geoparser(self) -> Any:
        return self.components.get("geoparser")

    @property
    def event_typer(self) -> Any:
        return self.components.get("event_typer")

    def component_names(self) -> dict[str, Any]:
        """The registered name of every stage (and the sha256 of the parameter files they read)."""
        return self.components.names()

    def _writer(self) -> Ingester:
        if self._ingester is None:
            state = load_state(self.store, self.components, self.index_path)
            self._ingester = Ingester(self.store, self.components, self.options, state, self.index_path)
        return self._ingester

    @property
    def clusterer(self) -> Any:
        return self._writer().state.clusterer

    @property
    def linker(self) -> Any:
        return self._writer().state.linker

    @property
    def index(self) -> Any:
        return self._writer().state.index

    # ------------------------------------------------------------ ingest
    def ingest(self, paths: Sequence[str], *, source: str | None = None, fmt: str | None = None,
               progress: Progress | None = None, fetch: bool = False) -> IngestSummary:
        """Ingest files, folders, globs, URLs or ``-`` (stdin); ``fetch``: a feed's entries are fetched for their full text."""
        return self.ingest_records(read_items(paths, fmt, options=self.options, fetch=fetch), source=source, progress=progress)

    def ingest_records(self, items: Iterable[RawRecord | Rejection | dict], *, source: str | None = None,
                       progress: Progress | None = None, defer: bool = False) -> IngestSummary:
        """Ingest raw records (or plain dicts with the corpus JSONL fields); ``defer``: a big event's record may wait
        for more articles (:mod:`.deferral`; the web server's API defers, a batch ingest does not)."""
        writer = self._writer()

        def records(timer) -> None:
            if self.options.records:
                with timer("record"):
                    self.refresh_records(timer=timer, defer=defer)

        return writer.run(items, source=source, progress=progress, after=records)

    def ingest_prepared(self, items: Iterable[Article | Rejection], prepared: Any, *,
                        progress: Progress | None = None) -> IngestSummary:
        """Ingest normalised articles whose analyses and signatures ``prepared`` holds (an
        :class:`~storyline.engine.ingest.Prepared`): no model runs before the records stage."""
        writer = self._writer()
        writer.prepared = prepared
        try:
            return self.ingest_records(items, progress=progress)
        finally:
            writer.prepared = None

    def analyse(self, articles: Sequence[Article]) -> list[Analysis]:
        """Embeddings, mentions, places and candidate event dates of each article (nothing is stored)."""
        return analyse(articles, self.components, self.options.embed_chars)

    # ------------------------------------------------------------ records
    def refresh_records(self, batch_size: int = 64, timer: StageTimer | None = None, defer: bool = False) -> int:
        """Build the record (and comparison) of every event whose articles changed since its record was built, then
        (the ``digests`` setting) the digest of each such event and the timeline of each story it belongs to.
        ``defer``: the events whose rebuild may wait (:func:`.deferral.waiting`) are left as they are."""
        dirty: set[str] = set()
        regrouped: set[str] = set()
        if self._ingester is not None:
            dirty, self._ingester.dirty_events = self._ingester.dirty_events, set()
            regrouped, self._ingester.regrouped_events = self._ingester.regrouped_events, set()
        stale = self.store.stale_records()
        waits = deferral.waiting(self.store, self.options, dirty | set(stale), regrouped) if defer else set()
        built = self.records.refresh(dirty, batch_size, timer, stale=stale, waiting=waits)
        if self.options.digests:
            self.digests.refresh(dirty - waits, batch_size, timer, waiting=waits)
        return built

    def waiting_records(self) -> list[str]:
        """The events whose stored record is behind their articles (a deferred rebuild, or a crash before the
        records stage): what :meth:`refresh_stale` rebuilds."""
        return self.store.stale_records()

    def refresh_stale(self) -> tuple[int, IngestSummary]:
        """Rebuild every stale record, comparison, digest and timeline now (the server's idle refresh, ``storyline
        db refresh``); recorded as a run that ingested nothing, whose ``stage_seconds`` time the rebuild. Returns
        how many records were built, and the run's summary."""
        summary = IngestSummary()
        timer = StageTimer(summary.stage_seconds, summary.stage_cpu_seconds)
        started = time.perf_counter()
        run_id = self.store.start_run(self.components.names(), dict(self.options))
        with timer("record"):
            built = self.refresh_records(timer=timer)
        summary.seconds = time.perf_counter() - started
        self.store.finish_run(run_id, dataclasses.asdict(summary))
        return built, summary

    def build_record(self, event_id: str, articles: Sequence[Article]) -> EventRecord:
        """The record of an event reported by ``articles`` (stored articles: their mentions and places are read)."""
        return self.records.build(event_id, articles)

    # ------------------------------------------------------------ reading
    def stories(self, limit: int | None = None, offset: int = 0, **filters: Any) -> list[StoryOverview]:
        """Stories, newest first, in the machine-readable contract shape (``.to_dict()``); filters as
        :meth:`story_list` (``date_from``, ``date_to``, ``source``, ``place``, ``query``)."""
        return self.reads.stories(limit, offset, **filters)

    def story(self, story_id: str, offset: int = 0, limit: int | None = None, articles_limit: int | None = None) -> Story:
        """The story with a page of its events (all by default; see :meth:`Reads.story`)."""
        return self.reads.story(story_id, offset, limit, articles_limit)

    def event(self, event_id: str, offset: int = 0, limit: int | None = None) -> Event:
        """The event with a page of its articles (all by default; see :meth:`Reads.event`)."""
        return self.reads.event(event_id, offset, limit)

    def comparison(self, item_id: str) -> Comparison | list[Comparison]:
        """What the sources of an event say together; for a story, the comparison of each of its events."""
        return self.reads.comparison(item_id)

    def articles(self) -> list[ArticleSummary]:
        return self.reads.articles()

    def article(self, article_id: str) -> ArticleView:
        return self.reads.article(article_id)

    def article_texts(self, article_ids: Sequence[str]) -> list[ArticleView]:
        """Articles with their text and segments, without mentions or places (see :meth:`Reads.article_texts`)."""
        return self.reads.article_texts(article_ids)

    def show(self, item_id: str) -> tuple[str, Story | Event | ArticleView]:
        return self.reads.show(item_id)

    def story_list(self, **filters: Any) -> StoryPage:
        """One page of stories with filters (see :meth:`Reads.story_list`)."""
        return self.reads.story_list(**filters)

    def search(self, text: str, *, cursor: str | None = None, limit: int = 20) -> SearchPage:
        return self.reads.search(text, cursor=cursor, limit=limit)

    def rejections(self) -> list[Rejection]:
        return self.reads.rejections()

    def export(self) -> Iterator[dict[str, Any]]:
        """One JSON-ready record per event (as :meth:`Reads.export`) with its cited summary (``summary``) and,
        on the first event of each story, the story's timeline (``story_timeline``)."""
        seen: set[str] = set()
        for event in self.reads.export():
            event["summary"] = self.digests.event_summary(event["id"]).to_dict()
            story_id = event.get("story_id")
            if story_id and story_id not in seen:
                seen.add(story_id)
                event["story_timeline"] = self.digests.story_timeline(story_id).to_dict()
            yield event

    def summary(self, event_id: str) -> EventDigest:
        """The event's cited summary (agreed facts first; every sentence cites the source sentences stating it)."""
        return self.digests.event_summary(event_id)

    def timeline_page(self, story_id: str, event_ids: Sequence[str]) -> tuple[tuple[TimelineDay, ...], tuple[SummarySentence, ...]]:
        """The story's timeline lines of these events (a page of them, in timeline order) and the story's summary,
        without summarising every event of the story (see :meth:`Digests.story_page`)."""
        return self.digests.story_page(story_id, event_ids)

    def places(self, article_ids: Sequence[str]) -> dict[str, list[Place]]:
        """The resolved toponyms of each of these articles, in text order (all read at once)."""
        return self.store.places_of(article_ids)

    def timeline(self, story_or_query: str, n_dates: int = 10) -> Timeline:
        """A story's timeline by its id, else a timeline of the stored articles matching the text as a query."""
        if self.store.story(story_or_query) is not None:
            return self.digests.story_timeline(story_or_query)
        return self.digests.query_timeline(story_or_query, n_dates)
