"""The sentence-vector cache: each distinct text embedded once while kept, least recently used dropped first."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from storyline.engine.timing import StageTimer
from storyline.pipeline.embed import CachingEmbedder, HashingEmbedder


class CountingEmbedder(HashingEmbedder):
    def __init__(self, name: str = "embedder.hashing.v1") -> None:
        super().__init__(dim=64)
        self.name = name
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return super().embed(texts)


def test_a_text_is_embedded_once_and_its_vector_is_the_embedders():
    inner = CountingEmbedder()
    cached = CachingEmbedder(inner, size=10)

    first = cached.embed(["a b c", "d e f", "a b c"])
    again = cached.embed(["d e f", "g h i"])

    assert inner.calls == [["a b c", "d e f"], ["g h i"]]  # misses embedded together, each distinct text once
    assert np.array_equal(first[0], first[2]) and np.array_equal(again[0], first[1])
    assert np.allclose(again, HashingEmbedder(dim=64).embed(["d e f", "g h i"]))
    assert (cached.hits, cached.misses) == (1, 3)


def test_the_least_recently_used_vector_is_dropped_first():
    inner = CountingEmbedder()
    cached = CachingEmbedder(inner, size=2)
    cached.embed(["one two", "three four"])
    cached.embed(["one two"])  # used again: "three four" is now the oldest
    cached.embed(["five six"])

    cached.embed(["one two", "three four"])

    assert inner.calls[-1] == ["three four"]


def test_a_size_of_zero_keeps_nothing():
    inner = CountingEmbedder()
    cached = CachingEmbedder(inner, size=0)
    cached.embed(["x y"])
    cached.embed(["x y"])
    assert inner.calls == [["x y"], ["x y"]]


def test_vectors_are_keyed_by_the_embedders_name():
    inner = CountingEmbedder("embedder.a")
    cached = CachingEmbedder(inner, size=10)
    cached.embed(["same text"])
    inner.name = "embedder.b"  # another model: its vector is not the first one's
    cached.embed(["same text"])
    assert len(inner.calls) == 2


def test_the_misses_model_time_goes_to_the_timer_stage():
    stages: list[str] = []

    @contextmanager
    def timer(stage):
        stages.append(stage)
        yield

    cached = CachingEmbedder(CountingEmbedder(), size=10)
    cached.timer = timer
    cached.embed(["p q r"])
    cached.embed(["p q r"])  # a hit runs no model
    assert stages == ["embed"]


def test_a_model_stage_inside_another_stage_is_carved_out_of_it():
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    timer = StageTimer(wall, cpu)
    with timer("record"):
        with timer("compare"):
            with timer("embed"):
                sum(i * i for i in range(300_000))

    assert cpu["embed"] > 0
    assert cpu["record"] < cpu["embed"] and cpu["compare"] < cpu["embed"]
    assert wall["record"] >= wall["compare"] >= 0
