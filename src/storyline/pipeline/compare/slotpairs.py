"""Slot pairs (comparer.facts.v5): a second look for conflicts between claims the aligner left in different facts.

Two reports often word one dated act differently ("Trump on Saturday sought
to lend credence to the audit" / "Trump hailed the audit on Wednesday"): the
alignment score stays under the link threshold and the two claims end in two
facts, so a conflict between them is never looked for. This pass takes the
pairs of claims of two sources, in two facts, that carry a comparable slot
-- a count of one kind, a number of one unit, an event day each, the same
two actors -- and score at least ``AlignParams.slot_pairs`` (the aligner's
own score: embedding cosine, word overlap, slot bonus), and puts them to the
slot checks of :mod:`.conflicts` (which keep their guards: the two claims
must share words, a part is no rival). It changes no fact's claims: a
conflict it finds is shown by one of the two facts (the one fewer sources
state, as the odd one out), its values citing both claims.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .claims import Claim
from .conflicts import SLOT_CHECKS, Conflict, slot_conflict

__all__ = ["slot_pair_conflicts"]


def _comparable(a: Claim, b: Claim, negations: bool = False, key: Callable[[str], str] | None = None) -> bool:
    """Do the two claims carry a slot the slot checks compare (with ``negations``, v6: or is one of them negated)?
    ``key`` (v7) maps an actor's key to the one its actor is compared by."""
    if negations and a.negated != b.negated:
        return True
    if a.dates and b.dates:
        return True
    if {c.kind for c in a.counts} & {c.kind for c in b.counts}:
        return True
    if {q.unit for q in a.quantities} & {q.unit for q in b.quantities}:
        return True
    key = key or (lambda k: k)
    pair = lambda c: frozenset((key(c.actor1.key), key(c.actor2.key))) if c.actor1 is not None and c.actor2 is not None else None  # noqa: E731
    return pair(a) is not None and pair(a) == pair(b) and len(pair(a)) == 2


def slot_pair_conflicts(claims: Sequence[Claim], groups: Sequence[Sequence[int]], score: np.ndarray,
                        threshold: float, checks: Sequence[Callable] = SLOT_CHECKS,
                        holds: Callable[[Conflict, Claim, Claim], bool] | None = None, negations: bool = False,
                        actor_key: Callable[[str], str] | None = None) -> dict[int, list[tuple[Conflict, tuple[int, int]]]]:
    """Group index -> the conflicts to show there: (conflict with value indices 0 / 1, the two claims' indices);
    ``checks`` are v5's unless given, and ``holds`` (v6) may reject a conflict found (see :mod:`.rules_v6`);
    ``actor_key`` (v7) is the key actors are compared by (their own key unless given)."""
    if not len(claims) or threshold <= 0:
        return {}
    fact_of = np.empty(len(claims), dtype=int)
    for k, g in enumerate(groups):
        fact_of[list(g)] = k
    sources = [len({claims[i].source for i in g}) for g in groups]
    rows, cols = np.nonzero(np.triu(score >= threshold, 1) & (fact_of[:, None] != fact_of[None, :]))
    order = np.argsort(-score[rows, cols], kind="stable")
    out: dict[int, list[tuple[Conflict, tuple[int, int]]]] = {}
    for k in order:
        i, j = int(rows[k]), int(cols[k])
        a, b = claims[i], claims[j]
        if a.source == b.source or not _comparable(a, b, negations, actor_key):
            continue
        found = slot_conflict(a, b, checks)
        if found is None or (holds is not None and not holds(found, a, b)):
            continue
        fi, fj = int(fact_of[i]), int(fact_of[j])
        home = fi if (sources[fi], -fi) < (sources[fj], -fj) else fj
        out.setdefault(home, []).append((found, (i, j)))
    return out
