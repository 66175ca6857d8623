"""``storyline fit timeline``: choose the DATEWISE parameters on some Timeline17 topics, report others held out.

A small grid (lead sentences standing for a publication date, the weight of
publication counts in the date score, the redundancy threshold) is scored on
the fitting topics; the best mean of AR-1 and AR-2 F1 (with date F1 breaking
ties) wins, and the held-out topics are scored once with the winner.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Sequence

from ..pipeline.timeline import Datewise, DatewiseParams
from .files import sha256_of
from .timelines import load_topic, topic_scores
from .tls import KEYS

__all__ = ["fit_timeliner", "GRID"]

#: the first fit (lead sentences 5/10/20, publication weight 0.25/0.5/1.0, redundancy 0.3/0.5, on the same
#: fitting topics) chose lead 10 and weight 0.5; this grid refits redundancy and the keyword filter around them
GRID: dict[str, tuple[Any, ...]] = {
    "lead_sentences": (10,),
    "published": (0.5,),
    "redundancy": (0.3, 0.5),
    "keywords": (0, 5, 10),
}


def _mean(results: Sequence[dict[str, Any]]) -> dict[str, float]:
    return {k: sum(r[k] for r in results) / len(results) for k in KEYS} if results else {}


def fit_timeliner(fit_folders: Sequence[str], heldout_folders: Sequence[str] = (),
                  log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The parameter document: the chosen parameters, the grid's scores, held-out scores and file hashes."""
    fit_topics = [load_topic(f) for f in fit_folders]
    trials = []
    for lead, published, redundancy, keywords in itertools.product(*GRID.values()):
        params = DatewiseParams(weights={"mentions": 1.0, "published": published}, lead_sentences=lead,
                                redundancy=redundancy, keywords=keywords)
        scores = _mean([topic_scores(t, Datewise(params)) for t in fit_topics])
        trials.append({"lead_sentences": lead, "published": published, "redundancy": redundancy, "keywords": keywords,
                       **scores})
        if log:
            log(f"lead {lead} published {published} redundancy {redundancy} keywords {keywords}: "
                f"AR-1 {scores['ar1_f1']:.3f} AR-2 {scores['ar2_f1']:.3f} date F1 {scores['date_f1']:.3f}")
    best = max(trials, key=lambda t: (t["ar1_f1"] + t["ar2_f1"], t["date_f1"]))
    params = DatewiseParams(weights={"mentions": 1.0, "published": best["published"]},
                            lead_sentences=best["lead_sentences"], redundancy=best["redundancy"], keywords=best["keywords"])
    heldout = {}
    for folder in heldout_folders:
        topic = load_topic(folder)
        result = topic_scores(topic, Datewise(params))
        heldout[topic.name] = {k: result[k] for k in KEYS}
    return {
        "model": "timeliner.datewise.v1: date score = weights . log(1 + date counts); centroid sentences per date",
        "weights": dict(params.weights),
        "lead_sentences": params.lead_sentences,
        "redundancy": params.redundancy,
        "keywords": params.keywords,
        "min_words": params.min_words,
        "max_words": params.max_words,
        "fit_topics": {t.name: sha256_of(f"{f}/timelines.json") for t, f in zip(fit_topics, fit_folders)},
        "fit_scores": {k: best[k] for k in KEYS},
        "heldout_scores": heldout,
        "heldout_mean": _mean(list(heldout.values())),
        "grid": trials,
    }
