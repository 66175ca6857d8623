"""Analyse: quotes with their speaker, and attributions with their source.

Two kinds of span are found in an article's text:

* a **quote** is text inside quotation marks ("…", “…”), with its speaker when
  the sentence names one (“We seek to avoid miscalculation…,” Kurilla said —
  speaker "Army Gen. Erik Kurilla", resolved through the article's own person
  names). A paragraph that is only a quote continues the previous speaker.
* an **attribution** says where a statement comes from: "the Wall Street
  Journal reported", "according to US military officials", "citing sources
  in the US government", "the daily notes". Each carries the source as
  written, a comparable key and a kind: ``outlet`` (a newspaper, an agency:
  the article relays its report), ``official``, ``person``,
  ``organisation`` or ``unnamed``. "The newspaper", "the paper", "the daily"
  and "it" point back at the last outlet named; "the WSJ" is the same outlet
  as "the Wall Street Journal (WSJ)".

:func:`upstream` names the outlets an article relays: two articles of
different outlets relaying the same upstream report are one report, not two
independent confirmations.

Everything is pattern-based on the text plus the entity spans the pipeline
already has; nothing here loads a model.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from ..model import Mention

__all__ = ["Quote", "Attribution", "find_attributions", "find_quotes", "upstream", "relays", "speech_mentions", "source_key", "SourceKinds"]

Span = tuple[int, int, str]


class SourceKinds:
    OUTLET = "outlet"
    OFFICIAL = "official"
    PERSON = "person"
    ORGANISATION = "organisation"
    UNNAMED = "unnamed"


@dataclass(frozen=True)
class Attribution:
    """ "the Wall Street Journal reported": the phrase, its source and the statement's sentence."""

    start: int  # the attribution phrase
    end: int
    source: str  # as written, resolved when it was a pronoun ("it" -> "the Wall Street Journal")
    key: str
    kind: str
    cue: str
    source_start: int
    source_end: int
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True)
class Quote:
    """Quoted text (without the marks) and who said it, when the text says."""

    start: int
    end: int
    text: str
    speaker: str | None = None
    speaker_key: str | None = None
    speaker_kind: str | None = None
    extra: dict = field(default_factory=dict)


_CUES = (
    "said|says|say|told|tells|reported|reports|wrote|writes|noted|notes|stated|states|added|adds|"
    "warned|warns|claimed|claims|pointed out|points out|announced|announces|confirmed|confirms|"
    "explained|explains|recalled|recalls|conveyed|insisted|insists|argued|argues|alleged|alleges|"
    "believe|believes|believed|estimated|estimates|acknowledged|acknowledges|denied|denies|"
    "described|describes|cautioned|observed|remarked|revealed|reveals|quoted|quotes"
)
_CUE = re.compile(rf"\b(?P<cue>{_CUES})\b")
# what may follow a cue verb of a real attribution: the end, a comma, "that", a colon,
# a quotation mark, or a time / manner adverbial ("on Friday", "in a statement")
_AFTER_CUE = re.compile(
    r"""^\s*(?:$|[,.;:!?"“”]|that\b|citing\b|(?:on|in|to|at|late|earlier|last|this|yesterday|today|in\s+a)\b)""",
    re.I,
)
_BOUNDARY = re.compile(r"""[,;:"“”‘’–—]|\b(?:that|and|but|as|while|when|which|who|after|because|so)\b""", re.I)
_ACCORDING = re.compile(
    r"\b(?P<cue>according to|citing|in the words of|quoting)\s+(?P<src>[^,.;:“”\"–—]{2,90}?)(?=\s*(?:[,.;:“”\"–—]|$|\bthat\b|\bwho\b))",
    re.I,
)
_DESCRIBED = re.compile(
    r"\bwhat\s+(?P<src>[^,.;:“”\"]{2,80}?)\s+(?P<cue>described as|called|calls|termed|terms|dubbed|dubs)\b", re.I
)
# speech verbs whose reported clause may follow without "that" ("officials said the strike failed")
_SPEECH = frozenset("said says say told tells claims claimed claim believe believes believed insisted insists "
                    "argued argues alleged alleges estimated estimates warned warns".split())
_LEADING = re.compile(
    r"^(?:(?:at the time|at that time|on \w+|earlier|later|meanwhile|also|however|now|then|in turn|in a statement)\s*,?\s+)+",
    re.I,
)
_PRONOUNS = {"it", "he", "she", "they", "the newspaper", "the paper", "the daily", "the outlet", "the report",
             "the publication", "the agency", "the broadcaster", "the news agency", "the journal", "the magazine"}
_OUTLET_WORDS = re.compile(
    r"\b(?:journal|times|post|news|newspaper|reuters|associated press|ap|afp|agence|tass|interfax|ria|bbc|cnn|"
    r"gazette|tribune|herald|daily|telegraph|guardian|bloomberg|agency|broadcaster|television|tv|radio|"
    r"magazine|wire|press|xinhua|al jazeera|axios|politico|nbc|cbs|abc|fox|npr|wsj|nyt)\b",
    re.I,
)
_OFFICIAL_WORDS = re.compile(
    r"\b(?:officials?|spokes(?:man|woman|person)|ministry|minister|government|military|army|police|"
    r"command|authorities|administration|department|pentagon|kremlin|white house|president|secretary|"
    r"general|commander|ambassador|embassy|office|agency)\b",
    re.I,
)
_UNNAMED_WORDS = re.compile(r"\b(?:sources?|witness(?:es)?|residents?|people familiar|analysts?|experts?|observers?)\b", re.I)
_DETERMINERS = re.compile(r"^(?:the|a|an|one of the|one of|some|several|two|three|many|other)\s+", re.I)
_TITLES = re.compile(
    r"(?:\b(?:Army|Navy|Air Force|Marine|Lt\.?|Lieutenant|Maj\.?|Major|Gen\.?|General|Col\.?|Colonel|Adm\.?|"
    r"Admiral|Sgt\.?|Capt\.?|President|Prime Minister|Minister|Secretary|Chancellor|Dr\.?|Mr\.?|Mrs\.?|"
    r"Ms\.?|Sen\.?|Senator|Rep\.?|Gov\.?|Governor|Mayor|Judge|Chief)\s+)+$"
)
_QUOTE = re.compile(r"“(?P<a>[^“”]{1,2000}?)”|\"(?P<b>[^\"\n]{1,2000}?)\"")


def source_key(source: str) -> str:
    """The comparable key of a source: "the Wall Street Journal (WSJ)" -> "wall street journal"."""
    return _key(source)


def _key(source: str) -> str:
    text = re.sub(r"\s*\([^)]*\)", "", source)  # "the Wall Street Journal (WSJ)"
    text = re.sub(r"['’]s\b", "", text)
    text = _DETERMINERS.sub("", " ".join(text.split()).strip(" .,;:"))
    return text.lower()


def _aliases(text: str) -> dict[str, str]:
    """Acronyms the article defines: "the Wall Street Journal (WSJ)" makes "wsj" mean "wall street journal"."""
    out = {}
    for m in re.finditer(r"((?:[A-Z][\w&.'’-]*\s+){1,6})\((?P<acr>[A-Z]{2,6})\)", text):
        words = [w for w in m.group(1).split() if w[0].isupper()]
        for n in range(len(words), 1, -1):
            if "".join(w[0] for w in words[-n:]) == m.group("acr"):
                out[m.group("acr").lower()] = _key(" ".join(words[-n:]))
                break
    return out


def _kind(source: str, spans: Sequence[Span], start: int, end: int) -> str:
    inside = [label for s, e, label in spans if s >= start and e <= end]
    if re.search(r"\bsources?\b", source, re.I):  # "one of the newspaper's sources": unnamed, whoever they talked to
        return SourceKinds.UNNAMED
    if _OUTLET_WORDS.search(source) and "PERSON" not in inside:
        return SourceKinds.OUTLET
    if "PERSON" in inside:
        return SourceKinds.PERSON
    if _UNNAMED_WORDS.search(source) and not _OFFICIAL_WORDS.search(source):
        return SourceKinds.UNNAMED
    if _OFFICIAL_WORDS.search(source):
        return SourceKinds.OFFICIAL
    if "ORG" in inside or "GPE" in inside:
        return SourceKinds.ORGANISATION
    return SourceKinds.UNNAMED


def _sentences(text: str, sentences: Sequence[tuple[int, int]] | None) -> list[tuple[int, int]]:
    if sentences:
        return list(sentences)
    return [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+(?:[.!?]+[”\"]?|$)", text)]


def _source_before(text: str, sentence_start: int, cue_start: int) -> tuple[int, int] | None:
    """The noun phrase right before a cue verb, back to the nearest clause boundary."""
    window = text[sentence_start:cue_start]
    cut = 0
    for m in _BOUNDARY.finditer(window):
        cut = m.end()
    start = sentence_start + cut
    phrase = text[start:cue_start]
    start += len(phrase) - len(phrase.lstrip())
    phrase = phrase.strip()
    lead = _LEADING.match(phrase)
    if lead:
        start, phrase = start + lead.end(), phrase[lead.end():]
    if not phrase or len(phrase.split()) > 9:
        return None
    return start, start + len(phrase)


class _Resolver:
    """Pronouns and generic outlet nouns point back at the last outlet (or person) named."""

    def __init__(self, text: str, spans: Sequence[Span]) -> None:
        self.text, self.spans = text, spans
        self.aliases = _aliases(text)
        self.last_outlet: tuple[str, str] | None = None
        self.last_person: tuple[str, str] | None = None
        self.persons = [(s, e) for s, e, label in spans if label == "PERSON"]

    def resolve(self, source: str, start: int, end: int) -> tuple[str, str, str] | None:
        """(display source, key, kind) or None when the phrase is no source."""
        lowered = " ".join(source.lower().split())
        if lowered in ("he", "she") and self.last_person:
            return self.last_person[0], self.last_person[1], SourceKinds.PERSON
        if lowered in _PRONOUNS:
            if self.last_outlet:
                return self.last_outlet[0], self.last_outlet[1], SourceKinds.OUTLET
            return None
        key = _key(source)
        if not key or key in {"we", "i", "you", "this", "which", "who", "there"}:
            return None
        key = self.aliases.get(key, key)
        kind = _kind(source, self.spans, start, end)
        if key in self.aliases.values():
            kind = SourceKinds.OUTLET if _OUTLET_WORDS.search(key) else kind
        if kind == SourceKinds.PERSON:
            source, key = self.full_name(source, start, end)
            self.last_person = (source, key)
        if kind == SourceKinds.OUTLET:
            self.last_outlet = (self._display(source), key)
        if kind == SourceKinds.UNNAMED and not _UNNAMED_WORDS.search(source) and not source[:1].isupper():
            return None
        return self._display(source), key, kind

    @staticmethod
    def _display(source: str) -> str:
        return re.sub(r"\s*\([A-Z]{2,6}\)", "", " ".join(source.split()))

    def full_name(self, source: str, start: int, end: int) -> tuple[str, str]:
        """The fullest form of a person named in the article: "Kurilla" -> "Army Gen. Erik Kurilla"."""
        names = [(s, e) for s, e in self.persons if s >= start and e <= end] or []
        surname = (self.text[names[0][0]:names[0][1]] if names else source).split()[-1]
        best = None
        for s, e in self.persons:
            name = self.text[s:e]
            if name.split()[-1] == surname and (best is None or e - s > best[1] - best[0]):
                best = (s, e)
        if best is None:
            return source, _key(source)
        title = _TITLES.search(self.text[max(0, best[0] - 40):best[0]])
        full = (title.group(0) if title else "") + self.text[best[0]:best[1]]
        return " ".join(full.split()), _key(self.text[best[0]:best[1]])


def _quote_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTE.finditer(text)]


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    return any(s < position < e for s, e in spans)


def find_attributions(
    text: str, spans: Sequence[Span] = (), sentences: Sequence[tuple[int, int]] | None = None
) -> list[Attribution]:
    """Every attribution in ``text``, in reading order.

    ``spans`` are the entity spans (start, end, label) of ``text``;
    ``sentences`` its sentence spans (found with a simple rule when absent).
    """
    resolver = _Resolver(text, spans)
    quoted = _quote_spans(text)
    found: list[tuple[int, int, int, int, str, int, int]] = []  # phrase, source, cue, sentence
    for s_start, s_end in _sentences(text, sentences):
        sentence = text[s_start:s_end]
        for m in _ACCORDING.finditer(sentence):
            if _inside(quoted, s_start + m.start()):
                continue
            src_start, src_end = s_start + m.start("src"), s_start + m.end("src")
            found.append((s_start + m.start(), s_start + m.end(), src_start, src_end, m.group("cue").lower(), s_start, s_end))
        for m in _DESCRIBED.finditer(sentence):
            src_start, src_end = s_start + m.start("src"), s_start + m.end("src")
            found.append((s_start + m.start(), s_start + m.end(), src_start, src_end, m.group("cue").lower(), s_start, s_end))
        for m in _CUE.finditer(sentence):
            cue_start = s_start + m.start()
            if _inside(quoted, cue_start):
                continue
            if m.group("cue") not in _SPEECH and not _AFTER_CUE.match(sentence[m.end():]):
                continue
            if re.search(r"\b(?:was|were|is|are|be|been|being|am)\s+$", sentence[: m.start()], re.I):
                continue  # passive: "officials were warned"
            source = _source_before(text, s_start, cue_start)
            if source is None:
                continue
            found.append((source[0], s_start + m.end(), source[0], source[1], m.group("cue").lower(), s_start, s_end))
    out = []
    for start, end, src_start, src_end, cue, s_start, s_end in sorted(found):
        resolved = resolver.resolve(text[src_start:src_end], src_start, src_end)
        if resolved is None:
            continue
        source, key, kind = resolved
        out.append(Attribution(start, end, source, key, kind, cue, src_start, src_end, s_start, s_end))
    return out


def find_quotes(
    text: str,
    spans: Sequence[Span] = (),
    sentences: Sequence[tuple[int, int]] | None = None,
    attributions: Sequence[Attribution] | None = None,
) -> list[Quote]:
    """Every quotation in ``text`` with its speaker when the text names one."""
    if attributions is None:
        attributions = find_attributions(text, spans, sentences)
    sentence_spans = _sentences(text, sentences)
    out: list[Quote] = []
    previous: Quote | None = None
    for m in _QUOTE.finditer(text):
        inner_start, inner_end = m.start() + 1, m.end() - 1
        inner = text[inner_start:inner_end]
        if not inner.strip():
            continue
        # the sentence(s) the quote sits in: from the first sentence it starts in to the last it ends in
        first = next((s for s in sentence_spans if s[0] <= m.start() < s[1]), (m.start(), m.end()))
        last = next((s for s in sentence_spans if s[0] < m.end() <= s[1]), first)
        # a quotation ending mid-sentence is attributed by the words right after it
        tail_end = text.find(".", m.end())
        region = (first[0], max(last[1], tail_end + 1 if 0 <= tail_end - m.end() < 120 else last[1]))
        said = [a for a in attributions if region[0] <= a.start < region[1] and not (m.start() <= a.start < m.end())]
        paragraph_start = text.rfind("\n", 0, m.start()) + 1
        stand_alone = not text[paragraph_start:m.start()].strip()
        if said:
            best = min(said, key=lambda a: min(abs(a.start - m.end()), abs(a.end - m.start())))
            quote = Quote(inner_start, inner_end, inner, best.source, best.key, best.kind)
        elif stand_alone and previous is not None and previous.speaker and m.start() - previous.end < 400:
            quote = Quote(inner_start, inner_end, inner, previous.speaker, previous.speaker_key,
                          previous.speaker_kind, {"continues": True})
        else:
            quote = Quote(inner_start, inner_end, inner)
        out.append(quote)
        previous = quote
    return out


def upstream(attributions: Sequence[Attribution | Mention], own_source: str | None = None) -> list[tuple[str, int]]:
    """The outlets whose reports an article relays, with how often it cites each, most cited first.

    Takes :class:`Attribution` objects or stored ATTRIBUTION mentions.
    """
    own = _key(own_source) if own_source else None
    counts: Counter[str] = Counter()
    for a in attributions:
        kind = a.kind if isinstance(a, Attribution) else a.detail.get("kind") if a.label == "ATTRIBUTION" else None
        if kind == SourceKinds.OUTLET and a.key != own:
            counts[a.key] += 1
    return counts.most_common()


def relays(articles: Sequence[tuple[str, str | None, Sequence[Attribution | Mention]]]) -> dict[str, list[str]]:
    """Which articles relay which upstream outlet's report.

    ``articles`` are (article id, own source, attributions). An article relays
    the outlet it cites most when it cites it at least twice, or cites no other
    outlet: it reports what that outlet reported. Only upstreams relayed by
    at least one article are returned, with the article ids in input order.
    """
    out: dict[str, list[str]] = {}
    for article_id, source, attributions in articles:
        cited = upstream(attributions, source)
        if cited and (cited[0][1] >= 2 or len(cited) == 1):
            out.setdefault(cited[0][0], []).append(article_id)
    return out


def speech_mentions(
    article_id: str, text: str, spans: Sequence[Span] = (), sentences: Sequence[tuple[int, int]] | None = None
) -> list[Mention]:
    """Quotes and attributions of an article as QUOTE and ATTRIBUTION mentions."""
    attributions = find_attributions(text, spans, sentences)
    out = [
        Mention(article_id, a.start, a.end, text[a.start:a.end], "ATTRIBUTION", a.key,
                {"source": a.source, "kind": a.kind, "cue": a.cue, "source_start": a.source_start,
                 "source_end": a.source_end, "sentence_start": a.sentence_start, "sentence_end": a.sentence_end})
        for a in attributions
    ]
    for q in find_quotes(text, spans, sentences, attributions):
        detail = {"speaker": q.speaker, "speaker_kind": q.speaker_kind} | q.extra
        out.append(Mention(article_id, q.start, q.end, q.text, "QUOTE", q.speaker_key or "", detail))
    return out


class RuleQuotes:
    """The quotes stage: quotes with their speakers and attributions with their sources, as mentions."""

    name = "quotes.rules.v1"

    def mentions(self, article_id: str, text: str, spans: Sequence[Span] = (),
                 sentences: Sequence[tuple[int, int]] | None = None) -> list[Mention]:
        return speech_mentions(article_id, text, spans, sentences)


def _rules(options) -> RuleQuotes:
    return RuleQuotes()
