"""The comparison of an event's sources as the surfaces read it (re-exported by :mod:`storyline.model`).

A comparison says what the reports of one event tell together: the facts
(claims aligned across reports), each ``agreed``, ``single`` or
``contested``, how many independent sources stand behind each, and per
source what it adds, omits, contradicts and how it frames the event. Its
``to_dict()`` is the machine-readable contract of ``storyline compare --json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import _View, plain

__all__ = ["FactStatus", "ClaimSupport", "FactValue", "FactConflict", "Fact", "FramingTerm", "SourceComparison", "Upstream", "Comparison"]


class FactStatus:
    AGREED = "agreed"
    SINGLE = "single"
    CONTESTED = "contested"


@dataclass(frozen=True)
class ClaimSupport(_View):
    """One claim that states a fact: its article, source, sentence index and span (``text[start:end]``)."""

    article: str
    source: str
    sentence: int
    start: int
    end: int
    text: str
    #: who the report says it comes from ("the Wall Street Journal", "a US military official"), if it says
    attribution: str | None = None


@dataclass(frozen=True)
class FactValue(_View):
    """One of the incompatible values of a contested fact, with the sources that give it."""

    value: str
    sources: tuple[str, ...]
    supports: tuple[ClaimSupport, ...]


@dataclass(frozen=True)
class FactConflict(_View):
    """One incompatibility a contested fact shows: its kind, the values with their sources, and why."""

    kind: str
    values: tuple[FactValue, ...]
    note: str = ""


@dataclass(frozen=True)
class Fact(_View):
    """A statement made by one or more reports of an event."""

    id: str
    text: str
    #: what the fact is about: ``count`` (killed, injured, a number with its unit), ``date``, ``actors``,
    #: ``negation`` (asserted vs denied) or ``statement``
    kind: str
    status: str
    sources: tuple[str, ...]
    #: sources once relays of one upstream report count once
    independent_sources: int
    supports: tuple[ClaimSupport, ...]
    values: tuple[FactValue, ...] = ()
    #: why the status ("2 sources give different counts of killed: 5 vs 7")
    note: str = ""
    #: comparer.facts.v5: every conflict the fact shows, the first being ``kind`` / ``values`` / ``note`` above (a
    #: fact may give two counts and two days); a value's supports may include a claim of another fact that states
    #: the same act in other words (see ``pipeline/compare``); empty before v5
    conflicts: tuple[FactConflict, ...] = ()


@dataclass(frozen=True)
class FramingTerm(_View):
    """A loaded, hedged, assertive or subjective term one source uses where the others do not."""

    term: str
    kind: str
    article: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceComparison(_View):
    adds: tuple[str, ...] = ()
    omits: tuple[str, ...] = ()
    contradicts: tuple[str, ...] = ()
    framing: tuple[FramingTerm, ...] = ()


@dataclass(frozen=True)
class Upstream(_View):
    """An outlet whose report several of the event's reports relay."""

    source: str
    relayed_by: tuple[str, ...]


@dataclass(frozen=True)
class Comparison(_View):
    event: str
    facts: tuple[Fact, ...] = ()
    by_source: dict[str, SourceComparison] = field(default_factory=dict)
    upstream: tuple[Upstream, ...] = ()
    #: what the reader should know about the comparison as a whole ("one report: every fact is single")
    note: str = ""
    #: the comparer that built it
    comparer: str = ""

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "Comparison":
        """The comparison stored as JSON (its ``to_dict()``), as model objects again."""
        support = lambda s: ClaimSupport(**s)  # noqa: E731
        values = lambda vs: tuple(FactValue(v["value"], tuple(v["sources"]), tuple(map(support, v["supports"]))) for v in vs)  # noqa: E731
        facts = tuple(Fact(f["id"], f["text"], f["kind"], f["status"], tuple(f["sources"]), f["independent_sources"],
                           tuple(map(support, f["supports"])), values(f["values"]), f.get("note", ""),
                           tuple(FactConflict(c["kind"], values(c["values"]), c.get("note", "")) for c in f.get("conflicts", ())))
                      for f in data.get("facts", ()))
        by_source = {name: SourceComparison(tuple(s["adds"]), tuple(s["omits"]), tuple(s["contradicts"]),
                                            tuple(FramingTerm(**t) for t in s["framing"]))
                     for name, s in data.get("by_source", {}).items()}
        upstream = tuple(Upstream(u["source"], tuple(u["relayed_by"])) for u in data.get("upstream", ()))
        return Comparison(data["event"], facts, by_source, upstream, data.get("note", ""), data.get("comparer", ""))
