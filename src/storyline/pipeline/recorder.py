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

__all__ = ["Recorder", "AgreementRecorder"]


class Recorder(Protocol):
    """Builds one event's record from its stored reports; ``groups`` maps relaying reports to one vote."""

    name: str

    def build(self, event_id: str, articles: Sequence[Article], mentions: Mapping[str, list[Mention]],
              places: Mapping[str, list[Place]], groups: Mapping[str, str], typer: EventTyper) -> EventRecord: ...


class AgreementRecorder:
    """Each field keeps the value most independent sources state, the others as alternatives."""

    name = "recorder.agreement.v1"

    def build(self, event_id: str, articles: Sequence[Article], mentions: Mapping[str, list[Mention]],
              places: Mapping[str, list[Place]], groups: Mapping[str, str], typer: EventTyper) -> EventRecord:
        main = record.build_record(event_id, articles, mentions, places, typer, groups)
        date = main.fields.get("date")
        anchor = None
        if date is not None and date.value is not None and date.value.detail.get("precision") != P.PUBLICATION:
            anchor = dt.date.fromisoformat(date.value.value)
        earlier = background.background_records(event_id, articles, mentions, places, anchor, typer, groups)
        return dataclasses.replace(main, background=tuple(earlier))


def _agreement(options) -> AgreementRecorder:
    return AgreementRecorder()
