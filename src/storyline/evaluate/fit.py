"""``storyline fit cluster``: learn the join model of the online clusterer.

Following Miranda et al. (2018), the decision "does this article belong to
that event?" is a logistic regression over similarity features. Training
pairs come from replaying each labelled corpus in stream order with the gold
clustering as the state (teacher forcing): every candidate event the vector
index proposes for an article is a positive when it is the article's gold
event and a negative otherwise. Each corpus with headlines is replayed twice,
on full texts and on headlines alone, so one model serves both. The join
threshold and the merge threshold of the second pass are then chosen by
replaying the real clusterer (no gold, second pass after each batch, as the
engine runs it) over a grid; the join threshold is folded into the bias, so
the fitted model joins at probability 0.5.

The output JSON records the files it was fitted on (name, rows, sha256).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..engine import Storyline
from ..model import RawRecord
from ..pipeline.cluster import FEATURES, ClusterItem, EventState, OnlineClusterer, Params
from ..pipeline.normalise import to_article
from ..settings import Options, load_options
from ..store.vectors import VectorIndex, day_range, vector_id
from .clustering import load_corpus, pipeline_records
from .files import sha256_of
from .metrics import score_clustering

__all__ = ["fit_clusterer", "prepare", "replay", "logistic_regression"]

JOIN_THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)
MERGE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def prepare(path: str | Path, engine: Storyline, titles_only: bool) -> tuple[list[ClusterItem], list[str]]:
    """Analyse a corpus once: its cluster items in stream order and their gold events."""
    rows = load_corpus(path)
    records = pipeline_records(rows, titles_only)
    articles = [to_article(RawRecord(str(path), i + 1, r)) for i, r in enumerate(records)]
    order = sorted(range(len(articles)), key=lambda i: (articles[i].published is None, articles[i].published or "", i))
    articles = [articles[i] for i in order]
    gold = [rows[i]["event"] for i in order]
    analyses = engine.analyse(articles)
    return [a.item for a in analyses], gold


def _neighbours(index: VectorIndex, item: ClusterItem, options: Options) -> list[tuple[str, float]]:
    window = day_range(item.date, options.event_window_days) if item.date else None
    return index.search(item.vector, options.event_candidates, window)


def replay(items: Sequence[ClusterItem], params: Params, threshold: float, options: Options,
           merge_threshold: float | None = None) -> list[str]:
    """Run the clusterer over prepared items as the engine does (second pass after each batch); their events."""
    clusterer = OnlineClusterer(params, threshold, options.event_window_days, memory=options.event_memory,
                                merge_threshold=merge_threshold)
    index = VectorIndex(len(items[0].vector))
    batch = max(1, int(options.batch_size))
    for n, item in enumerate(items, start=1):
        clusterer.assign(item, _neighbours(index, item, options))
        index.add([vector_id(item.date, n)], [item.key], item.vector.reshape(1, -1))
        if n % batch == 0 or n == len(items):
            clusterer.refine()
    return [clusterer.event_of[item.key] for item in items]


def teacher_forced_pairs(items: Sequence[ClusterItem], gold: Sequence[str], options: Options) -> tuple[np.ndarray, np.ndarray]:
    """Features of (article, candidate event) pairs with the gold clustering as state."""
    clusterer = OnlineClusterer(Params({}, 0.0), 0.5, options.event_window_days)
    index = VectorIndex(len(items[0].vector))
    event_of_gold: dict[str, str] = {}
    rows, labels = [], []
    for n, (item, label) in enumerate(zip(items, gold), start=1):
        clusterer.entity_vocab.add(item.entities)
        clusterer.term_vocab.add(item.terms)
        for event_id, cos_max in clusterer.candidates(item, _neighbours(index, item, options)).items():
            feats = clusterer.features(item, clusterer.events[event_id], cos_max)
            rows.append([feats[f] for f in FEATURES])
            labels.append(1.0 if event_of_gold.get(label) == event_id else 0.0)
        if label in event_of_gold:
            event = clusterer.events[event_of_gold[label]]
        else:
            event = EventState(clusterer.new_event_id(), np.zeros_like(item.vector))
            clusterer.events[event.id] = event
            event_of_gold[label] = event.id
        event.add(item)
        clusterer.event_of[item.key] = event.id
        index.add([vector_id(item.date, n)], [item.key], item.vector.reshape(1, -1))
    return np.array(rows, dtype=np.float64), np.array(labels, dtype=np.float64)


def _jitter(items: Sequence[ClusterItem], gold: Sequence[str], rng: np.random.Generator, days: int = 2):
    """Items with dates shifted later by 0..days, re-sorted into stream order with their labels."""
    shifted = []
    for item, label in zip(items, gold):
        if item.date is not None:
            item = dataclasses.replace(item, date=item.date + dt.timedelta(days=int(rng.integers(0, days + 1))))
        shifted.append((item, label))
    shifted.sort(key=lambda pair: (pair[0].date is None, pair[0].date or dt.date.min))
    return [i for i, _ in shifted], [g for _, g in shifted]


def logistic_regression(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method; (weights, bias)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -50, 50)))
        gradient = design.T @ (p - y) + penalty @ beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def _sweep(datasets, log, label: str, run) -> dict[str, Any]:
    """Score ``run(items) -> predicted events`` on every dataset; the mean of B3-F1 and pairwise F1."""
    scores = []
    for name, items, gold in datasets:
        s = score_clustering(gold, run(items))
        scores.append({"corpus": name, "b3_f1": s.b3_f1, "pairwise_f1": s.pairwise_f1})
    mean = float(np.mean([(s["b3_f1"] + s["pairwise_f1"]) / 2 for s in scores]))
    log(f"{label}: mean of B3-F1 and pairwise F1 {mean:.4f}")
    return {"objective": mean, "scores": scores}


def fit_clusterer(corpora: Sequence[str | Path], options: Options | None = None, log=print) -> dict[str, Any]:
    """Fit the join model on labelled corpora; return the parameter document.

    Three steps: the logistic join model on teacher-forced pairs; then the
    join threshold, replaying the clusterer with its second pass (merging at
    the same probability); then the merge threshold of the second pass. Both
    thresholds maximise the mean of B3-F1 and pairwise F1 over the corpora.
    """
    options = options or load_options()
    datasets = []
    with tempfile.TemporaryDirectory(prefix="storyline-fit-") as tmp:
        with Storyline(Path(tmp) / "fit.db", options) as engine:
            for path in corpora:
                has_titles = any(row.get("title") for row in load_corpus(path))
                for titles_only in (False, True) if has_titles else (False,):
                    items, gold = prepare(path, engine, titles_only)
                    datasets.append((f"{Path(path).name}{' (titles)' if titles_only else ''}", items, gold))
                    log(f"analysed {datasets[-1][0]}: {len(items)} articles")
    # Reports of one event in a real stream spread over days; in some dev corpora
    # they share one date. Training on dates jittered by 0-2 days keeps the model
    # from learning that any gap at all means a different event.
    rng = np.random.default_rng(0)
    xs, ys = zip(*(teacher_forced_pairs(*_jitter(items, gold, rng), options) for _, items, gold in datasets))
    x, y = np.vstack(xs), np.concatenate(ys)
    log(f"training pairs: {len(y)} ({int(y.sum())} positive)")
    weights, bias = logistic_regression(x, y)
    raw = Params(dict(zip(FEATURES, map(float, weights))), bias)
    joins = []
    for t in JOIN_THRESHOLDS:
        result = _sweep(datasets, log, f"join threshold {t:.2f}", lambda items: replay(items, raw, t, options, t))
        joins.append(result | {"threshold": t})
    join = max(joins, key=lambda s: (s["objective"], -abs(s["threshold"] - 0.5)))["threshold"]
    merges = []
    for m in MERGE_THRESHOLDS:
        result = _sweep(datasets, log, f"join {join:.2f}, merge threshold {m:.2f}",
                        lambda items: replay(items, raw, join, options, m))
        merges.append(result | {"threshold": m})
    best = max(merges, key=lambda s: (s["objective"], -abs(s["threshold"] - 0.5)))
    logit = math.log(join / (1 - join))
    # the join threshold is folded into the bias (the shipped model joins at 0.5);
    # the merge threshold is restated on that shifted scale
    merge = 1.0 / (1.0 + math.exp(-(math.log(best["threshold"] / (1 - best["threshold"])) - logit)))
    return {
        "model": "clusterer.online.v2 join model (logistic regression) and second-pass merge threshold",
        "features": list(FEATURES),
        "weights": {f: round(float(w), 6) for f, w in zip(FEATURES, weights)},
        "bias": round(bias - logit, 6),
        "merge_threshold": round(merge, 6),
        "chosen_threshold": join,
        "chosen_merge_threshold": best["threshold"],
        "dev_scores": best["scores"],
        "embedder": options.embedder,
        "settings": {k: options[k] for k in ("event_window_days", "event_candidates", "embed_chars", "event_memory", "batch_size")},
        "fitted_on": [{"file": Path(p).name, "rows": len(load_corpus(p)), "sha256": sha256_of(p)} for p in corpora],
        "command": "storyline fit cluster " + " ".join(Path(p).name for p in corpora),
    }


