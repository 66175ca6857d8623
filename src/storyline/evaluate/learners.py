"""Learners for the fit commands: small, deterministic, numpy only.

``logistic_regression`` (Newton's method with an L2 penalty) and ``train_mlp``
(one hidden layer of tanh units, full-batch Adam from a seeded start). Both
return the scorers the pipeline loads (:mod:`storyline.pipeline.cluster.scoring`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..pipeline.cluster.scoring import MLP, Logistic

__all__ = ["logistic_regression", "fit_logistic", "train_mlp"]


def logistic_regression(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50,
                        sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method; (weights, bias). ``sample_weight``: each row's
    weight in the log loss (default 1)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    w = np.ones(len(x)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -50, 50)))
        gradient = design.T @ (w * (p - y)) + penalty @ beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def fit_logistic(x: np.ndarray, y: np.ndarray, names: Sequence[str], l2: float = 1.0,
                 sample_weight: np.ndarray | None = None) -> Logistic:
    weights, bias = logistic_regression(x, y, l2, sample_weight=sample_weight)
    return Logistic(dict(zip(names, map(float, weights))), bias)


def train_mlp(x: np.ndarray, y: np.ndarray, names: Sequence[str], hidden: int = 8, l2: float = 1e-3,
              iterations: int = 3000, learning_rate: float = 0.01, seed: int = 0) -> MLP:
    """A one-hidden-layer network minimising mean log loss plus ``l2`` on its weights (full-batch Adam)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.normal(0.0, 1.0 / np.sqrt(z.shape[1]), (z.shape[1], hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0.0, 1.0 / np.sqrt(hidden), hidden),
        "b2": np.zeros(1),
    }
    first = {k: np.zeros_like(v) for k, v in params.items()}
    second = {k: np.zeros_like(v) for k, v in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    n = len(y)
    for step in range(1, iterations + 1):
        h = np.tanh(z @ params["W1"] + params["b1"])
        p = 1.0 / (1.0 + np.exp(-np.clip(h @ params["w2"] + params["b2"], -50, 50)))
        g = (p - y) / n
        dh = np.outer(g, params["w2"]) * (1.0 - h**2)
        grads = {"W1": z.T @ dh + l2 * params["W1"], "b1": dh.sum(axis=0),
                 "w2": h.T @ g + l2 * params["w2"], "b2": np.array([g.sum()])}
        for k, grad in grads.items():
            first[k] = beta1 * first[k] + (1 - beta1) * grad
            second[k] = beta2 * second[k] + (1 - beta2) * grad**2
            corrected = first[k] / (1 - beta1**step)
            params[k] -= learning_rate * corrected / (np.sqrt(second[k] / (1 - beta2**step)) + eps)
    return MLP(tuple(names), mean, scale, params["W1"], params["b1"], params["w2"], float(params["b2"][0]))
