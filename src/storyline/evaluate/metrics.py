"""Clustering evaluation metrics.

Every metric here compares a *gold* partition of ``n`` items with a
*predicted* partition of the same items.  Both partitions are given as
parallel sequences of cluster labels: ``gold[k]`` and ``predicted[k]`` are the
labels of item ``k``.  Labels can be any hashable value (strings, ints,
tuples, ``None`` ...); they are compared with ordinary Python equality, so
only the grouping they induce matters, never the label values themselves.

The module depends only on numpy and the standard library.

Public API
----------
``score_clustering(gold, predicted) -> ClusterScores``
    All metrics at once.
``bcubed(gold, predicted) -> (precision, recall, f1)``
    B-cubed (Bagga & Baldwin 1998), per-item averaged.
``pairwise(gold, predicted) -> (precision, recall, f1)``
    Precision/recall over unordered item pairs placed in the same cluster.
``adjusted_rand_index(gold, predicted) -> float``
    Hubert & Arabie (1985) adjusted Rand index.
``adjusted_mutual_info(gold, predicted) -> float``
    Vinh, Epps & Bailey (2010) adjusted mutual information, arithmetic-mean
    normalisation, exact hypergeometric expected mutual information.

Conventions for degenerate inputs
---------------------------------
* Empty input raises ``ValueError``; sequences of different lengths raise
  ``ValueError`` naming both lengths.
* B-cubed is always well defined for non-empty input (every item shares a
  cluster with at least itself), so precision and recall lie in ``(0, 1]``.
* Pairwise: if the prediction puts no two items together (no predicted
  pairs) precision is ``1.0`` (nothing was claimed, so nothing was wrong);
  if the gold standard has no pairs, recall is ``1.0`` (nothing was there to
  be found).  F1 is ``0.0`` whenever ``precision + recall == 0``.
  Consequently a single item, or all-singletons on both sides, scores
  ``(1.0, 1.0, 1.0)``; gold all-in-one versus predicted singletons scores
  ``(1.0, 0.0, 0.0)``, and gold singletons versus one predicted cluster
  scores ``(0.0, 1.0, 0.0)``.
* ARI and AMI are ``1.0`` whenever the two partitions are identical up to a
  renaming of labels, including the degenerate all-singletons,
  all-in-one-cluster and single-item cases (matching scikit-learn).
* AMI is ``0.0`` when exactly one side is a single cluster (the mutual
  information and its expectation are then both exactly zero), again
  matching scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "ClusterScores",
    "score_clustering",
    "bcubed",
    "pairwise",
    "adjusted_rand_index",
    "adjusted_mutual_info",
]

_EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class ClusterScores:
    """All clustering metrics for one gold/predicted comparison."""

    b3_precision: float
    b3_recall: float
    b3_f1: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    ari: float
    ami: float
    n_clusters: int  # number of distinct predicted clusters
    n_gold: int  # number of distinct gold clusters
    n_items: int

    def to_dict(self) -> dict[str, float | int]:
        """Return the scores as a plain ``dict`` (field name -> value)."""
        return asdict(self)


# ---------------------------------------------------------------------------
# Contingency table
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """Sparse contingency table between two partitions.

    ``cells`` holds the non-zero counts ``n_ij`` and ``cell_gold`` /
    ``cell_pred`` the gold / predicted cluster index of each cell.
    ``gold_sizes`` and ``pred_sizes`` are the row and column margins.
    """

    n: int
    cells: np.ndarray
    cell_gold: np.ndarray
    cell_pred: np.ndarray
    gold_sizes: np.ndarray
    pred_sizes: np.ndarray


def _to_codes(labels: list[Hashable], side: str) -> tuple[np.ndarray, int]:
    """Map arbitrary hashable labels to dense integer codes 0..k-1."""
    index: dict[Hashable, int] = {}
    codes = np.empty(len(labels), dtype=np.int64)
    for pos, label in enumerate(labels):
        try:
            code = index.setdefault(label, len(index))
        except TypeError as exc:  # unhashable label
            raise TypeError(
                f"{side} label at position {pos} is not hashable: {label!r}"
            ) from exc
        codes[pos] = code
    return codes, len(index)


def _as_list(labels: Iterable[Hashable], side: str) -> list[Hashable]:
    if labels is None:
        raise ValueError(f"{side} labels must be a sequence, got None")
    return list(labels)


def _table(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> _Table:
    gold_list = _as_list(gold, "gold")
    pred_list = _as_list(predicted, "predicted")
    if len(gold_list) != len(pred_list):
        raise ValueError(
            "gold and predicted must label the same items: "
            f"len(gold)={len(gold_list)} != len(predicted)={len(pred_list)}"
        )
    if not gold_list:
        raise ValueError("cannot score an empty clustering: gold and predicted are empty")

    g, n_gold = _to_codes(gold_list, "gold")
    p, n_pred = _to_codes(pred_list, "predicted")
    # Encode each (gold, pred) pair as one integer and count distinct pairs.
    joint = g * n_pred + p
    keys, cells = np.unique(joint, return_counts=True)
    return _Table(
        n=len(gold_list),
        cells=cells.astype(np.int64),
        cell_gold=keys // n_pred,
        cell_pred=keys % n_pred,
        gold_sizes=np.bincount(g, minlength=n_gold).astype(np.int64),
        pred_sizes=np.bincount(p, minlength=n_pred).astype(np.int64),
    )


def _harmonic(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2.0 * p * r / (p + r)


def _pairs(counts: np.ndarray) -> int:
    """Number of unordered pairs inside groups of the given sizes (exact int)."""
    return sum(int(c) * (int(c) - 1) // 2 for c in counts if c > 1)


# ---------------------------------------------------------------------------
# B-cubed
# ---------------------------------------------------------------------------


def _bcubed(t: _Table) -> tuple[float, float, float]:
    # An item in cell (i, j) has precision n_ij / |pred_j| and recall
    # n_ij / |gold_i|; the n_ij items of that cell all share these values, so
    # the per-item sums collapse to sums of n_ij^2 / margin over cells.
    sq = t.cells.astype(np.float64) ** 2
    precision = float(np.sum(sq / t.pred_sizes[t.cell_pred]) / t.n)
    recall = float(np.sum(sq / t.gold_sizes[t.cell_gold]) / t.n)
    return precision, recall, _harmonic(precision, recall)


def bcubed(
    gold: Sequence[Hashable], predicted: Sequence[Hashable]
) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998).

    For every item, precision is the share of its predicted cluster that is
    also in its gold cluster, and recall is the share of its gold cluster
    that is also in its predicted cluster.  Both are averaged over items
    (uniform item weights).  F1 is the harmonic mean of the *averaged*
    precision and recall.
    """
    return _bcubed(_table(gold, predicted))


# ---------------------------------------------------------------------------
# Pair counting
# ---------------------------------------------------------------------------


def _pair_counts(t: _Table) -> tuple[int, int, int, int]:
    """Return (together in both, gold pairs, predicted pairs, all pairs)."""
    both = _pairs(t.cells)
    gold_pairs = _pairs(t.gold_sizes)
    pred_pairs = _pairs(t.pred_sizes)
    return both, gold_pairs, pred_pairs, t.n * (t.n - 1) // 2


def _pairwise(t: _Table) -> tuple[float, float, float]:
    both, gold_pairs, pred_pairs, _ = _pair_counts(t)
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / gold_pairs if gold_pairs else 1.0
    return precision, recall, _harmonic(precision, recall)


def pairwise(
    gold: Sequence[Hashable], predicted: Sequence[Hashable]
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 over unordered pairs of items.

    A pair is *predicted* when both items share a predicted cluster and
    *gold* when they share a gold cluster.  Precision is the fraction of
    predicted pairs that are gold pairs; recall the fraction of gold pairs
    that are predicted.

    Degenerate cases: precision is ``1.0`` when there are no predicted pairs,
    recall is ``1.0`` when there are no gold pairs, and F1 is ``0.0`` when
    precision + recall is 0.
    """
    return _pairwise(_table(gold, predicted))


# ---------------------------------------------------------------------------
# Adjusted Rand index
# ---------------------------------------------------------------------------


def _ari(t: _Table) -> float:
    # Hubert & Arabie:  (index - expected) / (max - expected) with
    #   index = sum_ij C(n_ij, 2), a = sum_i C(gold_i, 2), b = sum_j C(pred_j, 2)
    #   expected = a * b / C(n, 2), max = (a + b) / 2.
    # Multiplying through by C(n, 2) keeps everything in exact integers until
    # the final division:  2 * (index * T - a * b) / ((a + b) * T - 2 * a * b).
    index, a, b, total = _pair_counts(t)
    if index == a == b:
        # The pairs coincide, i.e. the partitions are identical (this also
        # covers n == 1, all singletons and all-in-one, where the formula
        # would be 0 / 0).
        return 1.0
    numerator = 2 * (index * total - a * b)
    denominator = (a + b) * total - 2 * a * b
    # The denominator is a*(T-b) + b*(T-a), which is zero only when the
    # partitions are identical (handled above).
    return numerator / denominator


def adjusted_rand_index(
    gold: Sequence[Hashable], predicted: Sequence[Hashable]
) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985).

    1.0 for identical partitions (including all-singletons, all-in-one and a
    single item), about 0.0 for chance agreement, negative for worse than
    chance.  Symmetric in its arguments.
    """
    return _ari(_table(gold, predicted))


# ---------------------------------------------------------------------------
# Adjusted mutual information
# ---------------------------------------------------------------------------


def _entropy(sizes: np.ndarray, n: int) -> float:
    s = sizes[sizes > 0].astype(np.float64)
    return float(-np.sum((s / n) * (np.log(s) - math.log(n))))


def _mutual_info(t: _Table) -> float:
    nij = t.cells.astype(np.float64)
    a = t.gold_sizes[t.cell_gold].astype(np.float64)
    b = t.pred_sizes[t.cell_pred].astype(np.float64)
    n = t.n
    terms = (nij / n) * (np.log(nij) + math.log(n) - np.log(a) - np.log(b))
    return max(float(np.sum(terms)), 0.0)


def _log_factorials(n: int) -> np.ndarray:
    """``out[k] == log(k!)`` for k = 0..n, each value accurate to ~1 ulp."""
    return np.array([math.lgamma(k + 1.0) for k in range(n + 1)], dtype=np.float64)


def _expected_mutual_info(gold_sizes: np.ndarray, pred_sizes: np.ndarray, n: int) -> float:
    """Exact E[MI] under the hypergeometric (permutation) model.

    E[MI] = sum_i sum_j sum_k  k/n * log(n k / (a_i b_j)) * P(k; a_i, b_j, n)

    where k runs from max(1, a_i + b_j - n) to min(a_i, b_j) and P is the
    hypergeometric probability

        P = a! b! (n-a)! (n-b)! / (n! k! (a-k)! (b-k)! (n-a-b+k)!).

    The summand depends on the cluster *sizes* only, so clusters of equal
    size are grouped and their contribution is weighted by the number of
    (row, column) combinations.  Since the distinct sizes of one partition
    sum to at most n, there are at most ~sqrt(2n) of them; we loop over the
    distinct sizes of one side and vectorise over the other side and k.
    """
    a_vals, a_mult = np.unique(gold_sizes, return_counts=True)
    b_vals, b_mult = np.unique(pred_sizes, return_counts=True)
    if len(a_vals) > len(b_vals):  # loop over the shorter list
        a_vals, a_mult, b_vals, b_mult = b_vals, b_mult, a_vals, a_mult

    lf = _log_factorials(n)
    log_n = math.log(n)
    log_k = np.log(np.arange(n + 1, dtype=np.float64).clip(min=1.0))  # log_k[0] unused
    b_vals = b_vals.astype(np.int64)
    b_mult = b_mult.astype(np.float64)
    total = 0.0
    for a, a_count in zip(a_vals.tolist(), a_mult.tolist()):
        lo = np.maximum(1, a + b_vals - n)
        hi = np.minimum(a, b_vals)
        lengths = np.maximum(hi - lo + 1, 0)
        m = int(lengths.sum())
        if m == 0:
            continue
        # Flatten the ragged ranges lo[j]..hi[j] into one vector of k values.
        owner = np.repeat(np.arange(len(b_vals)), lengths)
        starts = np.cumsum(lengths) - lengths
        k = lo[owner] + (np.arange(m) - starts[owner])
        b = b_vals[owner]
        log_p = (
            lf[a] + lf[b] + lf[n - a] + lf[n - b] - lf[n]
            - lf[k] - lf[a - k] - lf[b - k] - lf[n - a - b + k]
        )
        summand = (
            (k / n)
            * (log_n + log_k[k] - math.log(a) - log_k[b])
            * np.exp(log_p)
            * b_mult[owner]
        )
        total += a_count * float(np.sum(summand))
    return total


def _ami(t: _Table) -> float:
    n_gold = len(t.gold_sizes)
    n_pred = len(t.pred_sizes)
    if n_gold == n_pred == len(t.cells):
        # Every gold cluster maps onto exactly one predicted cluster and vice
        # versa: the partitions are identical (covers a single item,
        # all-in-one and all-singletons, where the formula is 0 / 0).
        return 1.0
    if n_gold == 1 or n_pred == 1:
        # One side carries no information: MI and E[MI] are exactly 0.
        return 0.0

    mi = _mutual_info(t)
    emi = _expected_mutual_info(t.gold_sizes, t.pred_sizes, t.n)
    h_gold = _entropy(t.gold_sizes, t.n)
    h_pred = _entropy(t.pred_sizes, t.n)
    denominator = 0.5 * (h_gold + h_pred) - emi
    # Mathematically the denominator is > 0 for non-identical partitions
    # (the arithmetic mean of the entropies bounds MI for every permutation,
    # with equality for all of them only when both sides are all-singletons).
    # Keep it away from zero, preserving its sign, to survive round-off.
    if denominator < 0:
        denominator = min(denominator, -_EPS)
    else:
        denominator = max(denominator, _EPS)
    return (mi - emi) / denominator


def adjusted_mutual_info(
    gold: Sequence[Hashable], predicted: Sequence[Hashable]
) -> float:
    """Adjusted mutual information (Vinh, Epps & Bailey 2010).

    ``AMI = (MI - E[MI]) / (mean(H(gold), H(pred)) - E[MI])`` with the
    arithmetic mean of the two entropies (scikit-learn's default
    ``average_method='arithmetic'``) and the expected mutual information
    computed exactly under the hypergeometric model of random partitions
    with fixed cluster sizes.  Natural logarithms throughout (the base
    cancels).  Symmetric in its arguments.

    Returns 1.0 for identical partitions (including all-singletons,
    all-in-one and a single item) and 0.0 when exactly one side is a single
    cluster.
    """
    return _ami(_table(gold, predicted))


# ---------------------------------------------------------------------------
# Everything at once
# ---------------------------------------------------------------------------


def score_clustering(
    gold: Sequence[Hashable], predicted: Sequence[Hashable]
) -> ClusterScores:
    """Compute every metric in this module for one gold/predicted pair.

    Raises ``ValueError`` for empty input or for sequences of different
    lengths.
    """
    t = _table(gold, predicted)
    b3_p, b3_r, b3_f = _bcubed(t)
    pw_p, pw_r, pw_f = _pairwise(t)
    return ClusterScores(
        b3_precision=b3_p,
        b3_recall=b3_r,
        b3_f1=b3_f,
        pairwise_precision=pw_p,
        pairwise_recall=pw_r,
        pairwise_f1=pw_f,
        ari=float(_ari(t)),
        ami=float(_ami(t)),
        n_clusters=len(t.pred_sizes),
        n_gold=len(t.gold_sizes),
        n_items=t.n,
    )
