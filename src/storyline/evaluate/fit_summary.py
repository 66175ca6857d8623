"""``storyline fit summary``: choose the cited summariser's parameters on the fitting part of a NeuS file.

Only the sets whose id starts with :data:`~.summaries.FIT_PREFIX` are read
for fitting; the best mean of ROUGE-1, -2 and -L F1 wins and the other sets
are scored once with the winner (held out).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from ..pipeline.embed import Embedder
from ..pipeline.summarise import CitedSummariser, SummaryParams
from .files import sha256_of
from ..pipeline.embed import CachingEmbedder
from .summaries import FIT_PREFIX, load_sets, score_sets

__all__ = ["fit_summariser", "GRID"]

GRID: dict[str, tuple[Any, ...]] = {
    "agree": (0.5, 0.6, 0.7),
    "max_words": (40, 60, 80),
    "position_weight": (0.1, 0.3, 1.0),
}


def fit_summariser(path: str | Path, embedder: Embedder, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    sets = load_sets(path)
    fit = [s for s in sets if s.id.startswith(FIT_PREFIX)]
    held = [s for s in sets if not s.id.startswith(FIT_PREFIX)]
    cached = CachingEmbedder(embedder)
    base = SummaryParams.bundled()
    trials = []
    for agree, max_words, position in itertools.product(*GRID.values()):
        params = replace(base, agree={**base.agree, embedder.name: agree}, max_words=max_words, position_weight=position)
        scores = score_sets(fit, CitedSummariser(params), cached)
        trials.append({"agree": agree, "max_words": max_words, "position_weight": position,
                       **{k: scores[k] for k in ("rouge1_f1", "rouge2_f1", "rougeL_f1")}})
        if log:
            log(f"agree {agree} max_words {max_words} position {position}: ROUGE-1 {scores['rouge1_f1']:.4f} "
                f"ROUGE-2 {scores['rouge2_f1']:.4f} ROUGE-L {scores['rougeL_f1']:.4f}")
    best = max(trials, key=lambda t: t["rouge1_f1"] + t["rouge2_f1"] + t["rougeL_f1"])
    params = replace(base, agree={**base.agree, embedder.name: best["agree"]}, max_words=best["max_words"],
                     position_weight=best["position_weight"])
    heldout = score_sets(held, CitedSummariser(params), cached) if held else {}
    return {
        "model": "summariser.cited.v1: agreed sentences first, then central additions",
        "agree": dict(params.agree),
        "redundancy": params.redundancy,
        "min_sentences": params.min_sentences,
        "max_sentences": params.max_sentences,
        "max_words": params.max_words,
        "position_weight": params.position_weight,
        "fit_file": {"path": Path(path).name, "sha256": sha256_of(path), "ids": f"{FIT_PREFIX}*", "n_sets": len(fit)},
        "fit_scores": {k: best[k] for k in ("rouge1_f1", "rouge2_f1", "rougeL_f1")},
        "heldout_scores": {k: v for k, v in heldout.items() if k != "lead"},
        "heldout_lead": heldout.get("lead", {}),
        "grid": trials,
    }
