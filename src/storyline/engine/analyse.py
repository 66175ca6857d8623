"""The analyse stage as the engine runs it: embeddings, entities, quotes, dates and places of each article.

The entity extractor reads the title and the text as one document; this
module maps its spans back onto the article text (offsets in every stored
mention are offsets into ``article.text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..model import Article, Mention, Place
from ..pipeline import entities as entities_stage
from ..pipeline.cluster import ClusterItem, content_terms, detail_keys, term_weights
from .components import Components
from .timing import StageTimer

__all__ = ["Analysis", "analyse", "lead_text"]

#: sentences of the lead that may date the event
LEAD_SENTENCES = 4


@dataclass
class Analysis:
    """What the analyse stage derives from one article."""

    item: ClusterItem
    mentions: list[Mention]
    event_dates: list[str]
    places: list[Place] = field(default_factory=list)


def lead_text(article: Article, embed_chars: int) -> str:
    """What the embedder reads: the title, a blank line, the start of the body."""
    body = article.text[:embed_chars]
    return f"{article.title}\n\n{body}" if article.title else body


def _document(article: Article) -> str:
    return f"{article.title}\n\n{article.text}" if article.title else article.text


def analyse(articles: Sequence[Article], components: Components, embed_chars: int,
            timer: StageTimer | None = None) -> list[Analysis]:
    """Embeddings, mentions, places and candidate event dates of each article."""
    timer = timer or StageTimer({})
    with timer("embed"):
        vectors = components.get("embedder").embed([lead_text(a, embed_chars) for a in articles])
    with timer("entities"):
        spans = components.get("entity_extractor").extract([_document(a) for a in articles])
    with timer("analyse"):
        return [_one(a, vector, found, components, embed_chars) for a, vector, found in zip(articles, vectors, spans)]


def _one(a: Article, vector, found_spans, components: Components, embed_chars: int) -> Analysis:
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
    mentions += components.get("quotes").mentions(a.id, a.text, body_spans, sentences or None)
    mentions += dates.mentions(a.id, a.text, a.published)
    places = components.get("geoparser").parse(a.id, a.text, body_spans)
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
