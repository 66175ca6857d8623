"""Scorers: logistic and one-hidden-layer models from features to a probability, stored as JSON."""

from __future__ import annotations

import math

import numpy as np
import pytest

from storyline.errors import SettingsError
from storyline.pipeline.cluster.scoring import MLP, Logistic, logit, scorer_from_json


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def small_mlp():
    return MLP(("a", "b"), np.array([1.0, 0.0]), np.array([2.0, 1.0]),
               np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.0, 0.5]), np.array([2.0, -1.0]), -0.25)


def test_logistic_weighs_known_features_and_ignores_unknown_ones():
    model = Logistic({"a": 2.0, "b": -1.0}, bias=0.5)
    assert model.probability({"a": 1.0, "b": 3.0, "unknown": 9.0}) == pytest.approx(sigmoid(0.5 + 2.0 - 3.0))
    assert model.probability({}) == pytest.approx(sigmoid(0.5))
    assert model.probability({"a": 1e6}) == pytest.approx(1.0) and model.probability({"a": -1e6}) == pytest.approx(0.0)


def test_mlp_probability_matches_a_hand_computation():
    x = {"a": 3.0, "b": -1.0}
    z = [(3.0 - 1.0) / 2.0, (-1.0 - 0.0) / 1.0]  # standardised: [1, -1]
    hidden = [math.tanh(z[0] * 1.0 + z[1] * 0.5 + 0.0), math.tanh(z[0] * -1.0 + z[1] * 2.0 + 0.5)]
    expected = sigmoid(2.0 * hidden[0] - 1.0 * hidden[1] - 0.25)
    assert small_mlp().probability(x) == pytest.approx(expected)
    # a missing feature counts zero
    assert small_mlp().probability({"a": 3.0}) == pytest.approx(small_mlp().probability({"a": 3.0, "b": 0.0}))


@pytest.mark.parametrize("model", [Logistic({"a": 2.0}, -1.0), small_mlp()], ids=["logistic", "mlp"])
def test_shifting_by_the_logit_of_t_moves_the_decision_from_t_to_one_half(model):
    features = {"a": 0.7, "b": 0.2}
    p = model.probability(features)
    shifted = model.shifted(logit(p))
    assert shifted.probability(features) == pytest.approx(0.5)
    assert model.shifted(0.0).probability(features) == pytest.approx(p)


@pytest.mark.parametrize("model", [Logistic({"a": 2.0, "b": -0.5}, -1.0), small_mlp()], ids=["logistic", "mlp"])
def test_json_round_trip_keeps_every_probability(model):
    again = scorer_from_json(model.to_json())
    for features in ({}, {"a": 1.0}, {"a": -2.0, "b": 5.0}):
        assert again.probability(features) == pytest.approx(model.probability(features))


def test_a_logistic_document_without_kind_still_loads():
    assert scorer_from_json({"weights": {"a": 1.0}, "bias": 0.0}).probability({"a": 0.0}) == pytest.approx(0.5)


@pytest.mark.parametrize("document, message", [
    ({"kind": "forest"}, "unknown scorer kind 'forest'"),
    ({"kind": "logistic", "weights": {}}, "lacks the field 'bias'"),
    (dict(small_mlp().to_json(), mean=[0.0, 0.0, 0.0]), "'mean' has shape (3,), expected (2,)"),
])
def test_a_malformed_document_names_what_is_wrong(document, message):
    with pytest.raises(SettingsError) as error:
        scorer_from_json(document)
    assert message in str(error.value)
