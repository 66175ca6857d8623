"""``storyline fit cluster``: learn the models of the online clusterer.

Following Miranda et al. (2018), the decision "does this article belong to
that event?" is a classifier over similarity features (the join model). The
fit has three steps:

1. **Teacher forcing.** Each labelled corpus is replayed in stream order with
   the gold clustering as the state: every candidate event the vector index
   proposes for an article is a positive when it is the article's gold event
   and a negative otherwise. Corpora with headlines are replayed twice, on
   full texts and on headlines alone, so one model serves both. A logistic
   join model is fitted on these pairs.
2. **The clusterer's own trajectory** (one round of DAgger, Ross et al. 2011).
   A clusterer with that model is replayed over the corpora as the engine runs
   it, second pass included. Its real states hold mistakes the gold state
   never has: half-formed events, a wrong report already joined. Every
   candidate it scores becomes a pair labelled by the gold event most of the
   candidate's reports belong to; every pair of report groups its second pass
   compares (the halves of a bisected event, two events it might merge)
   becomes an event pair. The join model is refitted on both kinds of article
   pairs; the event model of the second pass, a small network (one hidden
   layer), is fitted on the event pairs.
3. **Thresholds.** The join threshold (the second pass splits below the same
   value of the event model) and the merge threshold are chosen on a grid by
   replaying the real clusterer, maximising the mean of B3-F1 and pairwise F1
   over the corpora. The join threshold is folded into the join model's bias,
   so the shipped model joins at probability 0.5.

The output JSON records the files it was fitted on (name, rows, sha256).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..engine import Storyline
from ..engine.ingest import neighbours, stream_events
from ..model import RawRecord
from ..pipeline.cluster import FEATURES, ClusterItem, EventState, OnlineClusterer, Params
from ..pipeline.normalise import to_article
from ..pipeline.cluster.scoring import Scorer, logit
from ..settings import Options, load_options
from ..store.vectors import FaissIndex, vector_id
from .clustering import load_corpus, pipeline_records
from .files import sha256_of
from .learners import fit_logistic, train_mlp
from .metrics import score_clustering

__all__ = ["fit_clusterer", "prepare", "replay", "run_stream", "teacher_forced_pairs", "trajectory_pairs"]

JOIN_THRESHOLDS = (0.3, 0.4, 0.5)
MERGE_THRESHOLDS = (0.4, 0.5, 0.6, 0.7)
#: thresholds of the clusterer whose trajectory yields the second round of training pairs
TRAJECTORY_THRESHOLDS = (0.3, 0.5)
#: the event model: hidden tanh units, L2 penalty, Adam steps, seed
EVENT_MODEL = {"hidden": 8, "l2": 3e-3, "iterations": 3000, "seed": 0}


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


def run_stream(clusterer: OnlineClusterer, items: Sequence[ClusterItem], options: Options) -> list[str]:
    """Feed prepared items to ``clusterer`` as the engine does (second pass after each batch); their events."""
    return stream_events(clusterer, items, options)


def replay(items: Sequence[ClusterItem], join: Scorer, threshold: float, options: Options,
           merge_threshold: float | None = None, event: Scorer | None = None) -> list[str]:
    """Events of a clusterer with these models run over ``items``: it joins at ``threshold`` of the join
    model; its second pass splits below ``threshold`` and merges at ``merge_threshold`` of the ``event``
    model (the join model when None)."""
    clusterer = OnlineClusterer(join, threshold, options.event_window_days, memory=options.event_memory,
                                merge_threshold=merge_threshold, event_params=event)
    return run_stream(clusterer, items, options)


def teacher_forced_pairs(items: Sequence[ClusterItem], gold: Sequence[str], options: Options) -> tuple[np.ndarray, np.ndarray]:
    """Features of (article, candidate event) pairs with the gold clustering as state."""
    clusterer = OnlineClusterer(Params({}, 0.0), 0.5, options.event_window_days)
    index = FaissIndex(len(items[0].vector))
    event_of_gold: dict[str, str] = {}
    rows, labels = [], []
    for n, (item, label) in enumerate(zip(items, gold), start=1):
        clusterer.entity_vocab.add(item.entities)
        clusterer.term_vocab.add(item.terms)
        for event_id, cos_max in clusterer.candidates(item, neighbours(index, item, options)).items():
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


class _Recorder(OnlineClusterer):
    """A clusterer that writes down, with its gold label, every pair it scores."""

    def __init__(self, gold_of: dict[str, str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gold_of = gold_of
        self.pairs: list[list[float]] = []
        self.labels: list[float] = []
        self.event_pairs: list[list[float]] = []
        self.event_labels: list[float] = []

    def _majority(self, event: EventState) -> str | None:
        counts = Counter(self.gold_of[k] for k in event.members if k in self.gold_of)
        return counts.most_common(1)[0][0] if counts else None

    def score_candidates(self, item, neighbours):
        scored = super().score_candidates(item, neighbours)
        for _p, event_id, feats in scored:
            self.pairs.append([feats[f] for f in FEATURES])
            self.labels.append(1.0 if self._majority(self.events[event_id]) == self.gold_of[item.key] else 0.0)
        return scored

    def _event_score(self, small, big):
        score, feats = super()._event_score(small, big)
        self.event_pairs.append([feats[f] for f in FEATURES])
        self.event_labels.append(1.0 if self._majority(small) == self._majority(big) else 0.0)
        return score, feats


def trajectory_pairs(items: Sequence[ClusterItem], gold: Sequence[str], join: Scorer, options: Options,
                     threshold: float, merge_threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Article pairs and event pairs met by a clusterer replaying ``items``, labelled by gold majorities."""
    recorder = _Recorder(dict(zip((i.key for i in items), gold)), join, threshold, options.event_window_days,
                         memory=options.event_memory, merge_threshold=merge_threshold)
    run_stream(recorder, items, options)
    as_array = lambda rows: np.array(rows, dtype=np.float64).reshape(-1, len(FEATURES))
    return (as_array(recorder.pairs), np.array(recorder.labels), as_array(recorder.event_pairs),
            np.array(recorder.event_labels))


def _sweep(datasets, log, label: str, run) -> dict[str, Any]:
    """Score ``run(items) -> predicted events`` on every dataset; the mean of B3-F1 and pairwise F1."""
    scores = []
    for name, items, gold in datasets:
        s = score_clustering(gold, run(items))
        scores.append({"corpus": name, "b3_f1": s.b3_f1, "pairwise_f1": s.pairwise_f1})
    mean = float(np.mean([(s["b3_f1"] + s["pairwise_f1"]) / 2 for s in scores]))
    log(f"{label}: mean of B3-F1 and pairwise F1 {mean:.4f}")
    return {"objective": mean, "scores": scores}


def prepare_all(corpora: Sequence[str | Path], options: Options, log=print) -> list[tuple[str, list[ClusterItem], list[str]]]:
    """(name, items, gold) of every corpus, and of its headlines alone when it has headlines."""
    datasets = []
    with tempfile.TemporaryDirectory(prefix="storyline-fit-") as tmp:
        with Storyline(Path(tmp) / "fit.db", options) as engine:
            for path in corpora:
                has_titles = any(row.get("title") for row in load_corpus(path))
                for titles_only in (False, True) if has_titles else (False,):
                    items, gold = prepare(path, engine, titles_only)
                    datasets.append((f"{Path(path).name}{' (titles)' if titles_only else ''}", items, gold))
                    log(f"analysed {datasets[-1][0]}: {len(items)} articles")
    return datasets


def fit_models(datasets: Sequence[tuple[str, list[ClusterItem], list[str]]], options: Options, log=print) -> dict[str, Any]:
    """The join model, the event model and the thresholds fitted on prepared datasets (see the module doc)."""
    # Reports of one event in a real stream spread over days; in some dev corpora
    # they share one date. Training on dates jittered by 0-2 days keeps the model
    # from learning that any gap at all means a different event.
    rng = np.random.default_rng(0)
    jittered = [_jitter(items, gold, rng) for _, items, gold in datasets]
    xs, ys = zip(*(teacher_forced_pairs(items, gold, options) for items, gold in jittered))
    first = fit_logistic(np.vstack(xs), np.concatenate(ys), FEATURES)
    log(f"teacher-forced pairs: {sum(map(len, ys))} ({int(sum(y.sum() for y in ys))} positive)")
    recorded = [trajectory_pairs(items, gold, first, options, *TRAJECTORY_THRESHOLDS) for items, gold in jittered]
    x = np.vstack(list(xs) + [r[0] for r in recorded])
    y = np.concatenate(list(ys) + [r[1] for r in recorded])
    ex, ey = np.vstack([r[2] for r in recorded]), np.concatenate([r[3] for r in recorded])
    log(f"with the trajectory's pairs: {len(y)} article pairs; {len(ey)} event pairs ({int(ey.sum())} positive)")
    join = fit_logistic(x, y, FEATURES)
    event = train_mlp(ex, ey, FEATURES, **EVENT_MODEL)
    grid = []
    for t in JOIN_THRESHOLDS:
        for m in MERGE_THRESHOLDS:
            result = _sweep(datasets, log, f"join {t:.2f}, merge {m:.2f}",
                            lambda items: replay(items, join, t, options, m, event))
            grid.append(result | {"threshold": t, "merge_threshold": m})
    best = max(grid, key=lambda s: (s["objective"], -abs(s["threshold"] - 0.5), -abs(s["merge_threshold"] - 0.5)))
    t = best["threshold"]
    return {
        "model": "clusterer.online.v3: join model (logistic regression) and event model of the second pass (MLP)",
        "features": list(FEATURES),
        # the join threshold is folded into the join model, which then joins at 0.5
        "join": _significant(join.shifted(logit(t)).to_json()),
        "event": _significant(event.to_json()),
        "split_threshold": t,
        "merge_threshold": best["merge_threshold"],
        "chosen_join_threshold": t,
        "dev_scores": best["scores"],
        "grid": [{"join": g["threshold"], "merge": g["merge_threshold"], "objective": round(g["objective"], 6)} for g in grid],
        "training": {"article_pairs": int(len(y)), "event_pairs": int(len(ey)), "event_model": EVENT_MODEL,
                     "trajectory_thresholds": list(TRAJECTORY_THRESHOLDS)},
    }


def _significant(value: Any, digits: int = 10) -> Any:
    """``value`` with every float cut to ``digits`` significant digits, so that a refit on another run
    writes the same file (sums in another order differ around the 15th digit)."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: _significant(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_significant(v, digits) for v in value]
    return value


def fit_clusterer(corpora: Sequence[str | Path], options: Options | None = None, log=print) -> dict[str, Any]:
    """Fit the join and event models on labelled corpora; return the parameter document."""
    options = options or load_options()
    document = fit_models(prepare_all(corpora, options, log), options, log)
    return document | {
        "embedder": options.embedder,
        "settings": {k: options[k] for k in ("event_window_days", "event_candidates", "embed_chars", "event_memory", "batch_size")},
        "fitted_on": [{"file": Path(p).name, "rows": len(load_corpus(p)), "sha256": sha256_of(p)} for p in corpora],
        "command": "storyline fit cluster " + " ".join(Path(p).name for p in corpora),
    }
