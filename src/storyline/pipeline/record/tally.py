"""Record (tally): an event's ballots kept between builds, so that a report's arrival adds its own votes only.

An event's record is rebuilt each time a report joins it. A :class:`Tally`
remembers the reports of the last build in their order -- what each was
coded from (the article, its independence group, its mentions and places),
its kind typer's probabilities and the person names it writes -- and the
ballots their votes filled. The next build of the same event
(:func:`.build.build_record` with ``tally``) reuses what still holds:

- the kind probabilities and names of every report whose inputs are unchanged;
- the ballots, when every report they counted is unchanged and still first,
  in the same order, with the same event typer and revision, the event's
  coding scope is the same (its kind may change while what the kind allows
  does not), and no name a new report writes changes how an earlier
  report's mentions are labelled (:func:`.actors.relabelled`). Then only
  the new reports vote; otherwise every report votes again.

Either way the record equals the one a build from nothing gives: the
ballots hold exactly the votes a build from nothing casts, in the same
order, and what a build derives from them (places that enclose each other
agreeing, the pooled type probabilities) is derived anew on copies.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ...model import Article, Mention, Place
from .actors import names_asked, person_names
from .kind import CodingScope, KindCoding, KindTyper
from .scoping import kind_rows, pooled_kind
from .votes import FIELDS, _Ballot
from .where import country_as_region, encloses

__all__ = ["Tally"]


def _same(a: Any, b: Any) -> bool:
    """Equal inputs (the same object, or equal; a list equals a tuple of the same items)."""
    return a is b or a == b or (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and list(a) == list(b))


@dataclass
class _Member:
    """One report of the event as the tally saw it: its inputs, and what was read from them alone."""

    article: Article
    group: str
    mentions: Sequence[Mention]
    places: Sequence[Place]
    #: person names its mentions write (:func:`.actors.person_names`), and the words whose being one changes its labels
    names: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)
    kind_row: list[float] | None = None

    def same(self, article: Article, group: str, mentions: Sequence[Mention], places: Sequence[Place]) -> bool:
        return (_same(self.article, article) and self.group == group and _same(self.mentions, mentions)
                and _same(self.places, places))


class Tally:
    """An event's reports and ballots from its last record build (see the module doc); one per event, kept by the caller."""

    def __init__(self) -> None:
        self.members: list[_Member] = []
        #: how often votes already counted were thrown away (a report changed or left, or the scope or a name changed)
        self.recounts = 0
        self.counted = 0
        self.kinds: KindTyper | None = None
        self.classes: list[str] | None = None
        self._fresh_ballots()
        #: what the ballots were counted under: (event typer, revision, scope without its note), and the names
        self.key: tuple | None = None
        self.names: set[str] = set()

    def _fresh_ballots(self) -> None:
        self.recounts += self.counted > 0
        self.ballots = {name: _Ballot() for name in FIELDS}
        #: reports whose votes the ballots hold (the first ``counted`` members), their codings and what else they gave
        self.counted = 0
        self.codings: list[Any] = []
        self.publication: list[Any] = []
        self.scoped_zero: list[Any] = []
        self.asked: set[str] = set()

    def follow(self, kept: Sequence[Article], group_of: Mapping[str, str], mentions: Mapping[str, Sequence[Mention]],
               places: Mapping[str, Sequence[Place]], kinds: KindTyper | None) -> None:
        """Take this build's reports: the unchanged first ones stay as they are, the others are read afresh."""
        same = 0
        for member, article in zip(self.members, kept):
            if not member.same(article, group_of[article.id], mentions.get(article.id, ()), places.get(article.id, ())):
                break
            same += 1
        if self.counted > same:  # a counted report changed or left: every report votes again
            self._fresh_ballots()
        del self.members[same:]
        for article in kept[same:]:
            found = mentions.get(article.id, ())
            spans = [(m.start, m.end, m.label) for m in found]
            self.members.append(_Member(article, group_of[article.id], found, places.get(article.id, ()),
                                        person_names([article.text], [spans]), names_asked(article.text, spans)))
        if kinds is not None:
            unread = self.members if kinds is not self.kinds else [m for m in self.members if m.kind_row is None]
            if unread:
                self.classes, rows = kind_rows(kinds, [m.article for m in unread], None if kinds is not self.kinds else self.classes)
                for member, row in zip(unread, rows):
                    member.kind_row = row
            self.kinds = kinds

    def kind(self, kinds: KindTyper) -> KindCoding:
        """The event's kind (:func:`.scoping.event_kind`) from the members' remembered probabilities."""
        return pooled_kind(kinds, self.classes or [], [m.kind_row for m in self.members], [m.group for m in self.members])

    def all_names(self) -> set[str]:
        """Person names the event's reports write (:func:`.actors.person_names` of them all)."""
        return set().union(*(m.names for m in self.members))

    def start(self, typer: Any, revision: int, scope: CodingScope, names: set[str]) -> None:
        """Keep the ballots when the new reports can only add to them (see the module doc), else empty them."""
        key = (typer, revision, dataclasses.replace(scope, reason=""))
        renamed = revision >= 3 and bool((names - self.names) & self.asked)
        if self.key is None or self.key[0] is not typer or self.key[1:] != key[1:] or renamed:
            self._fresh_ballots()
        self.key, self.names = key, names

    def counting(self, coding: Any) -> _Member:
        """The next report to vote (its coding done): its member, now counted."""
        member = self.members[self.counted]
        self.codings.append(coding)
        self.asked |= member.asked
        self.counted += 1
        return member

    def finished(self) -> dict[str, _Ballot]:
        """The ballots to write the record from: places that enclose each other agree (on copies: the tally keeps its own)."""
        ballots = dict(self.ballots)
        place = ballots["place"] = _Ballot()
        place.candidates = {k: dataclasses.replace(c, groups=set(c.groups)) for k, c in self.ballots["place"].candidates.items()}
        if self.key is not None and self.key[1] >= 6:  # "Georgia" the country in one report, Atlanta in another
            country_as_region(list(place.candidates.values()))
        # a place inside another report's country or region agrees with it: the more specific name wins
        for c in place.candidates.values():
            for other in place.candidates.values():
                if other is not c and encloses(other.detail, c.detail):
                    c.groups |= other.groups
            c.strength = c.detail["specificity"] + c.strength / 10
        return ballots
