"""Revision 4 of the record builder (``recorder.agreement.v4``): words read with what they govern.

The trigger lexicon types a verb by its stem, and the actor finder takes any
group noun for a group. Read on general news, three kinds of word go wrong,
and revision 4 reads each with its object or its modifier:

* **"release" of something that is not a person.** PLOVER's RETREAT is a
  release of prisoners or hostages; "released a report", "the video was
  released", "a press release" release information or a product, so the word
  is no event there (:func:`not_an_event`). A release of people, or of anyone
  the text does not say is a thing ("the journalist was released"), stays.
* **"thank".** "Thanks to the new law" is a preposition and "she thanked
  voters" a courtesy: neither is an act of support between actors.
* **bare "force", "unit" and "people".** "The task force", "a special unit"
  and "people" with no nationality, side or name are no actor of their own;
  "people" is only dropped outside conflict and crime, where ACLED still
  codes them as civilians.

:func:`reread` applies this to a coding made by :func:`.build.code_article`
(which the engine remembers per article and recorder): only sentences that
hold one of these words are coded again, so a coding of revision 3 and one of
revision 4 differ only where the words are.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from ...model import Mention
from .eventtype import EventTypeCoding, EventTyper, Trigger, combine, find_triggers

__all__ = ["event_triggers", "not_an_event", "keeps_actor", "reread"]

#: things that are released without being set free: information, media, products, plans
_THINGS = (r"reports?|statements?|stud(?:y|ies)|surveys?|polls?|data|figures|numbers|statistics|results|findings|videos?|"
           r"footage|audio|recordings?|images?|photos?|photographs?|pictures?|films?|movies?|albums?|songs?|singles?|"
           r"trailers?|books?|memoirs?|documents?|files|records|e-?mails?|letters?|transcripts?|memos?|plans?|proposals?|"
           r"budgets?|guidance|guidelines|rules|lists?|details|names|estimates?|forecasts?|analys[ie]s|reviews?|papers?|"
           r"versions?|updates?|apps?|software|products?|games?|episodes?|seasons?|audits?|assessments?|tapes?|clips?|"
           r"ads?|advertisements?|summar(?:y|ies)|notes|minutes|information|evidence|timelines?|schedules?|frameworks?|"
           r"strateg(?:y|ies)|blueprints?|roadmaps?|tax returns?|earnings|profits?|outlook|memorandums?|dossiers?|"
           r"indictments?|rulings?|opinions?|portraits?|logos?|models?")
#: a modifier that may stand between the verb and the thing: "released its annual report", "released a 40-page report"
_WORDS = r"(?:(?!(?:after|before|on|in|at|from|and|or|but|when|with|for|by|to|into|as|of)\b)[\w’'\-]+\s+){0,4}?"
_RELEASE_OF_A_THING = re.compile(rf"^\s+(?:(?:on|late|early|last|this)\s+\w+\s+|(?:publicly|today|quietly|finally|also)\s+)?"
                                 rf"{_WORDS}(?:{_THINGS})\b", re.IGNORECASE)
#: "the report was released", "a video, released by": the thing released comes first
_THING_RELEASED = re.compile(rf"\b(?:{_THINGS})(?:\s*,)?\s+(?:(?:was|were|is|are|has been|have been|had been|will be|to be|being|"
                             rf"be|been|first|just|newly|recently|publicly|officially)\s+){{0,2}}$", re.IGNORECASE)
#: a release that names no act at all: "a press release", "the release date", "in a release"
_NOUN_RELEASE = re.compile(r"(?:\b(?:press|news|a|the|its|their|his|her|in|statement)\s+)$", re.IGNORECASE)
_RELEASE_NOUN_AFTER = re.compile(rf"^\s+(?:date|schedule|party|of\s+(?:(?:a|an|the|its|their|his|her)\s+)?{_WORDS}(?:{_THINGS})\b)",
                                 re.IGNORECASE)
#: "released from hospital": a patient, not a captive
_FROM_HOSPITAL = re.compile(r"^\s+(?:\w+\s+){0,2}from\s+(?:the\s+)?hospital\b", re.IGNORECASE)
#: a group noun with nothing that says whose it is: no actor ("the task force", "a special unit", "people")
_BARE_ALWAYS = re.compile(r"(?:force|unit)", re.IGNORECASE)
_BARE_OUTSIDE_CONFLICT = re.compile(r"(?:people|persons)", re.IGNORECASE)


def not_an_event(text: str, trigger: Trigger) -> bool:
    """Is the trigger at ``trigger.start:trigger.end`` of ``text`` a word that names no event there (see the module doc)?"""
    word = trigger.text.lower()
    if word.startswith("thank"):
        return True
    if not word.startswith("releas"):
        return False
    before, after = text[max(0, trigger.start - 60):trigger.start], text[trigger.end:trigger.end + 80]
    if word == "release" and (_NOUN_RELEASE.search(before) and not re.match(r"^\s+(?:of\s+)?(?:the\s+)?(?:hostages?|prisoners?|detainees?|"
                                                                              r"captives?|him|her|them)\b", after, re.IGNORECASE)):
        return True
    return bool(_RELEASE_OF_A_THING.match(after) or _THING_RELEASED.search(before) or _RELEASE_NOUN_AFTER.match(after)
                or _FROM_HOSPITAL.match(after))


def event_triggers(text: str, revision: int = 3, article: Any = None) -> list[Trigger]:
    """:func:`.eventtype.find_triggers` of ``text``; from ``revision`` 4 without the words that name no event there;
    from ``revision`` 5, for a ``text`` of ``article``, without the words of its background
    (:func:`.participants.background_triggers`)."""
    found = find_triggers(text)
    if revision < 4:
        return found
    found = [t for t in found if not not_an_event(text, t)]
    if revision >= 5 and article is not None:
        from .participants import background_triggers  # that module builds on this one

        found = background_triggers(text, found, article)
    return found


def keeps_actor(actor: Any, conflict: bool) -> bool:
    """Is ``actor`` (an :class:`.actors.Actor`) one of its own, or a bare group noun (see the module doc)?"""
    surface = " ".join(actor.text.split())
    if actor.kind == "military" and _BARE_ALWAYS.fullmatch(surface) and not actor.country:
        return False
    if not conflict and actor.kind in ("civilians", "group") and _BARE_OUTSIDE_CONFLICT.fullmatch(surface) and not actor.country:
        return False
    return True


#: a sentence worth coding again holds one of the words revision 4 reads differently
_SUSPECT = re.compile(r"\b(?:releas|thank|force\b|unit\b|people\b|persons\b)", re.IGNORECASE)


def reread(coding: Any, mentions: Sequence[Mention], typer: EventTyper, conflict: bool) -> Any:
    """``coding`` (an :class:`.build.ArticleCoding`) as revision 4 reads it; ``conflict``: the event may be violence.

    Sentences with a word revision 4 reads differently are coded again; the
    event type is combined again from the classifier's choice when the
    trigger that decided it names no event.
    """
    from .build import code_sentence  # the record builder imports this module

    text = coding.article.text
    for i, sc in enumerate(coding.sentences):
        if _SUSPECT.search(sc.text):
            coding.sentences[i] = code_sentence(text, sc.start, sc.end, mentions, event_triggers(sc.text, 4),
                                                keep=lambda actor: keeps_actor(actor, conflict))
    et, span = coding.event_type, coding.type_text
    if et is None or span is None or not _SUSPECT.search(text[span[0]:span[1]]):
        return coding
    typed = text[span[0]:span[1]]
    triggers = event_triggers(typed, 4)
    if len(triggers) == len(find_triggers(typed)):
        return coding
    coding.event_type = _combined_again(et, coding.type_probabilities, triggers)
    return coding


def _combined_again(et: EventTypeCoding, probabilities: Any, triggers: Sequence[Trigger]) -> EventTypeCoding:
    """The classifier's ACLED choice combined with ``triggers``, at the classifier's own confidence."""
    if et.acled_sub_event_type is None:
        return et
    if et.method == "classifier":
        confidence = et.confidence
    elif probabilities is not None and len(probabilities):
        confidence = float(max(probabilities))
    else:
        confidence = 0.0
    if not triggers:
        # the text's only event words name no event: the classifier's ACLED guess stays, but no word gives a PLOVER
        # type ("a poll released on Monday" is no protest because the classifier leans that way)
        return EventTypeCoding(None, et.acled_event_type, et.acled_sub_event_type, confidence, None, "classifier")
    return combine(et.acled_sub_event_type, confidence, list(triggers))

