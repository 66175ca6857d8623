"""``storyline fit linker --version v3|v4``: fit linker.continuation.v3 (or v4, the same way) on corpora whose gold ``story`` is the story.

Each corpus's fitting rows (the earlier half by date, :func:`~storyline.evaluate.fit_link.fit_rows`, or all
of them for a corpus given as ``whole``: one whose held-out part is other corpora, such as Timeline17
topics left out) are analysed once. Then:

1. **Teacher forcing.** The rows are ingested (from those analyses: no model runs again) with a recording
   linker: at every new event it computes v3's features against every candidate story within the window,
   labels each pair 1 when the event's gold story (that of its first report) is the story's (the gold story
   most of the story's reports have), and links as the gold says. A logistic model is fitted on all pairs,
   each corpus's pairs weighing as much in all as any other corpus's (a corpus of long, dense stories gives
   few pairs, one a story; a corpus of many short ones gives many).
2. **Threshold.** The rows are ingested again with the fitted linker at each threshold of a grid, and
   the threshold with the best mean story-level B3-F1 over the corpora is kept (ties: nearest 0.5).
   The link decisions interact (a wrong join changes what later events are compared with), which the
   teacher-forced pairs never show; the replay does.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from ..engine import Storyline
from ..errors import InputError
from ..model import Decision, RawRecord
from ..pipeline.cluster.features import EventState, Vocabulary
from ..pipeline.link_v3 import LINK_FEATURES_V3, LinkParamsV3, NeighbourLinker
from ..pipeline.link_v4 import LINK_FEATURES_V4, CoreLinker, LinkParamsV4
from ..pipeline.normalise import to_article
from ..settings import Options, load_options
from .clustering import load_corpus, pipeline_records
from .files import sha256_of
from .fit_link import GoldLabels
from .fit_link import fit_rows
from .learners import fit_logistic
from .metrics import score_clustering

__all__ = ["RecordingLinkerV3", "RecordingLinkerV4", "fit_linker_v3", "prepared_corpus", "replay_stories", "THRESHOLDS_V3"]

THRESHOLDS_V3 = tuple(round(0.1 * i, 1) for i in range(1, 10))


class _Recording(GoldLabels):
    """The linker's features for every (new event, candidate story) pair, labelled from the gold; links as the
    gold says. Mixed into a linker with ``scored``, ``join`` and ``start`` (v3, v4)."""

    def link(self, event: EventState, candidates: Iterable[str], entity_vocab: Vocabulary, term_vocab: Vocabulary,
             near: Sequence[EventState] = ()) -> Decision:
        return self._as_gold_says(event, self.scored(event, candidates, entity_vocab, term_vocab, near))


class RecordingLinkerV3(_Recording, NeighbourLinker):
    """v3's features for every pair, labelled from the gold; links as the gold says."""


class RecordingLinkerV4(_Recording, CoreLinker):
    """v4's features for every pair, labelled from the gold; links as the gold says."""


#: version: (linker, recording linker, starting parameters, features, model description)
_VERSIONS = {
    "v3": (NeighbourLinker, RecordingLinkerV3, LinkParamsV3, LINK_FEATURES_V3,
           "linker.continuation.v3: logistic score of an event against a candidate story's closest events"),
    "v4": (CoreLinker, RecordingLinkerV4, LinkParamsV4, LINK_FEATURES_V4,
           "linker.continuation.v4: v3's logistic score with the story's core (central events, core keys), "
           "and a story no candidate for an event naming none of its core keys"),
}


class _Analyses:
    """The engine's ``Prepared``: analyses made once per corpus, MinHash signatures as an ingest computes them."""

    def __init__(self, analyses: Mapping[str, Any], dedup: Any) -> None:
        self._analyses, self._dedup = analyses, dedup

    def analyses(self, articles):
        return {a.id: self._analyses[a.id] for a in articles}

    def signature(self, article):
        return self._dedup.signature(article.text)


def prepared_corpus(path: str | Path, rows: Sequence[dict[str, Any]], engine: Storyline,
                    log: Callable[[str], None] | None = None) -> tuple[list[dict], list, dict[str, Any]]:
    """The rows that make an article (a row without text is left out and reported), their articles and the
    analyses of those articles."""
    kept, articles = [], []
    for number, (row, record) in enumerate(zip(rows, pipeline_records(list(rows))), start=1):
        try:
            articles.append(to_article(RawRecord(str(path), number, record)))
        except InputError as exc:
            if log:
                log(f"{Path(path).name}: fitting row {number} left out: {exc}")
            continue
        kept.append(row)
    analyses = {}
    for start in range(0, len(articles), 64):
        chunk = articles[start : start + 64]
        analyses.update({a.id: found for a, found in zip(chunk, engine.analyse(chunk))})
    return kept, articles, analyses


def _ingest(articles: list, analyses: Mapping[str, Any], options: Options, linker: Any, components: dict) -> dict:
    """Ingest ``articles`` from their analyses into a fresh store with ``linker``; each article's (event, story)."""
    with tempfile.TemporaryDirectory(prefix="storyline-fit-link-") as tmp:
        with Storyline(Path(tmp) / "fit.db", options, **components) as engine:
            fresh = engine.components.fresh
            engine.components.fresh = lambda role: linker if role == "linker" else fresh(role)  # type: ignore[method-assign]
            engine.ingest_prepared(articles, _Analyses(analyses, fresh("dedup")))
            return engine.store.assignments()


def replay_stories(rows, articles, analyses, options: Options, linker: Any, components: dict | None = None) -> dict:
    """Story-level scores of ``linker`` on the prepared corpus (as ``eval cluster --level story``)."""
    assigned = _ingest(articles, analyses, options, linker, components or {})
    predicted = []
    for article in articles:
        event, story = assigned.get(article.id, (f"rejected:{article.id}", None))
        predicted.append(story or event)
    return score_clustering([str(r.get("story")) for r in rows], predicted).to_dict()


def fit_linker_v3(paths: Sequence[str | Path], whole: Sequence[str | Path] = (), options: Options | None = None,
                  l2: float = 1.0, log: Callable[[str], None] | None = None, version: str = "v3",
                  **components: Any) -> dict[str, Any]:
    """The parameter document of linker.continuation.v3 (or ``version`` v4) fitted on the earlier half of
    ``paths`` and all of ``whole``."""
    linker_class, recording_class, params_class, names, description = _VERSIONS[version]
    options = (options or load_options()).replace(progress=False, records=False, article_time_budget_s=1e9)
    start = params_class()
    corpora = []
    with tempfile.TemporaryDirectory(prefix="storyline-fit-link-") as tmp, \
            Storyline(Path(tmp) / "analyse.db", options, **components) as engine:
        for path, split in [(p, "earlier half") for p in paths] + [(p, "all rows") for p in whole]:
            rows = load_corpus(path)
            chosen = fit_rows(rows) if split == "earlier half" else rows
            corpora.append((path, split, *prepared_corpus(path, chosen, engine, log)))
    events, weights = [], []
    for path, _split, rows, articles, analyses in corpora:
        gold = {a.id: str(r.get("story")) for a, r in zip(articles, rows) if r.get("story") is not None}
        recorder = recording_class(gold, start, options.story_window_days)
        _ingest(articles, analyses, options, recorder, components)
        events.extend(recorder.events)
        n_pairs = sum(len(e) for e in recorder.events)
        weights.extend([1.0 / max(1, n_pairs)] * n_pairs)  # each corpus weighs as much as any other
        if log:
            log(f"{Path(path).name}: {len(rows)} fitting rows, {len(recorder.events)} new events, "
                f"{sum(len(e) for e in recorder.events)} candidate pairs")
    pairs = [p for e in events for p in e]
    if not pairs or len({label for _, label in pairs}) < 2:
        raise ValueError("the fitting runs gave no candidate pairs of both kinds (join and not): nothing to fit")
    x = np.array([[f[k] for k in names] for f, _ in pairs], dtype=np.float64)
    y = np.array([label for _, label in pairs], dtype=np.float64)
    w = np.array(weights)
    model = fit_logistic(x, y, names, l2=l2, sample_weight=w / w.mean())
    trials: dict[float, list[float]] = {}
    for threshold in THRESHOLDS_V3:
        params = dataclasses.replace(start, weights=dict(model.weights), bias=model.bias, threshold=threshold)
        trials[threshold] = [replay_stories(rows, articles, analyses, options,
                                            linker_class(params, options.story_window_days), components)["b3_f1"]
                             for _path, _split, rows, articles, analyses in corpora]
        if log:
            log(f"threshold {threshold}: story B3-F1 " + ", ".join(f"{v:.3f}" for v in trials[threshold]))
    threshold = max(trials, key=lambda t: (float(np.mean(trials[t])), -abs(t - 0.5)))
    return {
        "model": description,
        "weights": {k: round(v, 6) for k, v in model.weights.items()},
        "bias": round(model.bias, 6),
        "threshold": threshold,
        **{k: v for k, v in dataclasses.asdict(start).items() if k not in ("weights", "bias", "threshold")},
        "l2": l2,
        "fit_files": [{"path": Path(p).name, "sha256": sha256_of(p), "rows": "dated rows before the median date"
                       if split == "earlier half" else "all rows"} for p, split, *_ in corpora],
        "n_events": len(events),
        "n_pairs": len(pairs),
        "positive_pairs": int(y.sum()),
        "story_b3_f1_by_threshold": {str(t): [round(v, 4) for v in s] for t, s in trials.items()},
    }
