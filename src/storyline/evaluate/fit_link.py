"""``storyline fit linker``: fit linker.continuation.v2 on corpora whose gold ``story`` is the story.

Each corpus is ingested through the pipeline users run (records off) with a
recording linker in place of the story linker. At every new event it
computes v2's features against every candidate story within the window and
labels each pair: 1 when the event's gold story (that of its first report)
is the candidate's (the gold story most of the candidate's reports have).
It then links the event as the gold says (teacher forcing: the best-scored
correct candidate, else a new story), so the stories it compares later
events with are the ones a correct linker would have built. A logistic model
is fitted on all pairs (:func:`~storyline.evaluate.learners.fit_logistic`)
and the threshold is the one that makes the most link decisions right on
the same runs (join the best candidate when its score reaches the threshold;
right when that candidate is correct, or when no correct one exists and the
event starts a story).

Only the rows of each corpus that :func:`fit_rows` keeps are read (the
fitting part); the rest is held out for ``storyline eval cluster --level story``.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..engine import Storyline
from ..model import Decision
from ..pipeline.cluster.features import EventState, Vocabulary
from ..pipeline.link_v2 import LINK_FEATURES, ContinuationLinker, LinkParams
from ..settings import Options, load_options
from .clustering import load_corpus, pipeline_records
from .files import sha256_of
from .learners import fit_logistic

__all__ = ["RecordingLinker", "fit_linker", "fit_rows", "heldout_rows", "THRESHOLDS"]

THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(2, 20))


def _median_date(rows: Sequence[dict[str, Any]]) -> str:
    dates = sorted(str(r["date"])[:10] for r in rows if r.get("date"))
    if not dates:
        raise ValueError("the corpus has no dated rows: it cannot be split into earlier (fitting) and later halves")
    return dates[len(dates) // 2]


def fit_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fitting part of a corpus: the rows dated before its median date."""
    cut = _median_date(rows)
    return [r for r in rows if r.get("date") and str(r["date"])[:10] < cut]


def heldout_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The held-out part: the rows dated on or after the median date, and undated rows."""
    cut = _median_date(rows)
    return [r for r in rows if not r.get("date") or str(r["date"])[:10] >= cut]


class GoldLabels:
    """Mixed into a linker that fitting drives: the gold story of each article, and each new event's (features,
    label) pairs over its candidates (v2 here, v3 and v4 in :mod:`.fit_link_v3`)."""

    def __init__(self, gold: dict[str, str], params: Any, window_days: int) -> None:
        super().__init__(params, window_days)
        self.gold = gold
        #: per new event: [(features, label)] over its candidates
        self.events: list[list[tuple[dict[str, float], int]]] = []

    def _gold_of(self, keys: Iterable[str]) -> str | None:
        votes = Counter(self.gold[k] for k in keys if k in self.gold)
        return votes.most_common(1)[0][0] if votes else None

    def _as_gold_says(self, event: EventState, ranked: Sequence[tuple[float, Any, dict[str, float]]]) -> Decision:
        """Label each ranked (score, story, features) candidate, keep the pairs, and join the gold's story (else start one)."""
        mine = self._gold_of(event.members[:1])
        pairs, correct = [], None
        for score, story, feats in ranked:
            label = int(mine is not None and self._gold_of(k for e in story.events for k in e.members) == mine)
            pairs.append((feats, label))
            if label and correct is None:
                correct = (score, story, feats)
        self.events.append(pairs)
        return self.join(event, *correct) if correct is not None else self.start(event, ranked[0] if ranked else None)


class RecordingLinker(GoldLabels, ContinuationLinker):
    """v2's features for every (new event, candidate story) pair, labelled from the gold; links as the gold says."""

    def link(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary, term_vocab: Vocabulary) -> Decision:
        return self._as_gold_says(event, self.scored(event, candidates, entity_vocab, term_vocab))


def _record(path: str | Path, options: Options, params: LinkParams, log: Callable[[str], None] | None,
            **components: Any) -> list[list[tuple[dict[str, float], int]]]:
    rows = fit_rows(load_corpus(path))
    records = pipeline_records(rows)
    gold = {r["id"]: str(row.get("story")) for r, row in zip(records, rows) if row.get("story") is not None}
    linker = RecordingLinker(gold, params, options.story_window_days)
    with tempfile.TemporaryDirectory(prefix="storyline-fit-link-") as tmp:
        with Storyline(Path(tmp) / "fit.db", options, **components) as engine:
            # the linker is stateful, built fresh at every state load (a batch that fails reloads it): hand
            # out the recorder instead
            fresh = engine.components.fresh
            engine.components.fresh = lambda role: linker if role == "linker" else fresh(role)  # type: ignore[method-assign]
            engine.ingest_records(records)
    if log:
        n_pairs = sum(len(e) for e in linker.events)
        log(f"{Path(path).name}: {len(rows)} fitting rows, {len(linker.events)} new events, {n_pairs} candidate pairs")
    return linker.events


def _decisions_right(events, model: ContinuationLinker, threshold: float) -> float:
    right = 0
    for pairs in events:
        if not pairs:
            right += 1
            continue
        scores = [model.score(f) for f, _ in pairs]
        best = int(np.argmax(scores))
        has_correct = any(label for _, label in pairs)
        if scores[best] >= threshold:
            right += pairs[best][1]
        else:
            right += not has_correct
    return right / max(1, len(events))


def fit_linker(paths: Sequence[str | Path], options: Options | None = None, l2: float = 1.0,
               log: Callable[[str], None] | None = None, **components: Any) -> dict[str, Any]:
    """The parameter document of linker.continuation.v2 fitted on the fitting part of ``paths``."""
    # no per-article time budget: on a loaded machine an article over it would be rejected and its batch retried
    options = (options or load_options()).replace(progress=False, records=False, article_time_budget_s=1e9)
    start = LinkParams()
    events = [e for path in paths for e in _record(path, options, start, log, **components)]
    pairs = [p for e in events for p in e]
    if not pairs or len({label for _, label in pairs}) < 2:
        raise ValueError("the fitting runs gave no candidate pairs of both kinds (join and not): nothing to fit")
    x = np.array([[f[k] for k in LINK_FEATURES] for f, _ in pairs], dtype=np.float64)
    y = np.array([label for _, label in pairs], dtype=np.float64)
    model = fit_logistic(x, y, LINK_FEATURES, l2=l2)
    fitted = ContinuationLinker(LinkParams(dict(model.weights), model.bias))
    trials = {t: _decisions_right(events, fitted, t) for t in THRESHOLDS}
    threshold = max(trials, key=lambda t: (trials[t], -abs(t - 0.5)))
    if log:
        log(f"threshold {threshold}: {trials[threshold]:.3f} of {len(events)} link decisions right")
    return {
        "model": "linker.continuation.v2: logistic score of an event against a candidate story",
        "weights": {k: round(v, 6) for k, v in model.weights.items()},
        "bias": round(model.bias, 6),
        "threshold": threshold,
        "max_events": start.max_events,
        "l2": l2,
        "fit_files": [{"path": Path(p).name, "sha256": sha256_of(p), "rows": "dated rows before the median date"}
                      for p in paths],
        "n_events": len(events),
        "n_pairs": len(pairs),
        "positive_pairs": int(y.sum()),
        "decisions_right": {str(t): round(v, 4) for t, v in trials.items()},
    }
