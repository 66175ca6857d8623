"""What the pages show, built from the engine's dicts: pure functions, no HTML.

The templates only lay these out (and Jinja escapes every string). Article text
becomes paragraphs of sentences of *pieces*: runs of text that carry the
classes of every span covering them (a place, an actor, a quote, a sentence
that supports a record field), so overlapping spans need no nesting.

Keys written by later stages (an event's ``record``, an article's ``places``,
mention labels beyond spaCy's) are optional: a page without them still renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urlsplit

from ..model import RECORD_FIELDS
from .geo import MapMarker, StoryMap, draw_map

__all__ = [
    "Piece", "Sentence", "Block", "FieldView", "layout", "record_fields", "field_highlights",
    "mention_spans", "public_origin", "place_groups", "story_map", "event_facts", "safe_url", "display_title",
    "source_columns", "MENTION_KINDS", "FIELD_ORDER", "DETAIL_LABELS",
]

#: mention label -> (CSS kind, what the legend calls it)
MENTION_KINDS = {
    "PERSON": ("actor", "actor"), "ORG": ("actor", "actor"), "NORP": ("actor", "actor"),
    "GPE": ("place", "place"), "LOC": ("place", "place"), "FAC": ("place", "place"),
    "DATE": ("date", "date"), "QUOTE": ("quote", "quote"), "ATTRIBUTION": ("attribution", "attribution"),
    "QUANTITY": ("quantity", "number"), "EVENT": ("named-event", "named event"),
}
FIELD_ORDER = tuple(RECORD_FIELDS)
FIELD_LABELS = {name: label.capitalize() for name, label in RECORD_FIELDS.items()}


@dataclass(frozen=True)
class Piece:
    text: str
    classes: tuple[str, ...] = ()
    note: str = ""


@dataclass
class Sentence:
    start: int
    end: int
    pieces: list[Piece]
    classes: tuple[str, ...] = ()


@dataclass
class Block:
    kind: str  # "paragraph" | "heading"
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    note: str = ""


def _pieces(text: str, start: int, end: int, spans: list[Span]) -> list[Piece]:
    inside = [s for s in spans if s.start < end and s.end > start and s.end > s.start]
    cuts = sorted({start, end, *(max(s.start, start) for s in inside), *(min(s.end, end) for s in inside)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [s for s in inside if s.start <= a and s.end >= b]
        kinds = tuple(dict.fromkeys(s.kind for s in covering))
        notes = "; ".join(dict.fromkeys(s.note for s in covering if s.note))
        out.append(Piece(text[a:b], kinds, notes))
    return out


def layout(text: str, segments: Iterable[dict[str, Any]] | None, spans: Iterable[Span] = (),
           sentence_classes: dict[tuple[int, int], tuple[str, ...]] | None = None) -> list[Block]:
    """The article ``text`` as blocks of sentences of pieces, ``spans`` marked."""
    spans = sorted(spans, key=lambda s: (s.start, s.end))
    sentence_classes = sentence_classes or {}
    segments = [s for s in (segments or []) if 0 <= s["start"] < s["end"] <= len(text)]
    if not segments:  # no segmentation stored: one paragraph per blank-line block
        segments = [{"kind": "sentence", "start": m.start(), "end": m.end(), "paragraph": i}
                    for i, m in enumerate(re.finditer(r"\S(?:.*?\S)?(?=\n\s*\n|\s*$)", text, re.S))]
    blocks: list[Block] = []
    last_key = None
    for seg in sorted(segments, key=lambda s: s["start"]):
        kind = "heading" if seg["kind"] == "heading" else "paragraph"
        key = (kind, seg["paragraph"])
        if key != last_key or kind == "heading":
            blocks.append(Block(kind))
            last_key = key
        span = (seg["start"], seg["end"])
        classes = tuple(c for (a, b), cs in sentence_classes.items() if a < span[1] and b > span[0] for c in cs)
        blocks[-1].sentences.append(Sentence(span[0], span[1], _pieces(text, span[0], span[1], spans), tuple(dict.fromkeys(classes))))
    return blocks


def mention_spans(article: dict[str, Any]) -> list[Span]:
    """Spans for an article's mentions and resolved places."""
    out = []
    for m in article.get("mentions") or []:
        kind, name = MENTION_KINDS.get(m.get("label", ""), ("other", m.get("label", "")))
        detail = m.get("detail") or {}
        extra = ""
        if m.get("label") == "DATE" and detail.get("value"):
            extra = f": {detail['value']}" + (f" ({detail['precision']})" if detail.get("precision") else "")
        elif m.get("label") == "QUOTE" and detail.get("speaker"):
            extra = f" by {detail['speaker']}"
        out.append(Span(m["start"], m["end"], kind, f"{name}{extra}"))
    for p in place_mentions(article):
        resolved = ", ".join(x for x in (p.get("name"), p.get("admin1"), p.get("country")) if x)
        note = f"place: {resolved or p.get('text', '')} ({p.get('precision', 'unresolved')})"
        out.append(Span(p["start"], p["end"], "place", note))
    return out


def place_mentions(article: dict[str, Any]) -> list[dict[str, Any]]:
    """The article's resolved places that name a place: a nationality or group word ("Russian",
    "Americans", tagged NORP) tells the geoparser which country the text is about but is not a place."""
    groups = {(m["start"], m["end"]) for m in article.get("mentions") or [] if m.get("label") == "NORP"}
    return [p for p in article.get("places") or [] if (p["start"], p["end"]) not in groups]


@dataclass(frozen=True)
class PlaceGroup:
    """One place an article names, however often: what it resolved to and the words that name it."""

    name: str
    where: str
    precision: str
    latitude: float | None
    longitude: float | None
    surfaces: tuple[str, ...]
    count: int


def place_groups(article: dict[str, Any]) -> list[PlaceGroup]:
    """The article's places, one line per resolved place (most mentioned first), not one per mention."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for p in place_mentions(article):
        key = (p.get("geonameid") or p.get("name") or p["text"].lower(), p.get("country"), p.get("precision"))
        groups.setdefault(key, []).append(p)
    out = []
    for found in groups.values():
        first = found[0]
        where = ", ".join(x for x in (first.get("admin1"), first.get("country")) if x and x != first.get("name"))
        out.append(PlaceGroup(first.get("name") or "unresolved", where, first.get("precision") or "unresolved",
                              first.get("latitude"), first.get("longitude"),
                              tuple(dict.fromkeys(p["text"] for p in found)), len(found)))
    return sorted(out, key=lambda g: (-g.count, g.name))


@dataclass(frozen=True)
class FieldView:
    name: str
    label: str
    value: str
    detail: str
    note: str
    sources: tuple[str, ...]
    alternatives: tuple[str, ...]
    n_support: int


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items())
    return str(value)


#: how the record card words a value's detail: key -> label ("" prints the value alone); keys not listed
#: (internal scores, ids, normalised keys) are not shown
DETAIL_LABELS = {
    "label": "", "iptc_label": "IPTC", "acled_event_type": "ACLED", "acled_sub_event_type": "", "trigger": "trigger",
    "kind": "", "admin1": "", "country": "", "associate": "with", "precision": "precision",
    "text": "as written", "anchor": "read against", "start": "from", "end": "to",
}


def _detail(detail: dict[str, Any] | None) -> str:
    """A value's detail as a short line: "ACLED Explosions/Remote violence · Air/drone strike · trigger strike"."""
    if not detail:
        return ""
    parts = []
    for key, label in DETAIL_LABELS.items():
        value = detail.get(key)
        if value in (None, "", [], {}) or isinstance(value, (dict, list)):
            continue
        if key in ("start", "end") and detail.get("start") == detail.get("end"):
            continue  # a single day: "from X to X" says nothing
        if key == "country" and isinstance(value, str) and value.islower():
            value = value.title()  # an actor's country is a normalised key ("united states")
        parts.append(f"{label} {value}" if label else str(value))
    if isinstance(detail.get("latitude"), (int, float)) and isinstance(detail.get("longitude"), (int, float)):
        parts.append(f"{detail['latitude']:.2f}, {detail['longitude']:.2f}")
    return " · ".join(parts)


def record_fields(record: dict[str, Any] | None) -> list[FieldView]:
    """The fields of an event record (``dataclasses.asdict(EventRecord)``), in a fixed order."""
    if not record:
        return []
    fields = record.get("fields") or {}
    names = [n for n in FIELD_ORDER if n in fields] + sorted(n for n in fields if n not in FIELD_ORDER)
    out = []
    for name in names:
        f = fields[name] or {}
        value = f.get("value") or {}
        support = value.get("support") or []
        sources = tuple(sorted({s.get("source") or s.get("article_id", "?") for s in support}))
        alternatives = tuple(
            f"{_text(a.get('value'))} ({', '.join(sorted({s.get('source') or s.get('article_id', '?') for s in a.get('support') or []})) or 'no source'})"
            for a in f.get("alternatives") or []
        )
        out.append(FieldView(name, FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), _text(value.get("value")) if value else "—",
                             _detail(value.get("detail")), f.get("note") or "", sources, alternatives, len(support)))
    return out


def field_highlights(record: dict[str, Any] | None, name: str | None) -> dict[str, tuple[dict, list[Span]]]:
    """Per article: the sentences (as classes by range) and exact spans that support field ``name``.

    The chosen value's support is ``support``; values other sources give
    instead are ``support-alt``.
    """
    out: dict[str, tuple[dict, list[Span]]] = {}
    if not record or not name:
        return out
    f = (record.get("fields") or {}).get(name) or {}
    groups = [("support", f.get("value") or {})] + [("support-alt", a) for a in f.get("alternatives") or []]
    for kind, value in groups:
        for s in value.get("support") or []:
            sentences, spans = out.setdefault(s["article_id"], ({}, []))
            key = (s.get("sentence_start", s["start"]), s.get("sentence_end", s["end"]))
            sentences[key] = tuple(dict.fromkeys(sentences.get(key, ()) + (kind,)))
            spans.append(Span(s["start"], s["end"], f"{kind}-span", f"{FIELD_LABELS.get(name, name)}: {_text(value.get('value'))}"))
    return out


def _place_of(event: dict[str, Any]) -> dict[str, Any]:
    """The event's place as a dict with whatever is known: name, latitude, longitude, country_code."""
    f = ((event.get("record") or {}).get("fields") or {}).get("place") or {}
    value = f.get("value") or {}
    detail = dict(value.get("detail") or {})
    if value.get("value") is not None:
        detail.setdefault("name", _text(value.get("value")))
    for a, b in (("lat", "latitude"), ("lon", "longitude"), ("lng", "longitude")):
        if a in detail and b not in detail:
            detail[b] = detail[a]
    return detail


def event_facts(event: dict[str, Any]) -> dict[str, str]:
    """Type, place and actors of an event for the story timeline ("" when unknown)."""
    record = event.get("record") or {}
    fields = record.get("fields") or {}

    def value(name: str) -> str:
        v = (fields.get(name) or {}).get("value") or {}
        return _text(v.get("value")) if v.get("value") is not None else ""

    actors = " → ".join(x for x in (value("actor1"), value("actor2")) if x)
    return {"type": value("event_type"), "place": _place_of(event).get("name", ""), "actors": actors}


def story_map(events: list[dict[str, Any]], places_by_event: dict[str, list[dict[str, Any]]] | None = None) -> StoryMap | None:
    """The map of a story: one marker per event whose record has a located place, its country filled.

    An event without a record place gets no marker (a guess from the places an
    article names would often be wrong: "US officials said"); the countries its
    articles name (``places_by_event``) are filled instead.
    """
    markers, codes = [], set()
    places_by_event = places_by_event or {}
    for number, event in enumerate(events, 1):
        place = _place_of(event)
        if place.get("country_code"):
            codes.add(str(place["country_code"]))
        if isinstance(place.get("latitude"), (int, float)) and isinstance(place.get("longitude"), (int, float)):
            name = place.get("name") or place.get("text") or ""
            approximate = place.get("precision") in ("country", "region", "unresolved")
            where = f"{name} (approximate: {'the country' if place.get('precision') != 'region' else 'the region'}'s position)" \
                if approximate else name
            markers.append(MapMarker(str(number), f"{number}. {event.get('title') or event['id']} — {where}",
                                     float(place["latitude"]), float(place["longitude"]), f"#event-{event['id']}",
                                     approximate))
        elif not place:
            codes.update(str(p["country_code"]) for p in places_by_event.get(event["id"], [])
                         if p.get("country_code") and p.get("precision") != "unresolved")
    return draw_map(markers, codes)


def display_title(article: dict[str, Any]) -> str:
    """The headline, else the first sentence (shortened), else the id."""
    if article.get("title"):
        return article["title"]
    first = next(iter(article.get("sentences") or []), "") or (article.get("text") or "")[:120]
    first = " ".join(first.split())
    return (first if len(first) <= 110 else first[:107].rstrip() + "...") or article.get("id", "")


def source_columns(articles_by_source: dict[str, list[dict[str, Any]]],
                   relays: list[dict[str, Any]] = ()) -> list[tuple[str, list[dict[str, Any]]]]:
    """One column per source, biggest first; articles without an outlet name are a source each, named by
    the report they relay when they relay one ("Unnamed outlet relaying the Wall Street Journal (a4399503)")."""
    relayed = {article_id: r["name"] for r in relays for article_id in r["articles"]}
    columns = []
    for source, articles in articles_by_source.items():
        if source == "(unknown)":
            for a in articles:
                what = f"Unnamed outlet relaying {_the(relayed[a['id']])}" if a["id"] in relayed else "Unnamed outlet"
                columns.append((f"{what} ({a['id'][:8]})", [a]))
        else:
            columns.append((source, articles))
    return sorted(columns, key=lambda c: (-len(c[1]), c[0]))


def _the(name: str) -> str:
    """"the Wall Street Journal" for an outlet named like one; a person's name stays bare."""
    return name if name[:4].lower() == "the " or not name[:1].isupper() or " " not in name else f"the {name}"


def public_origin(origin: str | None) -> str | None:
    """Where an article came from, without the server's folders: "/srv/news/feed.jsonl:3" -> "feed.jsonl:3"."""
    if not origin:
        return origin
    return origin.replace("\\", "/").rsplit("/", 1)[-1]


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None (never a javascript: link)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def fact_highlights(comparison: dict[str, Any] | None, fact_id: str | None) -> dict[str, tuple[dict, list[Span]]]:
    """Per article: the sentences and exact spans of the claims that state fact ``fact_id``.

    In each conflict of a contested fact the first value is ``support``, the values other sources give ``support-alt``
    (as record fields); a sentence keeps the first kind it gets.
    """
    out: dict[str, tuple[dict, list[Span]]] = {}
    fact = next((f for f in (comparison or {}).get("facts", ()) if f["id"] == fact_id), None)
    if fact is None:
        return out
    conflicts = fact.get("conflicts") or [fact]
    groups = [(("support" if k == 0 else "support-alt"), v["value"], v["supports"])
              for c in conflicts for k, v in enumerate(c["values"])]
    groups = groups or [("support", fact["status"], fact["supports"])]
    for kind, label, supports in groups:
        for s in supports:
            sentences, spans = out.setdefault(s["article"], ({}, []))
            sentences.setdefault((s["start"], s["end"]), (kind,))
            spans.append(Span(s["start"], s["end"], f"{kind}-span", f"{fact_id}: {label}"))
    return out


def comparison_view(comparison: dict[str, Any] | None) -> dict[str, Any] | None:
    """The comparison as the event page shows it: contested, agreed, per source (adds, omits, framing)."""
    if not comparison:
        return None
    facts = {f["id"]: f for f in comparison["facts"]}
    sources = []
    for name, parts in comparison["by_source"].items():
        framing: dict[str, list[str]] = {}
        for t in parts["framing"]:
            framing.setdefault(t["kind"], [])
            if t["term"] not in framing[t["kind"]]:
                framing[t["kind"]].append(t["term"])
        sources.append({"name": name, "adds": [facts[i] for i in parts["adds"] if i in facts],
                        "omits": [facts[i] for i in parts["omits"] if i in facts],
                        "contradicts": [facts[i] for i in parts["contradicts"] if i in facts], "framing": framing})
    return {"note": comparison.get("note", ""), "upstream": comparison.get("upstream", []),
            "contested": [f for f in comparison["facts"] if f["status"] == "contested"],
            "agreed": [f for f in comparison["facts"] if f["status"] == "agreed"], "sources": sources}
