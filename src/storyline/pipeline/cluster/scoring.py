"""Scorers: from a dict of similarity features to a probability.

The clusterer asks two questions of a scorer: "does this article belong to
that event?" (the join model) and "are these two groups of reports one
event?" (the event model of the second pass). Both are answered by a
:class:`Scorer`. Two kinds exist, both plain numpy and stored as JSON data:

- :class:`Logistic` — a weight per feature and a bias;
- :class:`MLP` — one hidden layer of ``tanh`` units over standardised features.

``shifted(logit)`` moves the decision boundary: a model that should decide at
probability ``t`` becomes, shifted by ``logit(t)``, a model that decides at 0.5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

import numpy as np

from ...errors import Codes, SettingsError

__all__ = ["Scorer", "Logistic", "MLP", "scorer_from_json", "logit"]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


class Scorer(Protocol):
    def probability(self, features: Mapping[str, float]) -> float: ...

    def shifted(self, by: float) -> "Scorer": ...

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Logistic:
    """``sigmoid(bias + sum(weight * feature))``; features without a weight count zero."""

    weights: dict[str, float]
    bias: float

    def probability(self, features: Mapping[str, float]) -> float:
        return _sigmoid(self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items()))

    def shifted(self, by: float) -> "Logistic":
        return Logistic(dict(self.weights), self.bias - by)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "logistic", "weights": dict(self.weights), "bias": self.bias}


@dataclass(frozen=True)
class MLP:
    """One hidden layer: ``sigmoid(w2 · tanh(W1ᵀ ((x - mean) / scale) + b1) + b2)``.

    ``features`` fixes the order of the input vector; a feature missing from
    the dict counts zero.
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    hidden_weights: np.ndarray  # (features, hidden)
    hidden_bias: np.ndarray
    output_weights: np.ndarray  # (hidden,)
    output_bias: float

    def probability(self, features: Mapping[str, float]) -> float:
        x = (np.fromiter((features.get(k, 0.0) for k in self.features), float, len(self.features)) - self.mean) / self.scale
        hidden = np.tanh(x @ self.hidden_weights + self.hidden_bias)
        return _sigmoid(float(hidden @ self.output_weights) + self.output_bias)

    def shifted(self, by: float) -> "MLP":
        return MLP(self.features, self.mean, self.scale, self.hidden_weights, self.hidden_bias, self.output_weights,
                   self.output_bias - by)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "mlp",
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "hidden_weights": self.hidden_weights.tolist(),
            "hidden_bias": self.hidden_bias.tolist(),
            "output_weights": self.output_weights.tolist(),
            "output_bias": self.output_bias,
        }


def _array(data: Mapping[str, Any], key: str, shape: Sequence[int]) -> np.ndarray:
    value = np.asarray(data[key], dtype=float)
    if value.shape != tuple(shape):
        raise SettingsError(f"scorer field {key!r} has shape {value.shape}, expected {tuple(shape)}", code=Codes.BAD_SETTING)
    return value


def scorer_from_json(data: Mapping[str, Any]) -> Scorer:
    """A scorer from its JSON form (``kind`` logistic, the default, or mlp)."""
    kind = data.get("kind", "logistic")
    try:
        if kind == "logistic":
            return Logistic({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]))
        if kind == "mlp":
            names = tuple(data["features"])
            hidden = len(data["hidden_bias"])
            return MLP(names, _array(data, "mean", [len(names)]), _array(data, "scale", [len(names)]),
                       _array(data, "hidden_weights", [len(names), hidden]), _array(data, "hidden_bias", [hidden]),
                       _array(data, "output_weights", [hidden]), float(data["output_bias"]))
    except KeyError as exc:
        raise SettingsError(f"{kind} scorer lacks the field {exc.args[0]!r}", code=Codes.BAD_SETTING) from None
    raise SettingsError(f"unknown scorer kind {kind!r} (known: logistic, mlp)", code=Codes.BAD_SETTING)
