"""The sentence finders that the record coding and the comparison's claims both run, each remembered by its text.

The record stage codes the lead sentences of every report of an event (its triggers, casualty counts and event
dates); the comparison then cuts the same reports into claims, most of them whole sentences, and reads the same
slots from them. The finders are pure functions of the text (and the anchor date) that return frozen values, so
a remembered result equals a fresh one: with these, a sentence is searched once while it is remembered (the
least recently used are forgotten past :data:`REMEMBERED` texts per finder).
"""

from __future__ import annotations

import datetime as dt
import functools

from ...model import FuzzyDate
from .. import dates as dates_stage
from .counts import CountMention, find_counts
from .actors import Actor, find_actor_phrases
from .eventtype import Trigger, find_triggers

__all__ = ["triggers", "counts", "actors", "dates", "event_days", "REMEMBERED"]

#: texts remembered per finder
REMEMBERED = 32_768


@functools.lru_cache(maxsize=REMEMBERED)
def triggers(text: str) -> tuple[Trigger, ...]:
    """:func:`~.eventtype.find_triggers` of ``text``."""
    return tuple(find_triggers(text))


@functools.lru_cache(maxsize=REMEMBERED)
def counts(text: str) -> tuple[CountMention, ...]:
    """:func:`~.counts.find_counts` of ``text``."""
    return tuple(find_counts(text))


@functools.lru_cache(maxsize=REMEMBERED)
def dates(text: str, anchor: dt.date | None) -> tuple[dates_stage.DateMention, ...]:
    """:func:`~storyline.pipeline.dates.find_dates` of ``text`` read from ``anchor``."""
    return tuple(dates_stage.find_dates(text, anchor))


@functools.lru_cache(maxsize=REMEMBERED)
def event_days(text: str, anchor: dt.date | None) -> tuple[FuzzyDate, ...]:
    """:func:`~storyline.pipeline.dates.event_date_candidates` of the one sentence ``text``."""
    return tuple(dates_stage.event_date_candidates([text], anchor))


@functools.lru_cache(maxsize=REMEMBERED)
def actors(sentence: str, entities: tuple[tuple[int, int, str], ...]) -> tuple[Actor, ...]:
    """:func:`~.actors.find_actor_phrases` of ``sentence`` with its entity spans ``entities``."""
    return tuple(find_actor_phrases(sentence, entities))
