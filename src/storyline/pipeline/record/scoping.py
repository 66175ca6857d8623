"""Record (scope): the event's kind, and what it lets the event type say.

:func:`event_kind` pools the kind typer's probabilities over independent
sources; :func:`within_scope` reduces one report's event type to what the
kind allows (:func:`.kind.coding_scope`); :func:`kind_field` and
:func:`scoped_field` write the record fields with notes saying why.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any, Mapping, Sequence

import numpy as np

from ...model import Article, FieldValue, RecordField, Support
from .eventtype import LEXICON_CONFIDENCE, EventTypeCoding
from .reading import event_triggers
from .kind import KINDS, CodingScope, KindCoding, KindTyper, decide, kind_text

__all__ = ["LEAD_SENTENCES", "sentence_segments", "lead", "event_kind", "kind_rows", "pooled_kind", "kind_field", "within_scope",
           "without_demonstrators", "scoped_field"]

LEAD_SENTENCES = 8


def sentence_segments(article: Article) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of the article's sentences; the whole text when it has none."""
    spans = [(s.start, s.end, s.paragraph) for s in article.segments if s.kind == "sentence"]
    return spans or [(0, len(article.text), 0)]


def lead(article: Article) -> str:
    """The lead sentences the kind is read from (with the headline, :func:`.kind.kind_text`)."""
    return " ".join(article.text[s:e] for s, e, _ in sentence_segments(article)[:LEAD_SENTENCES])


def event_kind(kinds: KindTyper, kept: Sequence[Article], group_of: Mapping[str, str]) -> KindCoding:
    """The kind the sources support together: each source's mean probabilities, averaged over sources."""
    classes, rows = kind_rows(kinds, kept)
    return pooled_kind(kinds, classes, rows, [group_of[a.id] for a in kept])


def kind_rows(kinds: KindTyper, articles: Sequence[Article], classes: Sequence[str] | None = None) -> tuple[list[str], list[list[float]]]:
    """The kind typer's classes and each article's probabilities of them, read from its headline and lead
    (``classes``: the ones an earlier call gave, when the typer has no ``classes`` of its own)."""
    codings = kinds.classify([kind_text(a.title, lead(a)) for a in articles])
    classes = list(getattr(kinds, "classes", None) or classes or (codings[0].probabilities if codings else ()))
    return classes, [[c.probabilities.get(k, 0.0) for k in classes] for c in codings]


def pooled_kind(kinds: KindTyper, classes: Sequence[str], rows: Sequence[Sequence[float]], groups: Sequence[str]) -> KindCoding:
    """The kind of :func:`event_kind` from each article's :func:`kind_rows` row and its independence group."""
    per_group: dict[str, list[Sequence[float]]] = defaultdict(list)
    for group, row in zip(groups, rows):
        per_group[group].append(row)
    means = [[sum(col) / len(rows) for col in zip(*rows)] for rows in per_group.values()]
    pooled = [sum(col) / len(means) for col in zip(*means)]
    return decide(classes, np.asarray(pooled), getattr(kinds, "abstain_below", 0.5))


def kind_field(kind: KindCoding, kept: Sequence[Article], n_groups: int) -> RecordField:
    supports = []
    for article in kept[:5]:
        s, e, _ = sentence_segments(article)[0]
        supports.append(Support(article.id, article.source, s, e, s, e, article.text[s:e]))
    read = f"read from the headline and lead of {n_groups} independent source{'s' if n_groups != 1 else ''}"
    if kind.kind is None:
        return RecordField("kind", None, (), f"uncertain: at best {KINDS.get(kind.best, kind.best)} ({kind.confidence:.2f}); {read}")
    return RecordField("kind", FieldValue(kind.kind, kind.detail(), tuple(supports)), (), f"{read}; probability {kind.confidence:.2f}")


def within_scope(coding: Any, scope: CodingScope) -> EventTypeCoding | None:
    """The article's event type reduced to what the event's kind allows (the first allowed trigger for PLOVER)."""
    et = coding.event_type
    has_word = not (scope.revision >= 4 and et is not None and et.trigger is None)
    if et is not None and scope.acled and scope.consistent and not _consistent(et, scope.worded, has_word) \
            and not (scope.any_word and _any_word_agrees(coding, et, scope.revision, _background_of(coding, scope))):
        # "Israel and Hamas agree to a cease-fire": an agreement is no demonstration, whatever the classifier's ACLED guess
        # (revision 4) and a PLOVER type the classifier alone named goes with its ACLED guess
        return EventTypeCoding(et.plover if has_word else None, None, None, et.confidence, et.trigger, et.method)
    if et is None or (scope.acled and scope.plover):
        return et
    if not scope.plover:
        return None
    span = coding.type_text or (0, len(coding.article.text))
    allowed = [t for t in event_triggers(coding.article.text[span[0]:span[1]], scope.revision, _background_of(coding, scope)) if t.plover not in scope.excluded_plover]
    first = allowed[0] if allowed else None
    return EventTypeCoding(first.plover if first else None, None, None, LEXICON_CONFIDENCE if first else 0.0, first, "lexicon")


#: ACLED event types and the PLOVER types that can describe the same event (None: the classifier alone)
_ACLED_FAMILY = {
    "Protests": {"PROTEST", "DEMAND", "DISAPPROVE", "REJECT", None},
    "Riots": {"PROTEST", "ASSAULT", "FIGHT", "COERCE", "DEMAND", "DISAPPROVE", "REJECT", None},
    "Battles": {"FIGHT", "ASSAULT", "COERCE", None},
    "Explosions/Remote violence": {"ASSAULT", "FIGHT", "COERCE", "THREATEN", None},
    "Violence against civilians": {"ASSAULT", "FIGHT", "COERCE", "CRIME", None},
}


def _background_of(coding: Any, scope: CodingScope) -> Any:
    """The article whose background (:func:`.participants.background_triggers`) gives no event word, if any: none for
    an earlier event's record, whose past is its own."""
    return None if scope.recalled else coding.article


def _any_word_agrees(coding: Any, et: EventTypeCoding, revision: int = 3, article: Any = None) -> bool:
    """Does any event word of the text the type was read from agree with its ACLED type ("members and supporters
    ... held a march and protest": SUPPORT first, PROTEST after)? A gathering in support of a cause is a
    demonstration too ("people gathered in Izhevsk to show support for ..."), so SUPPORT agrees with Protests here."""
    family = (_ACLED_FAMILY.get(et.acled_event_type or "", set()) - {None}) | ({"SUPPORT"} if et.acled_event_type == "Protests" else set())
    span = coding.type_text or (0, len(coding.article.text))
    return any(t.plover in family for t in event_triggers(coding.article.text[span[0]:span[1]], revision, article))


def _consistent(et: EventTypeCoding, worded: bool = False, has_word: bool = True) -> bool:
    """Does the ACLED violence or protest type agree with the PLOVER type the report's own words give?

    ``worded``: a PLOVER type must be given (no type at all does not agree); ``has_word`` (revision 4): the report
    has an event word at all (the classifier alone, "according to a new poll" read as a protest, is no word).
    """
    family = _ACLED_FAMILY.get(et.acled_event_type or "")
    return family is None or (et.plover in family and not (worded and (et.plover is None or not has_word)))


def without_demonstrators(sentence: Any, revision: int = 3) -> Any:
    """A sentence of an event outside conflict: nobody in it demonstrated, and nobody is a civilian.

    "Civilians" is a conflict role (the unarmed side of violence); in a health or economy report "people",
    "residents" or "workers" are just who the sentence names, so (``revision`` 3) they keep their own word.
    """
    def general(actor):
        if actor is None or actor.kind in ("protesters", "rioters"):
            return None
        if actor.kind == "civilians" and revision >= 3:
            surface = " ".join(actor.text.split())
            name = surface[:1].upper() + surface[1:]
            return dataclasses.replace(actor, name=name, key=f"group:{surface.lower()}", kind="group")
        return actor

    actor1, actor2 = general(sentence.actor1), general(sentence.actor2)
    if actor1 is sentence.actor1 and actor2 is sentence.actor2:
        return sentence  # nobody to change (the sentence is frozen: the same one serves)
    return dataclasses.replace(sentence, actor1=actor1, actor2=actor2)


def scoped_field(found: RecordField, scope: CodingScope) -> RecordField:
    """The event type field with the kind's reason in its note when the kind left a type out."""
    if not scope.reason:
        return found
    if found.value is None:
        return RecordField(found.name, None, (), scope.reason)
    return dataclasses.replace(found, note=f"{found.note}; {scope.reason}")
