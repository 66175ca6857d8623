"""The read models of cited summaries and timelines (issue 16), re-exported by :mod:`storyline.model`.

Kept in their own module only so that ``model.py`` stays readable; import
them from ``storyline.model`` like every other record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Citation", "SummarySentence", "EventDigest", "TimelineDay", "Timeline", "StoredDigest"]


class _Digest:
    """A read model: what a surface shows, with its JSON form."""

    def to_dict(self) -> dict[str, Any]:
        from .model import plain

        return plain(self)


@dataclass(frozen=True)
class Citation(_Digest):
    """A source sentence that states what a summary sentence says: the article, its outlet, which sentence
    of the article (0-based, in reading order) and its character span in the article text."""

    article_id: str
    source: str | None
    sentence_index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SummarySentence(_Digest):
    """One sentence of a summary, copied from a source sentence, and every source sentence that states it."""

    text: str
    #: "agreed" (several independent sources state it), "relayed" (several reports relaying one upstream
    #: report state it), "addition" (one report) or "contested" (sources state different counts; built
    #: from the record's values and their spans: "X reports 12 dead; Y reports 15 dead.")
    kind: str
    #: independent sources that state it (relays of one upstream report count once)
    n_sources: int
    citations: tuple[Citation, ...]
    #: reports that state it
    n_reports: int = 1

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "SummarySentence":
        return SummarySentence(data["text"], data["kind"], int(data["n_sources"]),
                               tuple(Citation(**c) for c in data["citations"]), int(data.get("n_reports", 1)))


@dataclass(frozen=True)
class EventDigest(_Digest):
    """The cited summary of an event: a title and 2-5 sentences, agreed facts first."""

    event_id: str
    title: str
    sentences: tuple[SummarySentence, ...]
    #: the registered name of the summariser that wrote it
    summariser: str
    #: independent reports of the event (relays of one upstream report count once)
    n_independent_reports: int = 0
    #: upstream outlets that some reports only relay ("Wall Street Journal")
    upstreams: tuple[str, ...] = ()

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "EventDigest":
        """The digest stored as JSON (its ``to_dict()``), as model objects again."""
        return EventDigest(data["event_id"], data["title"], tuple(map(SummarySentence.from_dict, data["sentences"])),
                           data["summariser"], int(data.get("n_independent_reports", 0)), tuple(data.get("upstreams", ())))


@dataclass(frozen=True)
class TimelineDay(_Digest):
    """One date of a timeline: its sentences with their citations and why the date was chosen."""

    date: str
    precision: str
    sentences: tuple[SummarySentence, ...]
    #: sentences of the collection that mention this date, and articles published on it
    n_mentions: int = 0
    n_published: int = 0
    event_id: str | None = None
    #: the event's title from its summary (story timelines)
    title: str | None = None


@dataclass(frozen=True)
class Timeline(_Digest):
    """A story's (or a query's) timeline: dates in order, each with a cited summary; the story's summary on top."""

    id: str
    title: str | None
    days: tuple[TimelineDay, ...]
    summary: tuple[SummarySentence, ...] = ()
    #: the registered name of the component that chose the dates
    timeliner: str = ""
    n_articles: int = 0
    sources: tuple[str, ...] = ()

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "Timeline":
        """The timeline stored as JSON (its ``to_dict()``), as model objects again."""
        days = tuple(TimelineDay(d["date"], d["precision"], tuple(map(SummarySentence.from_dict, d["sentences"])),
                                 int(d.get("n_mentions", 0)), int(d.get("n_published", 0)), d.get("event_id"), d.get("title"))
                     for d in data["days"])
        return Timeline(data["id"], data.get("title"), days, tuple(map(SummarySentence.from_dict, data.get("summary", ()))),
                        data.get("timeliner", ""), int(data.get("n_articles", 0)), tuple(data.get("sources", ())))


@dataclass(frozen=True)
class StoredDigest(_Digest):
    """A digest as stored: ``kind`` "event" (an :class:`EventDigest`) or "story" (a :class:`Timeline`), its JSON,
    the counts of the event or story it was built from and the summariser that built it."""

    kind: str
    subject_id: str
    digest: dict[str, Any]
    n_articles: int
    n_events: int
    built_by: str
