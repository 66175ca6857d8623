"""Link, second version: an event joins the story it continues, scored by a fitted logistic model.

``linker.continuation.v2`` compares a new event with each candidate story
not only through the story's centroid (which blurs as a story grows) but
through the story's events themselves: the best-matching event (a follow-up
continues one earlier event, not the average of all of them), the mean of the
three best, the IDF-weighted overlap of entities, content terms and headline
terms with the story's, the gap in days to the story's dates (over the
window, the ``story_window_days`` setting as for v1) and the story's size. The
weights, the bias and the threshold are data (``linker-continuation-v2.json``), fitted by ``storyline fit
linker`` on development corpora whose gold ``story`` is the story
(:mod:`storyline.evaluate.fit_link`). The story memory is
:class:`~storyline.pipeline.link.StoryState`, as for v1.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable, Mapping

import numpy as np

from ..model import Decision
from .cluster.features import EventState, Vocabulary, weighted_overlap
from .link import StoryState, open_story

__all__ = ["ContinuationLinker", "LinkParams", "LINK_FEATURES", "PARAMS_FILE"]

PARAMS_FILE = "linker-continuation-v2.json"

#: the features of the story score, in the order of the fitted weights
LINK_FEATURES = ("cos_centroid", "cos_max", "cos_top3", "entities", "terms", "title", "gap", "log_size")


@dataclass(frozen=True)
class LinkParams:
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "cos_centroid": 7.0, "cos_max": 0.0, "cos_top3": 0.0, "entities": 3.0, "terms": 2.0, "title": 0.0,
        "gap": -1.0, "log_size": 0.0})
    bias: float = -6.0
    threshold: float = 0.5
    #: a story's latest events compared one by one (older ones count through the centroid)
    max_events: int = 200

    @classmethod
    def bundled(cls) -> "LinkParams":
        text = (resources.files("storyline.pipeline") / "params" / PARAMS_FILE).read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _gap(event: EventState, story: StoryState) -> float:
    first, last = story.first_date, story.last_date
    if event.first_date is None or first is None or last is None:
        return 0.0
    if event.first_date > last:
        return float((event.first_date - last).days)
    if (event.last_date or event.first_date) < first:
        return float((first - (event.last_date or event.first_date)).days)
    return 0.0


class ContinuationLinker:
    """``linker.continuation.v2``: the event joins the best candidate story whose fitted score reaches the threshold."""

    name = "linker.continuation.v2"

    def __init__(self, params: LinkParams | None = None, window_days: int = 45) -> None:
        self.params = params or LinkParams.bundled()
        self.threshold = self.params.threshold
        self.window_days = window_days
        self.stories: dict[str, StoryState] = {}
        self._next = 1

    def restore(self, stories: Iterable[StoryState], next_number: int) -> None:
        for story in stories:
            self.stories[story.id] = story
        self._next = next_number

    def features(self, event: EventState, story: StoryState, entity_vocab: Vocabulary,
                 term_vocab: Vocabulary) -> dict[str, float] | None:
        """The features of ``event`` against ``story``; None when the story is outside the window."""
        gap = _gap(event, story)
        if gap > self.window_days:
            return None
        mine = event.centroid
        recent = story.events[-self.params.max_events :]
        cosines = np.sort(np.stack([e.centroid for e in recent]) @ mine)[::-1]
        return {
            "cos_centroid": float(np.dot(mine, story.centroid())),
            "cos_max": float(cosines[0]),
            "cos_top3": float(cosines[:3].mean()),
            "entities": weighted_overlap(event.entities, story.counter("entities"), entity_vocab),
            "terms": weighted_overlap(event.terms, story.counter("terms"), term_vocab),
            "title": weighted_overlap(event.title_terms, story.counter("title_terms"), term_vocab),
            "gap": gap / self.window_days if self.window_days else 0.0,
            "log_size": math.log1p(len(story.events)),
        }

    def score(self, features: Mapping[str, float]) -> float:
        z = self.params.bias + sum(self.params.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def scored(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary,
               term_vocab: Vocabulary) -> list[tuple[float, StoryState, dict[str, float]]]:
        """(score, story, features) of every candidate story within the window, best first."""
        out = []
        for story_id in sorted(set(candidates)):
            story = self.stories.get(story_id)
            if story is None or not story.events or event in story.events:
                continue
            feats = self.features(event, story, entity_vocab, term_vocab)
            if feats is not None:
                out.append((self.score(feats), story, feats))
        out.sort(key=lambda t: (-t[0], t[1].id))
        return out

    def link(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary, term_vocab: Vocabulary) -> Decision:
        """Attach ``event`` to the best of the ``candidates`` story ids, or start a story."""
        ranked = self.scored(event, candidates, entity_vocab, term_vocab)
        best = ranked[0] if ranked else None
        if best is not None and best[0] >= self.threshold:
            return self.join(event, *best)
        return self.start(event, best)

    def join(self, event: EventState, score: float, story: StoryState, feats: dict[str, float]) -> Decision:
        story.append(event)
        event.story_id = story.id
        return Decision(event.id, story.id, "join", score, self.threshold, feats,
                        f"joined story {story.id}: closest event cosine {feats['cos_max']:.2f}, "
                        f"entity overlap {feats['entities']:.2f}, {feats['gap'] * self.window_days:.0f} days apart, "
                        f"score {score:.2f} >= {self.threshold:.2f}")

    def start(self, event: EventState, best: tuple[float, StoryState, dict[str, float]] | None) -> Decision:
        return open_story(self, event, best,
                          lambda f: f"closest event cosine {f['cos_max']:.2f}, entity overlap {f['entities']:.2f}")

def _continuation(options) -> ContinuationLinker:
    return ContinuationLinker(window_days=options.story_window_days)
