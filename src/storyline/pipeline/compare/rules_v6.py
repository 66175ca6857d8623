"""The conflict rules of comparer.facts.v6: v5 with slot pairs that must be about one act, and sums and shares compared
within a fact by the aligner's word of it.

Read from v5's false alarms and misses on the fit half of the contradiction
benchmark (``scripts/contradiction_errors.py``):

* Most of v5's new false alarms were **slot pairs about two acts** that
  happen to be dated or counted: "the CDC gave final approval Friday" and
  "the FDA gave emergency use authorization Thursday night"; "will meet with
  Biden Thursday" and "reached an agreement Wednesday"; "3.7 million people
  [identify as Native American]" and "204.3 million people [described
  themselves as white]"; "analysts were expecting 870,000 jobs" and "the
  economy added 943,000 jobs". In v6 a slot pair's conflict holds only when
  the words either side of the two values share a content word (the act
  they date or count: "the week ended July 10" / "the week ended July 13"),
  and never for a value a forecast gives ("expected", "forecast", "projected").
* Most of the count misses were **sums and shares** ("$3.5 trillion", "5%")
  of two claims the aligner had put in one fact: v4 asks such claims to share
  half their content words (``conflicts._quantities``), which two wordings
  of one statement rarely do ("The Senate passed a $3.5 trillion budget
  blueprint early Wednesday ..." / "Democrats pushed a $3.5 trillion
  framework ... through the Senate early Wednesday" share 24 %). In v6 the
  share asked of two claims of one fact is ``share_overlap`` (fitted on the
  fit half).

The settings are data: ``params/comparer-facts-v6.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from functools import partial
from importlib import resources
from typing import Callable, Iterator, Sequence

from .claims import Claim, content_words
from .conflicts import Conflict, _actors, _counts, _dates_v3, _negation_v4, _quantities

__all__ = ["RulesV6", "PARAMS_FILE_V6", "checks_v6", "slot_checks_v6", "about_one_act"]

PARAMS_FILE_V6 = "comparer-facts-v6.json"
#: a value under one of these words is what someone expects, not what happened
_FORECAST = re.compile(r"\b(?:expect\w*|forecast\w*|project(?:ed|ing|ion|ions)|predict\w*|anticipat\w*|estimat\w*|"
                       r"poll(?:ed|sters?)? (?:had )?expect\w*|consensus)\b", re.IGNORECASE)
_WORD = re.compile(r"\S+")
#: words of a value itself, not of what it measures
_VALUE_WORDS = content_words("million billion trillion thousand hundred percent per cent dollars people")


@dataclass(frozen=True)
class RulesV6:
    #: pairs of claims of two facts scoring at least this are put to the slot checks (v5: 0.3)
    slot_pairs: float = 0.3
    #: content words either side of a value read as its context (0: a slot pair needs no shared context, as in v5)
    context_words: int = 3
    #: share of content words two claims of one fact giving two sums or shares ($, %) must have in common (v4: 0.5)
    share_overlap: float = 0.5
    #: no slot-pair conflict for a value a forecast gives
    no_forecasts: bool = True
    #: the claims of one fact giving two numbers of a unit (not killed / injured counts) must share context words too
    fact_context: bool = False
    #: two claims of one fact giving two sums or shares are also about one quantity when the words around the two
    #: numbers share a word ("rose 13% in May" / "the Consumer Price Index (CPI) surged 5% in May": "index")
    share_context: bool = False
    #: slot pairs also compare a claim with a denial of it (a report's denial left out of the fact by the one-to-one
    #: matching, its report having a closer claim); the denial check keeps its own guards
    negation_pairs: bool = False

    @classmethod
    def from_dict(cls, data: dict) -> "RulesV6":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown comparer.facts.v6 settings: {sorted(unknown)}")
        return cls(**data)

    @classmethod
    def bundled(cls) -> "RulesV6":
        text = (resources.files("storyline.pipeline") / "params" / PARAMS_FILE_V6).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text)["rules"])


def checks_v6(rules: RulesV6) -> tuple[Callable[[Sequence[Claim]], Conflict | None], ...]:
    """The checks of the claims of one fact: v4's, with sums and shares asked ``share_overlap`` of shared words, and
    (``fact_context``) two numbers of a unit asked to share the words around them."""
    quantities = partial(_quantities, parts=True, share_overlap=rules.share_overlap,
                         share_related=partial(_numbers_share_context, rules.context_words) if rules.share_context else None)
    if rules.fact_context and rules.context_words > 0:
        quantities = partial(_numbers_in_context, quantities, rules.context_words)
    return (_counts, quantities, _dates_v3, _actors, _negation_v4)


def _numbers_in_context(check: Callable[[Sequence[Claim]], Conflict | None], n: int,
                        claims: Sequence[Claim]) -> Conflict | None:
    """``check``'s conflict of numbers, when two claims giving two of its values share a word around their numbers."""
    found = check(claims)
    if found is None:
        return None
    groups = list(found.values.values())
    for k, ids in enumerate(groups):
        for other in groups[k + 1:]:
            for i in ids:
                for j in other:
                    ci = [_context(claims[i], q.start, q.end, n) for q in claims[i].quantities]
                    cj = [_context(claims[j], q.start, q.end, n) for q in claims[j].quantities]
                    if any(x & y for x in ci for y in cj):
                        return found
    return None


def slot_checks_v6(rules: RulesV6) -> tuple[Callable[[Sequence[Claim]], Conflict | None], ...]:
    """The checks of a slot pair (claims of two facts): v5's, and the denial check with ``negation_pairs``."""
    checks = (_counts, partial(_quantities, parts=True), _dates_v3, _actors)
    return checks + (_negation_v4,) if rules.negation_pairs else checks


def _numbers_share_context(n: int, claims: Sequence[Claim], named: dict) -> bool:
    """Do two claims of different sources giving two of the values (``named``: value -> claim indices) share a word
    within ``n`` words of their numbers?"""
    for i, j in cross_value_pairs(claims, named):
        ci = [_context(claims[i], q.start, q.end, n) for q in claims[i].quantities]
        cj = [_context(claims[j], q.start, q.end, n) for q in claims[j].quantities]
        if any(x & y for x in ci for y in cj):
            return True
    return False


def cross_value_pairs(claims: Sequence[Claim], named: dict) -> Iterator[tuple[int, int]]:
    """Each pair (i, j) of claims of two different sources that give two different values (``named``: value -> claim
    indices), in the order of the values and then of the claims."""
    groups = list(named.values())
    for k, ids in enumerate(groups):
        for other in groups[k + 1:]:
            for i in ids:
                for j in other:
                    if claims[i].source != claims[j].source:
                        yield i, j


def _context(claim: Claim, start: int, end: int, n: int) -> frozenset[str]:
    """The content words within ``n`` words either side of the span ``start:end`` (article offsets) of the claim, not
    counting the words of the value itself (its unit, "million", "percent": every number of that unit has them)."""
    text = claim.article.text
    before = _WORD.findall(text[claim.start:max(claim.start, start)])[-n:]
    after = _WORD.findall(text[min(end, claim.end):claim.end])[:n + 1]
    units = frozenset().union(*(content_words(q.unit) for q in claim.quantities)) if claim.quantities else frozenset()
    return content_words(" ".join(before + after)) - units - _VALUE_WORDS


def _spans(claim: Claim, kind: str) -> list[tuple[int, int]]:
    """The article spans of the claim's values a conflict of ``kind`` compares."""
    if kind == "date":
        return [(s, e) for _, s, e in claim.dates]
    if kind == "count":
        return [(c.start, c.end) for c in claim.counts] + [(q.start, q.end) for q in claim.quantities]
    return []


def _forecast(claim: Claim, spans: list[tuple[int, int]], n: int) -> bool:
    """Is one of the values given under a forecast word (within ``n`` words before it, or the claim's clause)?"""
    text = claim.article.text
    for s, _ in spans:
        before = " ".join(_WORD.findall(text[claim.start:max(claim.start, s)])[-max(n, 4):])
        if _FORECAST.search(before):
            return True
    return False


def about_one_act(conflict: Conflict, a: Claim, b: Claim, rules: RulesV6) -> bool:
    """Is a slot-pair conflict of claims ``a`` and ``b`` about one act: the words either side of one value of each
    share a content word (when ``context_words`` > 0), and neither value is a forecast (when ``no_forecasts``)?
    Actor swaps name the act by their two actors and always hold."""
    if conflict.kind not in ("date", "count"):
        return True
    sa, sb = _spans(a, conflict.kind), _spans(b, conflict.kind)
    if rules.no_forecasts and (_forecast(a, sa, rules.context_words) or _forecast(b, sb, rules.context_words)):
        return False
    if rules.context_words <= 0:
        return True
    ca = [_context(a, s, e, rules.context_words) for s, e in sa]
    cb = [_context(b, s, e, rules.context_words) for s, e in sb]
    return any(x & y for x in ca for y in cb)
