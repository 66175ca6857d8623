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
    "FuzzyDate",
    "RawRecord",
    "Segment",
    "Article",
    "Mention",
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
    """A named entity in an article, with its normalised key."""

    article_id: str
    start: int
    end: int
    text: str
    label: str
    key: str


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

    def line(self) -> str:
        rate = self.ingested / self.seconds if self.seconds > 0 else 0.0
        return (
            f"ingested {self.ingested} new articles ({self.duplicates} duplicates), "
            f"{self.unchanged} already stored, {self.rejected} rejected; "
            f"{self.events_created} new events, {self.stories_created} new stories "
            f"in {self.seconds:.1f}s ({rate:.1f} articles/s)"
        )
