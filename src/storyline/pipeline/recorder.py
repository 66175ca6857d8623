"""The record stage: one record per event, and records of the earlier events its reports recall.

The recorder reads the event's stored articles with their mentions and
places, and the relay groups of the relays stage (reports relaying one
upstream report vote once). It never opens the store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Mapping, Protocol, Sequence

from ..model import Article, EventRecord, Mention, Place
from ..model import DatePrecision as P
from .record import background
from .record import build as record
from .record.eventtype import EventTyper
from .record.kind import KindTyper
from .record.tally import Tally

__all__ = ["Recorder", "AgreementRecorder", "KindAgreementRecorder", "GeneralNewsRecorder", "ReadingRecorder", "ParticipantRecorder", "BodyRecorder"]


class Recorder(Protocol):
    """Builds one event's record from its stored reports; ``groups`` maps relaying reports to one vote.

    ``kinds`` is the event kind typer, for recorders that use one.
    """

    name: str

    def build(self, event_id: str, articles: Sequence[Article], mentions: Mapping[str, list[Mention]],
              places: Mapping[str, list[Place]], groups: Mapping[str, str], typer: EventTyper,
              kinds: KindTyper | None = None) -> EventRecord: ...


class AgreementRecorder:
    """Each field keeps the value most independent sources state, the others as alternatives."""

    name = "recorder.agreement.v1"
    #: whether the event's kind is decided first and limits its type
    uses_kinds = False
    #: the record builder's scope rules (:func:`.record.kind.coding_scope`)
    revision = 2

    def build(self, event_id: str, articles: Sequence[Article], mentions: Mapping[str, list[Mention]],
              places: Mapping[str, list[Place]], groups: Mapping[str, str], typer: EventTyper,
              kinds: KindTyper | None = None, coder: record.Coder | None = None, tally: Tally | None = None) -> EventRecord:
        """``coder``: codes one article (:func:`.record.build.code_article`, or one that remembers its codings);
        ``tally``: the event's ballots from its previous build (:class:`.record.tally.Tally`), to add new reports' votes to."""
        kinds = kinds if self.uses_kinds else None
        main = record.build_record(event_id, articles, mentions, places, typer, groups, kinds, self.revision, coder, tally)
        date = main.fields.get("date")
        anchor = None
        if date is not None and date.value is not None and date.value.detail.get("precision") != P.PUBLICATION:
            anchor = dt.date.fromisoformat(date.value.value)
        earlier = background.background_records(event_id, articles, mentions, places, anchor, typer, groups, kinds,
                                                self.revision, coder)
        return dataclasses.replace(main, background=tuple(earlier))


class KindAgreementRecorder(AgreementRecorder):
    """v1 with the event's kind first: PLOVER and ACLED types only where the kind allows them (``kind.linear.v1``)."""

    name = "recorder.agreement.v2"
    uses_kinds = True


class GeneralNewsRecorder(KindAgreementRecorder):
    """v2 where an uncertain kind gives no event type at all, and people in general news are not "civilians"."""

    name = "recorder.agreement.v3"
    revision = 3


class ReadingRecorder(GeneralNewsRecorder):
    """v3 reading words with what they govern (:mod:`.record.reading`): "released a report" and "thanks to" are no
    events, "the task force" and (outside conflict) "people" no actors; a passing place is not the event's."""

    name = "recorder.agreement.v4"
    revision = 4


class ParticipantRecorder(ReadingRecorder):
    """v4 where only participants act (:mod:`.record.participants`): an outlet that reports, a party adjective and a
    target equal to its actor are no actors; a past year's sentence, a cumulative toll and a column are background."""

    name = "recorder.agreement.v5"
    revision = 5


class BodyRecorder(ParticipantRecorder):
    """v5 where one body has one name (:mod:`.record.bodies`): "CDC" is the Centers for Disease Control, "the White House"
    the US government (and, as a place, Washington); group words and bare populations take no part in general news; no
    protest type without a demonstration; an unsure kind within politics, conflict and crime is still a political event."""

    name = "recorder.agreement.v6"
    revision = 6


class PlaceReadingRecorder(BodyRecorder):
    """v6 where a country written as the topic of a policy ("China competitiveness legislation") and a capital standing
    for its government ("even if Washington removed all sanctions") are not where the event happened, and a region
    with no country ("the Middle East", a continent) is wider than a country (:mod:`.record.where`)."""

    name = "recorder.agreement.v7"
    revision = 7


def _agreement(options) -> AgreementRecorder:
    return AgreementRecorder()


def _agreement_v2(options) -> KindAgreementRecorder:
    return KindAgreementRecorder()


def _agreement_v3(options) -> GeneralNewsRecorder:
    return GeneralNewsRecorder()


def _agreement_v4(options) -> ReadingRecorder:
    return ReadingRecorder()


def _agreement_v5(options) -> ParticipantRecorder:
    return ParticipantRecorder()


def _agreement_v6(options) -> BodyRecorder:
    return BodyRecorder()


def _agreement_v7(options) -> PlaceReadingRecorder:
    return PlaceReadingRecorder()
