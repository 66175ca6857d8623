"""The clusterer's bundled models: the join model (logistic) and, for v3, the event model of its second pass."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .scoring import Logistic, Scorer, scorer_from_json

__all__ = ["Params", "ClusterModel", "parameter_file"]


def parameter_file(name: str) -> dict[str, Any]:
    """A bundled parameter document (``pipeline/params/NAME``)."""
    return json.loads(resources.files("storyline.pipeline").joinpath("params", name).read_text())


@dataclass(frozen=True)
class Params(Logistic):
    """A logistic join model as the v1 and v2 parameter files store it (with where it came from and the
    probability at which the second pass merges)."""

    fitted_on: Any = "hand-set"
    #: probability (of this model) at which the second pass merges two events
    merge_threshold: float = 0.5

    @classmethod
    def load(cls, name: str) -> "Params":
        data = parameter_file(name)
        return cls(dict(data["weights"]), float(data["bias"]), data.get("fitted_on", "unknown"),
                   float(data.get("merge_threshold", 0.5)))


@dataclass(frozen=True)
class ClusterModel:
    """The fitted models of ``clusterer.online.v3``: a join model for article-to-event decisions and an
    event model for the second pass, which splits an event when the event model gives its two halves
    less than ``split_threshold`` and merges two events at ``merge_threshold`` or more."""

    join: Scorer
    event: Scorer
    split_threshold: float
    merge_threshold: float
    fitted_on: Any = "unknown"

    @classmethod
    def load(cls, name: str) -> "ClusterModel":
        data = parameter_file(name)
        return cls(scorer_from_json(data["join"]), scorer_from_json(data["event"]), float(data["split_threshold"]),
                   float(data["merge_threshold"]), data.get("fitted_on", "unknown"))


