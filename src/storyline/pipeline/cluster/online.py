"""Cluster: assign articles to events, online, in publication order.

The clusterer never sees input ids or labels: the engine hands it a
:class:`ClusterItem` (an opaque key, a date, a vector, entity keys and
content terms) and the nearest stored articles from the vector index. For
every candidate event within the time window it computes a few similarity
features, scores them with a logistic model, and joins the best candidate
when the probability reaches the threshold; otherwise the article starts a
new event. Every outcome is a :class:`~storyline.model.Decision` carrying the
features, the score and the threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from ...model import Decision
from .features import (ClusterItem, EventState, Vocabulary, _jaccard, _number, _range_gap,
                       _without, core_details, detail_features)
from .bisection import bisect
from .idf import IdfProfile, kept_profile, overlaps
from .params import ClusterModel, Params
from .scoring import Scorer

__all__ = ["MemoryChanges", "OnlineClusterer", "OnlineClustererV1", "OnlineClustererV2", "OnlineClustererV3",
           "OnlineClustererV4", "Refinement"]


@dataclass
class MemoryChanges:
    """Changes to the clusterer's second-pass memory: originals remembered and forgotten, pair scores."""

    items: dict[str, ClusterItem] = field(default_factory=dict)
    reports: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    evicted: list[str] = field(default_factory=list)
    pairs: dict[tuple[str, str], float] = field(default_factory=dict)
    #: the pair cache was emptied (it keeps at most 50 pairs per remembered article)
    pairs_cleared: bool = False


@dataclass
class Refinement:
    """What one second pass changed: its decisions, the events it changed, created and merged away."""

    decisions: list[Decision] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)
    #: merged-away event id -> the id of the event it was merged into
    removed: dict[str, str] = field(default_factory=dict)


class OnlineClusterer:
    """Single-pass clustering with a learned join model over a time window."""

    name = "clusterer.online.v1"
    #: IDF weights from a snapshot taken once per batch (at :meth:`refine`) rather than after every article
    batched_idf = False
    #: the second pass revisits only the events the batch touched and their nearest events (else all in memory)
    bounded_refine = False

    def __init__(self, params: Scorer, threshold: float = 0.5, window_days: int = 7, *, memory: int = 0,
                 merge_threshold: float | None = None, event_params: Scorer | None = None,
                 split_threshold: float | None = None) -> None:
        #: the join model: does an article belong to an event?
        self.params = params
        #: the event model of the second pass (None: the join model, applied to a group of reports)
        self.event_params = event_params
        self.threshold = threshold
        self.window_days = window_days
        self.events: dict[str, EventState] = {}
        self.event_of: dict[str, str] = {}
        self.entity_vocab = Vocabulary(self.batched_idf)
        self.term_vocab = Vocabulary(self.batched_idf)
        self._next = 1
        #: the second pass (:meth:`refine`) revisits only articles still in memory:
        #: the last ``memory`` originals (0 turns the second pass off)
        self.memory = memory
        #: the event-level probability at which the second pass merges two events
        self.merge_threshold = threshold if merge_threshold is None else merge_threshold
        #: the event-model probability below which the second pass splits an event in two
        self.split_threshold = threshold if split_threshold is None else split_threshold
        self.items: dict[str, ClusterItem] = {}
        self.duplicate_of: dict[str, str] = {}
        self._reports: dict[str, tuple[str, tuple[str, ...]]] = {}
        #: join probabilities of article pairs, for bisecting events
        self._pairs: dict[tuple[str, str], float] = {}
        self._changes = MemoryChanges()
        #: events that gained a report since the last second pass
        self._touched: set[str] = set()
        #: (weights they were computed with, {id(item): (item, its IDF totals)}): see :meth:`_item_totals`
        self._item_memo: tuple = ((-1, -1), {})
        #: {id(item): (item, IDF profile of its entities, of its terms)}, kept across weights (see :mod:`.idf`)
        self._item_profiles: dict[int, tuple] = {}
        #: the second pass's views of groups of reports, by their keys: those of this pass and of the one before
        self._views: dict[tuple[str, ...], tuple] = {}
        self._views_before: dict[tuple[str, ...], tuple] = {}

    # -- state -------------------------------------------------------------
    def take_memory_changes(self) -> "MemoryChanges":
        """What the second pass's memory gained and lost since the last call (the engine persists it, so that a
        resumed run revisits exactly what an uninterrupted one would)."""
        changes, self._changes = self._changes, MemoryChanges()
        changes.reports = {k: self._reports[k] for k in changes.items if k in self._reports}
        return changes

    def restore_memory(self, items: Sequence[ClusterItem], reports: dict[str, tuple[str, tuple[str, ...]]],
                       duplicate_of: dict[str, str], pairs: dict[tuple[str, str], float]) -> None:
        """The memory as it was persisted: recent originals in arrival order, their reports, duplicates, pair scores."""
        self.items = {item.key: item for item in items}
        self._reports = {k: v for k, v in reports.items() if k in self.items}
        self.duplicate_of = dict(duplicate_of)
        self._pairs = dict(pairs)
        self._changes = MemoryChanges()

    def restore(self, events: Iterable[EventState], next_number: int, entity_vocab: Vocabulary, term_vocab: Vocabulary) -> None:
        for event in events:
            self.events[event.id] = event
            for key in event.members:
                self.event_of[key] = event.id
        self._next = next_number
        for vocab in (entity_vocab, term_vocab):
            vocab.commit()
            vocab.batched = self.batched_idf
        self.entity_vocab = entity_vocab
        self.term_vocab = term_vocab

    @property
    def next_number(self) -> int:
        """The number the next new event will get (numbers of merged events are never reused)."""
        return self._next

    def new_event_id(self) -> str:
        event_id = f"E{self._next}"
        self._next += 1
        return event_id

    # -- decisions ---------------------------------------------------------
    def _item_totals(self, item: ClusterItem) -> tuple[tuple[float, float, float], IdfProfile, IdfProfile]:
        """The IDF totals of an item's entities and terms and the norm of its terms, computed once per item and
        weights (an item is scored against many events in a row, and the second pass scores the same items
        again and again with the same weights), and the IDF profiles of its entities and terms."""
        docs = (self.entity_vocab.documents, self.term_vocab.documents)
        if self._item_memo[0] != docs:
            self._item_memo = (docs, {})
        memo = self._item_memo[1]
        known = memo.get(id(item))
        if known is None or known[0] is not item:  # the memo holds the item: its id is not reused meanwhile
            profiles = self._item_profiles.get(id(item))
            if profiles is None or profiles[0] is not item or profiles[1].vocab is not self.entity_vocab \
                    or profiles[2].vocab is not self.term_vocab:
                if len(self._item_profiles) > 4 * max(self.memory, 1000):
                    self._item_profiles.clear()
                profiles = self._item_profiles[id(item)] = (item, IdfProfile(self.entity_vocab, set(item.entities), False),
                                                            IdfProfile(self.term_vocab, item.terms, True))
            totals = (profiles[1].total(), profiles[2].total(), profiles[2].norm())
            known = memo[id(item)] = (item, (totals, profiles[1], profiles[2]))
        return known[1]

    def _event_totals(self, event: EventState) -> tuple[float, float, float]:
        """The IDF totals of an event's entities and terms and the norm of its terms, for the weights as they stand
        (kept in the event's memo, by the number of documents they were computed with)."""
        entity_docs, term_docs = self.entity_vocab.documents, self.term_vocab.documents
        return (event.cached(("entities", entity_docs), lambda: kept_profile(event, "entities", self.entity_vocab).total()),
                event.cached(("terms", term_docs), lambda: kept_profile(event, "terms", self.term_vocab, True).total()),
                event.cached(("norm", term_docs), lambda: kept_profile(event, "terms", self.term_vocab, True).norm()))

    def features(self, item: ClusterItem, event: EventState, cos_max: float) -> dict[str, float]:
        gap = event.gap_days(item.date)
        totals, entity_profile, term_profile = self._item_totals(item)
        # weighted_overlap, novel_share, weighted_overlap and tfidf_cosine of the item and the event, the same floats
        entities, novel, terms, tfidf = overlaps(entity_profile, term_profile, item.terms, event, totals,
                                                 self._event_totals(event))
        return {
            "cos_centroid": float(np.dot(item.vector, event.unit())),
            "cos_max": cos_max,
            "entities": entities,
            "entities_new": novel,
            "title": _jaccard(item.title_terms, event.title_terms),
            "terms": terms,
            "tfidf": tfidf,
            "gap": min(gap / max(self.window_days, 1), 2.0),
            "size": math.log1p(event.size),
        } | detail_features(item.details, event.details, event.cached("core_details", lambda: core_details(event.details)))

    def candidates(self, item: ClusterItem, neighbours: Sequence[tuple[str, float]]) -> dict[str, float]:
        """Candidate event ids with the best cosine of one of their articles."""
        best: dict[str, float] = {}
        for key, cosine in neighbours:
            event_id = self.event_of.get(key)
            if event_id is None:
                continue
            event = self.events[event_id]
            if event.gap_days(item.date) > self.window_days:
                continue
            best[event_id] = max(best.get(event_id, -1.0), cosine)
        return best

    def score_candidates(self, item: ClusterItem, neighbours: Sequence[tuple[str, float]]) -> list[tuple[float, str, dict[str, float]]]:
        """(join probability, event id, features) of every candidate event, best first."""
        scored = []
        for event_id, cos_max in self.candidates(item, neighbours).items():
            feats = self.features(item, self.events[event_id], cos_max)
            scored.append((self.params.probability(feats), event_id, feats))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return scored

    def assign(self, item: ClusterItem, neighbours: Sequence[tuple[str, float]]) -> Decision:
        """Join the best candidate event or start a new one; update the state."""
        self.entity_vocab.add(item.entities)
        self.term_vocab.add(item.terms)
        scored = self.score_candidates(item, neighbours)
        if scored and scored[0][0] >= self.threshold:
            score, event_id, feats = scored[0]
            event = self.events[event_id]
            explanation = self._explain("joined", event_id, item, event, feats, score, ">=")
            event.add(item)
            self.event_of[item.key] = event_id
            self._touched.add(event_id)
            self._remember(item)
            return Decision(item.key, event_id, "join", score, self.threshold, feats, explanation)
        event = EventState(self.new_event_id(), np.zeros_like(item.vector))
        if scored:
            score, best_id, feats = scored[0]
            explanation = self._explain(f"new event {event.id}; best candidate", best_id, item, self.events[best_id], feats, score, "<")
        else:
            score, feats = 0.0, {}
            explanation = f"new event {event.id}: no event with a similar article within {self.window_days} days"
        event.add(item)
        self.events[event.id] = event
        self.event_of[item.key] = event.id
        self._touched.add(event.id)
        self._remember(item)
        return Decision(item.key, event.id, "new", score, self.threshold, feats, explanation)

    def add_duplicate(self, key: str, original_key: str, similarity: float) -> Decision:
        """Put a duplicate in its original's event; it adds no independent evidence."""
        event_id = self.event_of[original_key]
        self.events[event_id].members.append(key)
        self.event_of[key] = event_id
        self._touched.add(event_id)
        self.duplicate_of[key] = original_key
        return Decision(
            key, event_id, "duplicate", similarity, 0.0, {"jaccard": similarity},
            f"duplicate of {original_key} (estimated word 4-gram Jaccard {similarity:.2f}); joins its event {event_id}",
        )

    # -- second pass -------------------------------------------------------
    def note_report(self, key: str, source: str, event_dates: Iterable[str]) -> None:
        """Record the outlet and candidate event dates of an original report in its event."""
        event = self.events[self.event_of[key]]
        dates = tuple(event_dates)
        event.sources[source] += 1
        event.date_votes.update(dates)
        if key in self.items:
            self._reports[key] = (source, dates)

    def _remember(self, item: ClusterItem) -> None:
        if self.memory <= 0:
            return
        self.items[item.key] = item
        self._changes.items[item.key] = item
        while len(self.items) > self.memory:
            oldest = next(iter(self.items))
            del self.items[oldest]
            self._reports.pop(oldest, None)
            if self._changes.items.pop(oldest, None) is None:
                self._changes.evicted.append(oldest)

    def _scope(self) -> list[EventState]:
        """Events active within the window of the newest article whose reports are all in memory."""
        dates = [i.date for i in self.items.values() if i.date is not None]
        newest = max(dates) if dates else None
        out = []
        for event_id in dict.fromkeys(self.event_of[k] for k in self.items):
            event = self.events[event_id]
            if newest and event.last_date and (newest - event.last_date).days > self.window_days:
                continue
            if all(k in self.items or k in self.duplicate_of for k in event.members):
                out.append(event)
        return out

    def _rebuild(self, event_id: str, keys: Sequence[str], story_id: str | None) -> EventState:
        """An event state made afresh from its member articles (originals in memory, duplicates)."""
        first = next(self.items[k] for k in keys if k in self.items)
        fresh = EventState(event_id, np.zeros_like(first.vector), story_id=story_id)
        # reset in place: others (a story) may hold the object
        event = self.events.get(event_id) or fresh
        for name in ("vector_sum", "size", "first_date", "last_date", "entities", "terms", "title_terms", "members",
                     "story_id", "sources", "date_votes", "details", "memo"):
            setattr(event, name, getattr(fresh, name))
        for key in keys:
            self.event_of[key] = event_id
            if key not in self.items:
                event.members.append(key)
                continue
            event.add(self.items[key])
            source, dates = self._reports.get(key, (None, ()))
            if source is not None:
                event.sources[source] += 1
            event.date_votes.update(dates)
        self.events[event_id] = event
        return event

    def _originals(self, event: EventState) -> list[ClusterItem]:
        return [self.items[k] for k in event.members if k in self.items]

    def _event_score(self, small: EventState, big: EventState) -> tuple[float, dict[str, float]]:
        """Event-model probability that one event's reports, taken together, report the same event as another's."""
        vectors = np.array([i.vector for i in self._originals(small)])
        others = np.array([i.vector for i in self._originals(big)])
        # one item per state of the event (its memo is emptied when it changes), so that its IDF profile is kept
        as_item = small.cached("as_item", lambda: ClusterItem(small.id, None, small.centroid, frozenset(small.entities),
                                                              frozenset(small.title_terms), dict(small.terms),
                                                              frozenset(small.details)))
        feats = self.features(as_item, big, float(np.max(vectors @ others.T)))
        feats["gap"] = min(_range_gap(small, big) / max(self.window_days, 1), 2.0)
        return (self.event_params or self.params).probability(feats), feats

    def _without(self, event: EventState, item: ClusterItem) -> EventState:
        """``event`` without one of its reports, with its IDF totals updated rather than recomputed."""
        rest = _without(event, item)
        entity_docs, term_docs = self.entity_vocab.documents, self.term_vocab.documents
        eidf, tidf = self.entity_vocab.idf, self.term_vocab.idf
        entities, terms, norm = self._event_totals(event)
        rest.memo[("entities", entity_docs)] = entities - sum(eidf(k) for k in item.entities if k not in rest.entities)
        rest.memo[("terms", term_docs)] = terms - sum(tidf(k) for k in item.terms if k not in rest.terms)
        square = norm**2 - sum((event.terms[t] ** 2 - rest.terms.get(t, 0.0) ** 2) * tidf(t) ** 2 for t in item.terms)
        rest.memo[("norm", term_docs)] = math.sqrt(max(square, 0.0))
        return rest

    def _item_score(self, item: ClusterItem, event: EventState) -> tuple[float, dict[str, float]]:
        others = [i.vector for i in self._originals(event) if i.key != item.key]
        feats = self.features(item, event, float(np.max(np.array(others) @ item.vector)) if others else 0.0)
        return self.params.probability(feats), feats

    def refine(self, candidates: int = 3) -> "Refinement":
        """Second pass over the events in memory: split, move, then merge.

        An event is bisected (average link over the join probabilities of its
        reports, pairwise) and split when the model would not join the two
        halves; a report moves to another event that it fits better than its
        own (its own without it); two events merge when the model would join
        them, and the merged event keeps the older id. Every change is a
        :class:`Decision`. A bounded second pass (:attr:`bounded_refine`)
        splits only the events the batch touched, moves only the reports of
        those and of their nearest events, and merges only pairs with one of
        them: the rest was looked at by an earlier pass, with the same reports.
        """
        out = Refinement()
        self._views_before, self._views = self._views, {}
        self.entity_vocab.commit()  # the batch's articles count in the weights from here on
        self.term_vocab.commit()
        touched, self._touched = self._touched, set()
        if self.memory <= 0:
            return out
        scope = self._scope()
        for event in scope if not self.bounded_refine else [e for e in scope if e.id in touched]:
            self._split(event, out)
        scope = self._scope()
        if len(scope) < 2:
            return out
        active = (touched | out.changed) if self.bounded_refine else None
        self._move(scope, candidates, out, None if active is None else self._movers(scope, active, candidates))
        if active is not None:
            active |= out.changed
        self._merge(self._scope(), candidates, out, active)
        return out

    def _movers(self, scope: Sequence[EventState], active: set[str], candidates: int) -> list[EventState]:
        """The events whose reports a bounded second pass considers moving: the active ones and their nearest."""
        return self._around(scope, active, candidates)

    def _around(self, scope: Sequence[EventState], active: set[str], candidates: int) -> list[EventState]:
        """The events of ``scope`` in ``active`` and the nearest ``candidates`` of each, in scope order."""
        chosen = {e.id for e in scope if e.id in active}
        centroids = np.array([e.unit() for e in scope])
        for event in [e for e in scope if e.id in active]:
            chosen.update(other.id for other in self._nearest(event.centroid, scope, event.id, candidates, centroids))
        return [e for e in scope if e.id in chosen]

    def _split(self, event: EventState, out: "Refinement", limit: int = 60) -> None:
        originals = self._originals(event)
        if not 2 <= len(originals) <= limit:
            return
        singles: dict[int, EventState] = {}  # made when a pair's score is not known yet

        def single(j: int) -> EventState:
            if j not in singles:
                one = singles[j] = EventState(originals[j].key, np.zeros_like(originals[j].vector))
                one.add(originals[j])
            return singles[j]

        n = len(originals)
        vectors = np.array([i.vector for i in originals])
        cosines = vectors @ vectors.T
        prob = np.zeros((n, n))
        if len(self._pairs) > 50 * self.memory:
            self._pairs.clear()
            self._changes.pairs_cleared, self._changes.pairs = True, {}
        for i in range(n):
            for j in range(n):
                if i != j:
                    pair = (originals[i].key, originals[j].key)
                    if pair not in self._pairs:
                        self._pairs[pair] = self.params.probability(self.features(originals[i], single(j), float(cosines[i, j])))
                        self._changes.pairs[pair] = self._pairs[pair]
                    prob[i, j] = self._pairs[pair]
        prob = (prob + prob.T) / 2
        groups = bisect(prob, n)
        keep, part = sorted(groups, key=min)
        keys_keep = [originals[i].key for i in keep]
        keys_part = [originals[i].key for i in part]
        parts = [self._view(keys_keep), self._view(keys_part)]
        small, big = sorted(parts, key=lambda e: e.size)
        score, feats = self._event_score(small, big)
        if score >= self.split_threshold:
            return
        moved = set(keys_part) | {d for d, o in self.duplicate_of.items() if o in set(keys_part) and d in event.members}
        new_id = self.new_event_id()
        members = list(event.members)
        self._rebuild(event.id, [k for k in members if k not in moved], event.story_id)
        self._rebuild(new_id, [k for k in members if k in moved], None)
        out.changed.update({event.id, new_id})
        out.created.append(new_id)
        out.decisions.append(Decision(keys_part[0], new_id, "split", score, self.split_threshold, feats,
                                      f"split from {event.id} in the second pass: {len(keys_part)} of its reports, "
                                      f"score of the two parts {score:.2f} < {self.split_threshold:.2f}"))

    def _view(self, keys: Sequence[str]) -> EventState:
        """An event state of the remembered reports ``keys``; the same object as in the pass before when made of
        the same reports (views are only read), so that what it computed from them (its IDF profile) is kept."""
        keys = tuple(keys)
        items = tuple(self.items[k] for k in keys)
        known = self._views.get(keys) or self._views_before.get(keys)
        if known is not None and all(a is b for a, b in zip(known[0], items)):
            self._views[keys] = known
            return known[1]
        view = EventState(keys[0], np.zeros_like(items[0].vector))
        for item in items:
            view.add(item)
        self._views[keys] = (items, view)
        return view

    def _nearest(self, vector: np.ndarray, scope: Sequence[EventState], exclude: str, candidates: int,
                 centroids: np.ndarray | None = None) -> list[EventState]:
        """The ``candidates`` events of ``scope`` whose centroids (rows of ``centroids``, when given) are nearest."""
        centroids = np.array([e.unit() for e in scope]) if centroids is None else centroids
        order = np.argsort(-(centroids @ vector))
        return [scope[i] for i in order[: candidates + 1] if scope[i].id != exclude][:candidates]

    def _move(self, scope: Sequence[EventState], candidates: int, out: "Refinement",
              movers: Sequence[EventState] | None = None) -> None:
        """Move reports of ``movers`` (default: all of ``scope``) to the event of ``scope`` they fit best.

        A report's score in its own event (without it) is computed only when a candidate reaches the threshold:
        the move needs both, and the best candidate is the one that decides. After a move only the two changed
        events' rows of the centroid matrix are computed again (the events of scope stay the same objects)."""
        live = [self.events[e.id] for e in scope if e.id in self.events]
        row_of = {e.id: n for n, e in enumerate(live)}
        centroids = np.array([e.unit() for e in live]) if live else None
        for event in list(scope if movers is None else movers):
            for item in self._originals(event):
                own = self.events[self.event_of[item.key]]
                if own.size < 2:
                    continue  # a report on its own is a merge, not a move
                best = None
                for other in self._nearest(item.vector, live, own.id, candidates, centroids):
                    if other.gap_days(item.date) > self.window_days:
                        continue
                    p, feats = self._item_score(item, other)
                    if p >= self.threshold and (best is None or p > best[0]):
                        best = (p, other, feats)
                if best is None:
                    continue
                p_own, _ = self._item_score(item, self._without(own, item))
                if not best[0] > p_own:
                    continue
                p, other, feats = best
                moving = [item.key] + [d for d, o in self.duplicate_of.items() if o == item.key and d in own.members]
                self._rebuild(own.id, [k for k in own.members if k not in moving], own.story_id)
                self._rebuild(other.id, other.members + moving, other.story_id)
                for changed in (own, other):
                    centroids[row_of[changed.id]] = changed.unit()
                out.changed.update({own.id, other.id})
                out.decisions.append(Decision(item.key, other.id, "move", p, self.threshold, feats,
                                              f"moved from {own.id} to {other.id} in the second pass: score {p:.2f} "
                                              f"there, {p_own:.2f} in its own event"))

    def _merge(self, scope: Sequence[EventState], candidates: int, out: "Refinement",
               active: set[str] | None = None) -> None:
        """Merge pairs of nearest events of ``scope`` (with ``active``: pairs found from an event in it)."""
        pairs = set()
        centroids = np.array([e.unit() for e in scope])
        for event in scope:
            if active is not None and event.id not in active:
                continue
            for other in self._nearest(event.centroid, scope, event.id, candidates, centroids):
                pairs.add(tuple(sorted((event.id, other.id), key=_number)))
        for older_id, newer_id in sorted(pairs, key=lambda p: (_number(p[1]), _number(p[0]))):
            older, newer = self.events.get(older_id), self.events.get(newer_id)
            if older is None or newer is None:
                continue
            if _range_gap(older, newer) > self.window_days:
                continue
            small, big = sorted((newer, older), key=lambda e: e.size)
            score, feats = self._event_score(small, big)
            if score < self.merge_threshold:
                continue
            self._rebuild(older.id, older.members + newer.members, older.story_id or newer.story_id)
            del self.events[newer.id]
            out.changed.add(older.id)
            out.changed.discard(newer.id)
            out.removed[newer.id] = older.id
            out.decisions.append(Decision(newer.id, older.id, "merge", score, self.merge_threshold, feats,
                                          f"merged {newer.id} into {older.id} in the second pass (the older id is kept): "
                                          f"cosine {feats['cos_centroid']:.2f}, score {score:.2f} >= {self.merge_threshold:.2f}"))

    def _explain(self, verb: str, event_id: str, item: ClusterItem, event: EventState, feats: dict, score: float, op: str) -> str:
        shared = sorted(k for k in item.entities if k in event.entities)[:6]
        gap = event.gap_days(item.date)
        when = f", {gap:.0f} days apart" if item.date and event.first_date else ""
        return (
            f"{verb} {event_id}: cosine {feats['cos_centroid']:.2f} (best article {feats['cos_max']:.2f}), "
            f"shared entities {{{', '.join(shared)}}}{when}, score {score:.2f} {op} {self.threshold:.2f}"
        )


class OnlineClustererV1(OnlineClusterer):
    """The v1 join model; no second pass."""

    name = "clusterer.online.v1"

    @classmethod
    def from_options(cls, options) -> "OnlineClustererV1":
        return cls(Params.load("clusterer-online-v1.json"), options.event_threshold, options.event_window_days)


class OnlineClustererV2(OnlineClusterer):
    """v1 plus detail features (persons, places, years, figures) and the second pass."""

    name = "clusterer.online.v2"

    @classmethod
    def from_options(cls, options) -> "OnlineClustererV2":
        params = Params.load("clusterer-online-v2.json")
        return cls(params, options.event_threshold, options.event_window_days, memory=options.event_memory,
                   merge_threshold=params.merge_threshold)


class OnlineClustererV3(OnlineClusterer):
    """v2 with its own event model for the second pass, both fitted on the clusterer's own trajectories."""

    name = "clusterer.online.v3"

    @classmethod
    def from_options(cls, options) -> "OnlineClustererV3":
        model = ClusterModel.load("clusterer-online-v3.json")
        return cls(model.join, options.event_threshold, options.event_window_days, memory=options.event_memory,
                   merge_threshold=model.merge_threshold, event_params=model.event, split_threshold=model.split_threshold)


class OnlineClustererV4(OnlineClustererV3):
    """v3 made cheaper: the IDF weights of the first pass are snapshotted per batch (an article is scored with the
    document frequencies as they stood when its batch began; v3: after every article), so an event's IDF totals
    are computed once per batch instead of once per candidate article; and the second pass is bounded to the
    events the batch touched and their nearest events (v3: every event in memory, every batch)."""

    name = "clusterer.online.v4"
    batched_idf = True
    bounded_refine = True
