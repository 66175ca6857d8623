"""The comparison stage: what the sources of one event say together.

Each report is cut into claims (:mod:`.claims`), claims of different reports
are aligned into facts (:mod:`.align`), each fact is ``agreed`` (two or more
sources), ``single`` (what one source adds) or ``contested`` (incompatible
values for one slot, :mod:`.conflicts`), and each source's framing terms are
read against the lexicons (:mod:`.framing`). Independence comes from the
relays stage: sources that relay one upstream report are one confirmation.
The stage reads stored articles, their mentions and relays and an embedder;
it never opens the store.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Mapping, Protocol, Sequence

import numpy as np

from ...comparison import ClaimSupport, Comparison, Fact, FactConflict, FactStatus, FactValue, FramingTerm, SourceComparison, Upstream
from ...model import Article, Mention, Relay
from .align import AlignParams, align_scored
from .claims import Claim
from .conflicts import Conflict, find_conflict, find_conflicts
from .framing import Lexicons, framing_terms
from .memory import Alignment
from .rules_v6 import RulesV6, about_one_act, checks_v6, slot_checks_v6
from .rules_v7 import RulesV7, actor_key, checks_v7, slot_checks_v7
from .slotpairs import slot_pair_conflicts
from .units import ArticleClaims

__all__ = ["Comparer", "FactsComparer", "FactsComparerV2", "FactsComparerV3", "FactsComparerV4", "FactsComparerV5",
           "FactsComparerV6", "FactsComparerV7"]

#: claims per report when an event has many reports (the cost of one event stays bounded)
_LARGE_EVENT = 40
_CLAIMS_IN_LARGE_EVENTS = 12


class Comparer(Protocol):
    name: str

    def compare(self, event_id: str, articles: Sequence[Article], mentions: Mapping[str, Sequence[Mention]],
                relays: Sequence[Relay], embedder, memory=None) -> Comparison: ...


class FactsComparer:
    """Facts by slot-aware alignment of claims; contradictions only from slot conflicts within a fact."""

    name = "comparer.facts.v1"

    #: the aligner's settings of this version (see :class:`AlignParams`)
    default_params = AlignParams()
    #: the slot and conflict rules of this version (see ``split_claims`` and ``find_conflict``)
    rules = 1

    def __init__(self, lexicons: Lexicons | None = None, params: AlignParams | None = None) -> None:
        self.lexicons, self.params = lexicons, params or self.default_params
        #: each report's claims, split once whatever event compares it (:mod:`.units`)
        self.units = ArticleClaims()

    def claims(self, articles: Sequence[Article], mentions: Mapping[str, Sequence[Mention]],
               relays: Sequence[Relay]) -> list[Claim]:
        relayed = {a: r.name for r in relays for a in r.articles}
        kept = [a for a in articles if not a.duplicate_of]
        limit = _CLAIMS_IN_LARGE_EVENTS if len(kept) > _LARGE_EVENT else None
        out: list[Claim] = []
        for a in kept:
            out += self.units.of(a, mentions.get(a.id, ()), relayed.get(a.id), self.rules)[:limit]
        return out

    def _near(self, score: np.ndarray):
        """v3 tells the conflict rules which claims of a fact are near (see ``find_conflict``); v1 and v2 do not."""
        return None

    def _closeness(self, score: np.ndarray):
        """v4 tells the conflict rules how close two claims of a fact are (the closest conflicting pair is shown)."""
        return None

    def _aligned(self, articles: Sequence[Article], mentions: Mapping[str, Sequence[Mention]], relays: Sequence[Relay],
                 embedder, memory: Alignment | None):
        if memory is None:
            claims = self.claims(articles, mentions, relays)
            return (claims, *align_scored(claims, embedder.embed, self.params))
        relayed = {a: r.name for r in relays for a in r.articles}
        kept = [a for a in articles if not a.duplicate_of]
        limit = _CLAIMS_IN_LARGE_EVENTS if len(kept) > _LARGE_EVENT else None
        inputs = [(a, mentions.get(a.id, ()), relayed.get(a.id)) for a in kept]
        key = (self.name, id(self), self.params, self.rules, limit)
        split = lambda a, m, up: self.units.of(a, m, up, self.rules)[:limit]  # noqa: E731
        return memory.align(key, inputs, split, embedder.embed, self.params)

    def compare(self, event_id: str, articles: Sequence[Article], mentions: Mapping[str, Sequence[Mention]],
                relays: Sequence[Relay], embedder, memory: Alignment | None = None) -> Comparison:
        """The comparison of the event's sources; with ``memory`` (the event's :class:`.memory.Alignment`) only the
        claims of reports that joined since its last comparison are aligned (the comparison is the same)."""
        claims, groups, score = self._aligned(articles, mentions, relays, embedder, memory)
        group_of = _independence(articles, relays)
        facts = self._facts(claims, groups, score, group_of, memory)
        facts.sort(key=_fact_order)
        facts = [_renumber(f, k) for k, f in enumerate(facts)]
        sources = sorted({c.source for c in claims} | {a.source or a.id for a in articles if not a.duplicate_of})
        framing = framing_terms(self.lexicons, [[claims[i] for i in g] for g in groups]) if self.lexicons else {}
        by_source = _per_source_all(facts, sources, framing)
        upstream = tuple(Upstream(r.name, tuple(sorted({a.source or a.id for a in articles if a.id in r.articles})))
                         for r in relays)
        note = _note(sources, facts, self.lexicons)
        return Comparison(event_id, tuple(facts), by_source, upstream, note, self.name)


    def _facts(self, claims: Sequence[Claim], groups: Sequence[Sequence[int]], score: np.ndarray,
               group_of: Mapping[str, str], memory: Alignment | None) -> list[Fact]:
        """One fact per group of claims, in the groups' order; with ``memory``, a group of the same claims, the same
        independence groups and the same scores between its claims is the fact built for it before (a v5 fact that
        shows a conflict with another fact's claim is always built afresh, and not kept)."""
        near, close = self._near(score), self._closeness(score)
        extra = self._other_conflicts(claims, groups, score)
        kept = memory.facts if memory is not None else None
        seen: dict = {}
        out = []
        for k, g in enumerate(groups):
            if k in extra:
                out.append(self._fact(k, [claims[i] for i in g], group_of, near and near(g), close and close(g),
                                      [(c, [claims[i] for i in ij]) for c, ij in extra[k]]))
                continue
            key = (tuple(g), tuple(group_of.get(claims[i].source, claims[i].source) for i in g))
            block = score[np.ix_(g, g)] if near is not None and len(g) > 1 else None
            hit = kept.get(key) if kept is not None else None
            if hit is None or not (block is None or np.array_equal(hit[1], block)):
                hit = (self._fact(k, [claims[i] for i in g], group_of, near and near(g), close and close(g), ()), block)
            seen[key] = hit
            out.append(hit[0])
        if memory is not None:
            memory.facts = seen
        return out

    def _fact(self, k: int, members: list[Claim], group_of: Mapping[str, str], near, close, others) -> Fact:
        return _fact(f"F{k + 1}", members, group_of, self.rules, near, close)

    def _other_conflicts(self, claims: Sequence[Claim], groups: Sequence[Sequence[int]], score: np.ndarray) -> dict:
        """v5 looks for conflicts between claims of two facts (see :mod:`.slotpairs`); v1 to v4 do not."""
        return {}


class FactsComparerV2(FactsComparer):
    """v1 with a one-to-one matching of two reports' claims (not only mutual best matches) and the entities few
    claims of the event name as a slot ("train and advise local fighters to combat ... ISIS" and "training local
    forces fighting ... the Islamic State" are one fact); its slots and conflicts follow the v2 rules (no quantity
    in a name or a tally; a denial must govern a word the other claim asserts and the denying claim does not
    assert itself; no denial in a passive "be denied")."""

    name = "comparer.facts.v2"
    default_params = AlignParams(matching="greedy", entity_slots=True)
    rules = 2


class FactsComparerV3(FactsComparerV2):
    """v2 whose claims never come from page furniture (datelines, bylines, time stamps, photo credits, boilerplate,
    the headline again; :mod:`.furniture`), with the v3 conflict rules (:mod:`.conflicts`)."""

    name = "comparer.facts.v3"
    rules = 3

    def _near(self, score: np.ndarray):
        return _near_pairs(score, self.params.threshold)


class FactsComparerV4(FactsComparerV3):
    """v3 that scores two dated claims as sharing a slot whatever their days (another day for the same act is a
    conflict to find, not a reason to split the fact), reads no amount in a number glued to a name ("76ers") or an
    address ("the 12000 block"), reads "$US1 million" as a sum, takes a number that is a part or a sum of a rival
    claim's numbers for no rival, ends no denial's clause at "as", and reports the conflict of a fact's closest
    conflicting pair of claims."""

    name = "comparer.facts.v4"
    default_params = AlignParams(matching="greedy", entity_slots=True, any_date=True)
    rules = 4

    def _closeness(self, score: np.ndarray):
        return lambda group: (lambda i, j: float(score[group[i], group[j]]))


class FactsComparerV5(FactsComparerV4):
    """v4 whose facts show every conflict they hold (not only the closest pair's), and which looks for conflicts
    between claims the aligner left in two facts when they carry a comparable slot and score close enough to be about
    one act (:mod:`.slotpairs`; the facts' claims do not change)."""

    name = "comparer.facts.v5"
    default_params = AlignParams(matching="greedy", entity_slots=True, any_date=True, slot_pairs=0.3)
    rules = 5

    def _other_conflicts(self, claims: Sequence[Claim], groups: Sequence[Sequence[int]], score: np.ndarray) -> dict:
        return slot_pair_conflicts(claims, groups, score, self.params.slot_pairs)

    def _fact(self, k: int, members: list[Claim], group_of: Mapping[str, str], near, close, others) -> Fact:
        found = find_conflicts(members, near, close) if len({c.source for c in members}) > 1 else []
        return _fact_v5(f"F{k + 1}", members, group_of, found, others)


class FactsComparerV6(FactsComparerV5):
    """v5 whose slot pairs must be about one act (the words either side of their two values share a word; no value a
    forecast gives), and whose facts compare two sums or shares of two claims the aligner linked with a fitted share
    of shared words (:mod:`.rules_v6`; settings in ``params/comparer-facts-v6.json``). Its claims are v5's."""

    name = "comparer.facts.v6"

    def __init__(self, lexicons: Lexicons | None = None, params: AlignParams | None = None,
                 rules: RulesV6 | None = None) -> None:
        self.conflict_rules = rules or RulesV6.bundled()
        super().__init__(lexicons, params or replace(FactsComparerV5.default_params, slot_pairs=self.conflict_rules.slot_pairs))
        self._checks, self._slot_checks = checks_v6(self.conflict_rules), slot_checks_v6(self.conflict_rules)

    def _other_conflicts(self, claims: Sequence[Claim], groups: Sequence[Sequence[int]], score: np.ndarray) -> dict:
        holds = lambda conflict, a, b: about_one_act(conflict, a, b, self.conflict_rules)  # noqa: E731
        return slot_pair_conflicts(claims, groups, score, self.params.slot_pairs, self._slot_checks, holds,
                                   self.conflict_rules.negation_pairs)

    def _fact(self, k: int, members: list[Claim], group_of: Mapping[str, str], near, close, others) -> Fact:
        found = find_conflicts(members, near, close, self._checks) if len({c.source for c in members}) > 1 else []
        return _fact_v5(f"F{k + 1}", members, group_of, found, others)


class FactsComparerV7(FactsComparerV6):
    """v6 whose facts also take two sums or shares for one quantity when the words naming what they measure share a
    word, which compares actors by name whatever type a report gave them, and which leaves a forecast out of a claim's
    values (:mod:`.rules_v7`; settings in ``params/comparer-facts-v7.json``). Its claims and alignment are v6's."""

    name = "comparer.facts.v7"

    def __init__(self, lexicons: Lexicons | None = None, params: AlignParams | None = None,
                 rules: RulesV7 | None = None) -> None:
        super().__init__(lexicons, params, rules or RulesV7.bundled())
        self._checks, self._slot_checks = checks_v7(self.conflict_rules), slot_checks_v7(self.conflict_rules)

    def _other_conflicts(self, claims: Sequence[Claim], groups: Sequence[Sequence[int]], score: np.ndarray) -> dict:
        holds = lambda conflict, a, b: about_one_act(conflict, a, b, self.conflict_rules)  # noqa: E731
        return slot_pair_conflicts(claims, groups, score, self.params.slot_pairs, self._slot_checks, holds,
                                   self.conflict_rules.negation_pairs,
                                   actor_key if self.conflict_rules.untyped_actors else None)


def _near_pairs(score: np.ndarray, threshold: float):
    """For a fact (claim indices) the test ``near(i, j)`` of two of its claims: scored at least ``threshold``."""
    return lambda group: (lambda i, j: bool(score[group[i], group[j]] >= threshold))


def _independence(articles: Sequence[Article], relays: Sequence[Relay]) -> dict[str, str]:
    """Source -> its independence group: the upstream it relays, else itself."""
    relayed = {a: f"relay:{r.upstream}" for r in relays for a in r.articles}
    return {a.source or a.id: relayed.get(a.id, a.source or a.id) for a in articles}


def _support(c: Claim) -> ClaimSupport:
    return ClaimSupport(c.article.id, c.source, c.index, c.start, c.end, c.text, c.attribution)


def _kind(claims: Sequence[Claim]) -> str:
    shared = lambda attr: sum(bool(getattr(c, attr)) for c in claims) >= min(2, len(claims))  # noqa: E731
    if shared("counts") or shared("quantities"):
        return "count"
    if shared("dates"):
        return "date"
    if all(c.actor1 is not None and c.actor2 is not None for c in claims):
        return "actors"
    return "statement"


def _fact(fact_id: str, claims: list[Claim], group_of: Mapping[str, str], rules: int = 1, near=None, closeness=None) -> Fact:
    sources = tuple(sorted({c.source for c in claims}))
    independent = len({group_of.get(s, s) for s in sources})
    supports = tuple(_support(c) for c in claims)
    conflict = find_conflict(claims, rules, near, closeness)
    if conflict is not None:
        return Fact(fact_id, claims[0].text, conflict.kind, FactStatus.CONTESTED, sources, independent, supports,
                    _values(conflict, claims), conflict.note)
    return _uncontested(fact_id, claims, sources, independent, supports)


def _uncontested(fact_id: str, claims: Sequence[Claim], sources: tuple[str, ...], independent: int,
                 supports: tuple[ClaimSupport, ...]) -> Fact:
    """A fact whose claims do not conflict: agreed by two or more sources, or what one source adds."""
    status = FactStatus.AGREED if len(sources) > 1 else FactStatus.SINGLE
    note = (f"stated by {len(sources)} sources, {independent} independent" if len(sources) > 1
            else f"only {sources[0]} states this")
    return Fact(fact_id, claims[0].text, _kind(claims), status, sources, independent, supports, (), note)


def _values(conflict: Conflict, claims: Sequence[Claim]) -> tuple[FactValue, ...]:
    return tuple(FactValue(v, tuple(sorted({claims[i].source for i in ids})), tuple(_support(claims[i]) for i in ids))
                 for v, ids in conflict.values.items())


def _fact_v5(fact_id: str, claims: list[Claim], group_of: Mapping[str, str], found: Sequence[Conflict],
             others: Sequence[tuple[Conflict, list[Claim]]]) -> Fact:
    """A v5 fact: contested when its claims conflict (``found``) or one of them conflicts with a claim of another fact
    (``others``: each conflict with the two claims its indices 0 and 1 name); every conflict is listed."""
    sources = tuple(sorted({c.source for c in claims}))
    independent = len({group_of.get(s, s) for s in sources})
    supports = tuple(_support(c) for c in claims)
    shown = [FactConflict(c.kind, _values(c, claims), c.note) for c in found]
    keys = {(c.kind, frozenset(v.value for v in c.values)) for c in shown}
    for conflict, pair in others:
        item = FactConflict(conflict.kind, _values(conflict, pair), conflict.note + " (another wording of this act)")
        key = (item.kind, frozenset(v.value for v in item.values))
        if key not in keys:
            keys.add(key)
            shown.append(item)
    if shown:
        first = shown[0]
        return Fact(fact_id, claims[0].text, first.kind, FactStatus.CONTESTED, sources, independent, supports, first.values,
                    first.note, tuple(shown))
    return _uncontested(fact_id, claims, sources, independent, supports)


def _fact_order(f: Fact) -> tuple:
    rank = {FactStatus.CONTESTED: 0, FactStatus.AGREED: 1, FactStatus.SINGLE: 2}[f.status]
    first = f.supports[0]
    return rank, -len(f.sources), first.article, first.start


def _renumber(f: Fact, k: int) -> Fact:
    return Fact(f"F{k + 1}", f.text, f.kind, f.status, f.sources, f.independent_sources, f.supports, f.values, f.note,
                f.conflicts)


def _per_source(source: str, facts: Sequence[Fact], sources: Sequence[str], framing) -> SourceComparison:
    others = len(sources) - 1
    adds = tuple(f.id for f in facts if f.status == FactStatus.SINGLE and f.sources == (source,))
    # a fact "most other sources" state: more than half of them, and at least two sources in all
    omits = tuple(f.id for f in facts if source not in f.sources and len(f.sources) >= 2 and len(f.sources) * 2 > others)
    contradicts = tuple(f.id for f in facts if f.status == FactStatus.CONTESTED and source in f.sources
                        and _minority(f, source))
    terms = tuple(FramingTerm(t, k, a, s, e) for t, k, a, s, e in framing)
    return SourceComparison(adds, omits, contradicts, terms)


def _per_source_all(facts: Sequence[Fact], sources: Sequence[str], framing) -> dict[str, SourceComparison]:
    """:func:`_per_source` of every source, reading the facts once (the same result)."""
    others = len(sources) - 1
    adds: dict[str, list[str]] = {}
    contradicts: dict[str, list[str]] = {}
    common = []  # facts "most other sources" state, with their sources
    for f in facts:
        if f.status == FactStatus.SINGLE and len(f.sources) == 1:
            adds.setdefault(f.sources[0], []).append(f.id)
        if len(f.sources) >= 2 and len(f.sources) * 2 > others:
            common.append((f.id, set(f.sources)))
        if f.status == FactStatus.CONTESTED:
            for source in f.sources:
                if _minority(f, source):
                    contradicts.setdefault(source, []).append(f.id)
    out = {}
    for source in sources:
        terms = tuple(FramingTerm(t, k, a, s, e) for t, k, a, s, e in framing.get(source, ()))
        omits = tuple(i for i, among in common if source not in among)
        out[source] = SourceComparison(tuple(adds.get(source, ())), omits, tuple(contradicts.get(source, ())), terms)
    return out


def _minority(fact: Fact, source: str) -> bool:
    """Does ``source`` give a value other than the one most sources give (every value when there is a tie)?"""
    count = Counter({v.value: len(v.sources) for v in fact.values})
    top = max(count.values(), default=0)
    mine = [v for v in fact.values if source in v.sources]
    return any(count[v.value] < top or list(count.values()).count(top) > 1 for v in mine)


def _note(sources: Sequence[str], facts: Sequence[Fact], lexicons: Lexicons | None) -> str:
    parts = []
    if len(sources) < 2:
        parts.append("one source only: every fact is single (nothing to compare it with)")
    n = Counter(f.status for f in facts)
    parts.append(f"{n[FactStatus.AGREED]} agreed, {n[FactStatus.SINGLE]} single, {n[FactStatus.CONTESTED]} contested")
    if lexicons is None:
        parts.append("framing not read (no lexicons: set 'lexicons' to their folder)")
    return "; ".join(parts)


def _lexicons(options) -> Lexicons | None:
    folder = getattr(options, "lexicons", "") or ""
    return Lexicons.load(folder) if folder else None


def _facts(options) -> FactsComparer:
    return FactsComparer(_lexicons(options))


def _facts_v2(options) -> FactsComparerV2:
    return FactsComparerV2(_lexicons(options))


def _facts_v3(options) -> FactsComparerV3:
    return FactsComparerV3(_lexicons(options))


def _facts_v4(options) -> FactsComparerV4:
    return FactsComparerV4(_lexicons(options))


def _facts_v5(options) -> FactsComparerV5:
    return FactsComparerV5(_lexicons(options))


def _facts_v6(options) -> FactsComparerV6:
    return FactsComparerV6(_lexicons(options))


def _facts_v7(options) -> FactsComparerV7:
    return FactsComparerV7(_lexicons(options))
