"""Record (votes): each report's votes for the record's fields, and the ballots that count them.

A report votes through :class:`_Vote` (its independence group and its order)
with :func:`_vote_type`, :func:`_vote_place`, :func:`_vote_actors`,
:func:`_vote_date` and :func:`_vote_counts`; a :class:`_Ballot` keeps each
field's candidates with the groups that state them, and :func:`_fields`
writes each field's winner with the other values as alternatives (see
:mod:`.build`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ...model import Article, DatePrecision, FieldValue, GeoPrecision, Place, RecordField, Support
from . import finders
from .. import entities as entities_stage
from .actors import Actor, as_demonstrators, with_role_kind
from .counts import KINDS, CountMention, total_counts
from .eventtype import EventTyper
from .scoping import sentence_segments as _sentence_segments
from .where import place_candidates, place_detail

if TYPE_CHECKING:
    from .build import ArticleCoding, SentenceCoding

FIELDS = ("kind", "event_type", "actor1", "actor2", "place", "date", "fatalities", "injured")
#: actors named by role only, who act where the event happened
_LOCAL_KINDS = {"protesters", "rioters", "civilians", "police", "government", "unidentified armed group", "military"}
#: PLOVER types a demonstration's own wording may take ("protesters demanded...")
_DEMONSTRATION = {"PROTEST", "DEMAND", "DISAPPROVE", "REJECT", None}


@dataclass
class _Candidate:
    key: Any
    value: Any
    detail: dict[str, Any]
    supports: list[Support] = field(default_factory=list)
    groups: set[str] = field(default_factory=set)
    strength: float = 0.0
    order: int = 0
    seen: set[Support] = field(default_factory=set)  # ``supports`` as a set (a report's many votes are found at once)


def _support(article: Article, sentence: SentenceCoding | tuple[int, int], start: int, end: int) -> Support:
    s_start, s_end = sentence if isinstance(sentence, tuple) else (sentence.start, sentence.end)
    return Support(article.id, article.source, s_start, s_end, start, end, article.text[start:end])


def _sentence_of(article: Article, offset: int) -> tuple[int, int]:
    for s, e, _ in _sentence_segments(article):
        if s <= offset < e:
            return s, e
    return offset, offset


class _Ballot:
    def __init__(self) -> None:
        self.candidates: dict[Any, _Candidate] = {}
        #: for the event type: each ACLED sub-event type's probability summed over independent sources
        self.pooled: dict[str, float] | None = None
        #: (revision 3) the sources first vote whether the event has an ACLED type at all; pooling only chooses which
        self.vote_acled_first = False

    def add(self, key: Any, value: Any, detail: dict[str, Any], support: Support, group: str, strength: float, order: int) -> None:
        c = self.candidates.get(key)
        if c is None:
            c = self.candidates[key] = _Candidate(key, value, detail, order=order)
        if support not in c.seen:
            c.supports.append(support)
            c.seen.add(support)
        c.groups.add(group)
        c.strength = max(c.strength, strength)
        c.order = min(c.order, order)

    def ranked(self) -> list[_Candidate]:
        by_votes = lambda c: (-len(c.groups), -c.strength, c.order)  # noqa: E731
        if self.pooled is None:
            return sorted(self.candidates.values(), key=by_votes)
        pooled = sorted(self.candidates.values(), key=lambda c: (-self.pooled.get(c.detail.get("acled_sub_event_type"), 0.0), -len(c.groups), c.order))
        if not self.vote_acled_first:
            return pooled
        # a type without an ACLED class (the reports' words say "agreed", "criticised") never scores in the pool, so
        # the pool alone would let one report's ACLED guess outvote the others; more sources (or as many) without one win
        typed = [c for c in pooled if c.detail.get("acled_sub_event_type")]
        untyped = sorted((c for c in pooled if not c.detail.get("acled_sub_event_type")), key=by_votes)
        with_type = len(set().union(*(c.groups for c in typed))) if typed else 0
        without = len(set().union(*(c.groups for c in untyped))) if untyped else 0
        return typed + untyped if with_type > without else untyped + typed


def _field(name: str, ballot: _Ballot, n_groups: int, empty_note: str) -> RecordField:
    ranked = ballot.ranked()
    if not ranked:
        return RecordField(name, None, (), empty_note)
    best, rest = ranked[0], ranked[1:]
    as_value = lambda c: FieldValue(c.value, c.detail, tuple(c.supports))  # noqa: E731
    note = f"stated by {len(best.groups)} of {n_groups} independent source{'s' if n_groups != 1 else ''}"
    if ballot.pooled and ballot.vote_acled_first and not best.detail.get("acled_sub_event_type"):
        if any(c.detail.get("acled_sub_event_type") for c in rest):
            note += "; as many sources or more give no ACLED type as give one"
    elif ballot.pooled:
        share = ballot.pooled.get(best.detail.get("acled_sub_event_type"), 0.0) / max(sum(ballot.pooled.values()), 1e-9)
        note += f"; chosen by the sources' pooled classifier probabilities ({share:.2f})"
    if rest:
        others = "; ".join(f"{c.value!r} ({len(c.groups)})" for c in rest[:3])
        note += f"; other values: {others}"
    return RecordField(name, as_value(best), tuple(as_value(c) for c in rest), note)


@dataclass
class _Vote:
    """One article's place at the ballots: what it votes with (its group, its order) and where."""

    article: Article
    group: str
    order: int
    ballots: dict[str, "_Ballot"]

    def cast(self, name: str, key, value, detail, sentence, start: int, end: int, strength: float) -> None:
        self.ballots[name].add(key, value, detail, _support(self.article, sentence, start, end), self.group, strength, self.order)


def _vote_type(vote: _Vote, coding: ArticleCoding) -> None:
    et = coding.event_type
    if et is None or not (et.plover or et.acled_sub_event_type):
        return
    main = coding.sentences[0] if coding.sentences else None
    span = coding.type_text or (0, len(vote.article.text))
    trig = main.trigger_span if main and main.trigger_span else span
    if et.method == "lexicon" and et.trigger is not None:
        trig = (span[0] + et.trigger.start, span[0] + et.trigger.end)
    vote.cast("event_type", (et.plover, et.acled_sub_event_type), et.plover, et.detail(), span, *trig, et.confidence)


def _vote_place(vote: _Vote, coding: ArticleCoding, places: Sequence[Place], revision: int = 3) -> str | None:
    """Vote the article's main place; the normalised country it is in (where a generic actor acts), if known."""
    article = vote.article
    # when every place names an actor ("the Myanmar military clashed..."), the actor's country is still where it happened
    ranked = (place_candidates(article, places, coding, revision=revision)
              or [(p, w) for p, w in place_candidates(article, places, coding, strict=False) if p.precision == GeoPrecision.COUNTRY])
    if not ranked:
        return None
    place, strength = ranked[0]
    key = place.geonameid or (place.name or place.text).lower()
    vote.cast("place", key, place.name or place.text, place_detail(place, revision), _sentence_of(article, place.start), place.start, place.end,
              strength)
    return entities_stage.normalise(place.country, "GPE") if place.country else None


def _vote_actors(vote: _Vote, coding: ArticleCoding, where: str | None) -> None:
    """Actors: the main sentence first, then the others of the paragraph and lead.

    A generic group (protesters, police...) is placed in the country where the event happened.
    """
    article, et = vote.article, coding.event_type
    main = coding.sentences[0] if coding.sentences else None
    # in a demonstration the actor is whoever demonstrates (ACLED: protesters, rioters when violent)
    demo = None
    if et is not None and (et.plover == "PROTEST" or et.acled_event_type in ("Protests", "Riots")) and et.plover in _DEMONSTRATION:
        demo = "rioters" if et.acled_event_type == "Riots" else "protesters"
    # one-sided violence whose author no report names was done by an unidentified armed group
    unnamed = et is not None and et.plover in ("ASSAULT", "FIGHT") and et.acled_event_type in ("Explosions/Remote violence", "Violence against civilians")
    for role in ("actor1", "actor2"):
        for rank, sentence in enumerate(coding.sentences):
            actor = getattr(sentence, role)
            if role == "actor1" and demo and rank == 0:
                at = sentence.trigger_span or (sentence.start, sentence.start)
                actor = as_demonstrators(actor, demo, at[0], at[1], article.text[at[0]:at[1]])
            if actor is None and role == "actor1" and unnamed and rank == len(coding.sentences) - 1 and main is not None and main.trigger_span:
                at = main.trigger_span
                actor = Actor("Unidentified armed group", "unidentified armed group:", "unidentified armed group", None,
                              at[0], at[1], article.text[at[0]:at[1]])
                sentence = main
            if actor is not None:
                actor = with_role_kind(actor, None, where if actor.kind in _LOCAL_KINDS else None)
                vote.cast(role, actor.key, actor.name, actor.detail(), sentence, actor.start, actor.end, 1.0 / (1 + rank))
                break


def _vote_date(vote: _Vote, coding: ArticleCoding) -> None:
    """A date of the reporting window in the main sentence, else in the lead."""
    for sentence in coding.sentences:
        found = _event_date(vote.article, sentence)
        if found is not None:
            value, start, end = found
            detail = {"precision": value.precision, "start": value.start.isoformat() if value.start else None,
                      "end": value.end.isoformat() if value.end else None, "text": value.text,
                      "anchor": value.anchor.isoformat() if value.anchor else None}
            vote.cast("date", value.iso(), value.iso(), detail, sentence, start, end, 1.0)
            return


def _vote_counts(vote: _Vote, coding: ArticleCoding, revision: int = 2) -> None:
    """Each report's count votes; (revision 3) among counts as many sources state, a stated toll ("officials raised
    the death toll to 1,941") wins over a count of victims ("killed at least 1,419"), then an exact one, then the larger."""
    totals = coding.totals or total_counts([s.text for s in coding.sentences], [_local(s) for s in coding.sentences])
    for kind, name in zip(KINDS, ("fatalities", "injured")):
        total = totals[kind]
        if total is None:
            continue
        for i, c in total.mentions:
            sentence = coding.sentences[i]
            strength = (1.0 if total.exact else 0.5) + (1.0 if revision >= 3 and total.note.startswith("stated total") else 0.0)
            if revision >= 3:  # then the larger: a toll rises as reports come in (at most 0.01, so it only breaks ties)
                strength += min(total.value, 1_000_000) * 1e-8
            vote.cast(name, total.value, total.value, {"exact": total.exact, "how": total.note, **_bounds(total)}, sentence,
                      sentence.start + c.start, sentence.start + c.end, strength)


def _bounds(total) -> dict[str, int | None]:
    """The bounds a report states for its count: "more than 1,000" is at least 1,000 ("low"), "up to 20" at most 20 ("high")."""
    used = [c for _, c in total.mentions]
    if len(used) != 1 or total.value != used[0].value:
        return {"low": None, "high": None}
    return {"low": used[0].low, "high": used[0].high}


def _fields(ballots: Mapping[str, "_Ballot"], n_groups: int, publication: Sequence[dt.date],
            scoped_zero: Sequence[CountMention]) -> dict[str, RecordField]:
    """Each field's winner; a count no report gives says so, with any "none among ..." a report scopes."""
    fields = {name: _field(name, ballots[name], n_groups, "not stated in any report") for name in FIELDS}
    fields["date"] = _date_field(fields["date"], publication, n_groups)
    fields["place"] = _place_precision_noted(fields["place"])
    for name, kind in (("fatalities", "killed"), ("injured", "injured")):
        scoped = [c for c in scoped_zero if c.kind == kind]
        if fields[name].value is None:
            note = "not reported"
            if scoped:
                note += "; " + "; ".join(f"a report says none among {c.scope!r} (\u201c{c.text}\u201d)" for c in scoped[:2])
            fields[name] = RecordField(name, None, fields[name].alternatives, note)
    return fields


def _place_precision_noted(found: RecordField) -> RecordField:
    """A place known only as a country or region says that its position is that area's, not the event's."""
    if found.value is None:
        return found
    precision = found.value.detail.get("precision")
    if precision in (GeoPrecision.COUNTRY, GeoPrecision.REGION):
        area = "country" if precision == GeoPrecision.COUNTRY else "region"
        return dataclasses.replace(found, note=f"{found.note}; approximate: known only as the {area}, so its position is the {area}'s")
    if precision == GeoPrecision.UNRESOLVED:
        where = found.value.detail.get("country")
        if found.value.detail.get("latitude") is not None:
            return dataclasses.replace(found, note=f"{found.note}; approximate: the gazetteer does not know this name, so its "
                                       "position is that of the enclosing place the report names")
        return dataclasses.replace(found, note=f"{found.note}; no position: the gazetteer does not know this name"
                                   + (f" (in {where})" if where else ""))
    return found


def _pooled_type_probabilities(typer: EventTyper, codings: Sequence[ArticleCoding], group_of: Mapping[str, str]) -> dict[str, float] | None:
    """Sub-event type -> probability summed over sources (each source the mean of its articles), when the typer gives them.

    One report's wording can tip its own argmax ("fighting" near "airstrike");
    pooling the sources' probabilities chooses the type the reports support together.
    """
    probabilities = getattr(typer, "probabilities", None)
    classes = getattr(typer, "classes", None)
    if probabilities is None or classes is None or len(codings) < 2:
        return None
    # each coding carries its probabilities (a remembered coding too); only a coding without them is classified here
    missing = [c for c in codings if c.type_probabilities is None]
    texts = [c.article.text[c.type_text[0]:c.type_text[1]] if c.type_text else c.article.text for c in missing]
    computed = {id(c): p for c, p in zip(missing, probabilities(texts))} if missing else {}
    per_group: dict[str, list[Any]] = defaultdict(list)
    for coding in codings:
        p = coding.type_probabilities if coding.type_probabilities is not None else computed[id(coding)]
        per_group[group_of[coding.article.id]].append(p)
    total = sum(sum(ps) / len(ps) for ps in per_group.values())
    return {cls: float(total[i]) for i, cls in enumerate(classes)}


def _local(sentence: SentenceCoding) -> list[CountMention]:
    return [CountMention(c.kind, c.value, c.start - sentence.start, c.end - sentence.start, c.text, c.exact, c.low, c.high,
                         c.total, c.negation, c.scope) for c in sentence.counts]


def _event_date(article: Article, sentence: SentenceCoding):
    """(FuzzyDate, start, end) of the sentence's event date, or None."""
    found = _sentence_date(sentence.text, article.published)
    if found is None:
        return None
    value, start, end = found
    return value, sentence.start + start, sentence.start + end


@functools.lru_cache(maxsize=65_536)
def _sentence_date(text: str, published: dt.date | None):
    """(FuzzyDate, start, end) of the event date ``text`` states, or None.

    Remembered: an event's record is rebuilt as its reports arrive, and its older
    reports' sentences would be searched for dates again each time.
    """
    candidates = finders.event_days(text, published)
    if not candidates:
        return None
    value = candidates[0]
    for m in finders.dates(text, published):
        if m.date.value == value.value and m.date.precision == value.precision:
            return value, m.start, m.end
    return value, 0, len(text)


def _date_field(found: RecordField, publication: list[dt.date], n_groups: int) -> RecordField:
    if found.value is not None or not publication:
        return found if found.value is not None else RecordField("date", None, (), "no date stated and no publication date")
    first = min(publication)
    detail = {"precision": DatePrecision.PUBLICATION, "start": None, "end": first.isoformat(), "text": None, "anchor": first.isoformat()}
    return RecordField("date", FieldValue(first.isoformat(), detail, ()), (),
                       "publication date only: no report dates the event, which happened on or before this day")
