"""Learners of the fit commands: they find what the data holds, deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from storyline.evaluate.learners import fit_logistic, train_mlp


def xor_data(n=400, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 2))
    y = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(float)
    return x, y


def accuracy(model, x, y):
    p = np.array([model.probability({"a": a, "b": b}) for a, b in x])
    return float(((p >= 0.5) == (y == 1)).mean())


def test_logistic_regression_recovers_a_linear_rule():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 2))
    y = (2 * x[:, 0] - x[:, 1] > 0).astype(float)
    model = fit_logistic(x, y, ["a", "b"], l2=0.1)
    assert model.weights["a"] > 0 > model.weights["b"]
    assert accuracy(model, x, y) > 0.97


def test_a_row_of_weight_two_counts_as_the_row_twice():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] + rng.normal(scale=1.0, size=60) > 0).astype(float)
    twice = fit_logistic(np.vstack([x, x[:20]]), np.concatenate([y, y[:20]]), ["a", "b"])
    weighted = fit_logistic(x, y, ["a", "b"], sample_weight=np.r_[np.full(20, 2.0), np.ones(40)])
    assert weighted.weights["a"] == pytest.approx(twice.weights["a"]) and weighted.bias == pytest.approx(twice.bias)
    assert weighted.weights["a"] != pytest.approx(fit_logistic(x, y, ["a", "b"]).weights["a"])


def test_the_hidden_layer_learns_an_interaction_a_linear_model_cannot():
    x, y = xor_data()
    assert accuracy(fit_logistic(x, y, ["a", "b"]), x, y) < 0.7
    assert accuracy(train_mlp(x, y, ["a", "b"], hidden=8, iterations=2000), x, y) > 0.9


def test_training_is_deterministic_for_a_seed():
    x, y = xor_data(100)
    one, two = (train_mlp(x, y, ["a", "b"], iterations=200, seed=3) for _ in range(2))
    assert np.array_equal(one.hidden_weights, two.hidden_weights) and one.output_bias == two.output_bias
    other = train_mlp(x, y, ["a", "b"], iterations=200, seed=4)
    assert not np.array_equal(one.hidden_weights, other.hidden_weights)
