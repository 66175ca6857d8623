"""The analyse stage as the engine runs it: embeddings, entities, quotes, dates and places of each article.

The entity extractor reads the title and the text as one document; this
module maps its spans back onto the article text (offsets in every stored
mention are offsets into ``article.text``).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Sequence

from ..model import Article, Mention, Place
from ..pipeline import entities as entities_stage
from ..pipeline.cluster import ClusterItem, content_terms, detail_keys, term_weights
from .components import Components
from .timing import StageTimer

__all__ = ["Analysis", "Overrun", "analyse", "lead_text", "PIECE_CHARS"]

#: sentences of the lead that may date the event
LEAD_SENTENCES = 4
#: the entity extractor reads at most this many characters per call: a long document goes in pieces (cut at a
#: line break or a space), so that its clock is looked at between pieces and not only after the whole of it
PIECE_CHARS = 10_000


@dataclass
class Analysis:
    """What the analyse stage derives from one article."""

    item: ClusterItem
    mentions: list[Mention]
    event_dates: list[str]
    places: list[Place] = field(default_factory=list)


@dataclass(frozen=True)
class Overrun:
    """An article whose analysis went over its time budget: the stage that went over and the seconds spent."""

    article_id: str
    stage: str
    seconds: float
    budget: float

    def reason(self) -> str:
        return (f"its analysis took {self.seconds:.1f} s by the end of the {self.stage} stage, over the budget of "
                f"{self.budget:g} s per article (setting article_time_budget_s)")


class _Clocks:
    """Seconds spent on each article of a chunk; an article over the budget is out of the rest of the analysis."""

    def __init__(self, articles: Sequence[Article], budget: float | None) -> None:
        self.spent = {a.id: 0.0 for a in articles}
        self.budget = budget
        self.over: dict[str, Overrun] = {}

    def charge(self, shares: dict[str, float], seconds: float, stage: str) -> None:
        """Spread ``seconds`` over the articles in ``shares`` (weights: characters read), then check each."""
        total = sum(shares.values()) or 1.0
        for article_id, share in shares.items():
            self.spent[article_id] += seconds * share / total
            if self.budget is not None and article_id not in self.over and self.spent[article_id] > self.budget:
                self.over[article_id] = Overrun(article_id, stage, self.spent[article_id], self.budget)


def lead_text(article: Article, embed_chars: int) -> str:
    """What the embedder reads: the title, a blank line, the start of the body."""
    body = article.text[:embed_chars]
    return f"{article.title}\n\n{body}" if article.title else body


def _document(article: Article) -> str:
    return f"{article.title}\n\n{article.text}" if article.title else article.text


def _bounded(document: str, max_chars: int) -> str:
    """The first ``max_chars`` characters of ``document`` (all of it for 0), cut after a space when there is one in
    the last tenth, so that no word is cut in two."""
    if not max_chars or len(document) <= max_chars:
        return document
    cut = document.rfind(" ", max_chars - max_chars // 10, max_chars)
    return document[: cut + 1 if cut >= 0 else max_chars]


def pieces(document: str, size: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """``document`` as (offset, piece) of at most ``size`` characters, each cut after a line break or else a space
    (a word is never cut unless a piece has no space at all)."""
    out, start = [], 0
    while len(document) - start > size:
        end = start + size
        cut = document.rfind("\n", start + size // 2, end)
        if cut < 0:
            cut = document.rfind(" ", start + size // 2, end)
        end = cut + 1 if cut >= 0 else end
        out.append((start, document[start:end]))
        start = end
    out.append((start, document[start:]))
    return out


def _entities(articles: Sequence[Article], extractor, clocks: _Clocks, piece_chars: int = PIECE_CHARS,
              max_chars: int = 0) -> list[list[tuple[int, int, str]]]:
    """The entity spans of each article's document (its first ``max_chars`` characters when that is not 0), read in
    calls of at most ``piece_chars`` characters (short documents share a call); an article over its budget is read
    no further."""
    found: list[list[tuple[int, int, str]]] = [[] for _ in articles]
    queue = deque((i, offset, piece) for i, a in enumerate(articles)
                  for offset, piece in pieces(_bounded(_document(a), max_chars), piece_chars))
    while queue:
        call, size = [], 0
        while queue and (not call or size + len(queue[0][2]) <= piece_chars):
            i, offset, piece = queue.popleft()
            if articles[i].id not in clocks.over:
                call.append((i, offset, piece))
                size += len(piece)
        if not call:
            continue
        started = time.thread_time()
        spans = extractor.extract([piece for _, _, piece in call])
        shares: dict[str, float] = {}
        for (i, offset, piece), piece_spans in zip(call, spans):
            found[i].extend((start + offset, end + offset, label) for start, end, label in piece_spans)
            shares[articles[i].id] = shares.get(articles[i].id, 0.0) + len(piece)
        clocks.charge(shares, time.thread_time() - started, "entities")
    return found


def analyse(articles: Sequence[Article], components: Components, embed_chars: int,
            timer: StageTimer | None = None, budget: float | None = None) -> list[Analysis | Overrun]:
    """Embeddings, mentions, places and candidate event dates of each article.

    ``budget``: CPU seconds of analysis per article (this thread's: the models run in it, one thread each), so a
    loaded machine does not reject articles that a quiet one keeps. Every stage reads bounded input (the embedder the
    lead, the entity extractor pieces of ``ner_piece_chars``, the other stages one article after the field limits) and
    each article's clock is looked at between stages; an article over its budget goes no further and its place
    in the answer is an :class:`Overrun`. No thread or signal is involved: nothing can be left running."""
    timer = timer or StageTimer({})
    clocks = _Clocks(articles, budget)
    with timer("embed"):
        started = time.thread_time()
        vectors = components.get("embedder").embed([lead_text(a, embed_chars) for a in articles])
        clocks.charge({a.id: len(lead_text(a, embed_chars)) for a in articles}, time.thread_time() - started, "embed")
    with timer("entities"):
        options = components.options
        spans = _entities(articles, components.get("entity_extractor"), clocks,
                          int(getattr(options, "ner_piece_chars", PIECE_CHARS)), int(getattr(options, "ner_max_chars", 0)))
    with timer("analyse"):
        return [clocks.over.get(a.id) or _one(a, vector, found, components, embed_chars, clocks)
                for a, vector, found in zip(articles, vectors, spans)]


def _one(a: Article, vector, found_spans, components: Components, embed_chars: int,
         clocks: _Clocks) -> Analysis | Overrun:
    document = _document(a)
    shift = len(a.title) + 2 if a.title else 0  # where the text starts in the document
    mentions, lead_keys, lead_labelled = [], set(), set()
    for start, end, label in found_spans:
        surface = document[start:end]
        key = entities_stage.normalise(surface, label)
        if not key:
            continue
        if start - shift < embed_chars:
            lead_keys.add(key)
            lead_labelled.add((key, label))
        if start >= shift:
            mentions.append(Mention(a.id, start - shift, end - shift, surface, label, key))
    body_spans = [(start - shift, end - shift, label) for start, end, label in found_spans if start >= shift]
    sentences = [(s.start, s.end) for s in a.segments if s.kind == "sentence"]
    dates = components.get("dates")
    stages = (
        ("quotes", lambda: components.get("quotes").mentions(a.id, a.text, body_spans, sentences or None)),
        ("dates", lambda: dates.mentions(a.id, a.text, a.published)),
        ("places", lambda: components.get("geoparser").parse(a.id, a.text, body_spans)),
    )
    found = []
    for stage, run in stages:
        started = time.thread_time()
        found.append(run())
        clocks.charge({a.id: 1.0}, time.thread_time() - started, stage)
        if a.id in clocks.over:
            return clocks.over[a.id]
    quotes, dated, places = found
    mentions += quotes + dated
    item = ClusterItem(
        key=a.id,
        date=a.published,
        vector=vector,
        entities=frozenset(entities_stage.expand(lead_keys)),
        title_terms=frozenset(content_terms(a.title or a.display_title())),
        terms=term_weights(f"{a.title or ''}\n{a.text}"),
        details=detail_keys(lead_labelled, lead_text(a, embed_chars)),
    )
    event_dates = [d.iso() for d in dates.event_dates(a.sentences()[:LEAD_SENTENCES], a.published)][:1]
    return Analysis(item, mentions, event_dates, places)
