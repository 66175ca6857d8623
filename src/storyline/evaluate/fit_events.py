"""``storyline fit events``: fit the event type classifier on ACLED notes.

The classifier of ``eventtype.linear.v1`` is a multinomial logistic
regression over binary word uni- and bigram features weighted by idf (see
:mod:`storyline.pipeline.record.eventtype`). Fitting is plain numpy (full-batch
gradient descent with Adam on the L2-regularised cross-entropy), so no extra
is needed.

Honest numbers: the rows are split once, by a hash of their id, into a
training part (4/5) and a held-out part (1/5). The regularisation strength is
chosen on a split of the training part alone; the held-out scores are
measured with a model fitted on the training part only; the parameters
written are then refitted on every row. The output records the file it was
fitted on (name, rows, sha256) and the held-out scores.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import Codes, InputError
from ..pipeline.record.eventtype import ACLED_SUB_EVENT_TYPES, LinearEventTyper, encode_array, ngrams
from .files import bad_line, read_objects, sha256_of
from .events import macro_f1

__all__ = ["load_acled", "fit_event_typer", "fit_without_heldout", "train", "split_heldout", "softmax_regression", "SparseRows", "PARAMS_INDENT"]

VOCABULARY_SIZE = 12000
MIN_DF = 2
L2_GRID = (1e-5, 3e-5, 1e-4)
EPOCHS = 250
#: the parameter file holds long base64 arrays: one key per line keeps its diffs readable
PARAMS_INDENT = 1


def load_acled(path: str | Path) -> list[dict[str, Any]]:
    """ACLED rows (``text`` and ``gold.event_type``/``gold.sub_event_type``); InputError names the bad line."""
    rows = []
    for number, row in read_objects(path):
        gold = row.get("gold")
        if not isinstance(row.get("text"), str) or not isinstance(gold, dict):
            raise bad_line(path, number, "expected an ACLED row with 'text' and a 'gold' object")
        sub = gold.get("sub_event_type")
        if sub not in ACLED_SUB_EVENT_TYPES:
            raise bad_line(path, number, f"field 'gold.sub_event_type': {sub!r} is not an ACLED sub-event type", Codes.BAD_FIELD)
        rows.append(row)
    return rows


def split_heldout(rows: Sequence[dict[str, Any]], parts: int = 5) -> tuple[list[int], list[int]]:
    """Indices of the training and held-out rows: held out when a hash of the id (or text) falls in one of ``parts``."""
    train, held = [], []
    for i, row in enumerate(rows):
        key = str(row.get("id") or row["text"])
        (held if int(hashlib.sha256(key.encode()).hexdigest(), 16) % parts == 0 else train).append(i)
    return train, held


def _vocabulary(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(ngrams(text)))
    kept = sorted((t for t, n in df.items() if n >= MIN_DF), key=lambda t: (-df[t], t))[:VOCABULARY_SIZE]
    idf = np.array([math.log((1 + len(texts)) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)
    return kept, idf


class SparseRows:
    """A sparse row matrix (each row: term indices and values) with the two products the fit needs.

    The kind typer's training set is thousands of texts over tens of thousands
    of terms; dense it is gigabytes and every epoch a full product, sparse it
    costs the number of terms present.
    """

    def __init__(self, indices: Sequence[np.ndarray], values: Sequence[np.ndarray], n_features: int) -> None:
        self.shape = (len(indices), n_features)
        self.columns = np.concatenate(indices).astype(np.int64) if indices else np.zeros(0, np.int64)
        self.values = np.concatenate(values).astype(np.float32) if values else np.zeros(0, np.float32)
        lengths = np.array([len(i) for i in indices], dtype=np.int64)
        self.rows = np.repeat(np.arange(len(indices)), lengths)
        self._filled = np.nonzero(lengths)[0]
        self._starts = (np.cumsum(lengths) - lengths)[self._filled]

    def __matmul__(self, w: np.ndarray) -> np.ndarray:
        out = np.zeros((self.shape[0], w.shape[1]), dtype=np.float32)
        if len(self._filled):
            out[self._filled] = np.add.reduceat(w[self.columns] * self.values[:, None], self._starts, axis=0)
        return out

    def transposed_times(self, e: np.ndarray) -> np.ndarray:
        """``x.T @ e``."""
        weighted = e[self.rows] * self.values[:, None]
        return np.stack([np.bincount(self.columns, weights=weighted[:, k], minlength=self.shape[1]) for k in range(e.shape[1])],
                        axis=1).astype(np.float32)


def softmax_regression(x: np.ndarray, y: np.ndarray, n_classes: int, l2: float, epochs: int = EPOCHS,
                       sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features x classes) and bias minimising (weighted) mean cross-entropy + l2/2 |W|^2 (Adam, full batch)."""
    n, d = x.shape
    w = np.zeros((d, n_classes), dtype=np.float32)
    b = np.zeros(n_classes, dtype=np.float32)
    onehot = np.zeros((n, n_classes), dtype=np.float32)
    onehot[np.arange(n), y] = 1.0
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    rate, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    for step in range(1, epochs + 1):
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) / n if sample_weight is None else (p - onehot) * (sample_weight / sample_weight.sum())[:, None]
        g_w = (x.transposed_times(error) if isinstance(x, SparseRows) else x.T @ error) + l2 * w
        g_b = error.sum(axis=0)
        for g, m, v, param in ((g_w, m_w, v_w, w), (g_b, m_b, v_b, b)):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            param -= rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
    return w, b


def train(texts: Sequence[str], labels: Sequence[str], l2: float) -> dict[str, Any]:
    """Fit the classifier; return the parameter document's model part."""
    classes = sorted(set(labels))
    vocabulary, idf = _vocabulary(texts)
    params = {"classes": classes, "vocabulary": vocabulary, "idf": encode_array(idf, "float32"),
              "weights": encode_array(np.zeros((len(vocabulary), len(classes)))), "bias": encode_array(np.zeros(len(classes)))}
    typer = LinearEventTyper(params)
    x = typer.features(texts)
    y = np.array([classes.index(label) for label in labels])
    w, b = softmax_regression(x, y, len(classes), l2)
    params["weights"] = encode_array(w)
    params["bias"] = encode_array(b, "float32")
    return params


def score(params: dict[str, Any], texts: Sequence[str], rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Event type accuracy and macro-F1, sub-event type accuracy of a fitted model on ``rows``."""
    typer = LinearEventTyper(params)
    p = typer.probabilities(texts)
    predicted = [typer.classes[i] for i in p.argmax(axis=1)]
    gold_sub = [r["gold"]["sub_event_type"] for r in rows]
    gold_type = [r["gold"]["event_type"] for r in rows]
    pred_type = [ACLED_SUB_EVENT_TYPES[s] for s in predicted]
    return {
        "n": len(rows),
        "event_type_accuracy": float(np.mean([a == b for a, b in zip(gold_type, pred_type)])),
        "event_type_macro_f1": macro_f1(gold_type, pred_type),
        "sub_event_type_accuracy": float(np.mean([a == b for a, b in zip(gold_sub, predicted)])),
    }


def fit_without_heldout(rows: Sequence[dict[str, Any]], l2: float) -> tuple[dict[str, Any], list[int]]:
    """The classifier fitted on the training part of ``rows`` only (the :func:`split_heldout` four fifths).

    What ``storyline eval events --split heldout`` scores the held-out fifth
    with, so no held-out note is in the fit; ``l2`` is the bundled model's,
    which :func:`fit_event_typer` chose inside the training part. Returns the
    model part and the indices of the rows it was fitted on.
    """
    train_idx, _ = split_heldout(rows)
    if not train_idx:
        raise InputError("no training rows: every row falls in the held-out fifth", code=Codes.EMPTY_FILE)
    params = train([rows[i]["text"] for i in train_idx], [rows[i]["gold"]["sub_event_type"] for i in train_idx], l2)
    return params, train_idx


def fit_event_typer(path: str | Path, log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Choose the regularisation, measure on the held-out part, refit on all rows; the parameter document."""
    rows = load_acled(path)
    texts = [r["text"] for r in rows]
    labels = [r["gold"]["sub_event_type"] for r in rows]
    train_idx, held_idx = split_heldout(rows)
    # the regularisation is chosen inside the training part: a second hash split of it
    inner_fit, inner_val = split_heldout([{"id": f"inner:{rows[i].get('id')}", "text": texts[i]} for i in train_idx])
    inner_fit = [train_idx[i] for i in inner_fit]
    inner_val = [train_idx[i] for i in inner_val]
    grid = []
    for l2 in L2_GRID:
        params = train([texts[i] for i in inner_fit], [labels[i] for i in inner_fit], l2)
        s = score(params, [texts[i] for i in inner_val], [rows[i] for i in inner_val])
        grid.append({"l2": l2, **s})
        log(f"l2 {l2:g}: inner validation macro-F1 {s['event_type_macro_f1']:.4f}, sub-event accuracy {s['sub_event_type_accuracy']:.4f}")
    best = max(grid, key=lambda g: (g["event_type_macro_f1"] + g["sub_event_type_accuracy"], -g["l2"]))
    params = train([texts[i] for i in train_idx], [labels[i] for i in train_idx], best["l2"])
    heldout = score(params, [texts[i] for i in held_idx], [rows[i] for i in held_idx])
    log(f"held-out ({heldout['n']} rows, model fitted on {len(train_idx)}): event type accuracy {heldout['event_type_accuracy']:.4f}, "
        f"macro-F1 {heldout['event_type_macro_f1']:.4f}, sub-event type accuracy {heldout['sub_event_type_accuracy']:.4f}")
    final = train(texts, labels, best["l2"])
    return {
        "model": "eventtype.linear.v1: multinomial logistic regression over idf-weighted word uni- and bigrams",
        "l2": best["l2"],
        "l2_grid": grid,
        "heldout_scores": heldout,
        "fitted_on": [{"file": Path(path).name, "rows": len(rows), "sha256": sha256_of(path)}],
        "command": f"storyline fit events {Path(path).name}",
        **final,
    }
