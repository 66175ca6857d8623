"""linker.continuation.v3: features from a story's closest events, no size term, the window, the bounded pool."""

from __future__ import annotations


import pytest

from storyline.pipeline.link import StoryState
from storyline.pipeline.link_v3 import LINK_FEATURES_V3, LinkParamsV3, NeighbourLinker
from support import link_event as event, vocabulary as vocab


def test_the_closest_events_give_the_features_and_the_storys_size_is_not_one():
    linker = NeighbourLinker(LinkParamsV3(closest=1), window_days=45)
    story = StoryState("S1", [event("E1", [1, 0, 0], 0, entities=("bp", "gulf"), details=("g:gulf", "p:hayward")),
                              event("E2", [0, 1, 0], 2, entities=("obama",)), event("E3", [0, 0, 1], 4)])
    follow_up = event("E4", [1, 0.05, 0], 6, entities=("bp", "gulf"), details=("g:gulf", "p:hayward"))
    feats = linker.features(follow_up, story, [], vocab(["bp", "gulf"], ["obama"]), vocab())
    assert set(feats) == set(LINK_FEATURES_V3) and "log_size" not in feats
    assert feats["cos_max"] > 0.99 > 0.7 > feats["cos_centroid"]
    # E1 is the closest: its entities, places and persons are the follow-up's; it is 6 days earlier
    assert feats["entities_near"] == feats["places_near"] == feats["persons_near"] == pytest.approx(1.0)
    assert feats["gap_near"] == pytest.approx(6 / 45) and feats["gap"] == pytest.approx(2 / 45)
    bigger = StoryState("S2", list(story.events) + [event(f"X{i}", [0, 0, 1], 4) for i in range(50)])
    assert linker.features(follow_up, bigger, [], vocab(["bp", "gulf"], ["obama"]), vocab())["cos_max"] < 0.1


def test_an_old_event_of_a_story_counts_when_the_index_found_it_near():
    params = LinkParamsV3({"cos_max": 10.0}, bias=-5.0, threshold=0.5, recent=2)
    linker = NeighbourLinker(params, window_days=45)
    old = event("E1", [1, 0], 0)
    story = StoryState("S1", [old] + [event(f"E{i}", [0, 1], 1) for i in range(2, 40)])
    stranger = event("E99", [1, 0], 0)  # near, but not the story's: never compared as the story's
    linker.restore([story], 2)
    assert linker.pool(event("E50", [1, 0], 3), story, [stranger]) == story.events[-2:]
    assert linker.link(event("E50", [1, 0.1], 3), ["S1"], vocab(), vocab(), near=[stranger]).action == "new"
    decision = linker.link(event("E51", [1, 0.1], 3), ["S1"], vocab(), vocab(), near=[old, stranger])
    assert (decision.action, decision.target_id) == ("join", "S1")
    assert "closest event cosine 1.00" in decision.explanation


def test_an_event_joins_the_best_story_over_the_threshold_and_never_one_outside_the_window():
    params = LinkParamsV3({"cos_max": 10.0}, bias=-5.0, threshold=0.5)
    linker = NeighbourLinker(params, window_days=10)
    near = StoryState("S1", [event("E1", [1, 0], 0)])
    other = StoryState("S2", [event("E2", [0, 1], 0)])
    far = StoryState("S3", [event("E3", [1, 0.01], -60)])
    linker.restore([near, other, far], 4)
    follow_up = event("E9", [1, 0.1], 3)
    decision = linker.link(follow_up, ["S1", "S2", "S3"], vocab(), vocab())
    assert (decision.action, decision.target_id, follow_up.story_id) == ("join", "S1", "S1")
    assert near.holds(follow_up) and near.totals().articles == 2
    strict = NeighbourLinker(LinkParamsV3({"cos_max": 10.0}, bias=-5.0, threshold=0.99), window_days=10)
    strict.restore([StoryState("S1", [event("E1", [1, 0], 0)])], 2)
    decision = strict.link(event("E10", [0.7, -0.7], 3), ["S1"], vocab(), vocab())
    assert decision.action == "new" and decision.target_id == "S2" and "S1" in decision.explanation
    only_far = NeighbourLinker(params, window_days=10)
    only_far.restore([StoryState("S3", [event("E3", [1, 0], -60)])], 4)
    assert only_far.link(event("E11", [1, 0], 3), ["S3"], vocab(), vocab()).action == "new"


def test_the_bundled_parameters_load_with_known_features_and_no_size_term():
    params = LinkParamsV3.bundled()
    assert set(params.weights) <= set(LINK_FEATURES_V3) and 0 < params.threshold < 1
    assert params.recent >= 1 and params.closest >= 1
