"""A linear text classifier over word n-grams: the scorer both typers share.

The model is a multinomial logistic regression over binary word uni- and
bigram features weighted by idf and scaled to unit length; its parameters are
a JSON document (``classes``, ``vocabulary``, ``idf``, ``weights``, ``bias``,
arrays as base64) written by a ``storyline fit ...`` command. Scoring sums
only the weights of the terms a text contains, so a text costs its length,
not the vocabulary size.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Sequence

import numpy as np

__all__ = ["NgramSoftmax", "ngrams", "encode_array", "decode_array"]

_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d+")


def ngrams(text: str) -> list[str]:
    """Lower-cased word unigrams and bigrams; every number becomes ``0``."""
    tokens = ["0" if t[0].isdigit() else t for t in _TOKEN.findall(text.lower())]
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def decode_array(blob: dict[str, Any]) -> np.ndarray:
    raw = base64.b64decode(blob["data"])
    return np.frombuffer(raw, dtype=np.dtype(blob["dtype"])).reshape(blob["shape"]).astype(np.float32)


def encode_array(array: np.ndarray, dtype: str = "float16") -> dict[str, Any]:
    """An array as a JSON-ready dict (base64 of its bytes), for parameter files."""
    data = np.ascontiguousarray(array.astype(dtype))
    return {"dtype": dtype, "shape": list(data.shape), "data": base64.b64encode(data.tobytes()).decode("ascii")}


class NgramSoftmax:
    """Class probabilities of texts from a fitted parameter document."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.classes: list[str] = list(params["classes"])
        self.vocabulary = {term: i for i, term in enumerate(params["vocabulary"])}
        self.idf = decode_array(params["idf"])
        self.weights = decode_array(params["weights"])  # (features, classes)
        self.bias = decode_array(params["bias"])

    def _terms(self, text: str) -> list[int]:
        return sorted({self.vocabulary[g] for g in ngrams(text) if g in self.vocabulary})

    def sparse_features(self, texts: Sequence[str]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The rows of :meth:`features` as (term indices, values) per text."""
        indices, values = [], []
        for text in texts:
            idx = np.asarray(self._terms(text), dtype=np.int64)
            v = self.idf[idx] if len(idx) else np.zeros(0, np.float32)
            indices.append(idx)
            values.append(v / np.linalg.norm(v) if len(idx) else v)
        return indices, values

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """TF-IDF rows (binary term presence times idf, unit length) over the fitted vocabulary."""
        x = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for row, text in enumerate(texts):
            idx = self._terms(text)
            if idx:
                values = self.idf[idx]
                x[row, idx] = values / np.linalg.norm(values)
        return x

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each class (columns in ``self.classes``)."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        logits = np.tile(self.bias, (len(texts), 1)).astype(np.float32)
        for row, text in enumerate(texts):
            idx = self._terms(text)
            if idx:
                values = self.idf[idx]
                logits[row] += (values / np.linalg.norm(values)) @ self.weights[idx]
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)
