"""The engine wires the stages to the store. Surfaces talk only to this.

    ingest -> normalise -> deduplicate -> analyse (embed, entities, dates)
           -> cluster (article -> event) -> link (event -> story) -> store

Articles are processed in publication order, in batches; each batch is one
transaction, so a crash loses at most the batch in flight and a re-run picks
up where the last committed batch ended.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from . import registry
from .errors import Codes, InputError, NotFoundError, StoreError
from .model import Article, Decision, EventRecord, IngestSummary, Mention, Place, RawRecord, Rejection
from .model import DatePrecision as P
from .pipeline import dates as dates_stage
from .pipeline import entities as entities_stage
from .pipeline import background as background_stage
from .pipeline import quotes as quotes_stage
from .pipeline import record as record_stage
from .pipeline.cluster import ClusterItem, EventState, OnlineClusterer, Vocabulary, content_terms, detail_keys, term_weights
from .pipeline.dedup import DuplicateIndex, MinHasher
from .pipeline.ingest import expand_paths, read_path
from .pipeline.link import StoryLinker, StoryState
from .pipeline.normalise import excerpt as safe_excerpt
from .pipeline.normalise import field_limits, to_article
from .settings import Options, load_options
from .store import browse
from .store.sqlite import Store
from .store.vectors import VectorIndex, day_range, vector_id

__all__ = ["Storyline"]

Progress = Callable[[int, int], None]
_LEAD_SENTENCES = 4


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


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
        readonly: bool = False,
    ) -> None:
        self.options = options or load_options()
        self.db_path = Path(db)
        # readonly: a reader beside a writer (the web server's request threads); it never migrates or ingests
        self.store = Store(self.db_path, readonly=readonly, wait=self.options.writer_wait)  # a writer holds the store's writer lock
        self._embedder = embedder
        self._entities = entity_extractor
        self._geoparser = geoparser
        self._event_typer = None
        self._dirty_events: set[str] = set()
        self._state_loaded = False

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Storyline":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def embedder(self):
        if self._embedder is None:
            self._embedder = registry.create(self.options.embedder, self.options)
        return self._embedder

    @property
    def entity_extractor(self):
        if self._entities is None:
            self._entities = registry.create(self.options.entities, self.options)
        return self._entities

    @property
    def geoparser(self):
        if self._geoparser is None:
            self._geoparser = registry.create(self.options.geoparser, self.options)
        return self._geoparser

    @property
    def event_typer(self):
        if self._event_typer is None:
            self._event_typer = registry.create(self.options.event_typer, self.options)
        return self._event_typer

    @property
    def index_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + ".faiss")

    def components(self) -> dict[str, str]:
        return {
            "embedder": self.embedder.name,
            "entities": self.entity_extractor.name,
            "clusterer": self.options.clusterer,
            "linker": self.options.linker,
            "geoparser": self.options.geoparser,
            "event_typer": self.options.event_typer,
        }

    def _load_state(self) -> None:
        if self._state_loaded:
            return
        stored = self.store.get_meta("embedder")
        if stored is not None and stored != self.embedder.name:
            raise StoreError(
                f"{self.db_path} holds vectors made by {stored}; use the same embedder "
                f"(--set embedder={stored}) or a new database",
                code=Codes.STORE_SCHEMA,
            )
        self.clusterer: OnlineClusterer = registry.create(self.options.clusterer, self.options)
        self.linker: StoryLinker = registry.create(self.options.linker, self.options)
        members = self.store.all_event_members()
        events: dict[str, EventState] = {}
        numbers = [0]
        for row in self.store.event_rows():
            state = json.loads(row["state"])
            events[row["id"]] = EventState(
                id=row["id"],
                vector_sum=np.frombuffer(row["vector_sum"], dtype=np.float32).copy(),
                size=row["size"],
                first_date=_date(row["first_date"]),
                last_date=_date(row["last_date"]),
                entities=Counter(state["entities"]),
                terms=Counter(state["terms"]),
                title_terms=Counter(state["title_terms"]),
                members=members.get(row["id"], []),
                story_id=row["story_id"],
                sources=Counter(state["sources"]),
                date_votes=Counter(state["date_votes"]),
                details=Counter(state.get("details", {})),
            )
            numbers.append(row["number"])
        entity_vocab, term_vocab = Vocabulary(), Vocabulary()
        entity_vocab.df.update(self.store.vocabulary("entity"))
        term_vocab.df.update(self.store.vocabulary("term"))
        entity_vocab.documents = term_vocab.documents = int(self.store.get_meta("vocabulary_documents", "0"))
        # ids of events merged away are never handed out again
        next_number = max(max(numbers) + 1, int(self.store.get_meta("next_event_number", "1")))
        self.clusterer.restore(events.values(), next_number, entity_vocab, term_vocab)
        stories: dict[str, StoryState] = {}
        for event in events.values():
            if event.story_id:
                stories.setdefault(event.story_id, StoryState(event.story_id)).events.append(event)
        story_numbers = [0] + [row["number"] for row in self.store.story_rows()]
        self.linker.restore(stories.values(), max(story_numbers) + 1)
        self.duplicates = DuplicateIndex(self.options.near_duplicate_jaccard)
        for article_id, signature in self.store.signatures():
            self.duplicates.add(article_id, signature)
        self.minhasher = MinHasher()
        self.index = VectorIndex.load_or_build(
            self.index_path, self.embedder.dim, self.store.embeddings(), self.store.count("embeddings")
        )
        self._state_loaded = True

    # ------------------------------------------------------------ ingest
    def ingest(
        self,
        paths: Sequence[str],
        *,
        source: str | None = None,
        fmt: str | None = None,
        progress: Progress | None = None,
    ) -> IngestSummary:
        """Ingest files, folders, globs or ``-`` (stdin)."""

        def items() -> Iterator[RawRecord | Rejection]:
            for path in expand_paths(paths):
                if isinstance(path, Rejection):
                    yield path
                else:
                    yield from read_path(path, fmt)

        return self.ingest_records(items(), source=source, progress=progress)

    def ingest_records(
        self,
        items: Iterable[RawRecord | Rejection | dict],
        *,
        source: str | None = None,
        progress: Progress | None = None,
    ) -> IngestSummary:
        """Ingest raw records (or plain dicts with the corpus JSONL fields)."""
        started = time.perf_counter()
        summary = IngestSummary()
        timer = _StageTimer(summary.stage_seconds)
        self._load_state()
        run_id = self.store.start_run(self.components(), dict(self.options))

        fresh: list[Article] = []
        seen: dict[str, str] = {}
        with timer("read+normalise"):
            for position, item in enumerate(items):
                if isinstance(item, dict):
                    item = RawRecord("<api>", position + 1, item)
                if isinstance(item, Rejection):
                    self._reject(item, summary)
                    continue
                try:
                    article = to_article(item, source=source, limits=field_limits(self.options))
                except InputError as exc:
                    excerpt = safe_excerpt(item.fields.get("text"))
                    self._reject(Rejection(item.origin, item.line, exc.code, exc.reason, excerpt), summary)
                    continue
                known = seen.get(article.id) or self.store.article_fingerprint(article.id)
                if known is not None:
                    if known == article.fingerprint:
                        summary.unchanged += 1
                    else:
                        reason = f"id {article.id!r} is already stored with a different text"
                        self._reject(Rejection(item.origin, item.line, Codes.ID_CONFLICT, reason, article.text[:200]), summary)
                    continue
                seen[article.id] = article.fingerprint
                fresh.append(article)

        order = sorted(range(len(fresh)), key=lambda i: (fresh[i].published is None, fresh[i].published or dt.date.min, i))
        fresh = [fresh[i] for i in order]
        batch_size = max(1, int(self.options.batch_size))
        done = 0
        for start in range(0, len(fresh), batch_size):
            batch = fresh[start : start + batch_size]
            self._ingest_batch(batch, summary, timer)
            done += len(batch)
            if progress:
                progress(done, len(fresh))
        if self.options.records:
            with timer("record"):
                self.refresh_records()
        with timer("store"):
            if fresh:
                self.index.save(self.index_path)
            summary.seconds = time.perf_counter() - started
            self.store.finish_run(run_id, dataclasses.asdict(summary))
        return summary

    def _reject(self, rejection: Rejection, summary: IngestSummary) -> None:
        self.store.add_rejection(rejection)
        summary.rejected += 1
        summary.rejections.append(rejection)

    def _ingest_batch(self, batch: list[Article], summary: IngestSummary, timer: "_StageTimer") -> None:
        # deduplicate
        with timer("deduplicate"):
            articles, signatures, matches = [], {}, {}
            for article in batch:
                original = self.store.original_with_fingerprint(article.fingerprint)
                original = original or next((a.id for a in articles if a.fingerprint == article.fingerprint and not a.duplicate_of), None)
                similarity = 1.0
                signature = self.minhasher.signature(article.text)
                if original is None and signature is not None:
                    match = self.duplicates.find(signature)
                    if match is not None:
                        original, similarity = match.original_id, match.similarity
                if original is not None:
                    article = dataclasses.replace(article, duplicate_of=original)
                    matches[article.id] = similarity
                elif signature is not None:
                    self.duplicates.add(article.id, signature)
                    signatures[article.id] = signature
                articles.append(article)
        originals = [a for a in articles if a.duplicate_of is None]

        analyses = self.analyse(originals, timer)
        items = {a.id: x.item for a, x in zip(originals, analyses)}
        mentions = {a.id: x.mentions for a, x in zip(originals, analyses)}
        places = {a.id: x.places for a, x in zip(originals, analyses)}
        event_dates = {a.id: x.event_dates for a, x in zip(originals, analyses)}

        # cluster, link and store, all in one transaction
        with self.store.transaction():
            touched: dict[str, EventState] = {}
            new_events: list[EventState] = []
            decisions: list[tuple[Decision, str]] = []
            with timer("cluster+store"):
                for a in articles:
                    if a.duplicate_of is not None:
                        decision = self.clusterer.add_duplicate(a.id, a.duplicate_of, matches[a.id])
                        summary.duplicates += 1
                    else:
                        item = items[a.id]
                        neighbours = self.index.search(
                            item.vector, self.options.event_candidates,
                            day_range(a.published, self.options.event_window_days) if a.published else None,
                        )
                        decision = self.clusterer.assign(item, neighbours)
                        event = self.clusterer.events[decision.target_id]
                        # an article without an outlet name counts as a source of its own
                        self.clusterer.note_report(a.id, a.source or f"?{a.id}", event_dates[a.id])
                        if decision.action == "new":
                            new_events.append(event)
                            summary.events_created += 1
                    event = self.clusterer.events[decision.target_id]
                    touched[event.id] = event
                    decisions.append((decision, "event"))
                    rowid = self.store.add_article(a)
                    self.store.add_event_article(event.id, a.id, len(event.members) - 1)
                    if a.duplicate_of is None:
                        vid = vector_id(a.published, rowid)
                        self.store.add_embedding(a.id, self.embedder.name, vid, items[a.id].vector)
                        self.index.add([vid], [a.id], items[a.id].vector.reshape(1, -1))
                        self.store.add_mentions(mentions[a.id])
                        self.store.add_places(places[a.id])
                    if a.id in signatures:
                        self.store.add_signature(a.id, signatures[a.id])
            with timer("refine"):
                self._refine(touched, new_events, decisions)
            with timer("link"):
                for event in new_events:
                    decision = self.linker.link(event, self._story_candidates(event), self.clusterer.entity_vocab, self.clusterer.term_vocab)
                    if decision.action == "new":
                        summary.stories_created += 1
                    decisions.append((decision, "story"))
            with timer("store"):
                for decision, level in decisions:
                    self.store.add_decision(decision, level)
                self._save_state(touched.values(), originals, items)
            self._dirty_events.update(touched)
        summary.ingested += len(articles)

    # ------------------------------------------------------------ records
    def _load_article(self, row) -> Article:
        published = dt.date.fromisoformat(row["published"][:10]) if row["published"] else None
        return Article(id=row["id"], text=row["text"], source=row["source"], url=row["url"], title=row["title"],
                       published=published, language=row["language"], fingerprint=row["fingerprint"],
                       segments=tuple(self.store.segments(row["id"])), duplicate_of=row["duplicate_of"])

    def refresh_records(self, batch_size: int = 64) -> int:
        """Build the record of every event whose articles changed since its record was built.

        Records are derived data: they are built once per ingest run for the
        events it touched, and for any event whose record is missing or was
        built from a different number of articles (say, after a crash between
        a batch and the records). Returns the number of records built.
        """
        stale = self._dirty_events | set(self.store.stale_records())
        self._dirty_events = set()
        existing = {r["id"] for r in self.store.event_rows(sorted(stale))}
        todo = sorted(existing, key=lambda i: int(i[1:]) if i[1:].isdigit() else 0)
        for start in range(0, len(todo), batch_size):
            with self.store.transaction():
                self._save_records(todo[start : start + batch_size])
        with self.store.transaction():
            self.store.drop_orphan_records()
        return len(todo)

    def _save_records(self, event_ids: Sequence[str]) -> None:
        """Build and store the record of each event (and the earlier events its reports recall)."""
        for event_id in event_ids:
            members = self.store.event_members(event_id)
            articles = [self._load_article(r) for r in self.store.article_rows(members)]
            record = self.build_record(event_id, articles)
            self.store.save_record(event_id, dataclasses.asdict(record), len(articles))
            date = record.fields.get("date")
            if date is not None and date.value is not None:
                self.store.set_event_date(event_id, date.value.value, date.value.detail.get("precision") or P.UNKNOWN)
        self.store.refresh_story_dates(event_ids)

    def build_record(self, event_id: str, articles: Sequence[Article]) -> EventRecord:
        """The record of an event reported by ``articles`` (stored articles: their mentions and places are read)."""
        mentions = {a.id: self.store.mentions(a.id) for a in articles}
        places = {a.id: self.store.places(a.id) for a in articles}
        relayed = quotes_stage.relays(
            [(a.id, a.source, [m for m in mentions[a.id] if m.label == "ATTRIBUTION"]) for a in articles if not a.duplicate_of]
        )
        groups = {article_id: f"relay:{key}" for key, ids in relayed.items() for article_id in ids}
        record = record_stage.build_record(event_id, articles, mentions, places, self.event_typer, groups)
        main_date = record.fields.get("date")
        anchor = None
        if main_date is not None and main_date.value is not None and main_date.value.detail.get("precision") != P.PUBLICATION:
            anchor = dt.date.fromisoformat(main_date.value.value)
        earlier = background_stage.background_records(event_id, articles, mentions, places, anchor, self.event_typer, groups)
        return dataclasses.replace(record, background=tuple(earlier))

    def _refine(self, touched: dict[str, EventState], new_events: list[EventState], decisions: list) -> None:
        """The clusterer's second pass (split, move, merge), written through to the store."""
        refined = self.clusterer.refine()
        for old_id in refined.removed:
            gone = touched.pop(old_id, None)
            new_events[:] = [e for e in new_events if e.id != old_id]
            self.store.delete_event(old_id)
            story = self.linker.stories.get(gone.story_id) if gone is not None and gone.story_id else None
            if story is None:
                story = next((s for s in self.linker.stories.values() if any(e.id == old_id for e in s.events)), None)
            if story is not None:
                story.events = [e for e in story.events if e.id != old_id]
                if story.events:
                    touched.setdefault(story.events[0].id, story.events[0])
                else:
                    del self.linker.stories[story.id]
                    self.store.delete_story(story.id)
        for event_id in refined.changed:
            event = self.clusterer.events[event_id]
            touched[event_id] = event
            self.store.set_event_members(event_id, event.members)
        new_events.extend(self.clusterer.events[e] for e in refined.created if e in self.clusterer.events)
        decisions.extend((d, "event") for d in refined.decisions)

    def analyse(self, articles: Sequence[Article], timer: "_StageTimer | None" = None) -> list["Analysis"]:
        """Embeddings, entities and candidate event dates of each article."""
        timer = timer or _StageTimer({})
        with timer("embed"):
            vectors = self.embedder.embed([self._lead(a) for a in articles])
        with timer("entities"):
            # one document per article: the title, a blank line, the text
            spans = self.entity_extractor.extract([f"{a.title}\n\n{a.text}" if a.title else a.text for a in articles])
        out = []
        with timer("analyse"):
            for a, vector, found_spans in zip(articles, vectors, spans):
                shift = len(a.title) + 2 if a.title else 0
                mentions, lead_keys, lead_labelled = [], set(), set()
                for start, end, label in found_spans:
                    surface = (f"{a.title}\n\n{a.text}" if a.title else a.text)[start:end]
                    key = entities_stage.normalise(surface, label)
                    if not key:
                        continue
                    if start - shift < self.options.embed_chars:
                        lead_keys.add(key)
                        lead_labelled.add((key, label))
                    if start >= shift:
                        mentions.append(Mention(a.id, start - shift, end - shift, surface, label, key))
                body_spans = [(start - shift, end - shift, label) for start, end, label in found_spans if start >= shift]
                sentences = [(s.start, s.end) for s in a.segments if s.kind == "sentence"]
                mentions += quotes_stage.speech_mentions(a.id, a.text, body_spans, sentences or None)
                mentions += dates_stage.date_mentions(a.id, a.text, a.published)
                places = self.geoparser.parse(a.id, a.text, body_spans)
                item = ClusterItem(
                    key=a.id,
                    date=a.published,
                    vector=vector,
                    entities=frozenset(entities_stage.expand(lead_keys)),
                    title_terms=frozenset(content_terms(a.title or a.display_title())),
                    terms=term_weights(f"{a.title or ''}\n{a.text}"),
                    details=detail_keys(lead_labelled, self._lead(a)),
                )
                lead = a.sentences()[:_LEAD_SENTENCES]
                dates = [d.iso() for d in dates_stage.event_date_candidates(lead, a.published)][:1]
                out.append(Analysis(item, mentions, dates, places))
        return out

    def _lead(self, article: Article) -> str:
        body = article.text[: self.options.embed_chars]
        return f"{article.title}\n\n{body}" if article.title else body

    def _story_candidates(self, event: EventState) -> list[str]:
        first = event.first_date
        window = day_range(first, self.options.story_window_days) if first else None
        neighbours = self.index.search(event.centroid.astype(np.float32), self.options.event_candidates, window)
        out = []
        for key, _cosine in neighbours:
            other = self.clusterer.events.get(self.clusterer.event_of.get(key, ""))
            if other is not None and other.story_id and other is not event:
                out.append(other.story_id)
        return out

    def _save_state(self, events: Iterable[EventState], originals: list[Article], items: dict[str, ClusterItem]) -> None:
        self.store.add_vocabulary("entity", Counter(k for a in originals for k in items[a.id].entities))
        self.store.add_vocabulary("term", Counter(k for a in originals for k in items[a.id].terms))  # keys: document frequency
        self.store.set_meta("vocabulary_documents", str(self.clusterer.entity_vocab.documents))
        self.store.set_meta("next_event_number", str(self.clusterer._next))
        self.store.set_meta("embedder", self.embedder.name)
        stories: dict[str, StoryState] = {}
        for event in events:
            title_row = self.store.article_row(event.members[0])
            title = Article(id="", text=title_row["text"], title=title_row["title"], segments=tuple(self.store.segments(event.members[0]))).display_title()
            value, precision = self._event_date(event)
            self.store.save_event({
                "id": event.id,
                "number": int(event.id[1:]),
                "story_id": event.story_id,
                "title": title,
                "date": value,
                "date_precision": precision,
                "first_date": event.first_date.isoformat() if event.first_date else None,
                "last_date": event.last_date.isoformat() if event.last_date else None,
                "size": event.size,
                "n_articles": len(event.members),
                "n_sources": len(event.sources),
                "state": json.dumps({
                    "entities": event.entities, "terms": dict(event.terms.most_common(300)),
                    "title_terms": event.title_terms, "sources": event.sources, "date_votes": event.date_votes,
                    "details": event.details,
                }),
                "vector_sum": np.asarray(event.vector_sum, dtype=np.float32).tobytes(),
            })
            if event.story_id:
                stories[event.story_id] = self.linker.stories[event.story_id]
        for story in stories.values():
            biggest = max(story.events, key=lambda e: (len(e.members), -int(e.id[1:])))
            event_dates = [d for d in (self._event_date(e)[0] for e in story.events) if d]
            sources = set().union(*(e.sources for e in story.events))
            self.store.save_story({
                "id": story.id,
                "number": int(story.id[1:]),
                "title": self.store.event_rows([biggest.id])[0]["title"],
                "first_date": min(event_dates) if event_dates else None,
                "last_date": max(event_dates) if event_dates else None,
                "n_events": len(story.events),
                "n_articles": sum(len(e.members) for e in story.events),
                "n_sources": len(sources),
            })

    @staticmethod
    def _event_date(event: EventState) -> tuple[str | None, str]:
        """The event's date: the most reported day, else the first publication date."""
        if event.date_votes:
            top = max(event.date_votes.values())
            return min(d for d, n in event.date_votes.items() if n == top), P.DAY
        if event.first_date:
            return event.first_date.isoformat(), P.PUBLICATION
        return None, P.UNKNOWN

    # ------------------------------------------------------------ reading
    def stories(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Stories, newest first, in the machine-readable contract shape."""
        return [self._story_dict(row) for row in self.store.story_rows(limit, offset)]

    def _story_dict(self, row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "title": row["title"],
            "first_date": row["first_date"],
            "last_date": row["last_date"],
            "n_articles": row["n_articles"],
            "n_sources": row["n_sources"],
            "events": [self._event_summary(e) for e in self.store.event_rows(story_id=row["id"])],
        }

    def _event_summary(self, row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "title": row["title"],
            "date": row["date"],
            "date_precision": row["date_precision"],
            "articles": self.store.event_members(row["id"]),
        }

    def story(self, story_id: str) -> dict[str, Any]:
        row = self.store.story_row(story_id)
        if row is None:
            raise NotFoundError(f"no story {story_id!r}")
        data = self._story_dict(row)
        data["events"] = [self.event(e["id"]) for e in data["events"]]
        data["why"] = [dict(r) | {"features": json.loads(r["features"])} for r in self.store.decisions(e["id"] for e in data["events"])]
        return data

    def event(self, event_id: str) -> dict[str, Any]:
        rows = self.store.event_rows([event_id])
        if not rows:
            raise NotFoundError(f"no event {event_id!r}")
        row = rows[0]
        members = self.store.event_members(event_id)
        articles = [self._article_summary(r) for r in self.store.article_rows(members)]
        by_source: dict[str, list[dict]] = {}
        for article in articles:
            by_source.setdefault(article["source"] or "(unknown)", []).append(article)
        return self._event_summary(row) | {
            "story_id": row["story_id"],
            "first_date": row["first_date"],
            "last_date": row["last_date"],
            "n_articles": row["n_articles"],
            "n_independent": row["size"],
            "n_sources": row["n_sources"],
            "articles_by_source": by_source,
            **self._relays(articles),
            "record": self.store.record(event_id),
            "why": [
                {"article": r["subject_id"], "action": r["action"], "score": r["score"], "threshold": r["threshold"],
                 "explanation": r["explanation"]}
                for r in self.store.decisions(members)
            ],
        }

    def _relays(self, articles: list[dict[str, Any]]) -> dict[str, Any]:
        """Which reports relay one upstream report, and how many independent reports remain.

        Duplicates never count; articles relaying the same outlet's report count
        once (not at all when that outlet's own report is among them).
        """
        originals = [a for a in articles if not a["duplicate_of"]]
        cited = {a["id"]: [m for m in self.store.mentions(a["id"]) if m.label == "ATTRIBUTION"] for a in originals}
        relayed = quotes_stage.relays([(a["id"], a["source"], cited[a["id"]]) for a in originals])
        relaying = {i for ids in relayed.values() for i in ids}
        own = {quotes_stage.source_key(a["source"]) for a in originals if a["source"] and a["id"] not in relaying}

        def name(key: str, ids: list[str]) -> str:
            # the fullest capitalised way the relaying reports name the outlet ("Wall Street Journal", not "the newspaper")
            names = {re.sub(r"\s*\(.*?\)|^the\s+", "", m.detail.get("source") or "", flags=re.I).strip()
                     for i in ids for m in cited[i] if m.key == key}
            return max((n for n in names if n[:1].isupper()), key=len, default=key)

        return {
            "relays": [{"upstream": key, "name": name(key, ids), "articles": ids} for key, ids in relayed.items()],
            "n_independent_reports": len(originals) - len(relaying) + len([k for k in relayed if k not in own]),
        }

    @staticmethod
    def _article_summary(row) -> dict[str, Any]:
        return {"id": row["id"], "source": row["source"], "date": row["published"], "title": row["title"], "duplicate_of": row["duplicate_of"]}

    def articles(self) -> list[dict[str, Any]]:
        """Every article, in the machine-readable contract shape."""
        return [self._article_summary(r) for r in self.store.article_rows()]

    def article(self, article_id: str) -> dict[str, Any]:
        row = self.store.article_row(article_id)
        if row is None:
            raise NotFoundError(f"no article {article_id!r}")
        segments = self.store.segments(article_id)
        return self._article_summary(row) | {
            "url": row["url"],
            "language": row["language"],
            "origin": row["origin"],
            "text": row["text"],
            "event_id": self.store.event_of_article(article_id),
            "headings": [row["text"][s.start : s.end] for s in segments if s.kind == "heading"],
            "sentences": [row["text"][s.start : s.end] for s in segments if s.kind == "sentence"],
            "segments": [dataclasses.asdict(s) for s in segments],
            "mentions": [dataclasses.asdict(m) for m in self.store.mentions(article_id)],
            "places": [dataclasses.asdict(p) for p in self.store.places(article_id)],
        }

    def show(self, item_id: str) -> tuple[str, dict[str, Any]]:
        """A story, an event or an article by id, with its kind."""
        for kind, getter in (("story", self.story), ("event", self.event), ("article", self.article)):
            try:
                return kind, getter(item_id)
            except NotFoundError:
                continue
        raise NotFoundError(f"no story, event or article with id {item_id!r}")

    def story_list(
        self,
        *,
        cursor: str | None = None,
        limit: int = 20,
        date_from: str | None = None,
        date_to: str | None = None,
        source: str | None = None,
        place: str | None = None,
        query: str | None = None,
    ) -> dict[str, Any]:
        """One page of stories, newest and biggest first, with filters; ``next`` is the cursor of the next page.

        Keyset paging: stories added while someone pages never repeat or shift
        the stories already seen. A story that grows meanwhile moves up the list.
        """
        where = browse.StoryFilter(
            date_from=_iso_param("date_from", date_from), date_to=_iso_param("date_to", date_to),
            source=source or None, place_key=entities_stage.normalise(place, "GPE") if place else None,
            place_text=place or None, query=query if query else None,
        )
        rows = browse.story_page(self.store.conn, where, _decode_cursor(cursor, browse.StoryKey), limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "stories": [self._story_summary(r) for r in rows],
            "next": _encode_cursor(browse.story_key(rows[-1])) if more and rows else None,
        }

    def _story_summary(self, row) -> dict[str, Any]:
        return {k: row[k] for k in ("id", "title", "first_date", "last_date", "n_events", "n_articles", "n_sources")}

    def search(self, text: str, *, cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
        """Articles whose title or text contains every word of ``text``, newest stored first.

        Each hit has the article summary, its event and story, and ``snippet``:
        plain text with the matched words between U+E000 and U+E001.
        """
        after = _decode_cursor(cursor, int)
        rows = browse.search_articles(self.store.conn, text, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        hits = [self._article_summary(r) | {"event_id": r["event_id"], "story_id": r["story_id"], "snippet": r["snippet"]} for r in rows]
        return {"articles": hits, "next": _encode_cursor(rows[-1]["rowid"]) if more and rows else None}

    def rejections(self) -> list[Rejection]:
        return self.store.rejections()

    def export(self) -> Iterator[dict[str, Any]]:
        """One JSON-ready record per event, with its story and articles."""
        for row in self.store.event_rows():
            event = self.event(row["id"])
            event.pop("why")
            yield event


def _iso_param(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"{name} must be a date YYYY-MM-DD, got {value[:40]!r}", code=Codes.BAD_PARAMETER) from None


def _encode_cursor(key: Any) -> str:
    data = dataclasses.astuple(key) if dataclasses.is_dataclass(key) else key
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, kind: type) -> Any:
    """The sort key inside an opaque page cursor, or SL114 when it is not one we made."""
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:  # bad base64, bad UTF-8 or bad JSON
        data = None
    if kind is int and type(data) is int and _storable(data):
        return data
    if kind is browse.StoryKey and isinstance(data, list) and [type(v) for v in data] == [str, int, int] and all(map(_storable, data)):
        return browse.StoryKey(*data)
    raise InputError(f"cursor {cursor[:40]!r} is not a page cursor from this server", code=Codes.BAD_PARAMETER)


def _storable(value: Any) -> bool:
    """A cursor value SQLite can bind: an integer within 64 bits, text without lone surrogates."""
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclasses.dataclass
class Analysis:
    """What the analyse stage derives from one article."""

    item: ClusterItem
    mentions: list[Mention]
    event_dates: list[str]
    places: list[Place] = dataclasses.field(default_factory=list)


class _StageTimer:
    def __init__(self, totals: dict[str, float]) -> None:
        self.totals = totals

    def __call__(self, stage: str) -> "_StageTimer._Span":
        return _StageTimer._Span(self.totals, stage)

    class _Span:
        def __init__(self, totals: dict[str, float], stage: str) -> None:
            self.totals, self.stage = totals, stage

        def __enter__(self) -> None:
            self.start = time.perf_counter()

        def __exit__(self, *exc: object) -> None:
            self.totals[self.stage] = self.totals.get(self.stage, 0.0) + time.perf_counter() - self.start
