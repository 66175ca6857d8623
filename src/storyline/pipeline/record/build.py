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
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence


from ...model import Article, EventRecord, Mention, Place, RecordField
from .actors import Actor, assign_roles, relabelled
from . import finders
from .counts import CountMention, total_counts
from ..entities import LABELS
from .eventtype import EventTypeCoding, EventTyper, LinearEventTyper
from .kind import KindTyper, coding_scope
from .scoping import LEAD_SENTENCES, kind_field, scoped_field, within_scope, without_demonstrators
from .scoping import sentence_segments as _sentence_segments
from .tally import Tally
from .votes import FIELDS, _Ballot, _fields, _local, _pooled_type_probabilities, _Vote, _vote_actors, _vote_counts
from .votes import _vote_date, _vote_place, _vote_type
from .reading import reread
from .where import affiliation_place, government_place, topic_place
from .participants import party_place, reread_participants
from . import bodies

__all__ = ["SentenceCoding", "ArticleCoding", "Coder", "code_sentence", "code_sentences", "code_article", "build_record", "FIELDS"]

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
                  keep: Callable[[Actor], bool] | None = None,
                  adjust: Callable[[str, list[Actor]], list[Actor]] | None = None) -> SentenceCoding:
    """Trigger, actors and counts of the sentence ``text[start:end]`` (``triggers``: its :func:`~.eventtype.find_triggers`, if known;
    ``keep``: which of the actors found may take a role, by default all; ``adjust``: the actors that may, from the
    sentence and the actors found, when given)."""
    sentence = text[start:end]
    triggers = finders.triggers(sentence) if triggers is None else triggers
    material = [t for t in triggers if t.plover in _MATERIAL]
    trigger = material[0] if material else (triggers[0] if triggers else None)
    actors = [a for a in finders.actors(sentence, tuple(_entity_spans(mentions, start, end))) if keep is None or keep(a)]
    if adjust is not None:
        actors = adjust(sentence, actors)
    a1, a2 = assign_roles(sentence, actors, trigger.start if trigger else None, trigger.end if trigger else None,
                          trigger.plover if trigger else None)
    shift = lambda a: None if a is None else dataclasses.replace(a, start=a.start + start, end=a.end + start)  # noqa: E731
    counts = tuple(CountMention(c.kind, c.value, c.start + start, c.end + start, c.text, c.exact, c.low, c.high, c.total, c.negation, c.scope)
                   for c in finders.counts(sentence))
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
    found = {(s, e): finders.triggers(article.text[s:e]) for s, e, _ in lead}  # once per lead sentence
    with_trigger = [i for i, (s, e, _) in enumerate(lead) if found[(s, e)]]
    dated = [i for i in with_trigger if finders.event_days(article.text[lead[i][0]:lead[i][1]], article.published)]
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
    if type(typer).classify is LinearEventTyper.classify:  # the class probabilities computed once, not twice
        coding.event_type, coding.type_probabilities = typer.classify_one(text, finders.triggers(text))
        return coding
    coding.event_type = typer.classify([text])[0]
    if getattr(typer, "probabilities", None) is not None and getattr(typer, "classes", None) is not None:
        coding.type_probabilities = typer.probabilities([text])[0]
    return coding


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
    tally: Tally | None = None,
    recalled: bool = False,
) -> EventRecord:
    """The event record of ``articles`` (see the module doc).

    ``coder`` codes one article as :func:`code_article` does (the default); a
    caller may pass one that remembers codings, as long as each call returns a
    coding of its own (this function replaces its ``event_type`` and ``sentences``).
    ``tally`` is the event's :class:`.tally.Tally` from its previous build, kept
    by the caller (one per event): when the event only gained reports, only
    they vote; it holds this build's ballots afterwards. The record is the
    same with or without it.

    With a kind typer (``kinds``) the event first gets its kind, and the
    event type keeps only what that kind allows (:func:`.kind.coding_scope`);
    without one there is no kind field and every type is allowed.
    ``revision`` 2 is ``recorder.agreement.v2``'s scope (an uncertain kind
    still took PLOVER's verbal types; people in general news were civilians).

    ``mentions`` and ``places`` map an article id to its entity mentions and
    resolved places (article-relative offsets); ``groups`` maps an article id
    to its independence group (an upstream report it relays); by default an
    article's group is its source, or itself when it has none. ``recalled``:
    the articles are views of an earlier event they recall (revision 5 then
    reads their past years as the event's own, see :mod:`.participants`).
    """
    if typer is None:
        from .eventtype import LinearEventTyper

        typer = LinearEventTyper.bundled()
    mentions = mentions or {}
    places = places or {}
    kept = [a for a in articles if not a.duplicate_of] or list(articles)
    group_of = {a.id: (groups or {}).get(a.id) or a.source or a.id for a in kept}
    tally = tally if tally is not None else Tally()
    tally.follow(kept, group_of, mentions, places, kinds)
    kind = tally.kind(kinds) if kinds is not None else None
    family = bodies.family_kind(kind, getattr(kinds, "abstain_below", 0.5)) if revision >= 6 and kind is not None else None
    scope = coding_scope(kind, revision) if family is None else family_scope(family, revision)
    kind = family or kind
    if recalled:
        scope = dataclasses.replace(scope, recalled=True)
    names = tally.all_names()
    tally.start(typer, revision, scope, names)
    _count(tally, names, typer, scope, revision, coder or code_article)
    ballots = tally.finished()
    if revision >= 6:  # "the U.S. Supreme Court" and "the Supreme Court", "CDC" and its long name: one body
        ballots = bodies.merged_bodies(ballots)
    if scope.acled:
        typed = ballots["event_type"] = _Ballot()
        typed.candidates = tally.ballots["event_type"].candidates
        typed.pooled = _pooled_type_probabilities(typer, tally.codings, group_of)
        typed.vote_acled_first = revision >= 3
    fields = _fields(ballots, len(set(group_of.values())), tally.publication, tally.scoped_zero)
    fields["event_type"] = scoped_field(fields["event_type"], scope)
    if kind is None:
        del fields["kind"]
    else:
        fields["kind"] = kind_field(kind, kept, len(set(group_of.values())))
        if family is not None:
            fields["kind"] = family_field(fields["kind"], family)
    if revision >= 5:  # "the Senate" acting on "the Senate": one body, no target
        fields["actor2"] = _other_than(fields["actor1"], fields["actor2"])
    if revision >= 3 and kind is not None and kind.kind in _NO_ACTOR_KINDS:
        # an earthquake or a wildfire acts on nobody: the names near "struck" or "killed" are victims, places, agencies
        for name in ("actor1", "actor2"):
            fields[name] = RecordField(name, None, (), f"not coded: {_NO_ACTOR_KINDS[kind.kind]}")
    return EventRecord(event_id, fields)


def _count(tally: Tally, names: set[str], typer: EventTyper, scope: Any, revision: int, coder: "Coder") -> None:
    """The votes of each report the tally has not counted yet, in their order."""
    for order in range(tally.counted, len(tally.members)):
        member = tally.members[order]
        article = member.article
        coding = _coded(article, member.mentions, member.places, names, typer, scope, revision, coder)
        tally.counting(coding)
        vote = _Vote(article, member.group, order, tally.ballots)
        if article.published:
            tally.publication.append(article.published)
        _vote_type(vote, coding)
        places = [p for p in member.places if not party_place(p)] if revision >= 5 else member.places  # "Democratic"
        if revision >= 6:  # "at the White House" is in Washington; "Justice" of "Justice Department" is no place
            persons = {m.end for m in member.mentions if m.label == "PERSON"}  # nor "Schumer (D-N.Y.)"'s state
            places = [bodies.seat_place(p) for p in places if not bodies.title_place(p, article.text)
                      and not affiliation_place(p, article.text, persons)]
        if revision >= 7:  # "China competitiveness legislation", "even if Washington removed all sanctions": no where
            places = [p for p in places if not topic_place(p, article.text) and not government_place(p, article.text)]
        where = _vote_place(vote, coding, places, revision)
        _vote_actors(vote, coding, where)
        _vote_date(vote, coding)
        _vote_counts(vote, coding, revision)
        tally.scoped_zero += [c for s in coding.sentences for c in s.counts if c.negation and c.scope]


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
    if revision >= 5:  # an outlet that reports, a party word, a past year, a cumulative toll, an opinion column
        coding = reread_participants(coding, actor_mentions, typer, conflict=scope.acled, recalled=scope.recalled,
                                     revision=revision)
    coding.event_type = within_scope(coding, scope)
    if not scope.acled:  # "stocks rallied": no demonstration, so nobody demonstrated
        coding.sentences = [without_demonstrators(sc, revision) for sc in coding.sentences]
    return coding


def _other_than(actor1: RecordField, actor2: RecordField) -> RecordField:
    """(revision 5) ``actor2`` unless it is the same body as ``actor1`` (one normalised key): then the next value
    the reports give that is not, or none."""
    if actor1.value is None or actor2.value is None or actor2.value.detail.get("key") != actor1.value.detail.get("key"):
        return actor2
    key = actor1.value.detail.get("key")
    others = [v for v in actor2.alternatives if v.detail.get("key") != key]
    note = f"{actor2.note}; {actor2.value.value!r} is actor1 itself, so no target of its own"
    if not others:
        return RecordField(actor2.name, None, actor2.alternatives, note)
    return RecordField(actor2.name, others[0], tuple(v for v in actor2.alternatives if v is not others[0]), note)


def family_scope(family: Any, revision: int) -> Any:
    """(revision 6) What an event of the political family whose kind is unsure may be coded with: a political event's types."""
    politics = dataclasses.replace(family, kind="politics")
    share = family.probabilities.get(family.kind, 0.0)
    reason = (f"no ACLED type: politics, conflict or crime ({family.confidence:.2f} together), at best "
              f"{family.kind} ({share:.2f}), so coded as a political event")
    return dataclasses.replace(coding_scope(politics, revision), reason=reason)


def family_field(found: RecordField, family: Any) -> RecordField:
    """(revision 6) The kind field of an event whose kind was decided within the political family, saying so."""
    share = family.probabilities.get(family.kind, 0.0)
    note = (f"{found.note.rsplit('; probability', 1)[0]}; politics, conflict or crime together {family.confidence:.2f}, "
            f"the most probable of them {family.kind} ({share:.2f}): which of the three is unsure")
    value = found.value
    if value is not None:
        value = dataclasses.replace(value, detail=dict(value.detail, decided="political family", confidence=round(share, 4)))
    return RecordField(found.name, value, found.alternatives, note)


#: (revision 3) kinds whose events have no actor and target in PLOVER's sense, and why
_NO_ACTOR_KINDS = {"disaster": "a disaster or accident has no actor or target"}
