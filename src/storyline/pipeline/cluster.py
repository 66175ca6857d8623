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

import datetime as dt
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterable, Sequence

import numpy as np

from ..model import Decision
from ..registry import register

__all__ = ["ClusterItem", "EventState", "OnlineClusterer", "content_terms", "FEATURES", "Vocabulary"]

FEATURES = ("cos_centroid", "cos_max", "entities", "entities_new", "title", "terms", "tfidf", "gap", "size")

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours out over own same she should so some such than that the their
    theirs them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your said says say new one two three year years
    first last week day days time told according people after could would may might us mr ms""".split()
)


def content_terms(text: str) -> list[str]:
    """Lower-cased content words (no stop words, no numbers, at least 3 letters)."""
    return [w for w in re.findall(r"[^\W\d_]{3,}", text.lower()) if w not in _STOPWORDS]


@dataclass
class ClusterItem:
    key: str
    date: dt.date | None
    vector: np.ndarray
    entities: frozenset[str] = frozenset()
    title_terms: frozenset[str] = frozenset()
    #: content terms of the whole text with sublinear term-frequency weights
    terms: dict[str, float] = field(default_factory=dict)


@dataclass
class EventState:
    """What the clusterer remembers of an event; persisted by the engine."""

    id: str
    vector_sum: np.ndarray
    size: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    entities: Counter = field(default_factory=Counter)
    terms: Counter = field(default_factory=Counter)
    title_terms: Counter = field(default_factory=Counter)
    members: list[str] = field(default_factory=list)
    story_id: str | None = None
    #: sources of the independent (non-duplicate) reports
    sources: Counter = field(default_factory=Counter)
    #: candidate event dates (ISO) found in the reports, with their counts
    date_votes: Counter = field(default_factory=Counter)

    @property
    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.vector_sum))
        return self.vector_sum / norm if norm else self.vector_sum

    def add(self, item: ClusterItem) -> None:
        self.vector_sum = self.vector_sum + item.vector
        self.size += 1
        self.members.append(item.key)
        self.entities.update(item.entities)
        self.terms.update(item.terms)
        self.title_terms.update(item.title_terms)
        if item.date is not None:
            self.first_date = min(self.first_date or item.date, item.date)
            self.last_date = max(self.last_date or item.date, item.date)

    def gap_days(self, date: dt.date | None) -> float:
        """Days between ``date`` and the event's date range (0 inside it or when undated)."""
        if date is None or self.first_date is None or self.last_date is None:
            return 0.0
        if date < self.first_date:
            return float((self.first_date - date).days)
        if date > self.last_date:
            return float((date - self.last_date).days)
        return 0.0


class Vocabulary:
    """Document frequencies of entity keys and terms, for IDF weights."""

    def __init__(self) -> None:
        self.documents = 0
        self.df: Counter = Counter()

    def add(self, keys: Iterable[str]) -> None:
        self.documents += 1
        self.df.update(set(keys))

    def idf(self, key: str) -> float:
        return math.log((1 + self.documents) / (1 + self.df.get(key, 0))) + 1.0


def weighted_overlap(item: Iterable[str], event: Counter, vocab: Vocabulary) -> float:
    """IDF-weighted share of the smaller side that the two sets have in common."""
    item = set(item)
    if not item or not event:
        return 0.0
    shared = sum(vocab.idf(k) for k in item if k in event)
    smaller = min(sum(vocab.idf(k) for k in item), sum(vocab.idf(k) for k in event))
    return shared / smaller if smaller else 0.0


def novel_share(item: Iterable[str], event: Counter, vocab: Vocabulary) -> float:
    """IDF-weighted share of the article's entities that the event has never mentioned."""
    item = set(item)
    if not item:
        return 0.0
    total = sum(vocab.idf(k) for k in item)
    return sum(vocab.idf(k) for k in item if k not in event) / total


def term_weights(text: str, limit: int = 200) -> dict[str, float]:
    """Sublinear tf weights (1 + log tf) of the ``limit`` most frequent content terms."""
    counts = Counter(content_terms(text))
    return {t: 1.0 + math.log(n) for t, n in counts.most_common(limit)}


def tfidf_cosine(item: dict[str, float], event: Counter, vocab: Vocabulary) -> float:
    """Cosine of the IDF-weighted term vectors of an article and an event."""
    if not item or not event:
        return 0.0
    idf = vocab.idf
    dot = sum(w * event[t] * idf(t) ** 2 for t, w in item.items() if t in event)
    if dot == 0.0:
        return 0.0
    norm_item = math.sqrt(sum((w * idf(t)) ** 2 for t, w in item.items()))
    norm_event = math.sqrt(sum((w * idf(t)) ** 2 for t, w in event.items()))
    return dot / (norm_item * norm_event)


def _jaccard(a: set[str] | frozenset[str], b: Iterable[str]) -> float:
    b = set(b)
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(frozen=True)
class Params:
    weights: dict[str, float]
    bias: float
    fitted_on: Any = "hand-set"

    @classmethod
    def load(cls, name: str) -> "Params":
        data = json.loads(resources.files("storyline.pipeline").joinpath("params", name).read_text())
        return cls(dict(data["weights"]), float(data["bias"]), data.get("fitted_on", "unknown"))

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


class OnlineClusterer:
    """Single-pass clustering with a learned join model over a time window."""

    name = "clusterer.online.v1"

    def __init__(self, params: Params, threshold: float = 0.5, window_days: int = 7) -> None:
        self.params = params
        self.threshold = threshold
        self.window_days = window_days
        self.events: dict[str, EventState] = {}
        self.event_of: dict[str, str] = {}
        self.entity_vocab = Vocabulary()
        self.term_vocab = Vocabulary()
        self._next = 1

    # -- state -------------------------------------------------------------
    def restore(self, events: Iterable[EventState], next_number: int, entity_vocab: Vocabulary, term_vocab: Vocabulary) -> None:
        for event in events:
            self.events[event.id] = event
            for key in event.members:
                self.event_of[key] = event.id
        self._next = next_number
        self.entity_vocab = entity_vocab
        self.term_vocab = term_vocab

    def new_event_id(self) -> str:
        event_id = f"E{self._next}"
        self._next += 1
        return event_id

    # -- decisions ---------------------------------------------------------
    def features(self, item: ClusterItem, event: EventState, cos_max: float) -> dict[str, float]:
        gap = event.gap_days(item.date)
        return {
            "cos_centroid": float(np.dot(item.vector, event.centroid)),
            "cos_max": cos_max,
            "entities": weighted_overlap(item.entities, event.entities, self.entity_vocab),
            "entities_new": novel_share(item.entities, event.entities, self.entity_vocab),
            "title": _jaccard(item.title_terms, event.title_terms),
            "terms": weighted_overlap(item.terms, event.terms, self.term_vocab),
            "tfidf": tfidf_cosine(item.terms, event.terms, self.term_vocab),
            "gap": min(gap / max(self.window_days, 1), 2.0),
            "size": math.log1p(event.size),
        }

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

    def assign(self, item: ClusterItem, neighbours: Sequence[tuple[str, float]]) -> Decision:
        """Join the best candidate event or start a new one; update the state."""
        self.entity_vocab.add(item.entities)
        self.term_vocab.add(item.terms)
        scored = []
        for event_id, cos_max in self.candidates(item, neighbours).items():
            feats = self.features(item, self.events[event_id], cos_max)
            scored.append((self.params.probability(feats), event_id, feats))
        scored.sort(key=lambda s: (-s[0], s[1]))
        if scored and scored[0][0] >= self.threshold:
            score, event_id, feats = scored[0]
            event = self.events[event_id]
            explanation = self._explain("joined", event_id, item, event, feats, score, ">=")
            event.add(item)
            self.event_of[item.key] = event_id
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
        return Decision(item.key, event.id, "new", score, self.threshold, feats, explanation)

    def add_duplicate(self, key: str, original_key: str, similarity: float) -> Decision:
        """Put a duplicate in its original's event; it adds no independent evidence."""
        event_id = self.event_of[original_key]
        self.events[event_id].members.append(key)
        self.event_of[key] = event_id
        return Decision(
            key, event_id, "duplicate", similarity, 0.0, {"jaccard": similarity},
            f"duplicate of {original_key} (estimated word 4-gram Jaccard {similarity:.2f}); joins its event {event_id}",
        )

    def _explain(self, verb: str, event_id: str, item: ClusterItem, event: EventState, feats: dict, score: float, op: str) -> str:
        shared = sorted(k for k in item.entities if k in event.entities)[:6]
        gap = event.gap_days(item.date)
        when = f", {gap:.0f} days apart" if item.date and event.first_date else ""
        return (
            f"{verb} {event_id}: cosine {feats['cos_centroid']:.2f} (best article {feats['cos_max']:.2f}), "
            f"shared entities {{{', '.join(shared)}}}{when}, score {score:.2f} {op} {self.threshold:.2f}"
        )


@register("clusterer.online.v1")
def _online(options) -> OnlineClusterer:
    return OnlineClusterer(Params.load("clusterer-online-v1.json"), options.event_threshold, options.event_window_days)
