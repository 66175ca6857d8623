"""Event summaries, second version: sentences that stand alone, the comparison's agreed facts first.

``summariser.cited.v2`` keeps v1's selection (centrality, redundancy, the
independent-source count from the relays) and changes what may be picked and
in which order:

* a **cut-off sentence** is never picked whole: an excerpt that ends in "..."
  or "…" (AllSides excerpts do), or a sentence with no closing punctuation
  that runs to the end of its report, is shortened to its last complete clause
  (up to a comma, semicolon or dash; its citation spans just that) and taken
  only to fill the summary, else left out;
* sentences that **stand alone** come first: one opening with a pronoun or a
  connective that points at a sentence before it ("He said", "But", "The
  move") is taken only when too few others remain, and never as the first;
* the **order** is the comparison's agreed facts (``agreed``, as
  :func:`agreed_from_comparison` reads them from the stored comparison of
  comparer.facts.v1), then sentences other independent sources repeat, then
  additions, then the contradictions stated as such ("Reuters reports 12
  killed; AP reports 15 killed"), from the comparison's contested facts or,
  without one, from the record's counts;
* the **title** is a short clause of the first sentence
  (:func:`short_title`), not the whole sentence.

Every sentence is still a source sentence verbatim and cites itself and every
sentence found to state the same.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np

from ..model import Article, Citation, EventDigest, SummarySentence
from .embed import Embedder, HashingEmbedder
from .summarise import (Agreed, CitedSummariser, SentenceKey, SummaryParams, _Sentence, _sentences, _similarities,
                        contested_sentences)

__all__ = ["CitedSummariserV2", "agreed_from_comparison", "contested_from_comparison", "is_cut_off",
           "stands_alone", "short_title"]

_ELLIPSIS = re.compile(r"(?:\.\s*\.\s*\.|…)[\s\"'”’)\]]*$")
#: where a cut-off sentence may be shortened to a complete clause
_CLAUSE_END = re.compile(r"\s*(?:[,;:]|\s[—–-])\s")
_CLOSED = re.compile(r"[.!?][\"'”’)\]]*$")
#: first words that refer back to something the sentence does not name itself
_DEPENDENT_START = re.compile(
    r"^[\"“'‘]?(?:he|she|it|they|them|his|her|its|their|this|that|these|those|there|such|both|"
    r"but|and|or|so|also|yet|still|however|meanwhile|moreover|furthermore|additionally|instead|"
    r"nevertheless|nonetheless|otherwise|thus|therefore|hence|then|later|earlier|again|too|"
    r"in turn|as a result|in addition|in response|in contrast|by contrast|on the other hand|at the same time|"
    r"even so|for (?:his|her|its|their) part|"
    r"the (?:move|decision|announcement|statement|comments?|remarks?|report|bill|measure|news|latter|former|same))\b",
    re.I)
#: where a title may end: a clause boundary
_CLAUSE = re.compile(r"[,;:—–]\s|\s-\s|\s(?:after|as|while|when|because|amid|despite|following|which|who|"
                     r"according to|saying|said|says)\s")
#: where a title may end when no clause boundary fits: before a preposition or a conjunction
_PHRASE = re.compile(r"\s(?:on|in|at|for|with|from|to|by|over|into|against|near|during|and|but|of)\s")
_FUNCTION_END = re.compile(r"(?:\s+(?:the|a|an|of|to|in|on|at|for|with|by|and|or|but|from))+$", re.I)
#: a trailing attribution left off a title (", officials said")
_TRAILING_SAID = re.compile(r",?\s+(?:[\w.'’-]+\s+){0,5}(?:said|says|reported|reports|told [\w\s]+)$", re.I)


def is_cut_off(sentence: str, at_end: bool = False) -> bool:
    """Whether a sentence is cut off: it ends in an ellipsis, or (when it ends its report) runs on unclosed."""
    text = sentence.rstrip()
    return bool(_ELLIPSIS.search(text)) or (at_end and not _CLOSED.search(text))


def stands_alone(sentence: str) -> bool:
    """Whether a sentence reads without the one before it (no leading pronoun or connective)."""
    return not _DEPENDENT_START.match(sentence.lstrip())


def short_title(sentence: str, limit: int = 100, floor: int = 30) -> str:
    """A short clause of ``sentence``: the sentence without its closing stop and trailing attribution when it
    fits ``limit`` characters, else its text up to the last clause boundary within the limit (at least
    ``floor`` characters in), else up to the last preposition or conjunction, else its words up to the limit
    (never ending on a function word)."""
    text = sentence.strip().rstrip(" .")
    short = _TRAILING_SAID.sub("", text) if len(text) > limit else text
    if len(short) >= floor and len(short) <= limit:
        return short
    text = short
    for boundary in (_CLAUSE, _PHRASE):
        cuts = [m.start() for m in boundary.finditer(text[: limit + 1]) if m.start() >= floor]
        if cuts:
            return _FUNCTION_END.sub("", text[: cuts[-1]].rstrip(" ,;:"))
    return _FUNCTION_END.sub("", text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:"))


def agreed_from_comparison(comparison: Mapping | None) -> dict[SentenceKey, list[SentenceKey]]:
    """The ``agreed`` input from a stored comparison (its ``to_dict()``): every sentence stating an agreed
    fact -> the sentences of the other reports stating it."""
    out: dict[SentenceKey, list[SentenceKey]] = {}
    for fact in (comparison or {}).get("facts", ()):
        if fact.get("status") != "agreed":
            continue
        keys = list(dict.fromkeys((s["article"], int(s["sentence"])) for s in fact.get("supports", ())))
        for key in keys:
            others = out.setdefault(key, [])
            others.extend(k for k in keys if k[0] != key[0] and k not in others)
    return {k: v for k, v in out.items() if v}


def contested_from_comparison(comparison: Mapping | None) -> list[SummarySentence]:
    """"Reuters reports 12 killed; AP reports 15 killed." for each contested fact whose values are short
    (counts, numbers, dates); each part cites the sentences that give its value."""
    out = []
    for fact in (comparison or {}).get("facts", ()):
        values = fact.get("values") or ()
        if fact.get("status") != "contested" or len(values) < 2 or any(len(v["value"]) > 40 for v in values):
            continue
        parts, cites = [], []
        for value in values:
            names = sorted(value["sources"])
            verb = "reports" if len(names) == 1 else "report"
            parts.append(f"{' and '.join(names)} {verb} {value['value']}")
            cites.extend(Citation(s["article"], s["source"], int(s["sentence"]), int(s["start"]), int(s["end"]), s["text"])
                         for s in value["supports"])
        cites = list(dict.fromkeys(cites))
        n = len({c.source or c.article_id for c in cites})
        out.append(SummarySentence("; ".join(parts) + ".", "contested", n, tuple(cites), len(cites)))
    return out


class CitedSummariserV2(CitedSummariser):
    """The comparison's agreed facts, then repeated, then single-source sentences; contradictions last."""

    name = "summariser.cited.v2"
    #: the engine passes the event's stored comparison (``comparison=``)
    uses_comparison = True

    def __init__(self, params: SummaryParams | None = None) -> None:
        super().__init__(params)
        #: the cut-off sentences shortened to a complete clause (of the summary being built)
        self._trimmed: set[SentenceKey] = set()

    def summarise(self, event_id: str, articles: Sequence[Article], groups: Mapping[str, str],
                  upstreams: Sequence[str] = (), agreed: Agreed | None = None,
                  embedder: Embedder | None = None, record: Mapping | None = None,
                  comparison: Mapping | None = None) -> EventDigest:
        """As v1; ``agreed`` (else read from ``comparison``) leads, ``comparison``'s contested facts (else the
        record's differing counts) end the summary."""
        p = self.params
        embedder = embedder or HashingEmbedder()
        self._trimmed = set()
        if agreed is None and comparison is not None:
            agreed = agreed_from_comparison(comparison)
        sentences = [t for t in (self._complete(s) for s in _sentences(articles, groups, p)) if t is not None]
        if not sentences:
            return EventDigest(event_id, "", (), self.name, 0, tuple(upstreams))
        n_groups = len({s.group for s in sentences})
        similar = _similarities(embedder, [s.text for s in sentences])
        threshold = p.agree.get(embedder.name, max(p.agree.values()))
        found = self._same_fact(sentences, similar, None, threshold)
        given = self._same_fact(sentences, similar, agreed, threshold) if agreed else [set() for _ in sentences]
        same = [f | g for f, g in zip(found, given)]
        group_of = [s.group for s in sentences]
        support = [len({group_of[j] for j in same[i]} | {group_of[i]}) for i in range(len(sentences))]
        reports = [len({sentences[j].article.id for j in same[i]}) + 1 for i in range(len(sentences))]
        confirmed = [len({group_of[j] for j in given[i]} - {group_of[i]}) > 0 for i in range(len(sentences))]
        alone = [stands_alone(s.text) and s.key not in self._trimmed for s in sentences]
        centrality = self._centrality(sentences, similar)
        tier = [0 if confirmed[i] else 1 if support[i] > 1 else 2 for i in range(len(sentences))]
        order = sorted(range(len(sentences)), key=lambda i: (not alone[i], tier[i], -support[i], -reports[i], -centrality[i]))
        chosen = self._choose(order, sentences, similar, same, alone)
        chosen.sort(key=lambda i: (tier[i], -support[i], -reports[i], -centrality[i]))
        out = []
        for i in chosen:
            cites = [sentences[i].citation()] + [sentences[j].citation() for j in sorted(same[i])]
            kind = "agreed" if support[i] > 1 else "relayed" if reports[i] > 1 else "addition"
            out.append(SummarySentence(sentences[i].text, kind, support[i], tuple(cites), reports[i]))
        contested = contested_from_comparison(comparison) if comparison else []
        if not contested and record:
            contested = contested_sentences(record, articles)
        if contested:
            out = out[: max(p.min_sentences, p.max_sentences - len(contested))] + contested[: p.max_sentences - 1]
        title = short_title(out[0].text) if out else ""
        return EventDigest(event_id, title, tuple(out), self.name, n_groups, tuple(upstreams))

    def _choose(self, order: Sequence[int], sentences, similar: np.ndarray, same: Sequence[set[int]],
                alone: Sequence[bool]) -> list[int]:
        """Pick in ``order`` within the length bounds, skipping repeats: first among the sentences that stand
        alone, then, only while fewer than ``min_sentences`` were found, among the others (a sentence that
        leans on the one before, a cut-off sentence's complete clause)."""
        p = self.params
        chosen: list[int] = []
        words = 0
        for preferred in (True, False):
            for i in order:
                if alone[i] != preferred:
                    continue
                if len(chosen) >= p.max_sentences or (len(chosen) >= p.min_sentences and words >= p.max_words):
                    break
                if not preferred and len(chosen) >= p.min_sentences:
                    break
                if any(similar[i, j] >= p.redundancy or j in same[i] for j in chosen):
                    continue
                n = len(sentences[i].text.split())
                if len(chosen) >= p.min_sentences and words + n > p.max_words:
                    continue
                chosen.append(i)
                words += n
        return chosen

    def _complete(self, s: _Sentence) -> _Sentence | None:
        """The sentence, or when it is cut off its text up to its last clause boundary (a comma, a semicolon,
        a dash) when at least ``min_words`` words remain there (remembered in ``_trimmed``), else None."""
        if not is_cut_off(s.text, at_end=not s.article.text[s.end :].strip()):
            return s
        raw = s.article.text[s.start : s.end]
        cuts = [m.start() for m in _CLAUSE_END.finditer(raw)]
        for cut in reversed(cuts):
            text = " ".join(raw[:cut].split())
            if len(text.split()) >= self.params.min_words:
                trimmed = replace(s, end=s.start + cut, text=text)
                self._trimmed.add(trimmed.key)
                return trimmed
        return None


def _cited_v2(options) -> CitedSummariserV2:
    return CitedSummariserV2()
