"""Relays: which reports of an event only relay another outlet's report.

Two reports that both say "the Wall Street Journal reported..." are two
relays of one upstream report, not two independent confirmations. This stage
reads each report's ATTRIBUTION mentions (from the quotes stage) and decides
once per event; the record builder and the comparison read its result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from ..model import Mention, Relay
from .quotes import relays as cited_upstreams
from .quotes import source_key

__all__ = ["Report", "EventRelays", "RelayDetector", "AttributionRelays"]

_ASIDE = re.compile(r"\s*\([^)]*\)|^the\s+", re.I)


@dataclass(frozen=True)
class Report:
    """One report of an event as this stage sees it."""

    article_id: str
    source: str | None
    duplicate_of: str | None
    attributions: tuple[Mention, ...]


@dataclass(frozen=True)
class EventRelays:
    """The relays of an event and how many independent reports remain."""

    relays: tuple[Relay, ...]
    #: duplicates never count; reports relaying one upstream count once (not at all when that outlet's own report is here)
    n_independent_reports: int

    def groups(self) -> dict[str, str]:
        """Article id -> ``relay:<upstream key>`` for every relaying report (the record builder's vote groups)."""
        return {article_id: f"relay:{r.upstream}" for r in self.relays for article_id in r.articles}


class RelayDetector(Protocol):
    name: str

    def detect(self, reports: Sequence[Report]) -> EventRelays: ...


class AttributionRelays:
    """A report relays the outlet it cites most when it cites it at least twice, or cites no other outlet."""

    name = "relays.attribution.v1"

    def detect(self, reports: Sequence[Report]) -> EventRelays:
        originals = [r for r in reports if not r.duplicate_of]
        relayed = cited_upstreams([(r.article_id, r.source, r.attributions) for r in originals])
        relaying = {i for ids in relayed.values() for i in ids}
        own = {source_key(r.source) for r in originals if r.source and r.article_id not in relaying}
        cited = {r.article_id: r.attributions for r in originals}
        relays = tuple(Relay(key, _display_name(key, [m for i in ids for m in cited[i]]), tuple(ids)) for key, ids in relayed.items())
        independent = len(originals) - len(relaying) + len([k for k in relayed if k not in own])
        return EventRelays(relays, independent)


def _display_name(key: str, attributions: Sequence[Mention]) -> str:
    """The fullest capitalised way the reports name the outlet ("Wall Street Journal", not "the newspaper")."""
    names = {_ASIDE.sub("", m.detail.get("source") or "").strip() for m in attributions if m.key == key}
    return max((n for n in names if n[:1].isupper()), key=len, default=key)


def _attribution(options) -> AttributionRelays:
    return AttributionRelays()
