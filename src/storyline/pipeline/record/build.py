"""Record: one event record from all the articles that report an event.

Per article, :func:`code_article` finds the **main sentence** -- the first
lead sentence with an event trigger and a date of the reporting window (else
the first with a trigger) -- and codes the sentences of its paragraph with
:func:`code_sentence`: event type, actors, counts, each with its span. Any
group of sentences can be coded the same way (:func:`code_sentences`), which
is how an earlier background event can get its own record.

:func:`build_record` then chooses each field by agreement across
**independent** sources: duplicates are dropped, and articles of one outlet,
or articles that relay one upstream report (``groups``), count once. The
value most groups state wins (ties: the more confident or more precise
value, then the earlier article); the values other sources give are kept as
``alternatives`` and the ``note`` says how the value was chosen.

The date is never the publication date in disguise: when no article dates the
event, the value is the earliest publication date with precision
"publication" and the note says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence


from ...model import Article, DatePrecision, EventRecord, FieldValue, GeoPrecision, Mention, Place, RecordField, Support
from .. import dates as dates_stage
from .. import entities as entities_stage
from .actors import Actor, as_demonstrators, assign_roles, find_actor_phrases, person_names, relabelled, with_role_kind
from .counts import KINDS, CountMention, total_counts, find_counts
from ..entities import LABELS
from .eventtype import EventTypeCoding, EventTyper, find_triggers
from .kind import KindTyper, coding_scope
from .scoping import LEAD_SENTENCES, event_kind, kind_field, scoped_field, within_scope, without_demonstrators
from .scoping import sentence_segments as _sentence_segments
from .reading import reread
from .where import encloses, place_candidates, place_detail

__all__ = ["SentenceCoding", "ArticleCoding", "Coder", "code_sentence", "code_sentences", "code_article", "build_record", "FIELDS"]

FIELDS = ("kind", "event_type", "actor1", "actor2", "place", "date", "fatalities", "injured")
#: actors named by role only, who act where the event happened
_LOCAL_KINDS = {"protesters", "rioters", "civilians", "police", "government", "unidentified armed group", "military"}
#: PLOVER types a demonstration's own wording may take ("protesters demanded...")
_DEMONSTRATION = {"PROTEST", "DEMAND", "DISAPPROVE", "REJECT", None}
_MATERIAL = {"ASSAULT", "FIGHT", "PROTEST", "COERCE", "MOBILIZE", "CRIME"}


@dataclass(frozen=True)
class SentenceCoding:
    """What one sentence says about an event (offsets into the article text)."""

    start: int
    end: int
    text: str
    trigger_type: str | None
    trigger_span: tuple[int, int] | None
    actor1: Actor | None
    actor2: Actor | None
    counts: tuple[CountMention, ...]


@dataclass
class ArticleCoding:
    """One article's reading of the event: its main sentence, the coded sentences and their values."""

    article: Article
    main: int | None  # index into ``sentences``
    sentences: list[SentenceCoding] = field(default_factory=list)
    event_type: EventTypeCoding | None = None
    type_text: tuple[int, int] | None = None  # span classified
    #: the typer's class probabilities of the type text (when it gives them): what the event's sources pool
    type_probabilities: Any = field(default=None, compare=False)
    #: :func:`.counts.total_counts` of the sentences (their texts and counts), once known
    totals: dict[str, Any] | None = field(default=None, compare=False)


def _entity_spans(mentions: Iterable[Mention], start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start - start, m.end - start, m.label) for m in mentions if m.label in LABELS and start <= m.start and m.end <= end]


def code_sentence(text: str, start: int, end: int, mentions: Sequence[Mention] = (), triggers: Sequence | None = None,
                  keep: Callable[[Actor], bool] | None = None) -> SentenceCoding:
    """Trigger, actors and counts of the sentence ``text[start:end]`` (``triggers``: its :func:`find_triggers`, if known;
    ``keep``: which of the actors found may take a role, by default all)."""
    sentence = text[start:end]
    triggers = find_triggers(sentence) if triggers is None else triggers
    material = [t for t in triggers if t.plover in _MATERIAL]
    trigger = material[0] if material else (triggers[0] if triggers else None)
    actors = [a for a in find_actor_phrases(sentence, _entity_spans(mentions, start, end)) if keep is None or keep(a)]
    a1, a2 = assign_roles(sentence, actors, trigger.start if trigger else None, trigger.end if trigger else None,
                          trigger.plover if trigger else None)
    shift = lambda a: None if a is None else dataclasses.replace(a, start=a.start + start, end=a.end + start)  # noqa: E731
    counts = tuple(CountMention(c.kind, c.value, c.start + start, c.end + start, c.text, c.exact, c.low, c.high, c.total, c.negation, c.scope)
                   for c in find_counts(sentence))
    return SentenceCoding(start, end, sentence, trigger.plover if trigger else None,
                          (trigger.start + start, trigger.end + start) if trigger else None, shift(a1), shift(a2), counts)


def code_sentences(text: str, spans: Sequence[tuple[int, int]], mentions: Sequence[Mention] = (),
                   triggers: Mapping[tuple[int, int], Sequence] | None = None) -> list[SentenceCoding]:
    """:func:`code_sentence` for each span (``triggers``: the triggers already found, by span)."""
    known = triggers or {}
    return [code_sentence(text, s, e, mentions, known.get((s, e))) for s, e in spans]


#: codes one article as :func:`code_article` does
Coder = Callable[[Article, Sequence[Mention], EventTyper], "ArticleCoding"]


def code_article(article: Article, mentions: Sequence[Mention], typer: EventTyper) -> ArticleCoding:
    """The main sentence of ``article`` and the coding of its paragraph (see the module doc)."""
    segments = _sentence_segments(article)
    lead = segments[:LEAD_SENTENCES]
    found = {(s, e): find_triggers(article.text[s:e]) for s, e, _ in lead}  # once per lead sentence
    with_trigger = [i for i, (s, e, _) in enumerate(lead) if found[(s, e)]]
    dated = [i for i in with_trigger if dates_stage.event_date_candidates([article.text[lead[i][0]:lead[i][1]]], article.published)]
    main = dated[0] if dated else (with_trigger[0] if with_trigger else None)
    anchor = main if main is not None else 0
    paragraph = segments[anchor][2]
    chosen = [i for i, seg in enumerate(segments) if seg[2] == paragraph and i >= anchor][:4]
    others = [i for i in range(min(len(segments), LEAD_SENTENCES)) if i not in chosen]
    order = chosen + others
    coded = code_sentences(article.text, [(segments[i][0], segments[i][1]) for i in order], mentions, found)
    coding = ArticleCoding(article, 0 if main is not None else None, coded,
                           totals=total_counts([s.text for s in coded], [_local(s) for s in coded]))
    # the type is read from the main sentence's whole paragraph (as an ACLED note is one paragraph)
    type_sentences = [i for i, seg in enumerate(segments) if seg[2] == paragraph][:6]
    if anchor not in type_sentences:
        type_sentences = chosen[:3]
    span = (segments[type_sentences[0]][0], segments[type_sentences[-1]][1])
    coding.type_text = span
    text = article.text[span[0]:span[1]]
    coding.event_type = typer.classify([text])[0]
    if getattr(typer, "probabilities", None) is not None and getattr(typer, "classes", None) is not None:
        coding.type_probabilities = typer.probabilities([text])[0]
    return coding


# ------------------------------------------------------------------ candidates


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
    s_start, s_end = (sentence.start, sentence.end) if isinstance(sentence, SentenceCoding) else sentence
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


def build_record(
    event_id: str,
    articles: Sequence[Article],
    mentions: Mapping[str, Sequence[Mention]] | None = None,
    places: Mapping[str, Sequence[Place]] | None = None,
    typer: EventTyper | None = None,
    groups: Mapping[str, str] | None = None,
    kinds: KindTyper | None = None,
    revision: int = 3,
    coder: "Coder | None" = None,
) -> EventRecord:
    """The event record of ``articles`` (see the module doc).

    ``coder`` codes one article as :func:`code_article` does (the default); a
    caller may pass one that remembers codings, as long as each call returns a
    coding of its own (this function replaces its ``event_type`` and ``sentences``).

    With a kind typer (``kinds``) the event first gets its kind, and the
    event type keeps only what that kind allows (:func:`.kind.coding_scope`);
    without one there is no kind field and every type is allowed.
    ``revision`` 2 is ``recorder.agreement.v2``'s scope (an uncertain kind
    still took PLOVER's verbal types; people in general news were civilians).

    ``mentions`` and ``places`` map an article id to its entity mentions and
    resolved places (article-relative offsets); ``groups`` maps an article id
    to its independence group (an upstream report it relays); by default an
    article's group is its source, or itself when it has none.
    """
    if typer is None:
        from .eventtype import LinearEventTyper

        typer = LinearEventTyper.bundled()
    mentions = mentions or {}
    places = places or {}
    kept = [a for a in articles if not a.duplicate_of] or list(articles)
    group_of = {a.id: (groups or {}).get(a.id) or a.source or a.id for a in kept}
    ballots = {name: _Ballot() for name in FIELDS}
    scoped_zero: list[CountMention] = []
    codings: list[ArticleCoding] = []
    publication: list[dt.date] = []
    kind = event_kind(kinds, kept, group_of) if kinds is not None else None
    scope = coding_scope(kind, revision)
    names = person_names([a.text for a in kept], [[(m.start, m.end, m.label) for m in mentions.get(a.id, ())] for a in kept])
    for order, article in enumerate(kept):
        vote = _Vote(article, group_of[article.id], order, ballots)
        coding = _coded(article, mentions.get(article.id, ()), places.get(article.id, ()), names, typer, scope,
                        revision, coder or code_article)
        codings.append(coding)
        if article.published:
            publication.append(article.published)
        _vote_type(vote, coding)
        where = _vote_place(vote, coding, places.get(article.id, ()), revision)
        _vote_actors(vote, coding, where)
        _vote_date(vote, coding)
        _vote_counts(vote, coding, revision)
        scoped_zero += [c for s in coding.sentences for c in s.counts if c.negation and c.scope]
    # a place inside another report's country or region agrees with it: the more specific name wins
    for c in ballots["place"].candidates.values():
        for other in ballots["place"].candidates.values():
            if other is not c and encloses(other.detail, c.detail):
                c.groups |= other.groups
        c.strength = c.detail["specificity"] + c.strength / 10
    if scope.acled:
        ballots["event_type"].pooled = _pooled_type_probabilities(typer, codings, group_of)
        ballots["event_type"].vote_acled_first = revision >= 3
    fields = _fields(ballots, len(set(group_of.values())), publication, scoped_zero)
    fields["event_type"] = scoped_field(fields["event_type"], scope)
    if kind is None:
        del fields["kind"]
    else:
        fields["kind"] = kind_field(kind, kept, len(set(group_of.values())))
    if revision >= 3 and kind is not None and kind.kind in _NO_ACTOR_KINDS:
        # an earthquake or a wildfire acts on nobody: the names near "struck" or "killed" are victims, places, agencies
        for name in ("actor1", "actor2"):
            fields[name] = RecordField(name, None, (), f"not coded: {_NO_ACTOR_KINDS[kind.kind]}")
    return EventRecord(event_id, fields)


def _coded(article: Article, mentions: Sequence[Mention], places: Sequence[Place], names: Any, typer: EventTyper,
           scope: Any, revision: int, coder: "Coder") -> ArticleCoding:
    """One report's coding within the event's scope (its actors, its type, its sentences)."""
    toponyms = [(p.start, p.end) for p in places]
    # a name the geoparser reads as a place ("al-Tanf") is where things happen, not who acts
    actor_mentions = [m for m in mentions
                      if m.label in ("GPE", "NORP") or not any(s < m.end and m.start < e for s, e in toponyms)]
    if revision >= 3:  # "Moderna" labelled a person is an organisation; "COVID-19" is no actor
        actor_mentions = [dataclasses.replace(m, label=label) for m in actor_mentions
                          for label in [relabelled(article.text, m.start, m.end, m.label, names)] if label]
    coding = coder(article, actor_mentions, typer)
    if revision >= 4:  # "released a report", "thanks to", "the task force": words read with what they govern
        coding = reread(coding, actor_mentions, typer, conflict=scope.acled)
    coding.event_type = within_scope(coding, scope)
    if not scope.acled:  # "stocks rallied": no demonstration, so nobody demonstrated
        coding.sentences = [without_demonstrators(sc, revision) for sc in coding.sentences]
    return coding


#: (revision 3) kinds whose events have no actor and target in PLOVER's sense, and why
_NO_ACTOR_KINDS = {"disaster": "a disaster or accident has no actor or target"}


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
    vote.cast("place", key, place.name or place.text, place_detail(place), _sentence_of(article, place.start), place.start, place.end,
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
    candidates = dates_stage.event_date_candidates([text], published)
    if not candidates:
        return None
    value = candidates[0]
    for m in dates_stage.find_dates(text, published):
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
