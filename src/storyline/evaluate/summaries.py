"""``storyline eval summary``: summarise each set of reports and score it against the editors' roundup.

Each line of the file (NeuS format, see data/README.md) holds the reports of
one story and the neutral roundup written from them. Every set is summarised
by the summariser as the pipeline runs it (each report its own source: the
sets name no outlets) and by a lead baseline (the first sentences of the
first report, as many as the summary has). Scores are ROUGE-1/2/L F1 against
the roundup (stemmed, stop words kept) and ``cited_share``: the share of
summary sentences whose every content word appears in a sentence it cites.

The summariser's parameters were fitted on the sets whose id starts with
``neus-train`` (``storyline fit summary``); the other sets are reported apart
as held out.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Sequence

from ..model import Article, EventDigest, SummarySentence
from ..pipeline.embed import CachingEmbedder, Embedder
from ..pipeline.normalise import segment
from ..pipeline.summarise import CitedSummariser, SummaryParams
from ..pipeline.summarise_v2 import CitedSummariserV2
from ..pipeline.summary_text import content_words
from .files import bad_line, read_objects
from .rouge import rouge_scores

__all__ = ["SummarySet", "load_sets", "evaluate_summaries", "score_sets", "FIT_PREFIX", "lead_digest", "cited_share",
           "SUMMARISERS"]

#: the summarisers the command can score, by registered name (each built with the given parameters)
SUMMARISERS = {"summariser.cited.v1": CitedSummariser, "summariser.cited.v2": CitedSummariserV2}

#: sets whose id starts with this are the fitting part; the others are held out
FIT_PREFIX = "neus-train"

KEYS = ("rouge1_f1", "rouge2_f1", "rougeL_f1", "cited_share")


class SummarySet:
    def __init__(self, id: str, articles: list[Article], reference: str) -> None:
        self.id, self.articles, self.reference = id, articles, reference


def load_sets(path: str | Path) -> list[SummarySet]:
    out = []
    for line, row in read_objects(path):
        reports, reference = row.get("articles"), row.get("reference")
        if not isinstance(reports, list) or not reports:
            raise bad_line(path, line, "articles: expected a non-empty list")
        if not isinstance(reference, str) or not reference.strip():
            raise bad_line(path, line, "reference: expected a non-empty string")
        articles = []
        for n, report in enumerate(reports):
            text = report.get("text") if isinstance(report, dict) else None
            if not isinstance(text, str):
                raise bad_line(path, line, f"articles[{n}].text: expected a string")
            articles.append(Article(str(report.get("id") or f"{line}-{n}"), text, source=report.get("source"),
                                    title=report.get("title"), segments=tuple(segment(text))))
        out.append(SummarySet(str(row.get("id") or line), articles, reference))
    return out


def cited_share(sentences: Sequence[SummarySentence]) -> float:
    """Share of sentences whose every content word appears in one of their cited sentences' words."""
    if not sentences:
        return 0.0
    supported = 0
    for s in sentences:
        cited = set()
        for c in s.citations:
            cited.update(content_words(c.text))
        supported += bool(s.citations) and set(content_words(s.text)) <= cited
    return supported / len(sentences)


def lead_digest(summary_set: SummarySet, n: int) -> EventDigest:
    """The lead baseline: the first ``n`` sentences of the first report, each citing itself."""
    from ..model import Citation

    article = summary_set.articles[0]
    spans = [(s.start, s.end) for s in article.segments if s.kind == "sentence"][: max(1, n)]
    sentences = tuple(SummarySentence(article.text[a:b], "addition", 1,
                                      (Citation(article.id, article.source, i, a, b, article.text[a:b]),))
                      for i, (a, b) in enumerate(spans))
    return EventDigest(summary_set.id, "", sentences, "lead")


def _scores(digest: EventDigest, reference: str) -> dict[str, float]:
    text = " ".join(s.text for s in digest.sentences)
    return {**rouge_scores(text, [reference]), "cited_share": cited_share(digest.sentences)}


def _mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {k: sum(r[k] for r in rows) / len(rows) for k in KEYS} if rows else {}


def score_sets(sets: Sequence[SummarySet], summariser: CitedSummariser, embedder: Embedder | None = None) -> dict[str, Any]:
    """Mean scores of the summariser and of the lead baseline over ``sets``."""
    ours, lead, n_sentences = [], [], 0
    for s in sets:
        digest = summariser.summarise(s.id, s.articles, {}, embedder=embedder)
        n_sentences += len(digest.sentences)
        ours.append(_scores(digest, s.reference))
        lead.append(_scores(lead_digest(s, len(digest.sentences)), s.reference))
    return {**_mean(ours), "n_sets": len(sets), "sentences_per_summary": n_sentences / max(1, len(sets)),
            "lead": _mean(lead)}


def evaluate_summaries(path: str | Path, embedder: Embedder | None = None, params: SummaryParams | None = None,
                       summariser_name: str = "summariser.cited.v2") -> dict[str, Any]:
    """Scores on every set of the file, and on its fitting and held-out parts apart."""
    if summariser_name not in SUMMARISERS:
        raise ValueError(f"cannot score summariser {summariser_name!r}: expected one of {', '.join(SUMMARISERS)}")
    started = time.process_time()
    sets = load_sets(path)
    summariser = SUMMARISERS[summariser_name](params)
    cached = CachingEmbedder(embedder) if embedder is not None else None
    result = score_sets(sets, summariser, cached)
    fit = [s for s in sets if s.id.startswith(FIT_PREFIX)]
    held = [s for s in sets if not s.id.startswith(FIT_PREFIX)]
    if fit and held:
        result["fit_part"] = score_sets(fit, summariser, cached)
        result["heldout"] = score_sets(held, summariser, cached)
    result["summariser"] = summariser.name
    result["embedder"] = embedder.name if embedder is not None else "embedder.hashing.v1"
    result["cpu_seconds"] = round(time.process_time() - started, 1)
    return result
