"""Conflicts: when the claims of one fact give incompatible values for the same slot.

Only claims aligned into one fact are compared, and only on the same
quantity or role:

* **counts** of the same kind (killed with killed, injured with injured),
  both exact and different, or "nobody was hurt" against a positive count
  of that kind when neither statement is limited to a group the other is
  not about;
* **numbers with the same unit** ("900 troops" vs "1,200 troops"), beyond
  rounding (1%, or 25% when either is approximate);
* **event dates** (the day a claim dates the event to, not the day a report
  was written);
* **actor and target swapped** (who attacked whom);
* **asserted vs denied**: one claim negated and the other not, when the two
  say nearly the same words (otherwise a negation is ordinary paraphrase).

In v2 (``rules=2``, ``comparer.facts.v2``) a denial counts only when it is
not a passive "be denied entry" and governs a word the other claim asserts
that the denying claim does not also assert elsewhere.

Each conflict is returned as its kind and the values with the claims that
give each, so a contested fact lists every value with its sources and spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .claims import REFUSAL as _REFUSAL, Claim, content_words

__all__ = ["Conflict", "find_conflict", "find_conflicts", "slot_conflict"]

#: share of the smaller claim's content words the other must contain for a negation to contradict it
NEGATION_OVERLAP = 0.6
#: ... and for two claims giving different values (dates, counts) to be about the same thing
VALUE_OVERLAP = 0.3
_NEGATION_CUE = re.compile(r"\b(?:not|never|no longer|n[o’']t|denied|denies|deny)\b|n[’']t\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d[\d,]*")
_PASSIVE_DENIED = re.compile(r"\b(?:be|been|being|is|are|was|were|get|got)\s+denied\b", re.IGNORECASE)
#: v3: a negation's scope ends at the end of its clause, and at most this many words after the cue
_SCOPE_WORDS = 12
#: v3: words either side of a date that say what it dates
_DATE_CONTEXT = 3
_CLAUSE_END = re.compile(r"[,;:.!?()\u2014\u2013]|\s(?:and|but|or|while|whereas|because|although|though|as|so|yet|"
                         r"when|where|which|who|whose|after|before|since|until|unless|if)\s", re.IGNORECASE)
#: units that measure nothing of their own: two of them in one claim are often two quantities (a month's and a year's rise)
_SHARES_AND_SUMS = frozenset(("$", "€", "£", "%"))
#: v4: as :data:`_CLAUSE_END` without "as" (a preposition far more often than a clause word after a denial)
_CLAUSE_END_V4 = re.compile(_CLAUSE_END.pattern.replace("|as|", "|"), re.IGNORECASE)
#: v3: the negative words of a claim that is not itself "negated" ("had no motive", "nobody was", "without a", "an end to")
_PLAIN_NEGATIVE = re.compile(r"\b(?:not|never|no|none|nothing|nobody|neither|nor|without|no longer|n[o’']t|yet to|"
                             r"(?:an?|the)\s+(?:planned\s+)?end\s+(?:to|of)|ending|halted?|stop(?:ped|s)?|lack\s+of|absence\s+of|"
                             r"refused\s+to|failed\s+to)\b|n[’']t\b", re.IGNORECASE)


@dataclass(frozen=True)
class Conflict:
    kind: str
    #: value -> indices (into the fact's claims) of the claims giving it
    values: dict[str, list[int]]
    note: str


def _count_value(claim: Claim, kind: str) -> tuple[str, bool, str | None] | None:
    """(value, exact, scope) of the claim's count of ``kind``: a "none" statement is "0"."""
    found = [c for c in claim.counts if c.kind == kind]
    if not found:
        return None
    c = max(found, key=lambda c: (c.total, c.value))
    return str(c.value), bool(c.exact) and not c.low, (c.scope or "").lower() or None


def _counts(claims: Sequence[Claim]) -> Conflict | None:
    for kind in ("killed", "injured"):
        values: dict[str, list[int]] = {}
        scopes: set[str | None] = set()
        for i, c in enumerate(claims):
            v = _count_value(c, kind)
            if v is None:
                continue
            value, exact, scope = v
            if not exact and value != "0":
                continue
            values.setdefault(value, []).append(i)
            scopes.add(scope)
        if len(values) > 1:
            # "90 killed, among them 13 US troops" and "13 US troops killed": a number the other claim also states is a part, not a rival
            numbers = [{n.replace(",", "") for n in _DIGITS.findall(c.text)} for c in claims]
            values = {v: ids for v, ids in values.items()
                      if not any(v in numbers[j] for other, js in values.items() if other != v for j in js)}
        if len(values) > 1 and len(scopes) == 1 and _different_sources(claims, values) and _related(claims, values):
            shown = " vs ".join(values)
            return Conflict("count", {f"{v} {kind}": ids for v, ids in values.items()}, f"different counts of {kind}: {shown}")
    return None


def _quantities(claims: Sequence[Claim], parts: bool = False, share_overlap: float | None = None,
                share_related: Callable[[Sequence[Claim], dict], bool] | None = None) -> Conflict | None:
    """Numbers of one unit that differ; with ``parts`` (v4) a number a claim giving the other value also states, or the
    sum of two of its numbers, is a part of it, not a rival ("12 Somali and 11 Yemeni pirates" and "23 pirates");
    ``share_overlap`` (v6) is the share of words asked of two claims giving sums or shares (else 0.5), and
    ``share_related`` (v6) another test that may find two such claims about one quantity."""
    by_unit: dict[str, dict[float, tuple[list[int], bool, str]]] = {}
    for i, c in enumerate(claims):
        for q in c.quantities:
            slot = by_unit.setdefault(q.unit, {})
            ids, approx, text = slot.get(q.value, ([], False, q.text))
            if i not in ids:
                ids.append(i)
            slot[q.value] = (ids, approx or q.approx, text)
    for unit, slot in by_unit.items():
        if parts and len(claims) == 2 and unit not in _SHARES_AND_SUMS:  # v4: two claims compare the numbers they do not share
            slot = _unshared(slot)
        # a unit each claim states once: a claim with two numbers of one unit compares nothing
        if len(slot) < 2 or any(sum(i in ids for ids, _, _ in slot.values()) > 1 for i in range(len(claims))):
            continue
        if parts:
            slot = _without_parts(claims, slot)
            if len(slot) < 2:
                continue
        values = sorted(slot)
        low, high = values[0], values[-1]
        tolerance = 0.25 if any(a for _, a, _ in slot.values()) else 0.01
        if high - low > tolerance * max(abs(high), 1e-9):
            named = {f"{slot[v][2]} {unit}".strip() if unit not in ("$", "€", "£", "%") else slot[v][2]: slot[v][0] for v in values}
            # a share or a sum says nothing of what it measures: the claims must share more words to be about one quantity
            minimum = (0.5 if share_overlap is None else share_overlap) if unit in ("$", "€", "£", "%") else VALUE_OVERLAP
            related = _related(claims, {k: v for k, v in named.items()}, minimum) or (
                share_related is not None and unit in _SHARES_AND_SUMS and share_related(claims, named))
            if _different_sources(claims, named) and related:
                return Conflict("count", named, f"different numbers of {unit}: " + " vs ".join(named))
    return None


def _without_parts(claims: Sequence[Claim], slot: dict) -> dict:
    """The values of ``slot`` (value -> (claim indices, approx, text)) that no claim giving another value states as
    one of its numbers or as the sum of two of them."""
    numbers = {}
    for ids, _, _ in slot.values():
        for i in ids:
            found = [float(n.replace(",", "")) for n in _DIGITS.findall(claims[i].text)]
            numbers[i] = set(found) | {a + b for k, a in enumerate(found) for b in found[k + 1:]}
    return {v: entry for v, entry in slot.items()
            if not any(v in numbers[j] for other, (js, _, _) in slot.items() if other != v for j in js)}


def _unshared(slot: dict) -> dict:
    """The values of one unit in two claims (indices 0 and 1) that only one of them states, when each has exactly one
    such value ("811 yards rushing ... 52 catches for 440 yards" against "404 yards ... 52 passes for 440 yards"
    compares 811 with 404); else ``slot`` unchanged."""
    only = {k: [v for v, (ids, _, _) in slot.items() if ids == [k]] for k in (0, 1)}
    if len(only[0]) == 1 and len(only[1]) == 1 and len(slot) > 2:
        return {v: slot[v] for v in (only[0][0], only[1][0])}
    return slot


def _quantities_v4(claims: Sequence[Claim]) -> Conflict | None:
    return _quantities(claims, parts=True)


def _dates(claims: Sequence[Claim]) -> Conflict | None:
    values: dict[str, list[int]] = {}
    for i, c in enumerate(claims):
        days = {d[0] for d in c.dates}
        if len(days) == 1:  # a claim naming two days ("late Saturday or early Sunday") dates nothing for sure
            values.setdefault(days.pop(), []).append(i)
    if len(values) > 1 and _different_sources(claims, values) and _related(claims, values):
        return Conflict("date", values, "different dates: " + " vs ".join(values))
    return None


def _date_context(claim: Claim, start: int, end: int) -> frozenset[str]:
    """The content words within :data:`_DATE_CONTEXT` words either side of a date phrase of the claim."""
    text = claim.article.text
    before = text[claim.start:start].split()[-_DATE_CONTEXT:]
    after = text[end:claim.end].split()[:_DATE_CONTEXT]
    return content_words(" ".join(before + after))


def _dates_v3(claims: Sequence[Claim]) -> Conflict | None:
    """v3 of :func:`_dates`: a claim naming several days ("on Thursday night moved to set the vote for Saturday")
    is compared day by day: one of its days contradicts another claim's day when the words either side of the two
    dates share a word ("the week ended May 26" and "the week ended May 29") and neither claim also names the
    other's day."""
    found = _dates(claims)
    if found is not None:
        return found
    days = [{d[0] for d in c.dates} for c in claims]
    for i, a in enumerate(claims):
        for j in range(i + 1, len(claims)):
            b = claims[j]
            if a.source == b.source or not a.dates or not b.dates or (len(days[i]) == 1 and len(days[j]) == 1):
                continue
            for da, sa, ea in a.dates:
                for db, sb, eb in b.dates:
                    if da == db or da in days[j] or db in days[i]:
                        continue
                    if _date_context(a, sa, ea) & _date_context(b, sb, eb) and _related(claims, {da: [i], db: [j]}):
                        return Conflict("date", {da: [i], db: [j]}, f"different dates: {da} vs {db}")
    return None


def _actors(claims: Sequence[Claim]) -> Conflict | None:
    values: dict[tuple[str, str], list[int]] = {}
    names: dict[tuple[str, str], str] = {}
    for i, c in enumerate(claims):
        if c.actor1 is not None and c.actor2 is not None and c.actor1.key != c.actor2.key:
            pair = (c.actor1.key, c.actor2.key)
            values.setdefault(pair, []).append(i)
            names.setdefault(pair, f"{c.actor1.name} \u2192 {c.actor2.name}")
    for (a, b), ids in values.items():
        swapped = values.get((b, a))
        if swapped and _different_sources(claims, {1: ids, 2: swapped}):
            return Conflict("actors", {names[(a, b)]: ids, names[(b, a)]: swapped}, "actor and target swapped")
    return None


def _negation(claims: Sequence[Claim], governs: Callable[[Claim, Claim], bool] | None = None) -> Conflict | None:
    governs = governs or _negates_shared
    for i, a in enumerate(claims):
        for j in range(i + 1, len(claims)):
            b = claims[j]
            if a.negated == b.negated or a.source == b.source:
                continue
            smaller = min(len(a.words), len(b.words))
            shared = len(a.words & b.words)
            negated, plain = (a, b) if a.negated else (b, a)
            if smaller >= 5 and shared / smaller >= NEGATION_OVERLAP and governs(negated, plain):
                asserted, denied = (j, i) if a.negated else (i, j)
                return Conflict("negation", {"asserted": [asserted], "denied": [denied]}, "one source asserts what another denies")
    return None


def _related(claims: Sequence[Claim], values: dict, minimum: float = VALUE_OVERLAP) -> bool:
    """Do two claims giving different values share enough words to be about the same thing?"""
    groups = list(values.values())
    for k, a in enumerate(groups):
        for b in groups[k + 1:]:
            for i in a:
                for j in b:
                    x, y = claims[i].words, claims[j].words
                    if claims[i].source != claims[j].source and len(x & y) / max(1, min(len(x), len(y))) >= minimum:
                        return True
    return False


def _negates_shared(negated: Claim, plain: Claim) -> bool:
    """Does the negation govern something both claims say ("did not attack" vs "attacked"), not an aside ("is not one-way")?"""
    for m in _NEGATION_CUE.finditer(negated.text):
        after = content_words(" ".join(negated.text[m.end():].split()[:4]))
        if after & plain.words:
            return True
    return False


def _negates_asserted(negated: Claim, plain: Claim) -> bool:
    """v2 of :func:`_negates_shared`: the denial is not a passive refusal ("be denied entry"), and the word it governs
    is one the other claim asserts and the denying claim does not assert elsewhere ("it's not going to be good" and
    "is going in the wrong direction" both say "going")."""
    text = _PASSIVE_DENIED.sub(lambda m: " " * len(m.group(0)), negated.text)
    for m in _NEGATION_CUE.finditer(text):
        window = text[m.end():].split()[:4]
        after = content_words(" ".join(window))
        rest = content_words(text[:m.start()] + " " + " ".join(text[m.end():].split()[4:]))
        if (after & plain.words) - rest:
            return True
    return False


def _negation_v2(claims: Sequence[Claim]) -> Conflict | None:
    return _negation(claims, _negates_asserted)


def _scopes(text: str, cue: re.Pattern, clause_end: re.Pattern = _CLAUSE_END) -> list[tuple[int, int, int]]:
    """(cue start, scope start, scope end) of each negation in ``text``: the scope runs from the cue to the end of its
    clause (the next punctuation mark), at most :data:`_SCOPE_WORDS` words."""
    out = []
    for m in cue.finditer(text):
        stop = clause_end.search(text, m.end())
        end = stop.start() if stop else len(text)
        words = list(re.finditer(r"\S+", text[m.end():end]))[:_SCOPE_WORDS]
        out.append((m.start(), m.end(), m.end() + (words[-1].end() if words else 0)))
    return out


def _negates_asserted_v3(negated: Claim, plain: Claim, clause_end: re.Pattern = _CLAUSE_END) -> bool:
    """v3 of :func:`_negates_asserted`: a denial governs the rest of its clause ("is not expected to announce that
    everyone in K-12 schools should wear a mask" denies what "students should wear masks in K-12 schools" asserts),
    not only the next four words; and what it governs must be asserted by the other claim, not denied there too
    ("would not discuss a possible motive" and "had no motive" agree)."""
    text = _REFUSAL.sub(lambda m: " " * len(m.group(0)), _PASSIVE_DENIED.sub(lambda m: " " * len(m.group(0)), negated.text))
    denied_there = set()
    for cue, _, e in _scopes(plain.text, _PLAIN_NEGATIVE, clause_end):  # the negative words ("an end to") and what they govern
        denied_there |= content_words(plain.text[cue:e])
    for cue, s, e in _scopes(text, _NEGATION_CUE, clause_end):
        after = content_words(text[s:e])
        rest = content_words(text[:cue] + " " + text[e:])
        if (after & plain.words) - rest - denied_there:
            return True
    return False


def _negation_v3(claims: Sequence[Claim]) -> Conflict | None:
    return _negation(claims, _negates_asserted_v3)


def _negates_asserted_v4(negated: Claim, plain: Claim) -> bool:
    """v4 of :func:`_negates_asserted_v3`: "as" does not end a denial's clause ("is not out as head coach" denies "was
    fired as coach")."""
    return _negates_asserted_v3(negated, plain, _CLAUSE_END_V4)


def _negation_v4(claims: Sequence[Claim]) -> Conflict | None:
    return _negation(claims, _negates_asserted_v4)


def _different_sources(claims: Sequence[Claim], values: dict) -> bool:
    """Do at least two of the values come from different sources (one outlet contradicting itself is not a conflict)?"""
    sources = [{claims[i].source for i in ids} for ids in values.values()]
    return any(a != b or len(a) > 1 for k, a in enumerate(sources) for b in sources[k + 1:])


CHECKS: tuple[Callable[[Sequence[Claim]], Conflict | None], ...] = (_counts, _quantities, _dates, _actors, _negation)
#: the checks of comparer.facts.v2: dates of the same act, denials of what the other claim asserts
CHECKS_V2: tuple[Callable[[Sequence[Claim]], Conflict | None], ...] = (_counts, _quantities, _dates, _actors, _negation_v2)
#: the checks of comparer.facts.v3: a denial governs its clause, and is no conflict with a claim that denies it too
CHECKS_V3: tuple[Callable[[Sequence[Claim]], Conflict | None], ...] = (_counts, _quantities, _dates_v3, _actors, _negation_v3)
#: the checks of comparer.facts.v4: parts and sums of a number are no rivals, "as" ends no denial
CHECKS_V4: tuple[Callable[[Sequence[Claim]], Conflict | None], ...] = (_counts, _quantities_v4, _dates_v3, _actors, _negation_v4)


def find_conflict(claims: Sequence[Claim], rules: int = 1, near: Callable[[int, int], bool] | None = None,
                  closeness: Callable[[int, int], float] | None = None) -> Conflict | None:
    """The first incompatibility among the claims of one fact (counts, numbers, dates, actors, negation), if any.

    ``near(i, j)`` (v3) says whether two claims of the fact are close enough to have been linked on their own: a
    fact of many reports is a chain of links, and two claims at its ends may say different things, so a conflict
    must hold between two claims that are near (else it is looked for within each near pair)."""
    if len({c.source for c in claims}) < 2:
        return None
    if rules >= 4 and near is not None and closeness is not None:
        return _closest_conflict(claims, near, closeness)
    if rules >= 3 and near is not None:
        return _near_conflict(claims, near)
    for check in CHECKS_V4 if rules >= 4 else CHECKS_V3 if rules >= 3 else CHECKS_V2 if rules >= 2 else CHECKS:
        found = check(claims)
        if found is not None:
            return found
    return None


def _near_conflict(claims: Sequence[Claim], near: Callable[[int, int], bool]) -> Conflict | None:
    pairs = [(i, j) for i in range(len(claims)) for j in range(i + 1, len(claims))
             if claims[i].source != claims[j].source and near(i, j)]
    for check in CHECKS_V3:
        found = check(claims)
        if found is not None and _holds_near(found, claims, pairs):
            return found
        for i, j in pairs:
            found = check([claims[i], claims[j]])
            if found is not None:
                back = (i, j)
                return Conflict(found.kind, {v: [back[k] for k in ids] for v, ids in found.values.items()}, found.note)
    return None


def _holds_near(conflict: Conflict, claims: Sequence[Claim], pairs: Sequence[tuple[int, int]]) -> bool:
    """Do two near claims of different sources give two different values of the conflict?"""
    value_of = {i: v for v, ids in conflict.values.items() for i in ids}
    return any(i in value_of and j in value_of and value_of[i] != value_of[j] for i, j in pairs)


def _closest_conflict(claims: Sequence[Claim], near: Callable[[int, int], bool],
                      closeness: Callable[[int, int], float]) -> Conflict | None:
    """v4 of :func:`_near_conflict`: the conflict of the closest pair of near claims of different sources that has one
    (a fact may hold a rival toll between two far claims and a denial between its two closest), given with every
    claim of the fact that gives one of its values when the same check over the whole fact agrees on that pair."""
    pairs = sorted(((closeness(i, j), i, j) for i in range(len(claims)) for j in range(i + 1, len(claims))
                    if claims[i].source != claims[j].source and near(i, j)), key=lambda p: -p[0])
    for _, i, j in pairs:
        for check in CHECKS_V4:
            found = check([claims[i], claims[j]])
            if found is None:
                continue
            whole = check(claims)
            if whole is not None and whole.kind == found.kind and _separates(whole, i, j):
                return whole
            back = (i, j)
            return Conflict(found.kind, {v: [back[k] for k in ids] for v, ids in found.values.items()}, found.note)
    return None


def _separates(conflict: Conflict, i: int, j: int) -> bool:
    """Does the conflict give claims ``i`` and ``j`` two different values?"""
    value_of = {k: v for v, ids in conflict.values.items() for k in ids}
    return i in value_of and j in value_of and value_of[i] != value_of[j]


#: comparer.facts.v5: the checks a pair of claims of two different facts is put to (the slots they share; no denial,
#: which needs the two claims to say nearly the same words, i.e. to be one fact)
SLOT_CHECKS: tuple[Callable[[Sequence[Claim]], Conflict | None], ...] = (_counts, _quantities_v4, _dates_v3, _actors)


def find_conflicts(claims: Sequence[Claim], near: Callable[[int, int], bool],
                   closeness: Callable[[int, int], float], checks: Sequence[Callable] = CHECKS_V4) -> list[Conflict]:
    """v5 of :func:`_closest_conflict`: every conflict of the fact, not only the first -- each near pair of claims of
    different sources, closest first, put to every check; a conflict is listed once (the same kind and values), the
    first being the one v4 shows; ``checks`` are v4's unless given (v6 gives its own)."""
    pairs = sorted(((closeness(i, j), i, j) for i in range(len(claims)) for j in range(i + 1, len(claims))
                    if claims[i].source != claims[j].source and near(i, j)), key=lambda p: -p[0])
    out: list[Conflict] = []
    seen: set = set()
    wholes: dict = {}
    for _, i, j in pairs:
        for k, check in enumerate(checks):
            found = check([claims[i], claims[j]])
            if found is None:
                continue
            if k not in wholes:
                wholes[k] = check(claims)
            whole = wholes[k]
            if whole is not None and whole.kind == found.kind and _separates(whole, i, j):
                found = whole
            else:
                back = (i, j)
                found = Conflict(found.kind, {v: [back[n] for n in ids] for v, ids in found.values.items()}, found.note)
            key = (found.kind, frozenset(found.values))
            if key not in seen:
                seen.add(key)
                out.append(found)
    return out


def slot_conflict(a: Claim, b: Claim, checks: Sequence[Callable] = SLOT_CHECKS) -> Conflict | None:
    """v5: the first conflict of two claims of different facts on a slot both carry (a count of one kind, a number of
    one unit, a day, one pair of actors), indices 0 for ``a`` and 1 for ``b``; None when they share no such slot."""
    if a.source == b.source:
        return None
    for check in checks:
        found = check([a, b])
        if found is not None:
            return found
    return None
