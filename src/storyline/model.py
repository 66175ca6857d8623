"""The data model: every record Storyline reads, derives or stores.

All records are frozen dataclasses. Pipeline stages and the store import this
module and nothing else of each other; derived values keep their provenance
(which article, which character span) so any field can be traced back to text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DatePrecision",
    "GeoPrecision",
    "FuzzyDate",
    "RawRecord",
    "Notice",
    "Segment",
    "Article",
    "Mention",
    "Place",
    "Support",
    "FieldValue",
    "RecordField",
    "EventRecord",
    "Rejection",
    "Decision",
    "Event",
    "Story",
    "IngestSummary",
]


class DatePrecision:
    """How exactly a date is known. Values are stored as these strings."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    INTERVAL = "interval"
    #: Only the publication date is known: the event happened on or before it.
    PUBLICATION = "publication"
    UNKNOWN = "unknown"

    ALL = (DAY, WEEK, MONTH, YEAR, INTERVAL, PUBLICATION, UNKNOWN)


@dataclass(frozen=True)
class FuzzyDate:
    """A date with the precision it is known to, and where it came from."""

    value: dt.date | None
    precision: str = DatePrecision.DAY
    start: dt.date | None = None
    end: dt.date | None = None
    text: str | None = None
    anchor: dt.date | None = None

    def iso(self) -> str | None:
        return self.value.isoformat() if self.value else None


@dataclass(frozen=True)
class RawRecord:
    """One input record as read from a file, before any validation.

    ``origin`` names the file (or ``<stdin>``) and ``line`` the 1-based line
    (or row) where the record starts, so every error can point at it.
    """

    origin: str
    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Notice:
    """What a reader tells about an input that is neither a record nor a rejection.

    Records skipped on purpose and counted (a web archive's images and
    redirects), or a feed that holds only summaries: the ingest summary line
    repeats each notice.
    """

    origin: str
    message: str


@dataclass(frozen=True)
class Segment:
    """A span of an article's text: a paragraph, a heading or a sentence."""

    kind: str  # "heading" | "sentence"
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True)
class Article:
    """A news article as ingested. Never mutated after ingest."""

    id: str
    text: str
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    language: str | None = None
    fingerprint: str = ""
    origin: str | None = None
    segments: tuple[Segment, ...] = ()
    duplicate_of: str | None = None

    def sentences(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.segments if s.kind == "sentence"]

    def headings(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.segments if s.kind == "heading"]

    def display_title(self) -> str:
        """The headline, or the first sentence when the source gave none."""
        if self.title:
            return self.title
        first = next(iter(self.sentences()), self.text[:120])
        return first if len(first) <= 120 else first[:117].rstrip() + "..."


@dataclass(frozen=True)
class Mention:
    """A span in an article: a named entity (spaCy's labels), or DATE, QUOTE, ATTRIBUTION,
    QUANTITY; ``key`` is its comparable form (an actor key, an ISO date, a speaker key)."""

    article_id: str
    start: int
    end: int
    text: str
    label: str
    key: str
    #: normalised details: a date's value and precision, a quote's speaker, an attribution's kind...
    detail: dict[str, Any] = field(default_factory=dict, compare=False)


class GeoPrecision:
    """How exactly a place is known. Values are stored as these strings."""

    POINT = "point"  # a site: a base, a building, a crossing
    CITY = "city"  # a populated place
    REGION = "region"  # a first- or second-level division, or a named area
    COUNTRY = "country"
    #: recognised as a place but not resolved; ``country`` may still be known
    UNRESOLVED = "unresolved"

    ALL = (POINT, CITY, REGION, COUNTRY, UNRESOLVED)


@dataclass(frozen=True)
class Place:
    """A toponym in an article and what it resolved to.

    ``start``/``end`` are character offsets into the article text. A toponym
    that could not be resolved keeps its text, ``precision`` "unresolved",
    and the best enclosing region known (often the country).
    """

    article_id: str
    start: int
    end: int
    text: str
    name: str | None = None
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    country: str | None = None
    admin1: str | None = None
    feature_code: str | None = None
    precision: str = GeoPrecision.UNRESOLVED
    confidence: float = 0.0


@dataclass(frozen=True)
class Support:
    """Where a value was read: an article, the sentence and the exact span."""

    article_id: str
    source: str | None
    sentence_start: int
    sentence_end: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class FieldValue:
    """One value of a record field, with the spans that state it."""

    value: Any
    #: normalised details: a place's coordinates, a date's precision and interval, an actor's key...
    detail: dict[str, Any] = field(default_factory=dict)
    support: tuple[Support, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({s.source or s.article_id for s in self.support}))


@dataclass(frozen=True)
class RecordField:
    """A field of an event record: the chosen value and the values other sources give."""

    name: str
    value: FieldValue | None
    #: values that some sources state instead of the chosen one
    alternatives: tuple[FieldValue, ...] = ()
    #: how the value was chosen ("stated by 3 of 4 sources", "publication date only"...)
    note: str = ""


@dataclass(frozen=True)
class EventRecord:
    """One record per real event: type, actors, place, date, counts, each traced to text.

    Field names: ``event_type`` (PLOVER, with the ACLED event and sub-event type
    in ``detail``), ``actor1``, ``actor2``, ``place``, ``date``,
    ``fatalities``, ``injured``. ``background`` holds earlier events the
    articles mention only as background (the same shape, without background).
    """

    event_id: str
    fields: dict[str, RecordField]
    background: tuple["EventRecord", ...] = ()
    summary: str = ""

    def get(self, name: str) -> Any:
        f = self.fields.get(name)
        return f.value.value if f and f.value else None


@dataclass(frozen=True)
class Rejection:
    """An input that could not be used, with the reason. Nothing is dropped silently."""

    origin: str
    line: int
    code: str
    reason: str
    excerpt: str = ""


@dataclass(frozen=True)
class Decision:
    """Why an article joined an event (or started one), or an event a story."""

    subject_id: str
    target_id: str
    action: str  # "new" | "join" | "duplicate"
    score: float
    threshold: float
    features: dict[str, Any] = field(default_factory=dict)
    explanation: str = ""


@dataclass(frozen=True)
class Event:
    """A real-world happening, reported by one or more articles."""

    id: str
    story_id: str | None
    title: str
    date: FuzzyDate
    first_date: dt.date | None
    last_date: dt.date | None
    article_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    """A sequence of related events over time."""

    id: str
    title: str
    first_date: dt.date | None
    last_date: dt.date | None
    events: tuple[Event, ...] = ()


@dataclass
class IngestSummary:
    """Counts for one ingest run, printed as its one-line summary."""

    ingested: int = 0
    duplicates: int = 0
    unchanged: int = 0
    rejected: int = 0
    events_created: int = 0
    stories_created: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    #: the rejections of this run (including ones already stored by an earlier run)
    rejections: list[Rejection] = field(default_factory=list)
    #: what the readers noted ("feed.xml: 12 entries hold summaries only")
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        rate = self.ingested / self.seconds if self.seconds > 0 else 0.0
        text = (
            f"ingested {self.ingested} new articles ({self.duplicates} duplicates), "
            f"{self.unchanged} already stored, {self.rejected} rejected; "
            f"{self.events_created} new events, {self.stories_created} new stories "
            f"in {self.seconds:.1f}s ({rate:.1f} articles/s)"
        )
        if self.notes:
            shown = "; ".join(self.notes[:5])
            more = f"; {len(self.notes) - 5} more notes" if len(self.notes) > 5 else ""
            text += f"; note: {shown}{more}"
        return text
