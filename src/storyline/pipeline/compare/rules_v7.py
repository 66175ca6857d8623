"""The conflict rules of comparer.facts.v7: v6 with sums and shares of one fact compared by what they measure, actors
named without their type, and no forecast among a claim's values.

Read from v6's count and actor misses on the fit halves of the contradiction
benchmark (``scripts/contradiction_errors.py --dump``):

* Most count misses were **sums and shares** ("$3.5 trillion", "5%") of two
  claims the aligner had put in one fact, blocked by v4's rule that such
  claims share half their content words ("The Senate passed a $3.5 trillion
  budget blueprint ..." / "... the framework of a $3.5 trillion budget plan
  ..."). Dropping that rule altogether found them, and as many false alarms
  ("$256 billion to the deficit" / "a $1 trillion infrastructure bill"). In v7
  two such claims are also about one quantity when the words naming what the
  numbers measure, within ``context_words`` either side, share a word
  ("budget", "index", "rate") -- not a word any amount takes ("rose",
  "grew", "alone", "nearly"; :data:`_GENERIC`).
* Actor swaps were missed when the two reports typed one name two ways
  ("person:u.s-mexico" / "organisation:u.s-mexico"): v7 compares a named
  entity by its name whatever its label (not a country's government and its
  army: "government:syria" / "military:syria" stay two actors, which the
  founding articles showed), and names the two values of a swap with the same
  names.
* A claim giving a figure and the forecast it beat ("532,000 jobs, well below
  the nearly 1 million jobs economists expected") gives two numbers of one
  unit and so compares neither: v7 leaves out a number a forecast word
  follows or precedes closely.

The settings are data: ``params/comparer-facts-v7.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import partial
from importlib import resources
from typing import Callable, Sequence

from .claims import Claim, content_words
from .conflicts import Conflict, _actors, _counts, _dates_v3, _different_sources, _negation_v4, _quantities
from .rules_v6 import _FORECAST, _VALUE_WORDS, _WORD, RulesV6, cross_value_pairs

__all__ = ["RulesV7", "PARAMS_FILE_V7", "checks_v7", "slot_checks_v7", "actor_key", "without_forecasts"]

PARAMS_FILE_V7 = "comparer-facts-v7.json"
#: words any amount takes (its change, its qualifier), which say nothing of what it measures
_GENERIC = content_words("rose rise rises rising risen grew grow grows growing grown fell fall falls falling fallen drop dropped "
                         "drops increase increased increases decrease decreased decreases jump jumped jumps climb climbed "
                         "surge surged plunge plunged soar soared gain gained lost lose up down alone only total totaling "
                         "totalling roughly nearly almost least over under propose proposed estimated worth valued")
#: a forecast word right after a number ("1 million jobs economists expected", "700,000 forecast")
_FORECAST_AFTER = re.compile(r"^\W*(?:\S+\s+){0,3}?(?:economists?\s+|analysts?\s+)?(?:had\s+)?(?:expect\w*|forecast\w*|"
                             r"predict\w*|project(?:ed|ion)|estimat\w*|anticipat\w*)\b", re.IGNORECASE)


#: a number given as a bound, not a figure
_BOUND = re.compile(r"\b(?:above|below|under|over|more than|less than|fewer than|at least|at most|in excess of|upwards of|"
                    r"exceed\w*|beyond)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RulesV7(RulesV6):
    #: two claims of one fact giving two sums or shares are about one quantity when the words naming what the numbers
    #: measure (within ``context_words``, not :data:`_GENERIC`) share a word (v6: only ``share_overlap`` of all words)
    measure_context: bool = True
    #: actors compared by the name part of their key (a name two reports typed two ways is one actor)
    untyped_actors: bool = True
    #: a number a forecast word closely follows or precedes is left out of a claim's values
    drop_forecasts: bool = False
    #: two days both written with one weekday name ("on Sunday" / "said Sunday") are one day (read from two
    #: publication dates, a weekday name can come out as two days)
    same_weekday: bool = True
    #: an actor who is the claim's credited speaker ("..., the White House said") takes no part in an actor swap
    #: (measured on the fit half and left off: it loses more swaps than false alarms)
    no_speaker_actors: bool = False

    @classmethod
    def bundled(cls) -> "RulesV7":
        text = (resources.files("storyline.pipeline") / "params" / PARAMS_FILE_V7).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text)["rules"])


#: the actor kinds the entity stage gives a named entity by its label (a name two reports may label two ways)
_NAMED_KINDS = frozenset(("person", "organisation"))


def actor_key(key: str) -> str:
    """The key an actor is compared by: a named entity's name whatever its label ("person:u.s-mexico" and
    "organisation:u.s-mexico" are one actor); any other key as it is ("government:syria" and "military:syria" are a
    government and its army, two actors; "protesters:" has no name)."""
    kind, _, name = key.partition(":")
    return f"named:{name}" if kind in _NAMED_KINDS and name else key


def _measure(claim: Claim, start: int, end: int, n: int) -> frozenset[str]:
    """The content words within ``n`` words either side of a number that may say what it measures: not the value's own
    words, not a word any amount takes (:data:`_GENERIC`)."""
    text = claim.article.text
    before = _WORD.findall(text[claim.start:max(claim.start, start)])[-n:]
    after = _WORD.findall(text[min(end, claim.end):claim.end])[:n + 1]
    return content_words(" ".join(before + after)) - _VALUE_WORDS - _GENERIC


def _measures_share(n: int, claims: Sequence[Claim], named: dict) -> bool:
    """Do two claims of different sources giving two of the values (``named``: value -> claim indices) share a word
    naming what their numbers measure?"""
    for i, j in cross_value_pairs(claims, named):
        if _any_forecast(claims[i]) or _any_forecast(claims[j]):
            continue
        ci = [_measure(claims[i], q.start, q.end, n) for q in claims[i].quantities]
        cj = [_measure(claims[j], q.start, q.end, n) for q in claims[j].quantities]
        if any(x & y for x in ci for y in cj):
            return True
    return False


def _any_forecast(claim: Claim) -> bool:
    """Is one of the claim's numbers under a forecast word (within 8 words before it, or closely after it), or given
    as a bound ("above $1.3 trillion", "under $2 a gallon": compatible with many figures)?"""
    text = claim.article.text
    for q in claim.quantities:
        words = _WORD.findall(text[claim.start:max(claim.start, q.start)])
        if _FORECAST.search(" ".join(words[-8:])) or _FORECAST_AFTER.match(text[q.end:claim.end]):
            return True
        if _BOUND.search(" ".join(words[-3:])):
            return True
    return False


def _is_forecast(claim: Claim, start: int, end: int) -> bool:
    text = claim.article.text
    before = " ".join(_WORD.findall(text[claim.start:max(claim.start, start)])[-4:])
    return bool(_FORECAST.search(before) or _FORECAST_AFTER.match(text[end:claim.end]))


def without_forecasts(claims: Sequence[Claim]) -> list[Claim]:
    """The claims with the numbers a forecast gives left out of their quantities (the same claim when it has none)."""
    out = []
    for c in claims:
        kept = tuple(q for q in c.quantities if not _is_forecast(c, q.start, q.end)) if c.quantities else ()
        out.append(c if len(kept) == len(c.quantities) else replace(c, quantities=kept))
    return out


def _actors_untyped(claims: Sequence[Claim]) -> Conflict | None:
    """v7 of ``conflicts._actors``: actor and target swapped, the actors compared by the name part of their keys, both
    values named with the names the first claim naming each actor gives."""
    values: dict[tuple[str, str], list[int]] = {}
    names: dict[str, str] = {}
    for i, c in enumerate(claims):
        if c.actor1 is None or c.actor2 is None:
            continue
        a, b = actor_key(c.actor1.key), actor_key(c.actor2.key)
        if a == b:
            continue
        values.setdefault((a, b), []).append(i)
        names.setdefault(a, c.actor1.name)
        names.setdefault(b, c.actor2.name)
    for (a, b), ids in values.items():
        swapped = values.get((b, a))
        if swapped and _different_sources(claims, {1: ids, 2: swapped}):
            return Conflict("actors", {f"{names[a]} \u2192 {names[b]}": ids, f"{names[b]} \u2192 {names[a]}": swapped},
                            "actor and target swapped")
    return None


def _speaker(claim: Claim, actor) -> bool:
    """Is the actor the claim's credited speaker ("..., the White House said")?"""
    if not claim.attribution or actor is None:
        return False
    words = content_words(actor.text)
    return bool(words) and words <= content_words(claim.attribution)


def _actors_v7(rules: RulesV7) -> Callable[[Sequence[Claim]], Conflict | None]:
    check = _actors_untyped if rules.untyped_actors else _actors
    if not rules.no_speaker_actors:
        return check
    return lambda claims: check([replace(c, actor1=None, actor2=None) if _speaker(c, c.actor1) or _speaker(c, c.actor2)
                                 else c for c in claims])


_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.IGNORECASE)


def _weekdays(claim: Claim, day: str) -> set[str]:
    """The weekday names of the claim's date phrases that give ``day``."""
    text = claim.article.text
    return {m.group(0).lower() for iso, s, e in claim.dates if iso == day for m in _WEEKDAY.finditer(text, s, e)}


def _dates_v7(claims: Sequence[Claim]) -> Conflict | None:
    """v3's date check, no conflict when every two claims of different sources giving two of its days write them with
    one weekday name."""
    found = _dates_v3(claims)
    if found is None:
        return None
    items = list(found.values.items())
    for k, (da, ia) in enumerate(items):
        for db, ib in items[k + 1:]:
            for i in ia:
                for j in ib:
                    if claims[i].source != claims[j].source and not (_weekdays(claims[i], da) & _weekdays(claims[j], db)):
                        return found
    return None


def _on_values(check: Callable[[Sequence[Claim]], Conflict | None], claims: Sequence[Claim]) -> Conflict | None:
    return check(without_forecasts(claims))


def _quantity_check(rules: RulesV7, share_related=None) -> Callable[[Sequence[Claim]], Conflict | None]:
    check = partial(_quantities, parts=True, share_overlap=rules.share_overlap, share_related=share_related)
    return partial(_on_values, check) if rules.drop_forecasts else check


def checks_v7(rules: RulesV7) -> tuple[Callable[[Sequence[Claim]], Conflict | None], ...]:
    """The checks of the claims of one fact: v6's, with sums and shares also related by what they measure
    (``measure_context``), actors by name (``untyped_actors``) and no forecast among the values (``drop_forecasts``)."""
    related = partial(_measures_share, rules.context_words) if rules.measure_context and rules.context_words > 0 else None
    dates = _dates_v7 if rules.same_weekday else _dates_v3
    return (_counts, _quantity_check(rules, related), dates, _actors_v7(rules), _negation_v4)


def slot_checks_v7(rules: RulesV7) -> tuple[Callable[[Sequence[Claim]], Conflict | None], ...]:
    """The checks of a slot pair (claims of two facts): v6's, with actors by name and no forecast among the values."""
    dates = _dates_v7 if rules.same_weekday else _dates_v3
    checks = (_counts, _quantity_check(rules), dates, _actors_v7(rules))
    return checks + (_negation_v4,) if rules.negation_pairs else checks

