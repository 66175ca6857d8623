"""Link: attach events to stories with a looser rule over a longer window.

A story is the set of its events; its centroid, entities and terms are read
live from the member events, so a story never goes stale as its events grow.
A new event joins the best story active within the window when the score
reaches the threshold, and otherwise starts a story of its own.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Iterable, Protocol

import numpy as np

from ..model import Decision
from .cluster.features import EventState, Vocabulary, weighted_overlap

__all__ = ["StoryState", "StoryLinker"]


@dataclass
class StoryState:
    id: str
    events: list[EventState] = field(default_factory=list)

    @property
    def first_date(self) -> dt.date | None:
        dates = [e.first_date for e in self.events if e.first_date]
        return min(dates) if dates else None

    @property
    def last_date(self) -> dt.date | None:
        dates = [e.last_date for e in self.events if e.last_date]
        return max(dates) if dates else None

    def centroid(self) -> np.ndarray:
        total = sum(e.vector_sum for e in self.events)
        norm = float(np.linalg.norm(total))
        return total / norm if norm else total

    def counter(self, attribute: str):
        from collections import Counter

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


class StoryLinker:
    """``linker.stories.v1``: a hand-set logistic score of centroid, entity and term similarity and the time gap."""

    name = "linker.stories.v1"

    #: weights of the story score (a logistic function of the similarities)
    weights = {"cosine": 7.0, "entities": 3.0, "terms": 2.0, "gap": -1.0}
    bias = -6.0

    def __init__(self, threshold: float = 0.5, window_days: int = 45) -> None:
        self.threshold = threshold
        self.window_days = window_days
        self.stories: dict[str, StoryState] = {}
        self._next = 1

    def restore(self, stories: Iterable[StoryState], next_number: int) -> None:
        for story in stories:
            self.stories[story.id] = story
        self._next = next_number

    def _gap(self, event: EventState, story: StoryState) -> float:
        if event.first_date is None or story.first_date is None:
            return 0.0
        if event.first_date > story.last_date:
            return float((event.first_date - story.last_date).days)
        if event.last_date < story.first_date:
            return float((story.first_date - event.last_date).days)
        return 0.0

    def link(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary, term_vocab: Vocabulary) -> Decision:
        """Attach ``event`` to the best of the ``candidates`` story ids, or start a story."""
        best = None
        for story_id in sorted(set(candidates)):
            story = self.stories.get(story_id)
            if story is None or event in story.events:
                continue
            gap = self._gap(event, story)
            if gap > self.window_days:
                continue
            feats = {
                "cosine": float(np.dot(event.centroid, story.centroid())),
                "entities": weighted_overlap(event.entities, story.counter("entities"), entity_vocab),
                "terms": weighted_overlap(event.terms, story.counter("terms"), term_vocab),
                "gap": gap / self.window_days,
            }
            z = self.bias + sum(self.weights[k] * v for k, v in feats.items())
            score = 1.0 / (1.0 + math.exp(-z))
            if best is None or score > best[0]:
                best = (score, story, feats)
        if best is not None and best[0] >= self.threshold:
            score, story, feats = best
            story.events.append(event)
            event.story_id = story.id
            return Decision(event.id, story.id, "join", score, self.threshold, feats,
                            f"joined story {story.id}: cosine {feats['cosine']:.2f}, entity overlap {feats['entities']:.2f}, "
                            f"{feats['gap'] * self.window_days:.0f} days apart, score {score:.2f} >= {self.threshold:.2f}")
        story = StoryState(f"S{self._next}", [event])
        self._next += 1
        self.stories[story.id] = story
        event.story_id = story.id
        if best is None:
            return Decision(event.id, story.id, "new", 0.0, self.threshold, {},
                            f"new story {story.id}: no story with a similar article within {self.window_days} days")
        score, other, feats = best
        return Decision(event.id, story.id, "new", score, self.threshold, feats,
                        f"new story {story.id}; best candidate {other.id} scored {score:.2f} < {self.threshold:.2f} "
                        f"(cosine {feats['cosine']:.2f}, entity overlap {feats['entities']:.2f})")


def _linker(options) -> StoryLinker:
    return StoryLinker(options.story_threshold, options.story_window_days)
