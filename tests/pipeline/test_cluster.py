"""Cluster: articles join events online, by a scored decision within a time window."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import numpy as np
import pytest

from storyline.pipeline.cluster.features import (
    FEATURES,
    ClusterItem,
    detail_features,
    detail_keys,
    EventState,


    Vocabulary,
    content_terms,
    weighted_overlap,
)
from storyline.pipeline.cluster import OnlineClusterer, Params
from storyline.settings import Options
from storyline import registry

DAY = dt.date(2023, 3, 6)


def unit(*values):
    v = np.zeros(8, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def item(key, vector, date=DAY, entities=("marlow", "thames"), terms=("flood", "river", "homes"), title=("flood", "marlow")):
    return ClusterItem(key, date, vector, frozenset(entities), frozenset(title), {t: 1.0 for t in terms})


#: Hand-set weights, so these tests do not move when the shipped parameters are refitted.
PARAMS = Params({"cos_centroid": 6.0, "cos_max": 4.0, "entities": 2.5, "title": 1.5, "terms": 2.0, "gap": -1.5}, bias=-7.0)


@pytest.fixture
def clusterer():
    return OnlineClusterer(PARAMS, threshold=0.5, window_days=7)


def test_first_article_starts_event_e1_with_an_explanation(clusterer):
    decision = clusterer.assign(item("a", unit(1)), [])

    assert (decision.subject_id, decision.target_id, decision.action, decision.score) == ("a", "E1", "new", 0.0)
    assert "no event with a similar article within 7 days" in decision.explanation
    assert clusterer.events["E1"].members == ["a"] and clusterer.event_of["a"] == "E1"


def test_similar_article_joins_the_event_of_its_neighbour(clusterer):
    clusterer.assign(item("a", unit(1)), [])

    decision = clusterer.assign(item("b", unit(1, 0.1), DAY + dt.timedelta(days=1)), [("a", 0.99)])

    assert (decision.action, decision.target_id) == ("join", "E1")
    assert decision.score >= decision.threshold == 0.5
    assert set(decision.features) == set(FEATURES)
    assert decision.explanation.startswith("joined E1: cosine")
    assert "marlow" in decision.explanation
    event = clusterer.events["E1"]
    assert (event.members, event.size, event.first_date, event.last_date) == (["a", "b"], 2, DAY, DAY + dt.timedelta(days=1))


def test_dissimilar_article_starts_a_new_event_and_names_the_best_candidate(clusterer):
    clusterer.assign(item("a", unit(1)), [])

    decision = clusterer.assign(item("b", unit(0, 1), entities=("reykjavik",), terms=("chess",), title=("chess",)), [("a", 0.0)])

    assert (decision.action, decision.target_id) == ("new", "E2")
    assert 0.0 < decision.score < 0.5
    assert "best candidate E1" in decision.explanation and "< 0.50" in decision.explanation


def test_candidates_outside_the_time_window_are_not_considered(clusterer):
    clusterer.assign(item("a", unit(1)), [])

    late = clusterer.assign(item("b", unit(1), DAY + dt.timedelta(days=8)), [("a", 1.0)])
    edge = clusterer.assign(item("c", unit(1), DAY - dt.timedelta(days=7)), [("a", 1.0)])

    assert (late.action, late.features) == ("new", {})
    assert (edge.action, edge.target_id) == ("join", "E1")


def test_neighbours_unknown_to_the_clusterer_are_ignored(clusterer):
    assert clusterer.assign(item("a", unit(1)), [("ghost", 1.0)]).action == "new"


def test_threshold_decides_between_join_and_new():
    def decide(threshold):
        clusterer = OnlineClusterer(PARAMS, threshold=threshold, window_days=7)
        clusterer.assign(item("a", unit(1)), [])
        return clusterer.assign(item("b", unit(1, 0.3)), [("a", 0.95)])

    score = decide(0.5).score
    assert decide(score).action == "join"
    assert decide(float(np.nextafter(score, 1.0))).action == "new"


def test_the_best_scoring_event_wins(clusterer):
    clusterer.assign(item("a", unit(1)), [])
    clusterer.assign(item("b", unit(0, 1), entities=("reykjavik",), terms=("chess",), title=("chess",)), [])

    decision = clusterer.assign(item("c", unit(0.1, 1), entities=("reykjavik",), terms=("chess",), title=("chess",)), [("a", 0.1), ("b", 0.99)])

    assert decision.target_id == "E2"


def test_duplicate_joins_its_originals_event_without_adding_evidence(clusterer):
    clusterer.assign(item("a", unit(1)), [])

    decision = clusterer.add_duplicate("copy", "a", 0.9)

    assert (decision.action, decision.target_id, decision.score) == ("duplicate", "E1", 0.9)
    assert "duplicate of a" in decision.explanation
    event = clusterer.events["E1"]
    assert (event.members, event.size) == (["a", "copy"], 1)


def test_restore_continues_numbering_and_membership(clusterer):
    event = EventState("E7", unit(1), size=1, first_date=DAY, last_date=DAY, members=["old"], entities=Counter({"marlow": 1}))
    clusterer.restore([event], 8, Vocabulary(), Vocabulary())

    assert clusterer.assign(item("x", unit(0, 1), entities=(), terms=(), title=()), []).target_id == "E8"
    assert clusterer.assign(item("y", unit(1)), [("old", 1.0)]).target_id == "E7"


def test_registered_clusterer_uses_the_shipped_parameters_and_the_options():
    built = registry.create("clusterer.online.v1", Options({"event_threshold": 0.7, "event_window_days": 3}))
    assert (built.name, built.threshold, built.window_days) == ("clusterer.online.v1", 0.7, 3)
    shipped = Params.load("clusterer-online-v1.json")
    assert built.params.weights == shipped.weights and shipped.weights
    assert set(shipped.weights) <= set(FEATURES)


# ---------------------------------------------------------------- small parts


def test_gap_days_is_zero_inside_the_range_and_for_undated():
    event = EventState("E1", unit(1), first_date=DAY, last_date=DAY + dt.timedelta(days=2))
    assert [event.gap_days(DAY + dt.timedelta(days=d)) for d in (-3, 0, 1, 2, 5)] == [3.0, 0.0, 0.0, 0.0, 3.0]
    assert event.gap_days(None) == 0.0
    assert EventState("E2", unit(1)).gap_days(DAY) == 0.0


def test_centroid_is_the_normalised_sum_and_zero_stays_zero():
    assert np.allclose(EventState("E1", np.array([3.0, 4.0])).centroid, [0.6, 0.8])
    assert np.array_equal(EventState("E1", np.zeros(2)).centroid, np.zeros(2))


def test_rare_keys_weigh_more_than_common_ones():
    vocab = Vocabulary()
    for keys in (["common", "rare"], ["common"], ["common"]):
        vocab.add(keys)
    assert vocab.idf("rare") > vocab.idf("common") > 0
    assert vocab.idf("unseen") == pytest.approx(math.log(4) + 1)
    assert weighted_overlap({"rare"}, Counter({"rare": 1, "common": 1}), vocab) == 1.0
    assert weighted_overlap({"rare", "common"}, Counter({"common": 1}), vocab) == 1.0
    assert 0 < weighted_overlap({"rare", "common"}, Counter({"common": 1, "other": 1}), vocab) < 1
    assert weighted_overlap(set(), Counter({"common": 1}), vocab) == 0.0


def test_content_terms_drop_stop_words_numbers_and_short_words():
    assert content_terms("The 2 Floods hit Marlow's high street, said officials in 2023") == ["floods", "hit", "marlow", "high", "street", "officials"]


def test_params_probability_is_logistic_and_clamped():
    params = Params({"x": 2.0}, bias=-1.0)
    assert params.probability({"x": 0.5}) == pytest.approx(0.5)
    assert params.probability({"x": 1e9}) == pytest.approx(1.0)
    assert params.probability({"unknown": 5.0}) == pytest.approx(1 / (1 + math.e))


def test_vocabulary_weights_follow_new_documents():
    vocab = Vocabulary()
    vocab.add(["rare"])
    before = vocab.idf("rare")
    vocab.add(["common"])
    assert vocab.idf("rare") > before


# ---------------------------------------------------------------- details that tell similar events apart


def test_detail_keys_take_surnames_places_years_and_figures_from_the_lead():
    keys = detail_keys([("tara reid", "PERSON"), ("malibu", "GPE"), ("people", "ORG")],
                       "Reid, 33, checked in on June 13, 2013 at 4:59 PM; 1,200 fans and 1 dog waited.")
    assert keys == {"p:reid", "g:malibu", "y:2013", "n:33", "n:13", "n:1200"}


def test_detail_features_match_on_a_shared_detail_and_conflict_when_none_is_shared():
    event = Counter({"p:reid": 2, "y:2008": 2, "g:malibu": 2, "g:california": 2})

    feats = detail_features({"p:lohan", "y:2013", "g:malibu", "g:paris"}, event)

    assert (feats["person_match"], feats["person_conflict"]) == (0.0, 1.0)
    assert (feats["year_match"], feats["year_conflict"]) == (0.0, 1.0)
    assert (feats["place_match"], feats["place_conflict"]) == (0.5, 0.0)
    # nothing named on one side is no conflict
    assert (feats["number_match"], feats["number_conflict"]) == (0.0, 0.0)
    assert set(feats) <= set(FEATURES)


def test_details_named_by_few_of_an_events_reports_are_not_its_core():
    event = Counter({"p:reid": 6, "p:lohan": 1})

    assert detail_features({"p:lohan"}, event)["person_conflict"] == 1.0
    assert detail_features({"p:reid"}, event)["person_match"] == 1.0


# ---------------------------------------------------------------- second pass

#: joins everything: builds the wrong first-pass state the second pass must repair
JOIN_ALL = Params({}, bias=10.0)
#: hand-set: similar vectors and no conflicting persons join
SECOND = Params({"cos_centroid": 8.0, "person_conflict": -6.0}, bias=-5.0)


def person_item(key, vector, person):
    return ClusterItem(key, DAY, vector, frozenset({person}), frozenset(), {"report": 1.0}, frozenset({f"p:{person}"}))


def test_second_pass_merges_events_and_keeps_the_older_id():
    clusterer = OnlineClusterer(SECOND, threshold=0.5, window_days=7, memory=100)
    clusterer.assign(person_item("a", unit(1), "reid"), [])
    clusterer.assign(person_item("b", unit(1, 0.1), "reid"), [])  # no neighbour offered: a second event
    assert clusterer.event_of["b"] == "E2"

    refined = clusterer.refine()

    assert refined.removed == {"E2": "E1"} and "E2" not in clusterer.events
    assert clusterer.events["E1"].members == ["a", "b"] and clusterer.event_of["b"] == "E1"
    [decision] = refined.decisions
    assert (decision.action, decision.subject_id, decision.target_id) == ("merge", "E2", "E1")
    assert "older id is kept" in decision.explanation and decision.score >= 0.5


def test_second_pass_splits_an_event_that_mixes_two_and_regroups_a_stray_report():
    clusterer = OnlineClusterer(JOIN_ALL, threshold=0.5, window_days=7, memory=100)
    clusterer.assign(person_item("a", unit(1), "reid"), [])
    for key, vector, person in (("b", unit(1, 0.1), "reid"), ("c", unit(0, 1), "lohan"), ("d", unit(0.1, 1), "lohan")):
        clusterer.assign(person_item(key, vector, person), [("a", 0.9)])
    assert set(clusterer.events) == {"E1"}
    clusterer.params = SECOND

    refined = clusterer.refine()

    assert clusterer.events["E1"].members == ["a", "b"]
    assert clusterer.event_of["c"] == clusterer.event_of["d"] == "E2"
    assert clusterer.events["E2"].size == 2 and refined.created == ["E2"]
    assert [d.action for d in refined.decisions] == ["split"]
    assert refined.changed == {"E1", "E2"}


def test_second_pass_takes_duplicates_along_and_is_off_without_memory():
    clusterer = OnlineClusterer(JOIN_ALL, threshold=0.5, window_days=7, memory=100)
    clusterer.assign(person_item("a", unit(1), "reid"), [])
    clusterer.assign(person_item("c", unit(0, 1), "lohan"), [("a", 0.9)])
    clusterer.add_duplicate("c-copy", "c", 0.95)
    clusterer.params = SECOND

    clusterer.refine()

    assert clusterer.event_of["c-copy"] == clusterer.event_of["c"] != clusterer.event_of["a"]
    off = OnlineClusterer(JOIN_ALL, threshold=0.5, window_days=7)
    off.assign(person_item("a", unit(1), "reid"), [])
    off.assign(person_item("c", unit(0, 1), "lohan"), [("a", 0.9)])
    off.params = SECOND
    assert off.refine().decisions == [] and off.event_of["c"] == "E1"


def test_registered_v2_clusterer_has_the_second_pass_and_fitted_merge_threshold():
    built = registry.create("clusterer.online.v2", Options({"event_threshold": 0.5, "event_window_days": 7, "event_memory": 123}))
    shipped = Params.load("clusterer-online-v2.json")
    assert (built.name, built.memory, built.merge_threshold) == ("clusterer.online.v2", 123, shipped.merge_threshold)
    assert set(shipped.weights) == set(FEATURES)


def test_the_second_pass_asks_its_own_event_model_when_it_has_one():
    # a loose join model would keep the two halves together; only the event model tells the persons apart
    loose = Params({"cos_centroid": 8.0}, bias=2.0)

    def mixed(**kwargs):
        clusterer = OnlineClusterer(JOIN_ALL, threshold=0.5, window_days=7, memory=100, **kwargs)
        clusterer.assign(person_item("a", unit(1), "reid"), [])
        for key, vector, person in (("b", unit(1, 0.1), "reid"), ("c", unit(0, 1), "lohan"), ("d", unit(0.1, 1), "lohan")):
            clusterer.assign(person_item(key, vector, person), [("a", 0.9)])
        clusterer.params = loose
        return clusterer

    without = mixed()
    assert without.refine().decisions == [] and set(without.events) == {"E1"}

    separate = mixed(event_params=SECOND)
    refined = separate.refine()
    assert [d.action for d in refined.decisions] == ["split"]
    assert separate.event_of["c"] == separate.event_of["d"] != separate.event_of["a"]


def test_split_threshold_is_the_event_model_probability_below_which_an_event_splits():
    def refine_with(split_threshold):
        clusterer = OnlineClusterer(JOIN_ALL, threshold=0.5, window_days=7, memory=100, event_params=SECOND,
                                    split_threshold=split_threshold)
        clusterer.assign(person_item("a", unit(1), "reid"), [])
        clusterer.assign(person_item("c", unit(0, 1), "lohan"), [("a", 0.9)])
        return clusterer.refine()

    [split] = refine_with(0.5).decisions
    assert split.action == "split" and split.threshold == 0.5 and split.score < 0.5
    assert refine_with(split.score / 2).decisions == []


def test_registered_v3_clusterer_loads_its_join_and_event_models():
    from storyline.pipeline.cluster import ClusterModel

    built = registry.create("clusterer.online.v3", Options({"event_threshold": 0.5, "event_window_days": 7, "event_memory": 99}))
    shipped = ClusterModel.load("clusterer-online-v3.json")
    assert (built.name, built.memory) == ("clusterer.online.v3", 99)
    assert (built.split_threshold, built.merge_threshold) == (shipped.split_threshold, shipped.merge_threshold)
    features = dict.fromkeys(FEATURES, 0.5)
    assert built.params.probability(features) == shipped.join.probability(features)
    assert built.event_params.probability(features) == shipped.event.probability(features)
    assert 0.0 < shipped.split_threshold < 1.0 and 0.0 < shipped.merge_threshold < 1.0
