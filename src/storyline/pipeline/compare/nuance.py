"""Nuance: does one claim state a shared point more strongly or more weakly than another?

The ClaimDiff task (Ko et al.): for two claims of two articles on one topic,
``strengthen`` (claim A adds force, detail or certainty), ``weaken`` (A hedges
or softens) or ``neutral``. There is no offline inference model here, so a
pair is described by features the comparison stage already reads --
lexical overlap, hedges and intensifiers added or removed (the lexicons of
:mod:`.framing`), numbers and negations changed, embedding similarity -- and
a small multinomial logistic model over them (fitted by
``storyline fit claims``; bundled as ``comparer-nuance-v1.json``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

import numpy as np

from .claims import content_words
from .framing import Lexicons

__all__ = ["FEATURES", "LEXICAL_FEATURES", "CLASSES", "pair_features", "NuanceModel", "fit_softmax", "PARAMS_FILE"]

PARAMS_FILE = "comparer-nuance-v1.json"
CLASSES = ("strengthen", "weaken", "neutral")
#: boosters (Hyland's list is not among the lexicons): words that add certainty or force
BOOSTERS = frozenset("very extremely highly clearly definitely certainly undoubtedly absolutely completely totally entirely "
                     "strongly sharply dramatically significantly major massive huge unprecedented must always never "
                     "indeed really truly fully deeply critical crucial vital".split())
_NUMBER = re.compile(r"\d[\d,.]*%?")
_NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without)\b|n[’']t\b", re.IGNORECASE)
_QUOTE = re.compile(r"[\"“”]")
_SAID = re.compile(r"\b(?:said|says|told|according to|stated|claimed|reported)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

FEATURES = ("log_len_a", "log_len_b", "log_len_diff", "jaccard", "a_in_b", "b_in_a", "new_words_a", "new_words_b",
            "hedges_a", "hedges_b", "hedges_diff", "boosters_a", "boosters_b", "boosters_diff",
            "loaded_a", "loaded_b", "loaded_diff", "subjective_a", "subjective_b", "subjective_diff",
            "assertive_a", "assertive_b", "numbers_a", "numbers_b", "numbers_only_a", "numbers_only_b",
            "negation_a", "negation_b", "negation_diff", "quote_a", "quote_b", "said_a", "said_b", "cosine")
#: the lexical baseline's features: lengths and word overlap only
LEXICAL_FEATURES = ("log_len_a", "log_len_b", "log_len_diff", "jaccard", "a_in_b", "b_in_a", "new_words_a", "new_words_b")


def _kinds(lexicons: Lexicons | None, text: str) -> dict[str, int]:
    counts = {"loaded": 0, "hedged": 0, "assertive": 0, "subjective": 0, "booster": 0}
    for w in _WORD.findall(text):
        w = w.lower()
        if w in BOOSTERS:
            counts["booster"] += 1
    if lexicons is not None:
        for _, kind, _, _ in lexicons.terms(text):
            counts[kind] += 1
    return counts


def pair_features(a: str, b: str, lexicons: Lexicons | None, cosine: float) -> list[float]:
    """The feature vector of the pair (claim ``a`` relative to claim ``b``), in :data:`FEATURES` order."""
    wa, wb = content_words(a), content_words(b)
    la, lb = math.log1p(len(wa)), math.log1p(len(wb))
    union = len(wa | wb) or 1
    ka, kb = _kinds(lexicons, a), _kinds(lexicons, b)
    na, nb = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
    nega, negb = len(_NEGATION.findall(a)), len(_NEGATION.findall(b))
    f = {
        "log_len_a": la, "log_len_b": lb, "log_len_diff": la - lb, "jaccard": len(wa & wb) / union,
        "a_in_b": len(wa & wb) / max(1, len(wa)), "b_in_a": len(wa & wb) / max(1, len(wb)),
        "new_words_a": math.log1p(len(wa - wb)), "new_words_b": math.log1p(len(wb - wa)),
        "hedges_a": ka["hedged"], "hedges_b": kb["hedged"], "hedges_diff": ka["hedged"] - kb["hedged"],
        "boosters_a": ka["booster"], "boosters_b": kb["booster"], "boosters_diff": ka["booster"] - kb["booster"],
        "loaded_a": ka["loaded"], "loaded_b": kb["loaded"], "loaded_diff": ka["loaded"] - kb["loaded"],
        "subjective_a": ka["subjective"], "subjective_b": kb["subjective"], "subjective_diff": ka["subjective"] - kb["subjective"],
        "assertive_a": ka["assertive"], "assertive_b": kb["assertive"],
        "numbers_a": len(na), "numbers_b": len(nb), "numbers_only_a": len(na - nb), "numbers_only_b": len(nb - na),
        "negation_a": nega, "negation_b": negb, "negation_diff": nega - negb,
        "quote_a": float(bool(_QUOTE.search(a))), "quote_b": float(bool(_QUOTE.search(b))),
        "said_a": float(bool(_SAID.search(a))), "said_b": float(bool(_SAID.search(b))), "cosine": cosine,
    }
    return [float(f[name]) for name in FEATURES]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_softmax(x: np.ndarray, y: np.ndarray, n_classes: int, class_weights: np.ndarray, l2: float = 1.0,
                iterations: int = 400, rate: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression by full-batch gradient descent; (weights [d, k], bias [k])."""
    n, d = x.shape
    w, b = np.zeros((d, n_classes)), np.zeros(n_classes)
    onehot = np.eye(n_classes)[y]
    sample = class_weights[y][:, None]
    total = sample.sum()
    for _ in range(iterations):
        p = _softmax(x @ w + b)
        g = (p - onehot) * sample / total
        w -= rate * (x.T @ g + l2 * w / n)
        b -= rate * g.sum(axis=0)
    return w, b


@dataclass(frozen=True)
class NuanceModel:
    features: tuple[str, ...]
    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: np.ndarray

    def probabilities(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        x = (np.asarray(rows, dtype=float) - self.mean) / self.scale
        return _softmax(x @ self.weights + self.bias)

    def predict(self, rows: Sequence[Sequence[float]]) -> list[str]:
        return [self.classes[i] for i in self.probabilities(rows).argmax(axis=1)]

    def to_dict(self) -> dict:
        return {"features": list(self.features), "classes": list(self.classes), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "weights": self.weights.tolist(), "bias": self.bias.tolist()}

    @staticmethod
    def from_dict(data: dict) -> "NuanceModel":
        return NuanceModel(tuple(data["features"]), tuple(data["classes"]), np.asarray(data["mean"]), np.asarray(data["scale"]),
                           np.asarray(data["weights"]), np.asarray(data["bias"]))

    @staticmethod
    def bundled() -> "NuanceModel":
        data = json.loads(resources.files("storyline.pipeline").joinpath("params", PARAMS_FILE).read_text(encoding="utf-8"))
        return NuanceModel.from_dict(data["model"])
