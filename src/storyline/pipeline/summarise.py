"""Event summaries: 2-5 sentences copied from the reports, each citing every source sentence that states it.

The summary leads with what independent sources agree on, then adds the most
central facts only one source gives. Independence is the relays stage's: two
reports relaying the Wall Street Journal are one source, and a report's
near-duplicate sentences in other reports are cited with it but confirm it
only when they come from another independent source.

Which sentences state agreed facts is an optional input (``agreed``: a
sentence key -> the keys of the other reports' sentences that state the same
fact, as the comparison stage finds them). Without it the summariser finds
support itself: two sentences of different reports state the same when their
vectors are at least ``agree`` similar (cosine).

Every summary sentence is a source sentence verbatim (a leading dateline cut
off), so each carries at least its own citation; sentences too similar to one
already chosen are left out. The title is the first summary sentence, cut at
a clause boundary when long.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Mapping, Protocol, Sequence

import numpy as np

from ..model import Article, Citation, EventDigest, SummarySentence
from .embed import Embedder, HashingEmbedder
from .summary_text import dateline_end, is_prose, sentence_spans

__all__ = ["Summariser", "SummaryParams", "CitedSummariser", "SentenceKey", "Agreed", "PARAMS_FILE", "title_from"]

PARAMS_FILE = "summariser-cited-v1.json"

#: (article id, sentence index): one sentence of one report
SentenceKey = tuple[str, int]
#: sentence -> the sentences of other reports that state the same fact
Agreed = Mapping[SentenceKey, Sequence[SentenceKey]]


class Summariser(Protocol):
    name: str

    def summarise(self, event_id: str, articles: Sequence[Article], groups: Mapping[str, str],
                  upstreams: Sequence[str] = (), agreed: Agreed | None = None,
                  embedder: Embedder | None = None, record: Mapping | None = None) -> EventDigest: ...


@dataclass(frozen=True)
class SummaryParams:
    """Settings as data; the bundled file holds the values fitted on part of the NeuS development sets."""

    #: cosine at which two sentences of different reports state the same, per embedder (its vectors' scale)
    agree: Mapping[str, float] = field(default_factory=lambda: {"embedder.use-multilingual.v1": 0.6,
                                                                "embedder.hashing.v1": 0.4})
    #: cosine at which a candidate repeats a chosen sentence
    redundancy: float = 0.5
    min_sentences: int = 2
    max_sentences: int = 5
    #: the summary stops growing past this many words (once it has min_sentences)
    max_words: int = 80
    #: how much an earlier position in its report adds to a sentence's centrality
    position_weight: float = 0.3
    min_words: int = 4
    max_sentence_words: int = 60
    #: bounds on the work per event: the first sentences of the first reports
    max_reports: int = 30
    max_report_sentences: int = 15

    @classmethod
    def bundled(cls) -> "SummaryParams":
        text = (resources.files("storyline.pipeline") / "params" / PARAMS_FILE).read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class _Sentence:
    key: SentenceKey
    article: Article
    start: int
    end: int
    text: str
    group: str
    #: position of the sentence among its report's sentences, 0 = lead
    rank: int

    def citation(self) -> Citation:
        return Citation(self.article.id, self.article.source, self.key[1], self.start, self.end, self.text)


def _sentences(articles: Sequence[Article], groups: Mapping[str, str], p: SummaryParams) -> list[_Sentence]:
    out = []
    for article in [a for a in articles if not a.duplicate_of][: p.max_reports]:
        group = groups.get(article.id) or f"source:{(article.source or article.id).lower()}"
        rank = 0
        for index, (s, e) in enumerate(sentence_spans(article)):
            s += dateline_end(article.text[s:e])
            text = " ".join(article.text[s:e].split())
            if not is_prose(text) or not p.min_words <= len(text.split()) <= p.max_sentence_words:
                continue
            out.append(_Sentence((article.id, index), article, s, e, text, group, rank))
            rank += 1
            if rank >= p.max_report_sentences:
                break
    return out


def title_from(sentence: str, limit: int = 120, clause_limit: int = 150) -> str:
    """A title from a summary sentence: the sentence up to ``limit`` characters, else its first clause(s)
    up to ``clause_limit``, else its first words."""
    text = sentence.rstrip(" .")
    if len(text) <= limit:
        return text
    cut = max((m.start() for m in re.finditer(r"[,;:—–]\s|\s-\s", text[:clause_limit])), default=-1)
    if cut >= 40:
        return text[:cut].rstrip()
    return text[: limit - 3].rsplit(" ", 1)[0] + "..."


class CitedSummariser:
    """Agreed sentences first (most independent sources, then centrality), then the central additions."""

    name = "summariser.cited.v1"

    def __init__(self, params: SummaryParams | None = None) -> None:
        self.params = params or SummaryParams.bundled()

    def summarise(self, event_id: str, articles: Sequence[Article], groups: Mapping[str, str],
                  upstreams: Sequence[str] = (), agreed: Agreed | None = None,
                  embedder: Embedder | None = None, record: Mapping | None = None) -> EventDigest:
        """The digest of an event reported by ``articles``; ``groups`` maps relaying reports to one source,
        ``embedder`` gives the sentence vectors (hashed word n-grams when none is given); the counts of the
        event's ``record`` (stored form) that sources state differently end it as a contested sentence."""
        p = self.params
        embedder = embedder or HashingEmbedder()
        sentences = _sentences(articles, groups, p)
        n_groups = len({s.group for s in sentences})
        if not sentences:
            return EventDigest(event_id, "", (), self.name, 0, tuple(upstreams))
        similar = _similarities(embedder, [s.text for s in sentences])
        threshold = p.agree.get(embedder.name, max(p.agree.values()))
        same = self._same_fact(sentences, similar, agreed, threshold)
        support = [len({sentences[j].group for j in same[i]} | {sentences[i].group}) for i in range(len(sentences))]
        reports = [len({sentences[j].article.id for j in same[i]}) + 1 for i in range(len(sentences))]
        centrality = self._centrality(sentences, similar)
        order = sorted(range(len(sentences)), key=lambda i: (-support[i], -reports[i], -centrality[i]))
        chosen: list[int] = []
        words = 0
        for i in order:
            if len(chosen) >= p.max_sentences or (len(chosen) >= p.min_sentences and words >= p.max_words):
                break
            if any(similar[i, j] >= p.redundancy or j in same[i] for j in chosen):
                continue
            if len(chosen) >= p.min_sentences and words + len(sentences[i].text.split()) > p.max_words:
                continue
            chosen.append(i)
            words += len(sentences[i].text.split())
        out = []
        for i in chosen:
            cites = [sentences[i].citation()] + [sentences[j].citation() for j in sorted(same[i])]
            kind = "agreed" if support[i] > 1 else "relayed" if reports[i] > 1 else "addition"
            out.append(SummarySentence(sentences[i].text, kind, support[i], tuple(cites), reports[i]))
        contested = contested_sentences(record, articles) if record else []
        if contested:
            out = out[: max(p.min_sentences, p.max_sentences - len(contested))] + contested[: p.max_sentences - 1]
        title = title_from(out[0].text) if out else ""
        return EventDigest(event_id, title, tuple(out), self.name, n_groups, tuple(upstreams))

    def _same_fact(self, sentences: Sequence[_Sentence], similar: np.ndarray, agreed: Agreed | None,
                   threshold: float) -> list[set[int]]:
        """For each sentence, the sentences of other reports that state the same (given, or found by similarity)."""
        if agreed is not None:
            index = {s.key: i for i, s in enumerate(sentences)}
            given = [set() for _ in sentences]
            for key, others in agreed.items():
                if key in index:
                    given[index[key]] |= {index[o] for o in others if o in index}
            return given
        found = []
        for i, s in enumerate(sentences):
            found.append({int(j) for j in np.flatnonzero(similar[i] >= threshold)
                          if sentences[j].article.id != s.article.id})
        return found

    def _centrality(self, sentences: Sequence[_Sentence], similar: np.ndarray) -> list[float]:
        """Mean similarity to the other reports' sentences, plus a bonus for an early position in its own report."""
        ids = {a: n for n, a in enumerate(dict.fromkeys(s.article.id for s in sentences))}
        own = np.array([ids[s.article.id] for s in sentences])
        # the other reports' terms are summed on their own (not the row sum minus its own report's part, which
        # is off in the last bits and breaks a tie differently on another BLAS)
        others = own[:, None] != own[None, :]
        n_others = others.sum(axis=1)
        total = np.where(others, similar, 0.0).astype(np.float64).sum(axis=1)
        mean = np.where(n_others > 0, total / np.maximum(n_others, 1), 0.0)
        return [float(m) + self.params.position_weight / (1 + s.rank) for m, s in zip(mean, sentences)]


#: record fields whose differing values are stated as a contradiction, with the word for each
_COUNTS = {"fatalities": "dead", "injured": "injured"}


def contested_sentences(record: Mapping, articles: Sequence[Article]) -> list[SummarySentence]:
    """"Reuters reports 12 dead; AP reports 15 dead." for each count the sources state differently.

    Built from the record's values and the spans that state them; each part
    cites the sentences its sources state it in.
    """
    by_id = {a.id: a for a in articles}
    out = []
    for name, word in _COUNTS.items():
        field_ = (record.get("fields") or {}).get(name) or {}
        values = [v for v in [field_.get("value"), *(field_.get("alternatives") or [])] if v and v.get("support")]
        if len(values) < 2:
            continue
        parts, cites = [], []
        for value in values:
            names = sorted({s.get("source") or s["article_id"] for s in value["support"]})
            verb = "reports" if len(names) == 1 else "report"
            parts.append(f"{' and '.join(names)} {verb} {value['value']} {word}")
            for s in value["support"]:
                article = by_id.get(s["article_id"])
                if article is not None:
                    index = _sentence_index(article, s["sentence_start"])
                    text = article.text[s["sentence_start"] : s["sentence_end"]]
                    cites.append(Citation(article.id, article.source, index, s["sentence_start"], s["sentence_end"], text))
        n = len({c.source or c.article_id for c in cites})
        out.append(SummarySentence("; ".join(parts) + ".", "contested", n, tuple(dict.fromkeys(cites)), len(cites)))
    return out


def _sentence_index(article: Article, start: int) -> int:
    spans = sentence_spans(article)
    return next((i for i, (s, e) in enumerate(spans) if s <= start < e), 0)


def _similarities(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    vectors = np.asarray(embedder.embed(list(texts)), dtype=np.float32)
    return vectors @ vectors.T


def _cited(options) -> CitedSummariser:
    return CitedSummariser()

