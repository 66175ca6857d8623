"""Link, third version: an event joins the story whose closest events it continues.

``linker.continuation.v3`` scores a new event against each candidate story
through the story's events nearest to it, not its size: a follow-up, a
reaction or a consequence continues one or two earlier events (the same
actors, the same place, the same subject), while a story's centroid blurs as it
grows and its pooled keys ("said", "United States") match anything. The events
compared are the story's latest few and those of its events the vector index
found near the new one (the engine hands them in as ``near``); of these the
``closest`` by cosine give the features:

- cosine to the closest event, the mean over the closest, and to the story's centroid;
- IDF-weighted overlap of entities, of persons (surnames) and places named in
  the leads, and of headline terms with the closest events', and the TF-IDF
  cosine of their content terms;
- the share of the event's entities the whole story has named (its running totals);
- days to the nearest of the closest events and to the story's dates, over the window.

There is no size term. The weights, bias and threshold are data
(``linker-continuation-v3.json``) fitted by ``storyline fit linker --version v3``
(:mod:`storyline.evaluate.fit_link_v3`). The story memory and its running totals
are :class:`~storyline.pipeline.link.StoryState`'s, shared with v1
(:class:`~storyline.pipeline.link.LinkerBase`): the cost of linking an event
does not grow with the size of the stories it is compared with.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..model import Decision
from .cluster.features import EventState, Vocabulary, tfidf_cosine, weighted_overlap
from .link import LinkerBase, StoryState, open_story, story_overlap

__all__ = ["NeighbourLinker", "LinkParamsV3", "LINK_FEATURES_V3", "PARAMS_FILE_V3"]

PARAMS_FILE_V3 = "linker-continuation-v3.json"

#: the features of the story score, in the order of the fitted weights
LINK_FEATURES_V3 = ("cos_centroid", "cos_max", "cos_top", "entities_near", "entities_story", "persons_near",
                    "places_near", "title_near", "terms_near", "gap_near", "gap")


@dataclass(frozen=True)
class LinkParamsV3:
    weights: Mapping[str, float] = field(default_factory=lambda: {
        "cos_centroid": 2.0, "cos_max": 4.0, "entities_near": 2.0, "persons_near": 1.0, "places_near": 1.0,
        "terms_near": 2.0, "gap_near": -1.0})
    bias: float = -6.0
    threshold: float = 0.5
    #: a story's latest events, always compared (besides those the index found near the new event)
    recent: int = 5
    #: the events of the pool that give the features
    closest: int = 3

    @classmethod
    def bundled(cls) -> "LinkParamsV3":
        text = (resources.files("storyline.pipeline") / "params" / PARAMS_FILE_V3).read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _keys(details: Counter, prefix: str) -> set[str]:
    return {k[2:] for k in details if k[0] == prefix}


def _idf_overlap(mine: set[str], theirs: set[str], vocab: Vocabulary) -> float:
    """IDF-weighted share of the smaller side the two sets of keys have in common."""
    if not mine or not theirs:
        return 0.0
    shared = math.fsum(vocab.idf(k) for k in mine & theirs)
    smaller = min(vocab.total(mine), vocab.total(theirs))
    return shared / smaller if smaller else 0.0


def _pooled(events: Sequence[EventState], attribute: str) -> Counter:
    out: Counter = Counter()
    for e in events:
        out.update(getattr(e, attribute))
    return out


class NeighbourLinker(LinkerBase):
    """``linker.continuation.v3``: the event joins the best candidate story whose fitted score, from the story's
    events closest to it, reaches the threshold."""

    name = "linker.continuation.v3"
    #: the engine hands :meth:`link` the events the vector index found near the new one
    uses_neighbours = True

    def __init__(self, params: LinkParamsV3 | None = None, window_days: int = 45) -> None:
        self.params = params or LinkParamsV3.bundled()
        super().__init__(self.params.threshold, window_days)

    def pool(self, event: EventState, story: StoryState, near: Iterable[EventState]) -> list[EventState]:
        """The story's events compared with ``event``: its latest few and those of ``near`` it holds."""
        out = {e.id: e for e in story.events[-self.params.recent :] if e is not event}
        for other in near:
            if other is not event and other.id not in out and story.holds(other):
                out[other.id] = other
        return list(out.values())

    def features(self, event: EventState, story: StoryState, near: Iterable[EventState], entity_vocab: Vocabulary,
                 term_vocab: Vocabulary) -> dict[str, float] | None:
        """The features of ``event`` against ``story``; None when the story is outside the window."""
        gap = self._gap(event, story)
        pool = self.pool(event, story, near)
        if gap > self.window_days or not pool:
            return None
        mine = event.unit()
        cosines = np.stack([e.unit() for e in pool]) @ mine
        order = np.argsort(-cosines, kind="stable")[: self.params.closest]
        closest = [pool[i] for i in order]
        top = cosines[order]
        window = float(self.window_days) or 1.0
        details = _pooled(closest, "details")
        return {
            "cos_centroid": float(np.dot(mine, story.centroid())),
            "cos_max": float(top[0]),
            "cos_top": float(top.mean()),
            "entities_near": weighted_overlap(event.entities, _pooled(closest, "entities"), entity_vocab),
            "entities_story": story_overlap(event.entities, story.totals().entities, entity_vocab),
            "persons_near": _idf_overlap(_keys(event.details, "p"), _keys(details, "p"), entity_vocab),
            "places_near": _idf_overlap(_keys(event.details, "g"), _keys(details, "g"), entity_vocab),
            "title_near": weighted_overlap(event.title_terms, _pooled(closest, "title_terms"), term_vocab),
            "terms_near": tfidf_cosine(dict(event.terms), _pooled(closest, "terms"), term_vocab),
            "gap_near": min(e.gap_days(event.first_date) for e in closest) / window,
            "gap": gap / window,
        }

    def score(self, features: Mapping[str, float]) -> float:
        z = self.params.bias + sum(self.params.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def scored(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary, term_vocab: Vocabulary,
               near: Sequence[EventState] = ()) -> list[tuple[float, StoryState, dict[str, float]]]:
        """(score, story, features) of every candidate story within the window, best first."""
        out = []
        for story_id in sorted(set(candidates)):
            story = self.stories.get(story_id)
            if story is None or not story.events or story.holds(event):
                continue
            feats = self.features(event, story, near, entity_vocab, term_vocab)
            if feats is not None:
                out.append((self.score(feats), story, feats))
        out.sort(key=lambda t: (-t[0], t[1].id))
        return out

    def link(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary, term_vocab: Vocabulary,
             near: Sequence[EventState] = ()) -> Decision:
        """Attach ``event`` to the best of the ``candidates`` story ids, or start a story; ``near``: events the
        vector index found near ``event`` (those of a candidate story are compared besides its latest ones)."""
        ranked = self.scored(event, candidates, entity_vocab, term_vocab, near)
        best = ranked[0] if ranked else None
        if best is not None and best[0] >= self.threshold:
            return self.join(event, *best)
        return self.start(event, best)

    def join(self, event: EventState, score: float, story: StoryState, feats: dict[str, float]) -> Decision:
        story.append(event)
        event.story_id = story.id
        return Decision(event.id, story.id, "join", score, self.threshold, feats,
                        f"joined story {story.id}: {_describe(feats, self.window_days)}, "
                        f"score {score:.2f} >= {self.threshold:.2f}")

    def start(self, event: EventState, best: tuple[float, StoryState, dict[str, float]] | None) -> Decision:
        return open_story(self, event, best, lambda f: _describe(f, self.window_days))


def _describe(feats: Mapping[str, float], window_days: int) -> str:
    return (f"closest event cosine {feats['cos_max']:.2f}, entity overlap {feats['entities_near']:.2f}, "
            f"places {feats['places_near']:.2f}, persons {feats['persons_near']:.2f}, "
            f"{feats['gap_near'] * window_days:.0f} days apart")


def _neighbours(options) -> NeighbourLinker:
    return NeighbourLinker(window_days=options.story_window_days)
