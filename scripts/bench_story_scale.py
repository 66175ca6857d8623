#!/usr/bin/env python
"""Story-scale benchmark: the cost of linking one new event to a story of 10 events and to one of 1,000.

    python scripts/bench_story_scale.py [--sizes 10 1000] [--events 200] [--dim 512] [--linker linker.stories.v1]

Builds, in one run, one store per story size: a story of N synthetic events
(random unit vectors, 40 entity and 200 term keys each, a day apart) saved
through the engine's ``save_state``, then times what the ingest of one
article that starts a new event costs in the link stage and in writing the
story: ``linker.link`` against that story, then ``save_state`` for the new
event and its story. Each new event is taken out again after it is timed, so
the story keeps its size. Prints the median and mean microseconds per
event for each size and their ratio (the sizes are timed in turn, one event
each, so that the load of a shared machine falls on both alike). ``--linker`` names the registered linker
(its threshold set to 0 so that the new event always joins; a linker that asks for the index's neighbour
events, as linker.continuation.v3 does, is handed the story's first event and its middle one, as the index
would find them near the new event). Every event names one common key, the story's core (so that
linker.continuation.v4's core gate lets the new event through).

The events' keys are made as the pipeline makes an analysed article's (:func:`canonical_keys`: one string
object for each key text; ``--fresh-keys``: a new string object for every key of every event, as the code before
canonical keys made them, for a run against that code). ``--clock cpu`` times by the process's CPU time
(``time.process_time``) instead of the wall clock, for a machine shared with other work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from storyline.engine.state import ClusterState, save_state
from storyline.model import Article
from storyline.pipeline.cluster.features import EventState, Vocabulary
from storyline import registry
from storyline.pipeline.link import StoryState
from storyline.settings import load_options
from storyline.store.sqlite import SQLiteStore

DAY = dt.date(2024, 1, 1)


#: how an event's keys are made: the pipeline's :func:`canonical_keys`, or (``--fresh-keys``) as they are
KEYS = {"make": None}


def _keys(keys):
    make = KEYS["make"]
    return keys if make is None else make(keys)


def _event(rng: np.random.Generator, number: int, day: dt.date, dim: int) -> EventState:
    vector = rng.normal(size=dim).astype(np.float32)
    entities = _keys(Counter({f"ent{int(k)}": 1 for k in rng.integers(0, 5000, 40)} | {"story": 1}))  # a key every event names
    terms = _keys(Counter({f"term{int(k)}": 2 for k in rng.integers(0, 50000, 200)}))
    return EventState(f"E{number}", vector / np.linalg.norm(vector), size=1, first_date=day, last_date=day,
                      entities=entities, terms=terms, members=[f"a{number}"], sources=Counter({f"outlet{number % 40}": 1}))


def _vocabularies(rng: np.random.Generator) -> tuple[Vocabulary, Vocabulary]:
    entities, terms = Vocabulary(), Vocabulary()
    for _ in range(2000):
        entities.add(_keys([f"ent{int(k)}" for k in rng.integers(0, 5000, 40)]))
        terms.add(_keys([f"term{int(k)}" for k in rng.integers(0, 50000, 200)]))
    return entities, terms


class Scene:
    """A store holding one story of ``size`` events, and the linker that remembers it."""

    def __init__(self, size: int, n_events: int, dim: int, folder: Path, linker: str = "linker.stories.v1") -> None:
        self.rng = np.random.default_rng(size)
        self.size, self.dim = size, dim
        self.entity_vocab, self.term_vocab = _vocabularies(self.rng)
        self.store = SQLiteStore(folder / f"story-{size}.db")
        self.linker = registry.create(linker, load_options().replace(story_window_days=100_000))
        self.linker.threshold = 0.0
        clusterer = SimpleNamespace(entity_vocab=self.entity_vocab, next_number=size + n_events + 2)
        self.state = ClusterState(clusterer, self.linker, None, None)
        events = [_event(self.rng, i + 1, DAY + dt.timedelta(days=i), dim) for i in range(size)]
        with self.store.transaction():
            for e in events:
                self.store.add_article(Article(e.members[0], "text", "outlet", title=f"title {e.id}", published=e.first_date))
                e.story_id = "S1"
            self.linker.restore([StoryState("S1", list(events))], 2)
            save_state(self.store, self.state, "bench", events, [])
        self.done = 0

    def step(self) -> float:
        """Seconds to link one new event to the story and save it; the event is then taken out again."""
        self.done += 1
        new = _event(self.rng, self.size + self.done, DAY + dt.timedelta(days=self.size // 2), self.dim)
        with self.store.transaction():
            self.store.add_article(Article(new.members[0], "text", "outlet", title="new", published=new.first_date))
            started = CLOCK["now"]()
            story = self.linker.stories["S1"]
            if getattr(self.linker, "uses_neighbours", False):
                near = [story.events[0], story.events[len(story.events) // 2]]
                decision = self.linker.link(new, ["S1"], self.entity_vocab, self.term_vocab, near=near)
            else:
                decision = self.linker.link(new, ["S1"], self.entity_vocab, self.term_vocab)
            save_state(self.store, self.state, "bench", [new], [])
            seconds = CLOCK["now"]() - started
        assert decision.target_id == "S1", decision
        story = self.linker.stories["S1"]
        if hasattr(story, "drop"):
            story.drop([new.id])
        else:  # the code before running totals (for a before/after run)
            story.events = [e for e in story.events if e is not new]
        return seconds


CLOCK = {"now": time.perf_counter}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--linker", default="linker.stories.v1", help="registered name of the linker")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="wall clock or process CPU time")
    parser.add_argument("--fresh-keys", action="store_true", help="a new string object for every key (the code before canonical keys)")
    args = parser.parse_args()
    CLOCK["now"] = time.perf_counter if args.clock == "wall" else time.process_time
    if not args.fresh_keys:
        from storyline.pipeline.cluster.features import canonical_keys
        KEYS["make"] = canonical_keys
    results: dict[int, list[float]] = {size: [] for size in args.sizes}
    with tempfile.TemporaryDirectory() as tmp:
        scenes = [Scene(size, args.events, args.dim, Path(tmp), args.linker) for size in args.sizes]
        for _ in range(args.events):  # interleaved, so that a busy machine slows every size alike
            for scene in scenes:
                results[scene.size].append(scene.step())
        for scene in scenes:
            scene.store.close()
    print("| story events | median µs / new event | mean µs |")
    print("|---:|---:|---:|")
    for size, seconds in results.items():
        print(f"| {size} | {statistics.median(seconds) * 1e6:.0f} | {statistics.fmean(seconds) * 1e6:.0f} |")
    small, big = min(results), max(results)
    ratio = statistics.median(results[big]) / statistics.median(results[small])
    print(f"\nratio {big} / {small} events (median): {ratio:.2f}")


if __name__ == "__main__":
    main()
