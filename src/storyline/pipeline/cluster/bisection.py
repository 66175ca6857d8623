"""The split of the clusterer's second pass: one event's reports bisected by average-link agglomeration."""

from __future__ import annotations

import numpy as np

__all__ = ["bisect"]


def bisect(prob: np.ndarray, n: int) -> list[list[int]]:
    """Average-link agglomeration of ``n`` reports down to two groups (``prob``: their symmetric pair scores).

    Each step joins the two groups of the highest mean pair score (the first such pair, in group order). The link
    of two groups that a step left alone is the one computed before (the same mean of the same scores), so only
    the links of the joined group are computed again: n² means in all instead of n³."""

    def link(a: int, b: int) -> float:  # a < b: the rows of the earlier group, as always
        return float(prob[np.ix_(groups[a], groups[b])].mean())

    groups = [[i] for i in range(n)]
    links = [[link(a, b) if b > a else 0.0 for b in range(n)] for a in range(n)]
    while len(groups) > 2:
        best, pair = -1.0, (0, 1)
        for a in range(len(groups)):
            row = links[a]
            for b in range(a + 1, len(groups)):
                if row[b] > best:
                    best, pair = row[b], (a, b)
        a, b = pair
        groups[a] = groups[a] + groups[b]
        del groups[b]
        del links[b]
        for row in links:
            del row[b]
        for c in range(len(groups)):
            if c < a:
                links[c][a] = link(c, a)
            elif c > a:
                links[a][c] = link(a, c)
    return groups
