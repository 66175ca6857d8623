"""linker.continuation.v2: features against a story's events, the fitted score, the window; the fit split."""

from __future__ import annotations


import numpy as np
import pytest

from storyline.evaluate.fit_link import fit_rows, heldout_rows
from storyline.pipeline.cluster.features import EventState
from storyline.pipeline.link import StoryState
from storyline.pipeline.link_v2 import LINK_FEATURES, ContinuationLinker, LinkParams
from support import link_event, vocabulary


def event(id: str, vector, day: int, entities=(), terms=()) -> EventState:
    return link_event(id, vector, day, entities, terms, members=())


vocab = vocabulary


def test_the_closest_event_counts_even_when_the_storys_centroid_has_drifted():
    linker = ContinuationLinker(LinkParams(), window_days=45)
    story = StoryState("S1", [event("E1", [1, 0, 0], 0), event("E2", [0, 1, 0], 2), event("E3", [0, 0, 1], 4)])
    feats = linker.features(event("E4", [1, 0.05, 0], 6), story, vocab(), vocab())
    assert set(feats) == set(LINK_FEATURES)
    assert feats["cos_max"] > 0.99 > 0.7 > feats["cos_centroid"]
    assert feats["gap"] == pytest.approx(2 / 45) and feats["log_size"] == pytest.approx(np.log1p(3))


def test_an_event_joins_the_best_story_over_the_threshold_and_never_one_outside_the_window():
    params = LinkParams({"cos_max": 10.0}, bias=-5.0, threshold=0.5)
    linker = ContinuationLinker(params, window_days=10)
    near = StoryState("S1", [event("E1", [1, 0], 0, entities=("haiti",))])
    other = StoryState("S2", [event("E2", [0, 1], 0)])
    far = StoryState("S3", [event("E3", [1, 0.01], -60)])
    linker.restore([near, other, far], 4)
    follow_up = event("E9", [1, 0.1], 3)
    decision = linker.link(follow_up, ["S1", "S2", "S3"], vocab(), vocab())
    assert (decision.action, decision.target_id, follow_up.story_id) == ("join", "S1", "S1")
    assert follow_up in near.events
    lone = event("E10", [0.7, -0.7], 3)  # cos_max 0.71 with S1: score 0.89, under a threshold of 0.99
    strict = ContinuationLinker(LinkParams({"cos_max": 10.0}, bias=-5.0, threshold=0.99), window_days=10)
    strict.restore([StoryState("S1", [event("E1", [1, 0], 0)])], 2)
    decision = strict.link(lone, ["S1"], vocab(), vocab())
    assert decision.action == "new" and decision.target_id == "S2" and "S1" in decision.explanation
    only_far = ContinuationLinker(params, window_days=10)
    only_far.restore([StoryState("S3", [event("E3", [1, 0], -60)])], 4)
    assert only_far.link(event("E11", [1, 0], 3), ["S3"], vocab(), vocab()).action == "new"


def test_the_bundled_parameters_load_and_the_fit_split_is_by_the_median_date():
    params = LinkParams.bundled()
    assert set(params.weights) == set(LINK_FEATURES) and 0 < params.threshold < 1
    rows = [{"id": str(i), "date": f"2010-01-{i + 1:02d}", "text": "x"} for i in range(10)] + [{"id": "u", "date": None, "text": "x"}]
    fit, held = fit_rows(rows), heldout_rows(rows)
    assert [r["id"] for r in fit] == [str(i) for i in range(5)]
    assert [r["id"] for r in held] == [str(i) for i in range(5, 10)] + ["u"]
    with pytest.raises(ValueError, match="no dated rows"):
        fit_rows([{"id": "a", "date": None, "text": "x"}])
