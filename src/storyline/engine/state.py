"""The clustering state in and out of the store.

What the clusterer and the linker remember (each event's counters and vector
sum, the vocabularies, the story of every event), the near-duplicate index and
the vector index are rebuilt from the store when an engine starts writing, and
written back in the same transaction as the batch that changed them.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ..errors import Codes, StoreError
from ..model import DatePrecision as P
from ..model import SavedEventState, StoredEvent, StoredStory
from ..pipeline.cluster import ClusterItem, EventState, Vocabulary
from ..pipeline.cluster.features import canonical_keys
from ..pipeline.link import StoryState
from ..store import Store, VectorIndex
from .components import Components

__all__ = ["ClusterState", "StoredEventState", "load_state", "save_indexes", "duplicates_location", "save_state", "save_memory", "event_date"]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass
class ClusterState:
    """Everything the writer keeps in memory between batches."""

    clusterer: Any
    linker: Any
    duplicates: Any
    index: VectorIndex


def load_state(store: Store, components: Components, index_path: Path | None) -> ClusterState:
    """The writer's state from the store (and the index files beside it, when they match it).

    The cyclic garbage collector is paused meanwhile: a big store's start-up makes millions of objects and no
    garbage, and the collector would walk the growing heap several times (a third of the start-up at 100k)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_state(store, components, index_path)
    finally:
        if paused:
            gc.enable()


def _load_state(store: Store, components: Components, index_path: Path | None) -> ClusterState:
    embedder = components.get("embedder")
    stored = store.get_meta("embedder")
    if stored is not None and stored != embedder.name:
        raise StoreError(
            f"{store.path} holds vectors made by {stored}; use the same embedder "
            f"(--set embedder={stored}) or a new database",
            code=Codes.STORE_SCHEMA,
        )
    clusterer = components.fresh("clusterer")
    linker = components.fresh("linker")
    members = store.all_event_members()
    saved = list(store.event_states())
    window = getattr(clusterer, "window_days", None)
    newest = _date(max((s.event.last_date for s in saved if s.event.last_date), default=None))
    events: dict[str, EventState] = {}
    numbers = [0]
    for one in saved:
        row = one.event
        event = StoredEventState.of(one, _date(row.first_date), _date(row.last_date), members.get(row.id, []))
        if window is None or event.last_date is None or newest is None or (newest - event.last_date).days <= window:
            event.decode()  # inside the window (or undated): the next batch is likely to compare with it
        events[row.id] = event
        numbers.append(row.number)
    entity_vocab, term_vocab = Vocabulary(), Vocabulary()
    entity_vocab.df.update(canonical_keys(store.vocabulary("entity")))
    term_vocab.df.update(canonical_keys(store.vocabulary("term")))
    entity_vocab.documents = term_vocab.documents = int(store.get_meta("vocabulary_documents", "0"))
    # ids of events merged away are never handed out again
    next_number = max(max(numbers) + 1, int(store.get_meta("next_event_number", "1")))
    clusterer.restore(events.values(), next_number, entity_vocab, term_vocab)
    if hasattr(clusterer, "restore_memory"):
        _restore_memory(store, clusterer)
    stories: dict[str, StoryState] = {}
    for event in events.values():
        if event.story_id:
            story = stories.get(event.story_id)
            if story is None:  # one object per story, not one per event thrown away
                story = stories[event.story_id] = StoryState(event.story_id)
            story.events.append(event)
    story_numbers = [0] + [s.number for s in store.stories()]
    linker.restore(stories.values(), max(story_numbers) + 1)
    duplicates = components.fresh("dedup")
    saved_duplicates = duplicates_location(index_path)
    if saved_duplicates is None or not hasattr(duplicates, "load") or \
            not duplicates.load(saved_duplicates, store.signature_keys()):
        _restore_duplicates(duplicates, store.signatures())
    index = store.vector_index(embedder.dim, index_path)
    return ClusterState(clusterer, linker, duplicates, index)


class StoredEventState(EventState):
    """An event state as stored whose counters and vector sum are decoded on their first read.

    Most events of a big store lie outside the clusterer's window and are never read again unless a backfill,
    a link to their story or the second pass reaches them; they keep the stored JSON text and vector bytes
    until then. Every read of a field gives what an eagerly decoded :class:`EventState` holds, so clustering
    and linking are the same either way."""

    #: the fields decoded from the stored row on first read
    LAZY = frozenset({"vector_sum", "entities", "terms", "title_terms", "sources", "date_votes", "details"})

    @classmethod
    def of(cls, saved: SavedEventState, first_date: dt.date | None, last_date: dt.date | None,
           members: list[str]) -> "StoredEventState":
        event = cls.__new__(cls)  # the dataclass __init__ would need the decoded fields
        row = saved.event
        event.__dict__.update(id=row.id, size=row.size, first_date=first_date, last_date=last_date, members=members,
                              story_id=row.story_id, memo={}, _stored=(saved.raw_state, saved.vector_sum))
        return event

    @property
    def decoded(self) -> bool:
        return "_stored" not in self.__dict__

    def decode(self) -> None:
        """Decode the stored counters and vector sum (a no-op once done; a field set before keeps its value)."""
        stored = self.__dict__.pop("_stored", None)
        if stored is None:
            return
        raw, vector = stored
        state = json.loads(raw)
        fields = {"vector_sum": np.frombuffer(vector, dtype=np.float32).copy(),
                  "entities": _keys(state["entities"]), "terms": _keys(state["terms"]),
                  "title_terms": _keys(state["title_terms"]), "sources": Counter(state["sources"]),
                  "date_votes": Counter(state["date_votes"]), "details": _keys(state.get("details", {}))}
        for name, value in fields.items():
            self.__dict__.setdefault(name, value)

    def __getattr__(self, name: str) -> Any:  # only called for a field not yet in the instance's __dict__
        if name in StoredEventState.LAZY and "_stored" in self.__dict__:
            self.decode()
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def _keys(counts: dict) -> Counter:
    """A stored event's key counts, their keys the process's one string of each (as an analysed article's)."""
    return Counter(canonical_keys(counts))


def duplicates_location(index_path: Path | None) -> Path | None:
    """The near-duplicate index file, beside the vector index file (``<index>.dedup``; None without one)."""
    return None if index_path is None else index_path.with_name(index_path.name + ".dedup")


def save_indexes(state: ClusterState, index_path: Path | None) -> None:
    """Write the vector index and the near-duplicate index beside the store (as the end of an ingest does), so
    that the next writer loads them instead of rebuilding them; both are checked against the store on load."""
    state.index.save(index_path)
    saved_duplicates = duplicates_location(index_path)
    if saved_duplicates is not None and hasattr(state.duplicates, "save"):
        state.duplicates.save(saved_duplicates)


def _restore_duplicates(duplicates: Any, signatures: Iterable[tuple[str, np.ndarray]]) -> None:
    """Give the deduplicator every stored original's signature: all at once where it can take them so."""
    pairs = list(signatures)
    add_many = getattr(duplicates, "add_many", None)
    if add_many is not None and pairs and len({len(s) for _, s in pairs}) == 1:
        add_many([a for a, _ in pairs], np.vstack([s for _, s in pairs]))
        return
    for article_id, signature in pairs:
        duplicates.add(article_id, signature)


def _restore_memory(store: Store, clusterer: Any) -> None:
    rows, pairs = store.cluster_memory()
    vectors = store.vectors(k for k, _ in rows)
    published = {a.id: dt.date.fromisoformat(a.date) if a.date else None for a in store.article_summaries(k for k, _ in rows)}
    items, reports = [], {}
    for key, data in rows:
        if key not in vectors:
            continue
        items.append(ClusterItem(key, published.get(key), vectors[key], frozenset(data["entities"]),
                                 frozenset(data["title_terms"]), data["terms"], frozenset(data["details"])))
        if data.get("source") is not None:
            reports[key] = (data["source"], tuple(data["dates"]))
    clusterer.restore_memory(items, reports, store.duplicates(), pairs)


def save_memory(store: Store, clusterer: Any) -> None:
    """Write what the clusterer's second-pass memory gained and lost in this batch."""
    if not hasattr(clusterer, "take_memory_changes"):
        return
    changes = clusterer.take_memory_changes()
    items = []
    for key, item in changes.items.items():
        source, dates = changes.reports.get(key, (None, ()))
        items.append((key, {"entities": sorted(item.entities), "title_terms": sorted(item.title_terms), "terms": item.terms,
                            "details": sorted(item.details), "source": source, "dates": list(dates)}))
    store.save_cluster_memory(items, changes.evicted, [(a, b, p) for (a, b), p in changes.pairs.items()],
                              clear_pairs=changes.pairs_cleared)


def event_date(event: EventState) -> tuple[str | None, str]:
    """An event's provisional date until its record dates it: the most reported day, else the first publication date."""
    if event.date_votes:
        top = max(event.date_votes.values())
        return min(d for d, n in event.date_votes.items() if n == top), P.DAY
    if event.first_date:
        return event.first_date.isoformat(), P.PUBLICATION
    return None, P.UNKNOWN


def save_state(store: Store, state: ClusterState, embedder_name: str, events: Iterable[EventState],
               items: Iterable[ClusterItem]) -> None:
    """Write the touched events, their stories and the vocabularies of the batch's new articles."""
    items = list(items)
    store.add_vocabulary("entity", Counter(k for item in items for k in item.entities))
    store.add_vocabulary("term", Counter(k for item in items for k in item.terms))  # keys: document frequency
    store.set_meta("vocabulary_documents", str(state.clusterer.entity_vocab.documents))
    store.set_meta("next_event_number", str(state.clusterer.next_number))
    store.set_meta("embedder", embedder_name)
    stories: dict[str, StoryState] = {}
    titles: dict[str, str] = {}
    events = list(events)
    # one read of the batch's first reports and stored event rows, not two per event (a round trip each on a server)
    firsts = {a.id: a for a in store.articles(dict.fromkeys(e.members[0] for e in events))} if events else {}
    rows = {e.id: e for e in store.events([e.id for e in events])} if events else {}
    for event in events:
        first = firsts.get(event.members[0])
        titles[event.id] = first.display_title() if first else ""
        stored = rows.get(event.id)
        value, precision = event_date(event)
        if stored is not None and store.record(event.id) is not None:
            value, precision = stored.date, stored.date_precision  # the record dated it; keep that date
        store.save_event(
            StoredEvent(event.id, int(event.id[1:]), event.story_id, titles[event.id], value, precision,
                        event.first_date.isoformat() if event.first_date else None,
                        event.last_date.isoformat() if event.last_date else None,
                        event.size, len(event.members), len(event.sources)),
            {"entities": event.entities, "terms": dict(event.terms.most_common(300)), "title_terms": event.title_terms,
             "sources": event.sources, "date_votes": event.date_votes, "details": event.details},
            np.asarray(event.vector_sum, dtype=np.float32).tobytes(),
        )
        if event.story_id:
            stories[event.story_id] = state.linker.stories[event.story_id]
    for story in stories.values():
        # the story's running totals: the cost does not grow with the number of its events
        totals = story.totals()
        biggest = totals.biggest()
        title = titles.get(biggest.id) or next((r.title for r in store.events([biggest.id])), None)
        store.save_story(StoredStory(story.id, int(story.id[1:]), title, None, None, len(story.events),
                                     totals.articles, len(totals.sources)))
        store.refresh_story_dates([biggest.id])  # the span of its events' stored dates
