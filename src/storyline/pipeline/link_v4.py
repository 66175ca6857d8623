"""Link, fourth version: an event joins a story only if it continues the story's core.

``linker.continuation.v3`` compares a new event with a story's latest few events
and those the index found near it. That lets a story drift: each event need only
resemble the last one, so a stream of concurrent news (a hurricane, then mask
rules, then evictions) chains into one story event by event. ``linker.continuation.v4``
keeps v3's features and adds what the story is about as a whole, its **core**:

- the story's central events: those most similar to its centroid; the event's
  cosine to the closest of them (``cos_core``);
- the story's core keys: the entities and the content terms most of its events
  share, ranked by how many events hold them times their IDF weight (from the
  story's running totals); the IDF-weighted share of them the event names
  (``core_entities``, ``core_terms``).

And a gate: a story of at least ``gate_events`` events is no candidate for an
event that names none of its core entities (held by half its events), or names
one its closest events do not, so a story's subject cannot change from event to
event. (Core terms can take part, ``gate_terms``; off by default.)

The core is computed again only when the story has grown or shrunk by a quarter
since it was last computed (or a central event left it), so over a story's life
it costs a constant per event: linking does not grow with the story's size.
Weights, bias and threshold are data (``linker-continuation-v4.json``) fitted by
``storyline fit linker --version v4`` (:mod:`storyline.evaluate.fit_link_v3`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Iterable

import numpy as np

from .cluster.features import EventState, Vocabulary
from .link import StoryState
from .link_v3 import LINK_FEATURES_V3, LinkParamsV3, NeighbourLinker

__all__ = ["CoreLinker", "LinkParamsV4", "LINK_FEATURES_V4", "PARAMS_FILE_V4", "StoryCore"]

PARAMS_FILE_V4 = "linker-continuation-v4.json"

#: the fitted features: v3's. The core's own measures (``cos_core``, ``core_entities``, ``core_terms``) are
#: reported with each decision but not weighed: fitted as scores they learnt what two Timeline17 topics share
#: (the held-out bpoil and egypt merged), so the core acts as a gate only.
LINK_FEATURES_V4 = LINK_FEATURES_V3


@dataclass(frozen=True)
class LinkParamsV4(LinkParamsV3):
    """v3's weights, pool and threshold, and the story core's gate."""

    #: the story's events most similar to its centroid
    core_events: int = 3
    #: the story's keys (entities, and terms) most of its events share
    core_keys: int = 8
    #: a core key is held by at least this share of the story's events (and by two of them, in a story of two or more)
    core_share: float = 0.5
    #: a story of at least this many events is no candidate for an event naming none of its core keys (0: no gate)
    gate_events: int = 3
    #: the gate asks for a core key the event shares with the story's closest events (not just with the story)
    gate_closest: bool = True
    #: core terms count for the gate too (off: a political story's core terms, "president", "house", let anything in)
    gate_terms: bool = False

    @classmethod
    def bundled(cls) -> "LinkParamsV4":
        text = (resources.files("storyline.pipeline") / "params" / PARAMS_FILE_V4).read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class StoryCore:
    """A story's central events and core keys, as computed when the story had ``size`` events."""

    size: int
    events: tuple[EventState, ...]
    entities: frozenset[str]
    terms: frozenset[str]


def _top_keys(counts, vocab: Vocabulary, k: int, least: int) -> frozenset[str]:
    """Of the keys held by at least ``least`` events, the ``k`` held by the most, each count weighted by the
    key's IDF (ties: the key)."""
    ranked = sorted(((key, n) for key, n in counts.items() if n >= least),
                    key=lambda kv: (-kv[1] * vocab.idf(kv[0]), kv[0]))
    return frozenset(key for key, _n in ranked[:k])


def _covered(event_keys, core: frozenset[str], vocab: Vocabulary) -> float:
    """IDF-weighted share of the ``core`` keys that ``event_keys`` holds."""
    if not core:
        return 0.0
    whole = vocab.total(core)
    return vocab.total(k for k in core if k in event_keys) / whole if whole else 0.0


class CoreLinker(NeighbourLinker):
    """``linker.continuation.v4``: v3's score with the story's core (central events, core keys) and a core gate."""

    name = "linker.continuation.v4"

    def __init__(self, params: LinkParamsV4 | None = None, window_days: int = 45) -> None:
        self.params = params or LinkParamsV4.bundled()  # type: ignore[assignment]
        super().__init__(self.params, window_days)  # type: ignore[arg-type]
        self._cores: dict[str, StoryCore] = {}

    def core(self, story: StoryState, entity_vocab: Vocabulary, term_vocab: Vocabulary) -> StoryCore:
        """The story's core, computed again when the story changed size by a quarter or lost a central event."""
        n = len(story.events)
        old = self._cores.get(story.id)
        if old is not None and abs(n - old.size) * 4 < max(old.size, 4) and all(story.holds(e) for e in old.events):
            return old
        centre = story.centroid()
        cosines = np.stack([e.unit() for e in story.events]) @ centre
        order = np.argsort(-cosines, kind="stable")[: self.params.core_events]
        totals = story.totals()
        least = 1 if n < 2 else max(2, math.ceil(self.params.core_share * n))
        new = StoryCore(n, tuple(story.events[i] for i in order),
                        _top_keys(totals.entities, entity_vocab, self.params.core_keys, least),
                        _top_keys(totals.terms, term_vocab, self.params.core_keys, least))
        self._cores[story.id] = new
        return new

    def continues_core(self, event: EventState, story: StoryState, core: StoryCore, near: Iterable[EventState]) -> bool:
        """Whether ``event`` names a core key of the story (one it shares with the story's closest events, when
        ``gate_closest``)."""
        entities = {k for k in core.entities if k in event.entities}
        terms = {k for k in core.terms if k in event.terms} if self.params.gate_terms else set()
        if not self.params.gate_closest or not (entities or terms):
            return bool(entities or terms)
        pool = self.pool(event, story, near)
        mine = event.unit()
        cosines = np.stack([e.unit() for e in pool]) @ mine
        closest = [pool[i] for i in np.argsort(-cosines, kind="stable")[: self.params.closest]]
        return any(k in e.entities for e in closest for k in entities) or \
            any(k in e.terms for e in closest for k in terms)

    def features(self, event: EventState, story: StoryState, near: Iterable[EventState], entity_vocab: Vocabulary,
                 term_vocab: Vocabulary) -> dict[str, float] | None:
        feats = super().features(event, story, near, entity_vocab, term_vocab)
        if feats is None:
            return None
        core = self.core(story, entity_vocab, term_vocab)
        gate = self.params.gate_events
        if gate and len(story.events) >= gate and not self.continues_core(event, story, core, near):
            return None
        mine = event.unit()
        others = [e for e in core.events if e is not event]
        feats["cos_core"] = float(max(np.dot(mine, e.unit()) for e in others)) if others else 0.0
        feats["core_entities"] = _covered(event.entities, core.entities, entity_vocab)
        feats["core_terms"] = _covered(event.terms, core.terms, term_vocab)
        return feats


def _core(options) -> CoreLinker:
    return CoreLinker(window_days=options.story_window_days)
