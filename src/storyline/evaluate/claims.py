"""ClaimDiff: fit and measure the nuance model (strengthen / weaken / neutral) of claim pairs.

``storyline fit claims claimdiff_train.jsonl`` fits the model on the training
split only: the class weights (the inverse class frequency to a power in
0..1) and the L2 penalty are chosen by accuracy + macro-F1 on a held-out fifth of the
training *topics* (pairs of one topic, and a pair and its swapped copy, never
sit on both sides), then the model is refitted on the whole split. A lexical
baseline (the same learner on lengths and word overlap only) and the
majority class are fitted the same way and stored beside it, so
``storyline eval claims claimdiff_test.jsonl`` reports all three.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..pipeline.compare.framing import Lexicons
from ..pipeline.compare.nuance import CLASSES, FEATURES, LEXICAL_FEATURES, PARAMS_FILE, NuanceModel, fit_softmax, pair_features
from .files import bad_line, read_objects, sha256_of

__all__ = ["load_pairs", "fit_nuance", "evaluate_claims", "scores", "default_lexicons"]

_WEIGHT_POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)
_L2 = (1.0, 10.0, 100.0)


def default_lexicons(corpus: str | Path, setting: str = "") -> Lexicons | None:
    """The lexicons of the ``lexicons`` setting, else ``../lexicons`` beside the claims folder, else none."""
    for folder in (setting, Path(corpus).resolve().parent.parent / "lexicons"):
        if folder and Path(folder).is_dir():
            return Lexicons.load(folder)
    return None


def load_pairs(path: str | Path) -> list[dict[str, Any]]:
    out = []
    for line, row in read_objects(path):
        for key in ("claim_a", "claim_b", "label", "topic"):
            if not isinstance(row.get(key), str):
                raise bad_line(path, line, f"field {key!r} must be a string")
        if row["label"] not in CLASSES:
            raise bad_line(path, line, f"label {row['label']!r} is not one of {', '.join(CLASSES)}")
        out.append(row)
    return out


def features(pairs: Sequence[dict[str, Any]], lexicons: Lexicons | None, embedder) -> np.ndarray:
    texts = sorted({p["claim_a"] for p in pairs} | {p["claim_b"] for p in pairs})
    index = {t: i for i, t in enumerate(texts)}
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    return np.array([pair_features(p["claim_a"], p["claim_b"], lexicons,
                                   float(vectors[index[p["claim_a"]]] @ vectors[index[p["claim_b"]]])) for p in pairs])


def _fit(x: np.ndarray, y: np.ndarray, columns: Sequence[int], names: Sequence[str], power: float, l2: float) -> NuanceModel:
    sub = x[:, columns]
    mean, scale = sub.mean(axis=0), sub.std(axis=0)
    scale[scale == 0] = 1.0
    freq = np.bincount(y, minlength=len(CLASSES)) / len(y)
    weights = (1.0 / np.maximum(freq, 1e-9)) ** power
    w, b = fit_softmax((sub - mean) / scale, y, len(CLASSES), weights, l2)
    return NuanceModel(tuple(names), CLASSES, mean, scale, w, b)


def scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-class precision / recall / F1."""
    per_class = {}
    for c in CLASSES:
        tp = sum(g == c and p == c for g, p in zip(gold, predicted))
        fp = sum(g != c and p == c for g, p in zip(gold, predicted))
        fn = sum(g == c and p != c for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": tp + fn}
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / max(1, len(gold))
    return {"accuracy": round(accuracy, 4), "macro_f1": round(float(np.mean([v["f1"] for v in per_class.values()])), 4),
            "per_class": per_class}


def _held_out(pairs: Sequence[dict[str, Any]]) -> np.ndarray:
    """A fifth of the topics, chosen by a hash of the topic (deterministic, independent of file order)."""
    return np.array([int(hashlib.sha256(p["topic"].encode("utf-8")).hexdigest(), 16) % 5 == 0 for p in pairs])


def _choose(x: np.ndarray, y: np.ndarray, held: np.ndarray, names: Sequence[str]) -> tuple[NuanceModel, dict[str, Any]]:
    columns = [FEATURES.index(n) for n in names]
    best = None
    for power in _WEIGHT_POWERS:
        for l2 in _L2:
            model = _fit(x[~held], y[~held], columns, names, power, l2)
            s = scores([CLASSES[i] for i in y[held]], model.predict(x[held][:, columns]))
            # accuracy and macro-F1 together: class weights buy minority-class recall with majority-class accuracy
            value = s["accuracy"] + s["macro_f1"]
            if best is None or value > best[0]:
                best = (value, power, l2, s)
    _, power, l2, s = best
    return _fit(x, y, columns, names, power, l2), {"class_weight_power": power, "l2": l2, "held_out_accuracy": s["accuracy"],
                                                    "held_out_macro_f1": s["macro_f1"]}


def fit_nuance(corpus: str, options, log: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    """The parameter document of the nuance model fitted on ``corpus`` (the ClaimDiff training split)."""
    from .. import registry

    pairs = load_pairs(corpus)
    lexicons = default_lexicons(corpus, getattr(options, "lexicons", ""))
    embedder = registry.create(options.embedder, options)
    log(f"{len(pairs)} pairs; lexicons: {lexicons.folder if lexicons else 'none'}; embedder {options.embedder}")
    x = features(pairs, lexicons, embedder)
    y = np.array([CLASSES.index(p["label"]) for p in pairs])
    held = _held_out(pairs)
    model, chosen = _choose(x, y, held, FEATURES)
    baseline, chosen_baseline = _choose(x, y, held, LEXICAL_FEATURES)
    log(f"chosen on {int(held.sum())} held-out pairs: {chosen}; lexical baseline: {chosen_baseline}")
    majority = CLASSES[int(np.bincount(y).argmax())]
    return {"model": model.to_dict(), "lexical_baseline": baseline.to_dict(), "majority": majority,
            "chosen": chosen, "chosen_lexical_baseline": chosen_baseline, "embedder": options.embedder,
            "lexicons": bool(lexicons), "inputs": {Path(corpus).name: sha256_of(corpus)}}


def evaluate_claims(corpus: str, options, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-class P/R/F1 of the bundled model on ``corpus``, with the baselines."""
    import json
    from importlib import resources

    from .. import registry

    started = time.perf_counter()
    if params is None:
        params = json.loads(resources.files("storyline.pipeline").joinpath("params", PARAMS_FILE).read_text(encoding="utf-8"))
    pairs = load_pairs(corpus)
    lexicons = default_lexicons(corpus, getattr(options, "lexicons", ""))
    x = features(pairs, lexicons, registry.create(params.get("embedder") or options.embedder, options))
    gold = [p["label"] for p in pairs]
    model = NuanceModel.from_dict(params["model"])
    baseline = NuanceModel.from_dict(params["lexical_baseline"])
    out = {"n_pairs": len(pairs), **scores(gold, model.predict(x))}
    out["lexical_baseline"] = scores(gold, baseline.predict(x[:, [FEATURES.index(n) for n in baseline.features]]))
    out["majority_baseline"] = {"label": params["majority"], **scores(gold, [params["majority"]] * len(gold))}
    out["lexicons"] = bool(lexicons)
    out["embedder"] = params.get("embedder") or options.embedder
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out
