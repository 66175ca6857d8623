"""``storyline fit cluster``: the training pairs the clusterer's own trajectory yields."""

from __future__ import annotations

import datetime as dt

import numpy as np

from storyline.evaluate.fit import replay, teacher_forced_pairs, trajectory_pairs
from storyline.pipeline.cluster import FEATURES, ClusterItem, Params
from storyline.settings import Options

DAY = dt.date(2024, 5, 1)
OPTIONS = Options({"event_window_days": 7, "event_candidates": 10, "event_memory": 100, "batch_size": 2})
JOIN_ALL = Params({}, bias=10.0)


def items():
    def one(key, angle, person):
        vector = np.zeros(8, dtype=np.float32)
        vector[0], vector[1] = np.cos(angle), np.sin(angle)
        return ClusterItem(key, DAY, vector, frozenset({person}), frozenset(), {"report": 1.0}, frozenset({f"p:{person}"}))

    return [one("a", 0.0, "reid"), one("b", 0.1, "reid"), one("c", 1.4, "lohan"), one("d", 1.5, "lohan")]


GOLD = ["reid-rehab", "reid-rehab", "lohan-rehab", "lohan-rehab"]


def test_teacher_forcing_sees_only_the_gold_state():
    x, y = teacher_forced_pairs(items(), GOLD, OPTIONS)
    # b meets a's event (its own, positive); c meets a+b's event (negative); d meets both (one each)
    assert x.shape == (4, len(FEATURES)) and sorted(y.tolist()) == [0.0, 0.0, 1.0, 1.0]


def test_the_trajectory_labels_each_candidate_by_the_gold_event_most_of_its_reports_belong_to():
    x, y, ex, ey = trajectory_pairs(items(), GOLD, JOIN_ALL, OPTIONS, threshold=0.5, merge_threshold=0.5)
    # a join-everything model puts all four in one event: b's candidate is right, c's and d's are not
    assert y.tolist() == [1.0, 0.0, 0.0]
    assert x.shape == (3, len(FEATURES))
    # the second pass bisects the mixed event: its halves come from different gold events
    assert ex.shape[1] == len(FEATURES) and 0.0 in ey.tolist()


def test_replay_runs_the_clusterer_as_the_engine_does():
    separate = Params({"cos_centroid": 8.0, "person_conflict": -6.0}, bias=-5.0)
    events = replay(items(), separate, 0.5, OPTIONS, merge_threshold=0.5)
    assert events[0] == events[1] != events[2] == events[3]
    assert len(set(replay(items(), JOIN_ALL, 0.5, OPTIONS, merge_threshold=0.5))) == 1
