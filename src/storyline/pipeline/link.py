"""Link: attach events to stories with a looser rule over a longer window.

A story is the set of its events. Its centroid, entity and term keys and date
range are running totals over the member events: each event's contribution is
remembered and replaced when the event changes (an event's vector sum is a new
array after every change, so a changed event is found by identity), so linking
an event to a story costs the same for a story of 10 events as for one of 1,000.
What is left to grow is memory: a big story's key counts are a big table (some 50,000 terms for 1,000 events)
that is no longer in the processor's cache, so every look-up of a new event's key misses; every key is the
process's one string object of its text (:func:`~storyline.pipeline.cluster.features.canonical_keys`, from the
analysis and the store on), so a look-up is found by identity without also reading the stored key's memory.
The centroid is summed in fixed point (2**-32), so it does not depend on the
order the events came in: a resumed run and a clean one score alike.
A new event joins the best story active within the window when the score
reaches the threshold, and otherwise starts a story of its own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Iterable, Protocol

import numpy as np

from ..model import Decision
from .cluster.features import EventState, Vocabulary

__all__ = ["LinkerBase", "StoryState", "StoryLinker", "Weighed", "open_story", "story_overlap"]

#: fixed-point scale of a story's running vector sum
_SCALE = 2.0 ** 32


@dataclass(frozen=True)
class _Part:
    """What one event added to its story's running totals."""

    event: EventState
    vector: np.ndarray
    entities: frozenset
    terms: frozenset
    first: dt.date | None
    last: dt.date | None
    members: int
    sources: frozenset


class _Totals:
    """A story's running totals: fixed-point vector sum, key counts (events holding each key), date counts."""

    def __init__(self) -> None:
        self.parts: dict[str, _Part] = {}
        self.vector: np.ndarray | None = None
        self.entities: Counter = Counter()
        self.terms: Counter = Counter()
        self.firsts: Counter = Counter()
        self.lasts: Counter = Counter()
        self.sources: Counter = Counter()
        self.articles = 0
        self._range: tuple[dt.date | None, dt.date | None] | None = None
        self._biggest: EventState | None = None
        self._list: list[EventState] | None = None

    def sync(self, events: list[EventState]) -> None:
        """Bring the membership up to date with ``events``: a full pass only when the list was replaced or
        grew or shrank behind the totals' back (a changed event is reported through :meth:`refresh`)."""
        if events is self._list and len(events) == len(self.parts):
            return
        parts = self.parts
        for event in events:
            self.refresh(event, new=True)
        if len(parts) != len(events):
            present = {e.id for e in events}
            for gone in [p for key, p in parts.items() if key not in present]:
                self._remove(gone)
                del parts[gone.event.id]
        self._list = events

    def forget(self, event_ids: Iterable[str], events: list[EventState]) -> None:
        """Take out the events ``event_ids``; ``events`` is the story's list without them."""
        for key in event_ids:
            part = self.parts.pop(key, None)
            if part is not None:
                self._remove(part)
        self._list = events

    def refresh(self, event: EventState, new: bool = False) -> None:
        """Take in the change of a member ``event`` (or a ``new`` one); a no-op for an unchanged event. An
        event changes by a new vector sum (an original report) or by more members (a duplicate)."""
        part = self.parts.get(event.id)
        if part is None and not new:
            return
        if part is None or part.event is not event or part.vector is not event.vector_sum or \
                part.members != len(event.members) or part.first != event.first_date or part.last != event.last_date:
            self._replace(part, event)

    def _replace(self, old: _Part | None, event: EventState) -> None:
        still_biggest = old is not None and self._biggest is event and len(event.members) >= old.members
        if old is not None:
            self._remove(old)
        if still_biggest:
            self._biggest = event
        new = _Part(event, event.vector_sum, frozenset(event.entities), frozenset(event.terms),
                    event.first_date, event.last_date, len(event.members), frozenset(event.sources))
        fixed = _fixed(new.vector)
        self.vector = fixed if self.vector is None else self.vector + fixed
        self.entities.update(new.entities)
        self.terms.update(new.terms)
        if new.first is not None:
            self.firsts[new.first] += 1
        if new.last is not None:
            self.lasts[new.last] += 1
        self.sources.update(new.sources)
        self.articles += new.members
        if self._range is not None and new.first is not None:
            first, last = self._range
            self._range = (min(first or new.first, new.first), max(last or new.last, new.last))
        self.parts[event.id] = new
        if self._biggest is not None and _bigness(event) > _bigness(self._biggest):
            self._biggest = event

    def _remove(self, part: _Part) -> None:
        self.vector = self.vector - _fixed(part.vector)
        self.articles -= part.members
        if self._biggest is part.event:
            self._biggest = None
        for counts, keys in ((self.entities, part.entities), (self.terms, part.terms), (self.sources, part.sources)):
            counts.subtract(keys)
            for key in keys:
                if counts[key] <= 0:
                    del counts[key]
        for counts, day in ((self.firsts, part.first), (self.lasts, part.last)):
            if day is not None:
                counts[day] -= 1
                if counts[day] <= 0:
                    del counts[day]
                    if self._range is not None and day in self._range:
                        self._range = None  # an end of the range went: find it again

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        if self._range is None:
            self._range = (min(self.firsts) if self.firsts else None, max(self.lasts) if self.lasts else None)
        return self._range

    def biggest(self) -> EventState | None:
        """The event with the most members (the earliest of equals)."""
        if self._biggest is None and self.parts:
            self._biggest = max((p.event for p in self.parts.values()), key=_bigness)
        return self._biggest

    def centroid(self, dtype) -> np.ndarray:
        total = self.vector.astype(np.float64) / _SCALE
        norm = float(np.linalg.norm(total))
        return (total / norm if norm else total).astype(dtype)


def _bigness(event: EventState) -> tuple[int, int]:
    return len(event.members), -int(event.id[1:]) if event.id[1:].isdigit() else 0


def _fixed(vector: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(vector, dtype=np.float64) * _SCALE).astype(np.int64)


class Weighed:
    """An event's keys weighed once, for its :func:`weighted_overlap` with any number of stories: the IDF
    weight of each key and their total (``math.fsum``, exact whatever the order, so the very float of
    :meth:`Vocabulary.total`)."""

    def __init__(self, item: Iterable[str], vocab: Vocabulary) -> None:
        unique = item.keys() if isinstance(item, dict) else set(item)
        self.vocab = vocab
        self.weights = dict(zip(unique, vocab.idfs(unique)))
        self.own = math.fsum(self.weights.values())

    def overlap(self, keys: Mapping) -> float:
        """:func:`weighted_overlap` with a story's ``keys``, the same float: the shared keys are found by a set
        intersection in C (one look-up in the story's keys for each of the event's), and a big story's weights
        are not summed: every IDF weight is at least 1 (no key is in more documents than there are), so a
        story holding at least as many keys as the item's total weight is the larger side."""
        if not self.weights or not keys:
            return 0.0
        shared = math.fsum(map(self.weights.__getitem__, self.weights.keys() & keys.keys()))
        smaller = self.own if len(keys) >= self.own else min(self.own, self.vocab.total(keys))
        return shared / smaller if smaller else 0.0


def story_overlap(item: Iterable[str], keys: Mapping, vocab: Vocabulary) -> float:
    """:func:`weighted_overlap` of ``item`` with a story's ``keys`` (see :class:`Weighed`)."""
    return Weighed(item, vocab).overlap(keys)


@dataclass
class StoryState:
    id: str
    events: list[EventState] = field(default_factory=list)
    _totals: _Totals = field(default_factory=_Totals, repr=False, compare=False)

    def totals(self) -> _Totals:
        """The running totals, up to date with :attr:`events`."""
        self._totals.sync(self.events)
        return self._totals

    def refresh(self, event: EventState) -> None:
        """Take in a change of the member ``event`` (a new report, a duplicate, a rebuild by the second pass)."""
        self.totals().refresh(event)

    def append(self, event: EventState) -> None:
        totals = self.totals()
        self.events.append(event)
        totals.refresh(event, new=True)

    def drop(self, event_ids: Iterable[str]) -> None:
        """Take the events ``event_ids`` out of the story."""
        gone = set(event_ids)
        totals = self.totals()
        self.events = [e for e in self.events if e.id not in gone]
        totals.forget(gone, self.events)

    def holds(self, event: EventState) -> bool:
        part = self.totals().parts.get(event.id)
        return part is not None and part.event is event

    @property
    def first_date(self) -> dt.date | None:
        return self.totals().dates()[0]

    @property
    def last_date(self) -> dt.date | None:
        return self.totals().dates()[1]

    def centroid(self) -> np.ndarray:
        if not self.events:
            return np.zeros(0, dtype=np.float32)
        return self.totals().centroid(self.events[0].vector_sum.dtype)

    def counter(self, attribute: str) -> Counter:
        out: Counter = Counter()
        for event in self.events:
            out.update(getattr(event, attribute))
        return out


class Linker(Protocol):
    """Links a new event to a story (or starts one); ``stories`` is its memory, restored from the store."""

    name: str
    stories: dict[str, StoryState]

    def link(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary, term_vocab: Vocabulary) -> Decision: ...
    def restore(self, stories: Iterable[StoryState], next_number: int) -> None: ...


class LinkerBase:
    """What the linkers that keep their stories' running totals share: the story memory, its restore, the
    refresh of the totals after a batch changed some events, and the gap from an event to a story's dates."""

    name = ""

    def __init__(self, threshold: float = 0.5, window_days: int = 45) -> None:
        self.threshold = threshold
        self.window_days = window_days
        self.stories: dict[str, StoryState] = {}
        self._next = 1

    def restore(self, stories: Iterable[StoryState], next_number: int) -> None:
        for story in stories:
            self.stories[story.id] = story
        self._next = next_number

    def refresh(self, events: Iterable[EventState]) -> None:
        """Take in the changes of ``events`` (those a batch touched) in their stories' running totals."""
        for event in events:
            story = self.stories.get(event.story_id) if event.story_id else None
            if story is not None:
                story.refresh(event)

    def _gap(self, event: EventState, story: StoryState) -> float:
        if event.first_date is None or story.first_date is None:
            return 0.0
        first, last = story.totals().dates()
        if event.first_date > last:
            return float((event.first_date - last).days)
        if event.last_date < first:
            return float((first - event.last_date).days)
        return 0.0


class StoryLinker(LinkerBase):
    """``linker.stories.v1``: a hand-set logistic score of centroid, entity and term similarity and the time gap."""

    name = "linker.stories.v1"

    #: weights of the story score (a logistic function of the similarities)
    weights = {"cosine": 7.0, "entities": 3.0, "terms": 2.0, "gap": -1.0}
    bias = -6.0

    def link(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary, term_vocab: Vocabulary) -> Decision:
        """Attach ``event`` to the best of the ``candidates`` story ids, or start a story."""
        best = None
        entities, terms = Weighed(event.entities, entity_vocab), Weighed(event.terms, term_vocab)
        for story_id in sorted(set(candidates)):
            story = self.stories.get(story_id)
            if story is None or story.holds(event):
                continue
            gap = self._gap(event, story)
            if gap > self.window_days:
                continue
            feats = {
                "cosine": float(np.dot(event.centroid, story.centroid())),
                "entities": entities.overlap(story.totals().entities),
                "terms": terms.overlap(story.totals().terms),
                "gap": gap / self.window_days,
            }
            z = self.bias + sum(self.weights[k] * v for k, v in feats.items())
            score = 1.0 / (1.0 + math.exp(-z))
            if best is None or score > best[0]:
                best = (score, story, feats)
        if best is not None and best[0] >= self.threshold:
            score, story, feats = best
            story.append(event)
            event.story_id = story.id
            return Decision(event.id, story.id, "join", score, self.threshold, feats,
                            f"joined story {story.id}: cosine {feats['cosine']:.2f}, entity overlap {feats['entities']:.2f}, "
                            f"{feats['gap'] * self.window_days:.0f} days apart, score {score:.2f} >= {self.threshold:.2f}")
        return open_story(self, event, best, lambda f: f"cosine {f['cosine']:.2f}, entity overlap {f['entities']:.2f}")


def open_story(linker, event: EventState, best: tuple | None, describe) -> Decision:
    """Start a new story with ``event`` in ``linker`` (its ``stories``, ``_next``, ``threshold``, ``window_days``);
    ``best`` is the best candidate (score, story, features) that scored too low, ``describe`` words its features."""
    story = StoryState(f"S{linker._next}", [event])
    linker._next += 1
    linker.stories[story.id] = story
    event.story_id = story.id
    if best is None:
        return Decision(event.id, story.id, "new", 0.0, linker.threshold, {},
                        f"new story {story.id}: no story with a similar article within {linker.window_days} days")
    score, other, feats = best
    return Decision(event.id, story.id, "new", score, linker.threshold, feats,
                    f"new story {story.id}; best candidate {other.id} scored {score:.2f} < {linker.threshold:.2f} "
                    f"({describe(feats)})")


def _linker(options) -> StoryLinker:
    return StoryLinker(options.story_threshold, options.story_window_days)
