"""Ingest: read, normalise, deduplicate, analyse, cluster, link and store, one batch per transaction.

Articles are processed in publication order, in batches; each batch is one
transaction, so a crash loses at most the batch in flight and a re-run picks
up where the last committed batch ended.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import weakref
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import numpy as np

from ..errors import Codes, InputError, StoreError
from ..model import Article, Decision, IngestSummary, Notice, RawRecord, Rejection
from ..pipeline.cluster import ClusterItem, EventState
from ..pipeline.readers import expand_paths, read_path
from ..pipeline.normalise import excerpt as safe_excerpt
from ..pipeline.normalise import field_limits, to_article
from ..settings import Options
from ..store import Store
from ..store.vectors import FaissIndex, MemoryIndex, day_range, search_among, vector_id
from .analyse import Analysis, Overrun, analyse
from .components import Components
from .state import ClusterState, load_state, save_indexes, save_memory, save_state
from .timing import StageTimer


__all__ = ["Ingester", "Prepared", "Progress", "read_items", "neighbours", "stream_events"]

Progress = Callable[[int, int], None]
#: articles analysed between two progress reports
_PROGRESS_STEP = 32


def read_items(paths: Sequence[str], fmt: str | None = None, *, options: Options | None = None,
               fetch: bool = False) -> Iterator[RawRecord | Rejection | Notice]:
    """Raw records, rejections and notices of files, folders, globs, URLs or ``-`` (stdin); ``fetch``: a feed's
    entries are fetched for their full text."""
    for path in expand_paths(paths):
        if isinstance(path, Rejection):
            yield path
        else:
            yield from read_path(path, fmt, options=options, fetch=fetch)


#: each clusterer's remembered vectors as a flat index, kept between the searches of its undated items
_MEMORY_INDEXES: "weakref.WeakKeyDictionary[Any, MemoryIndex]" = weakref.WeakKeyDictionary()


def _memory_search(clusterer: Any, item: ClusterItem, k: int, remembered: list[ClusterItem]) -> list[tuple[str, float]]:
    try:
        memory = _MEMORY_INDEXES.get(clusterer)
    except TypeError:  # an object that takes no weak reference: gathered for this search
        return search_among(item.vector, k, [i.key for i in remembered], [i.vector for i in remembered])
    if memory is None or memory.dim != len(item.vector):
        memory = _MEMORY_INDEXES[clusterer] = MemoryIndex(len(item.vector))
    return memory.search(item.vector, k, remembered)


def neighbours(index: Any, item: ClusterItem, options: Options, clusterer: Any = None) -> list[tuple[str, float]]:
    """The stored articles nearest to ``item`` inside the clusterer's time window.

    An undated item has no window: it is compared with the articles the clusterer remembers (its
    ``event_memory`` most recent originals, the ones its second pass may revisit), scored as the index scores
    them, so that its cost is bounded by the memory and not by the index. A clusterer that remembers nothing
    (``event_memory`` 0, or none given) leaves it the search of every vector."""
    if item.date:
        return index.search(item.vector, options.event_candidates, day_range(item.date, options.event_window_days))
    remembered = list(getattr(clusterer, "items", {}).values())
    if not remembered:
        return index.search(item.vector, options.event_candidates)
    return _memory_search(clusterer, item, options.event_candidates, remembered)


def stream_events(clusterer: Any, items: Sequence[ClusterItem], options: Options) -> list[str]:
    """Feed analysed items to a clusterer exactly as an ingest does, without a store: date order as given,
    each item joined or started against its window's neighbours, the second pass after every batch.
    Returns each item's event (what ``storyline fit`` and the held-out script replay)."""
    index = FaissIndex(len(items[0].vector)) if items else None
    batch = max(1, int(options.batch_size))
    for n, item in enumerate(items, start=1):
        clusterer.assign(item, neighbours(index, item, options, clusterer))
        index.add([vector_id(item.date, n)], [item.key], item.vector.reshape(1, -1))
        if n % batch == 0 or n == len(items):
            clusterer.refine()
    return [clusterer.event_of[item.key] for item in items]


class Prepared(Protocol):
    """Analyses and MinHash signatures computed elsewhere (``storyline spark analyse``): an ingest given them runs
    no model; it deduplicates, clusters, links and records exactly as with its own analyses."""

    def analyses(self, articles: Sequence[Article]) -> dict[str, Analysis]: ...

    def signature(self, article: Article) -> np.ndarray | None: ...


class OverBudget(Exception):
    """Some articles of a batch went over their time budget (the batch is tried again without them)."""

    def __init__(self, overruns: list[Overrun]) -> None:
        super().__init__(", ".join(o.article_id for o in overruns))
        self.overruns = overruns


def _rejection(article: Article, code: str, reason: str) -> Rejection:
    """The rejection of an article that was read (its origin is "file:line")."""
    origin, _, line = (article.origin or "<api>:0").rpartition(":")
    return Rejection(origin, int(line) if line.isdigit() else 0, code, reason, article.text[:200])


class Ingester:
    """One ingest run's work on a store whose clustering state is loaded."""

    def __init__(self, store: Store, components: Components, options: Options, state: ClusterState,
                 index_path: Path | None) -> None:
        self.store, self.components, self.options, self.state = store, components, options, state
        self.index_path = index_path
        #: events changed since their records were last built
        self.dirty_events: set[str] = set()
        #: events among them that the clusterer's second pass changed (split, moved out of, merged): never deferred
        self.regrouped_events: set[str] = set()
        #: ids of the events and stories this run created and that still exist (the second pass may merge them away)
        self._created: dict[str, set[str]] = {"event": set(), "story": set()}
        #: analyses of the articles of a batch that is tried again without an article over its time budget
        self._analysed: dict[str, Analysis] = {}
        #: analyses and signatures made elsewhere (None: this ingest runs the models)
        self.prepared: Prepared | None = None

    def run(self, items: Iterable[RawRecord | Rejection | Article | dict], *, source: str | None = None,
            progress: Progress | None = None, after: Callable[[StageTimer], None] | None = None) -> IngestSummary:
        started = time.perf_counter()
        summary = IngestSummary()
        timer = StageTimer(summary.stage_seconds, summary.stage_cpu_seconds)
        run_id = self.store.start_run(self.components.names(), dict(self.options))
        self._created = {"event": set(), "story": set()}
        with timer("read+normalise"):
            fresh = self._fresh(items, source, summary)
        batch_size = max(1, int(self.options.batch_size))
        if progress:
            progress(0, len(fresh))
        for start in range(0, len(fresh), batch_size):
            batch = fresh[start : start + batch_size]

            def analysed(n: int, start: int = start) -> None:
                if progress:
                    progress(start + n, len(fresh))

            self._isolated(batch, summary, timer, analysed)
        summary.events_created = len(self._created["event"])
        summary.stories_created = len(self._created["story"])
        if after is not None:
            after(timer)
        with timer("store"):
            if fresh:
                save_indexes(self.state, self.index_path)
            summary.seconds = time.perf_counter() - started
            self.store.finish_run(run_id, dataclasses.asdict(summary))
        return summary

    def _fresh(self, items: Iterable[RawRecord | Rejection | Article | dict], source: str | None, summary: IngestSummary) -> list[Article]:
        """The new articles among ``items``, in publication order; everything else counted or rejected (in input
        order, after one look-up of the stored fingerprints for all of them, not one per article)."""
        read: list[Rejection | tuple[RawRecord | Article, Article]] = []
        for position, item in enumerate(items):
            if isinstance(item, dict):
                item = RawRecord("<api>", position + 1, item)
            if isinstance(item, Notice):
                summary.notes.append(f"{item.origin}: {item.message}")
            elif isinstance(item, Rejection):
                read.append(item)
            else:
                try:  # an Article is already normalised (by an analysis made elsewhere)
                    article = item if isinstance(item, Article) else to_article(item, source=source, limits=field_limits(self.options))
                except InputError as exc:
                    read.append(Rejection(item.origin, item.line, exc.code, exc.reason, safe_excerpt(item.fields.get("text"))))
                else:
                    read.append((item, article))
        stored = self.store.article_fingerprints(entry[1].id for entry in read if not isinstance(entry, Rejection))
        fresh: list[Article] = []
        seen: dict[str, str] = {}
        for entry in read:
            if isinstance(entry, Rejection):
                self.reject(entry, summary)
                continue
            item, article = entry
            known = seen.get(article.id) or stored.get(article.id)
            if known is not None:
                if known == article.fingerprint:
                    summary.unchanged += 1
                else:
                    reason = f"id {article.id!r} is already stored with a different text"
                    self.reject(Rejection(item.origin, item.line, Codes.ID_CONFLICT, reason, article.text[:200]), summary)
                continue
            seen[article.id] = article.fingerprint
            fresh.append(article)
        order = sorted(range(len(fresh)), key=lambda i: (fresh[i].published is None, fresh[i].published or dt.date.min, i))
        return [fresh[i] for i in order]

    def reject(self, rejection: Rejection, summary: IngestSummary) -> None:
        self.store.add_rejection(rejection)
        summary.rejected += 1
        summary.rejections.append(rejection)

    def _deduplicate(self, batch: list[Article]) -> tuple[list[Article], dict[str, np.ndarray], dict[str, float]]:
        """The batch with ``duplicate_of`` set on copies; new originals' signatures; each copy's similarity."""
        duplicates = self.state.duplicates
        articles: list[Article] = []
        signatures: dict[str, np.ndarray] = {}
        matches: dict[str, float] = {}
        stored = self.store.originals_with_fingerprints(a.fingerprint for a in batch)  # one query for the batch
        for article in batch:
            original = stored.get(article.fingerprint)
            original = original or next((a.id for a in articles if a.fingerprint == article.fingerprint and not a.duplicate_of), None)
            similarity = 1.0
            signature = self.prepared.signature(article) if self.prepared else duplicates.signature(article.text)
            if original is None and signature is not None:
                match = duplicates.find(signature)
                if match is not None:
                    original, similarity = match.original_id, match.similarity
            if original is not None:
                article = dataclasses.replace(article, duplicate_of=original)
                matches[article.id] = similarity
            elif signature is not None:
                duplicates.add(article.id, signature)
                signatures[article.id] = signature
            articles.append(article)
        return articles, signatures, matches

    def _isolated(self, batch: list[Article], summary: IngestSummary, timer: StageTimer,
                  analysed: Callable[[int], None]) -> None:
        """Ingest a batch; when a stage fails on it, its transaction rolls back, the in-memory state is reloaded
        from the store, and the batch is retried in halves until the article that breaks a stage is rejected alone
        (with the reason) and every other article is stored."""
        created = {k: set(v) for k, v in self._created.items()}
        try:
            self._batch(batch, summary, timer, analysed)
        except StoreError:
            raise  # the store itself failing is no article's fault: stop, nothing of this batch was committed
        except OverBudget as over:  # before the transaction: only the deduplicator's memory has changed
            self._created = created
            self.state = load_state(self.store, self.components, self.index_path)
            slow = {o.article_id: o for o in over.overruns}
            for article in batch:
                if article.id in slow:
                    self.reject(_rejection(article, Codes.OVER_BUDGET, slow[article.id].reason()), summary)
            rest = [a for a in batch if a.id not in slow]
            if rest:
                self._isolated(rest, summary, timer, analysed)
            return
        except Exception as exc:  # noqa: BLE001  (any bug of a stage on some input: isolate the input)
            self._created = created
            self.state = load_state(self.store, self.components, self.index_path)
            if len(batch) > 1:
                # a batch that then goes through in halves was clustered in other batches than asked: say so
                summary.notes.append(f"a pipeline stage failed on a batch of {len(batch)} articles "
                                     f"({type(exc).__name__}: {str(exc)[:200]}); retried in halves")
                half = len(batch) // 2
                self._isolated(batch[:half], summary, timer, analysed)
                self._isolated(batch[half:], summary, timer, analysed)
                return
            self._analysed.clear()
            reason = f"a pipeline stage failed on this article ({type(exc).__name__}: {exc})"[:500]
            self.reject(_rejection(batch[0], Codes.STAGE_FAILED, reason), summary)

    def _batch(self, batch: list[Article], summary: IngestSummary, timer: StageTimer,
               analysed: Callable[[int], None] = lambda n: None) -> None:
        with timer("deduplicate"):
            articles, signatures, matches = self._deduplicate(batch)
        originals = [a for a in articles if a.duplicate_of is None]
        analyses = self._analyse(originals, timer, lambda n: analysed(min(len(articles), n + len(articles) - len(originals))))
        clusterer, linker, index = self.state.clusterer, self.state.linker, self.state.index
        embedder_name = self.components.get("embedder").name
        duplicates = 0
        with self.store.transaction():
            touched: dict[str, EventState] = {}
            new_events: list[EventState] = []
            decisions: list[tuple[Decision, str]] = []
            with timer("cluster+store"):
                for a in articles:
                    if a.duplicate_of is not None:
                        decision = clusterer.add_duplicate(a.id, a.duplicate_of, matches[a.id])
                        duplicates += 1
                    else:
                        found = analyses[a.id]
                        decision = clusterer.assign(found.item, neighbours(index, found.item, self.options, clusterer))
                        # an article without an outlet name counts as a source of its own
                        clusterer.note_report(a.id, a.source or f"?{a.id}", found.event_dates)
                        if decision.action == "new":
                            new_events.append(clusterer.events[decision.target_id])
                            self._created["event"].add(decision.target_id)
                    event = clusterer.events[decision.target_id]
                    touched[event.id] = event
                    decisions.append((decision, "event"))
                    rowid = self.store.add_article(a)
                    self.store.add_event_article(event.id, a.id, len(event.members) - 1)
                    if a.duplicate_of is None:
                        found = analyses[a.id]
                        vid = vector_id(a.published, rowid)
                        self.store.add_embedding(a.id, embedder_name, vid, found.item.vector)
                        index.add([vid], [a.id], found.item.vector.reshape(1, -1))
                        self.store.add_mentions(found.mentions)
                        self.store.add_places(found.places)
                    if a.id in signatures:
                        self.store.add_signature(a.id, signatures[a.id])
            with timer("refine"):
                self._refine(touched, new_events, decisions)
            with timer("link"):
                if hasattr(linker, "refresh"):  # running totals of the stories whose events changed
                    linker.refresh(touched.values())
                for event in new_events:
                    near = self._story_neighbours(event)
                    candidates = [e.story_id for e in near]
                    if getattr(linker, "uses_neighbours", False):  # compares the story events the index found
                        decision = linker.link(event, candidates, clusterer.entity_vocab, clusterer.term_vocab, near=near)
                    else:
                        decision = linker.link(event, candidates, clusterer.entity_vocab, clusterer.term_vocab)
                    if decision.action == "new":
                        self._created["story"].add(decision.target_id)
                    decisions.append((decision, "story"))
            with timer("store"):
                for decision, level in decisions:
                    self.store.add_decision(decision, level)
                save_state(self.store, self.state, embedder_name, touched.values(), (analyses[a.id].item for a in originals))
                save_memory(self.store, clusterer)
            self.dirty_events.update(touched)
        summary.ingested += len(articles)
        summary.duplicates += duplicates

    def _analyse(self, originals: list[Article], timer: StageTimer, analysed: Callable[[int], None]) -> dict[str, Analysis]:
        """The analysis of each article (kept from an earlier try of this batch when there is one); raises
        :class:`OverBudget` when some article's analysis went over its time budget, with the others' analyses."""
        if self.prepared is not None:
            analysed(len(originals))
            return self.prepared.analyses(originals)
        budget = self.options.article_time_budget_s
        todo = [a for a in originals if a.id not in self._analysed]
        overruns: list[Overrun] = []
        for start in range(0, len(todo), _PROGRESS_STEP):  # analysis is per article: chunks only pace the progress display
            chunk = todo[start : start + _PROGRESS_STEP]
            for a, found in zip(chunk, analyse(chunk, self.components, self.options.embed_chars, timer, budget)):
                if isinstance(found, Overrun):
                    overruns.append(found)
                else:
                    self._analysed[a.id] = found
            analysed(len(originals) - len(todo) + start + len(chunk))
        if not todo:
            analysed(len(originals))
        if overruns:
            raise OverBudget(overruns)
        return {a.id: self._analysed.pop(a.id) for a in originals}

    def _story_neighbours(self, event: EventState) -> list[EventState]:
        """The events, already in a story, of the stored articles nearest to ``event`` within the story window."""
        first = event.first_date
        window = day_range(first, self.options.story_window_days) if first else None
        clusterer = self.state.clusterer
        out = []
        for key, _cosine in self.state.index.search(event.centroid.astype(np.float32), self.options.event_candidates, window):
            other = clusterer.events.get(clusterer.event_of.get(key, ""))
            if other is not None and other.story_id and other is not event:
                out.append(other)
        return out

    def _refine(self, touched: dict[str, EventState], new_events: list[EventState], decisions: list) -> None:
        """The clusterer's second pass (split, move, merge), written through to the store."""
        clusterer, linker = self.state.clusterer, self.state.linker
        refined = clusterer.refine()
        self._created["event"].update(refined.created)
        self._created["event"].difference_update(refined.removed)
        for old_id in refined.removed:
            gone = touched.pop(old_id, None)
            new_events[:] = [e for e in new_events if e.id != old_id]
            self.store.delete_event(old_id)
            story = linker.stories.get(gone.story_id) if gone is not None and gone.story_id else None
            if story is None:
                story = next((s for s in linker.stories.values() if any(e.id == old_id for e in s.events)), None)
            if story is not None:
                _drop(story, old_id)
                if story.events:
                    touched.setdefault(story.events[0].id, story.events[0])
                else:
                    del linker.stories[story.id]
                    self.store.delete_story(story.id)
                    self._created["story"].discard(story.id)
        for event_id in refined.changed:
            event = clusterer.events[event_id]
            touched[event_id] = event
            self.regrouped_events.add(event_id)
            self.store.set_event_members(event_id, event.members)
        new_events.extend(clusterer.events[e] for e in refined.created if e in clusterer.events)
        decisions.extend((d, "event") for d in refined.decisions)


def _drop(story, event_id: str) -> None:
    if hasattr(story, "drop"):
        story.drop([event_id])
    else:
        story.events = [e for e in story.events if e.id != event_id]
