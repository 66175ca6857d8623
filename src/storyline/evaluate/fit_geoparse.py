"""``storyline fit geoparse``: learn which candidate spans are toponyms.

Every candidate span ``geoparser.geonames.v2`` would consider (entity spans
of any place-like label, names introduced by their kind, capitalised names
the gazetteer knows well; see :mod:`storyline.pipeline.geo.spans`) is a
positive when it is exactly a gold toponym's span (any toponym class except
GeoWebNews' three non-toponym classes) and a negative otherwise. A logistic
regression over the span features is fitted on all files together; the
decision threshold that maximises span F1 on the training files is folded
into the bias, so the fitted model keeps a span at probability 0.5.

The output JSON records the files it was fitted on (name, rows, sha256) and
the command that made it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .. import registry
from ..pipeline.geo.gazetteer import Gazetteer
from ..pipeline.geo.spans import FEATURES
from ..pipeline.geo.places import GazetteerGeoparser
from ..settings import Options, load_options
from .files import sha256_of
from .learners import logistic_regression
from .geoparse import NON_TOPONYM_TYPES, load_geoparsing

__all__ = ["candidate_matrix", "fit_span_model", "THRESHOLDS"]

THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.20, 0.81, 0.05))


def candidate_matrix(rows: Sequence[dict[str, Any]], spans: Sequence[Sequence[tuple[int, int, str]]],
                     geoparser: GazetteerGeoparser) -> tuple[np.ndarray, np.ndarray, int]:
    """Features and labels of every candidate span, and the number of gold toponyms."""
    x, y = [], []
    n_gold = 0
    for row, entities in zip(rows, spans):
        gold = {(t["start"], t["end"]) for t in row["toponyms"] if t.get("type") not in NON_TOPONYM_TYPES}
        n_gold += len(gold)
        for topo, features in geoparser.span_candidates(row["text"], entities):
            x.append([features[f] for f in FEATURES])
            y.append(1.0 if (topo.start, topo.end) in gold else 0.0)
    return np.array(x, dtype=np.float64).reshape(-1, len(FEATURES)), np.array(y, dtype=np.float64), n_gold


def _f1(p: np.ndarray, y: np.ndarray, n_gold: int, threshold: float) -> float:
    keep = p >= threshold
    tp = float((y[keep] == 1).sum())
    precision = tp / keep.sum() if keep.sum() else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def fit_span_model(corpora: Sequence[str | Path], options: Options | None = None, *,
                   spans: Sequence[Sequence[Sequence[tuple[int, int, str]]]] | None = None,
                   geoparser: GazetteerGeoparser | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fit the span model on gold geoparsing files; return the parameter document.

    ``spans`` may hold the entity spans of each file's articles, computed
    earlier by the configured extractor; otherwise it runs here.
    """
    options = options or load_options()
    geoparser = geoparser or GazetteerGeoparser(Gazetteer(options.gazetteer or None), abbreviations=True)
    extractor = None
    xs, ys, golds, files = [], [], [], []
    for i, path in enumerate(corpora):
        rows = load_geoparsing(path)
        if spans is not None:
            entities = spans[i]
        else:
            extractor = extractor or registry.create(options.entities, options)
            entities = extractor.extract([row["text"] for row in rows])
        x, y, n_gold = candidate_matrix(rows, entities, geoparser)
        log(f"{Path(path).name}: {len(rows)} articles, {len(y)} candidate spans ({int(y.sum())} gold), {n_gold} gold toponyms")
        xs.append(x)
        ys.append(y)
        golds.append(n_gold)
        files.append({"file": Path(path).name, "rows": len(rows), "sha256": sha256_of(path)})
    x, y = np.vstack(xs), np.concatenate(ys)
    weights, bias = logistic_regression(x, y, l2=1.0)
    # each file counts once, however many spans it has
    sweep = []
    for t in THRESHOLDS:
        f1s = [_f1(1.0 / (1.0 + np.exp(-np.clip(xi @ weights + bias, -50, 50))), yi, gi, t) for xi, yi, gi in zip(xs, ys, golds)]
        sweep.append((t, float(np.mean(f1s))))
    threshold, best = max(sweep, key=lambda s: (s[1], -abs(s[0] - 0.5)))
    log(f"threshold {threshold:.2f}: mean candidate-span F1 of the training files {best:.4f}")
    return {
        "model": "geoparser.geonames.v2 span model (logistic regression)",
        "features": list(FEATURES),
        "weights": {f: round(float(w), 6) for f, w in zip(FEATURES, weights)},
        "bias": round(bias - math.log(threshold / (1 - threshold)), 6),
        "chosen_threshold": threshold,
        "training_span_f1": round(best, 4),
        "entities": options.entities,
        "fitted_on": files,
        "command": "storyline fit geoparse " + " ".join(Path(p).name for p in corpora),
    }
