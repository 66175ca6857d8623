"""The data model: every record Storyline reads, derives or stores.

All records are frozen dataclasses. Pipeline stages and the store import this
module and nothing else of each other; derived values keep their provenance
(which article, which character span) so any field can be traced back to text.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

# the read models of summaries and timelines live beside this module (this one would pass 600 lines)
from .digests import Citation, EventDigest, StoredDigest, SummarySentence, Timeline, TimelineDay
from .story_filter import StoryFilter, StoryKey

__all__ = [
    "PLACE_LABELS",
    "RECORD_FIELDS",
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
    "StoredEvent",
    "StoredStory",
    "SavedEventState",
    "StoredDecision",
    "StoryKey",
    "StoryFilter",
    "ArticleSummary",
    "ArticleView",
    "EventSummary",
    "Relay",
    "Why",
    "Event",
    "StorySummary",
    "StoryOverview",
    "Story",
    "StoryPage",
    "SearchHit",
    "SearchPage",
    "IngestSummary",
    # re-exported from .digests
    "Citation", "SummarySentence", "EventDigest", "TimelineDay", "StoredDigest", "Timeline",
    "plain",
    "counted",
]


#: entity labels (spaCy's scheme) that name places: one definition for every stage and the store
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


#: the fields of an event record in display order, with the word people read for each
RECORD_FIELDS: dict[str, str] = {
    "kind": "kind", "event_type": "type", "actor1": "actor", "actor2": "target", "place": "place", "date": "date",
    "fatalities": "killed", "injured": "injured",
}


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


_SCALARS = (str, int, float, type(None))  # their own JSON form (checked first: most values of a record are)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # each dataclass's field names, found once


def plain(value: Any) -> Any:
    """JSON-ready form of a model value: dataclasses become dicts, tuples lists, dates ISO strings."""
    if isinstance(value, _SCALARS):
        return value
    if (names := _FIELD_NAMES.get(type(value))) is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES.setdefault(type(value), tuple(f.name for f in fields(value)))
    if names is not None:
        return {n: v if type(v := getattr(value, n)) in _SCALARS else plain(v) for n in names}
    if isinstance(value, dict):  # a scalar child is taken as it is, without a call (records are mostly scalars)
        return {k: v if type(v) in _SCALARS else plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _View:
    """A read model: what a surface shows, with its JSON form."""

    def to_dict(self) -> dict[str, Any]:
        return plain(self)


# ---------------------------------------------------------------- stored rows
@dataclass(frozen=True)
class StoredEvent(_View):
    """An event as the store keeps it (its clustering state apart)."""

    id: str
    number: int
    story_id: str | None
    title: str | None
    date: str | None
    date_precision: str
    first_date: str | None
    last_date: str | None
    #: independent reports as the clusterer counts them (duplicates excluded)
    size: int
    n_articles: int
    n_sources: int


@dataclass(frozen=True)
class StoredStory(_View):
    """A story as the store keeps it."""

    id: str
    number: int
    title: str | None
    first_date: str | None
    last_date: str | None
    n_events: int
    n_articles: int
    n_sources: int


@dataclass(frozen=True)
class SavedEventState:
    """The clusterer's memory of one event as stored: its row, counters (the JSON text as stored, decoded by
    :attr:`state`) and vector sum."""

    event: StoredEvent
    raw_state: str
    vector_sum: bytes

    @property
    def state(self) -> dict[str, Any]:
        """The counters, decoded (each read decodes them again: a writer's start-up decodes only what it needs)."""
        return json.loads(self.raw_state)


@dataclass(frozen=True)
class StoredDecision:
    subject_id: str
    target_id: str
    level: str
    action: str
    score: float
    threshold: float
    features: dict[str, Any]
    explanation: str


# ---------------------------------------------------------------- read models
@dataclass(frozen=True)
class ArticleSummary(_View):
    """An article in lists: the machine-readable contract of ``storyline articles --json``."""

    id: str
    source: str | None
    date: str | None
    title: str | None
    duplicate_of: str | None


@dataclass(frozen=True)
class ArticleView(ArticleSummary):
    """One article with everything derived from it."""

    url: str | None = None
    language: str | None = None
    origin: str | None = None
    text: str = ""
    event_id: str | None = None
    headings: tuple[str, ...] = ()
    sentences: tuple[str, ...] = ()
    segments: tuple[Segment, ...] = ()
    mentions: tuple[Mention, ...] = ()
    places: tuple[Place, ...] = ()


@dataclass(frozen=True)
class EventSummary(_View):
    """An event in a story: the machine-readable contract of ``storyline stories --json``."""

    id: str
    title: str | None
    date: str | None
    date_precision: str
    articles: tuple[str, ...]


@dataclass(frozen=True)
class Relay(_View):
    """Reports that relay one upstream outlet's report."""

    upstream: str
    name: str
    articles: tuple[str, ...]


@dataclass(frozen=True)
class Why(_View):
    """One grouping decision about an article of an event, explained."""

    article: str
    action: str
    score: float
    threshold: float
    explanation: str


@dataclass(frozen=True)
class Event(EventSummary):
    """A real-world happening, reported by one or more articles: its record and provenance."""

    story_id: str | None = None
    first_date: str | None = None
    last_date: str | None = None
    n_articles: int = 0
    #: reports that are not duplicates (copies of another report excluded)
    n_reports: int = 0
    n_sources: int = 0
    articles_by_source: dict[str, tuple[ArticleSummary, ...]] = field(default_factory=dict)
    relays: tuple[Relay, ...] = ()
    #: independent reports once relays of one upstream report count once
    n_independent_reports: int = 0
    record: dict[str, Any] | None = None
    #: the articles the stored record was built from: fewer than ``n_articles`` while a big event's rebuild waits
    #: (articles posted one at a time through the API; see engine.deferral); None without a stored record
    record_articles: int | None = None
    why: tuple[Why, ...] = ()
    #: where this page of the event's articles starts (``articles``, ``articles_by_source`` and ``why``
    #: hold that page; ``n_articles`` counts them all), and where the next page starts (None: the last)
    articles_offset: int = 0
    next_articles: int | None = None


@dataclass(frozen=True)
class StorySummary(_View):
    """A story in the story list."""

    id: str
    title: str | None
    first_date: str | None
    last_date: str | None
    n_events: int
    n_articles: int
    n_sources: int


@dataclass(frozen=True)
class StoryOverview(_View):
    """A story with its events in date order: the contract of ``storyline stories --json``."""

    id: str
    title: str | None
    first_date: str | None
    last_date: str | None
    n_articles: int
    n_sources: int
    events: tuple[EventSummary, ...] = ()


@dataclass(frozen=True)
class Story(StoryOverview):
    """A sequence of related events over time, each with its record, and why they are together."""

    events: tuple[Event, ...] = ()
    why: tuple[StoredDecision, ...] = ()
    #: all the story's events (``events``, ``why``: the page from ``events_offset``); the next page's start (None: last)
    n_events: int = 0
    events_offset: int = 0
    next_events: int | None = None


@dataclass(frozen=True)
class StoryPage(_View):
    """One page of the story list; ``next`` is the cursor of the following page."""

    stories: tuple[StorySummary, ...]
    next: str | None


@dataclass(frozen=True)
class SearchHit(ArticleSummary):
    event_id: str | None = None
    story_id: str | None = None
    #: a short excerpt of the title or text around the matches, as plain text
    snippet: str = ""
    #: (start, end) character offsets of the matched words in ``snippet``
    highlights: tuple[tuple[int, int], ...] = ()

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, matched) pieces in order (out-of-range or overlapping highlights are ignored)."""
        out, at = [], 0
        for start, end in sorted(self.highlights):
            if start < at or end > len(self.snippet):
                continue
            if start > at:
                out.append((self.snippet[at:start], False))
            out.append((self.snippet[start:end], True))
            at = end
        if at < len(self.snippet):
            out.append((self.snippet[at:], False))
        return out


@dataclass(frozen=True)
class SearchPage(_View):
    articles: tuple[SearchHit, ...]
    next: str | None


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
    stage_seconds: dict[str, float] = field(default_factory=dict)  #: wall seconds per stage
    stage_cpu_seconds: dict[str, float] = field(default_factory=dict)  #: CPU seconds per stage (all threads)
    #: the rejections of this run (including ones already stored by an earlier run)
    rejections: list[Rejection] = field(default_factory=list)
    #: what the readers noted ("feed.xml: 12 entries hold summaries only")
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        rate = self.ingested / self.seconds if self.seconds > 0 else 0.0
        text = (
            f"ingested {counted(self.ingested, 'new article')} ({counted(self.duplicates, 'duplicate')}), "
            f"{self.unchanged} already stored, {self.rejected} rejected; "
            f"{counted(self.events_created, 'new event')}, {counted(self.stories_created, 'new story', 'new stories')} "
            f"in {self.seconds:.1f}s ({rate:.1f} articles/s)"
        )
        if self.notes:
            shown = "; ".join(self.notes[:5])
            more = f"; {len(self.notes) - 5} more notes" if len(self.notes) > 5 else ""
            text += f"; note: {shown}{more}"
        return text


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with the noun in the right number: "1 event", "2 events"."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
