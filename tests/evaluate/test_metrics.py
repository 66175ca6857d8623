"""Tests for storyline.evaluate.metrics."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random

import numpy as np
import pytest

from storyline.evaluate.metrics import (
    ClusterScores,
    adjusted_mutual_info,
    adjusted_rand_index,
    bcubed,
    pairwise,
    score_clustering,
)

ALL_FUNCTIONS = [bcubed, pairwise, adjusted_rand_index, adjusted_mutual_info, score_clustering]


# ---------------------------------------------------------------------------
# Naive reference implementations, straight from the definitions
# ---------------------------------------------------------------------------


def _members(labels):
    groups: dict = {}
    for i, lab in enumerate(labels):
        groups.setdefault(lab, set()).add(i)
    return [groups[lab] for lab in labels]  # cluster of each item


def naive_bcubed(gold, pred):
    g, p = _members(gold), _members(pred)
    n = len(gold)
    prec = sum(len(g[i] & p[i]) / len(p[i]) for i in range(n)) / n
    rec = sum(len(g[i] & p[i]) / len(g[i]) for i in range(n)) / n
    return prec, rec


def naive_pair_sets(gold, pred):
    pairs = list(itertools.combinations(range(len(gold)), 2))
    gold_pairs = {(i, j) for i, j in pairs if gold[i] == gold[j]}
    pred_pairs = {(i, j) for i, j in pairs if pred[i] == pred[j]}
    return gold_pairs, pred_pairs


def random_partition(rng: random.Random, n: int, k: int) -> list[int]:
    return [rng.randrange(k) for _ in range(n)]


# ---------------------------------------------------------------------------
# Hand-computed cases
# ---------------------------------------------------------------------------

# Six items 0..5.
#   gold:      A = {0, 1, 2}   B = {3, 4}        C = {5}
#   predicted: X = {0, 1}      Y = {2, 3, 4, 5}
GOLD6 = ["A", "A", "A", "B", "B", "C"]
PRED6 = ["X", "X", "Y", "Y", "Y", "Y"]


def test_bcubed_matches_hand_computation_on_six_item_example():
    # item  pred cluster  gold cluster  overlap  precision     recall
    #  0    X={0,1}       A={0,1,2}     {0,1}    2/2 = 1       2/3
    #  1    X={0,1}       A={0,1,2}     {0,1}    2/2 = 1       2/3
    #  2    Y={2,3,4,5}   A={0,1,2}     {2}      1/4           1/3
    #  3    Y             B={3,4}       {3,4}    2/4           2/2 = 1
    #  4    Y             B={3,4}       {3,4}    2/4           1
    #  5    Y             C={5}         {5}      1/4           1/1 = 1
    # P = (1 + 1 + 1/4 + 1/2 + 1/2 + 1/4) / 6 = 3.5 / 6 = 7/12
    # R = (2/3 + 2/3 + 1/3 + 1 + 1 + 1) / 6 = (14/3) / 6 = 7/9
    # F1 = 2 * (7/12)(7/9) / (7/12 + 7/9) = (49/54) / (49/36) = 2/3
    p, r, f1 = bcubed(GOLD6, PRED6)
    assert p == pytest.approx(7 / 12)
    assert r == pytest.approx(7 / 9)
    assert f1 == pytest.approx(2 / 3)


def test_bcubed_bagga_baldwin_merge_example():
    # Bagga & Baldwin's 12-item illustration: gold {1-5}, {6,7}, {8-12};
    # the response merges the last two gold clusters into {6-12}.
    # Recall is 1 for every item (nothing was split).
    # Precision: items 1-5 -> 5/5, items 6-7 -> 2/7, items 8-12 -> 5/7
    # P = (5*1 + 2*(2/7) + 5*(5/7)) / 12 = (5 + 29/7) / 12 = 64/84 = 16/21
    # F1 = 2 * (16/21) / (1 + 16/21) = 32/37
    gold = [1] * 5 + [2] * 2 + [3] * 5
    pred = [1] * 5 + [2] * 7
    p, r, f1 = bcubed(gold, pred)
    assert p == pytest.approx(16 / 21)
    assert r == pytest.approx(1.0)
    assert f1 == pytest.approx(32 / 37)


def test_pairwise_matches_hand_computation_on_six_item_example():
    # gold pairs:      A -> 01 02 12, B -> 34                 = 4 pairs
    # predicted pairs: X -> 01, Y -> 23 24 25 34 35 45         = 7 pairs
    # common: 01, 34 = 2
    # P = 2/7, R = 2/4 = 1/2, F1 = 2 * (2/7)(1/2) / (2/7 + 1/2) = (2/7)/(11/14) = 4/11
    p, r, f1 = pairwise(GOLD6, PRED6)
    assert p == pytest.approx(2 / 7)
    assert r == pytest.approx(1 / 2)
    assert f1 == pytest.approx(4 / 11)


def test_ari_matches_hubert_arabie_hand_computation_on_six_item_example():
    # index = sum C(n_ij, 2) = 2 (common pairs above); a = 4 gold pairs;
    # b = 7 predicted pairs; C(6, 2) = 15.
    # expected = a*b / 15 = 28/15; max = (a + b) / 2 = 11/2
    # ARI = (2 - 28/15) / (11/2 - 28/15) = (2/15) / (109/30) = 4/109
    assert adjusted_rand_index(GOLD6, PRED6) == pytest.approx(4 / 109)


def test_ari_and_ami_are_minus_one_half_for_crossed_two_by_two_partitions():
    # gold {0,1},{2,3}; predicted {0,2},{1,3}: every cell n_ij = 1.
    # ARI: index = 0, a = b = 2, C(4,2) = 6 -> expected 4/6, max 2
    #      (0 - 2/3) / (2 - 2/3) = -1/2
    # AMI: MI = sum (1/4) log(4*1 / (2*2)) = 0.  H(gold) = H(pred) = log 2.
    #      For each of the 4 (a=2, b=2) cluster pairs, k ranges over 1..2 with
    #      hypergeometric P(k=1) = C(2,1)C(2,1)/C(4,2) = 2/3, P(k=2) = 1/6.
    #      k=1 contributes (1/4) log(4/4) = 0; k=2 contributes
    #      (2/4) log(4*2/4) * 1/6 = log(2)/12.  E[MI] = 4 * log(2)/12 = log(2)/3.
    #      AMI = (0 - log2/3) / (log2 - log2/3) = -1/2
    gold = [0, 0, 1, 1]
    pred = [0, 1, 0, 1]
    assert adjusted_rand_index(gold, pred) == pytest.approx(-0.5)
    assert adjusted_mutual_info(gold, pred) == pytest.approx(-0.5)


def test_pairwise_f1_is_zero_when_precision_and_recall_are_both_zero():
    # Same crossed partitions: predicted pairs {02, 13}, gold pairs {01, 23}.
    assert pairwise([0, 0, 1, 1], [0, 1, 0, 1]) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------------------
# score_clustering / ClusterScores
# ---------------------------------------------------------------------------


def test_score_clustering_bundles_every_metric_and_the_counts():
    s = score_clustering(GOLD6, PRED6)
    assert isinstance(s, ClusterScores)
    assert (s.b3_precision, s.b3_recall, s.b3_f1) == bcubed(GOLD6, PRED6)
    assert (s.pairwise_precision, s.pairwise_recall, s.pairwise_f1) == pairwise(GOLD6, PRED6)
    assert s.ari == adjusted_rand_index(GOLD6, PRED6)
    assert s.ami == adjusted_mutual_info(GOLD6, PRED6)
    assert (s.n_clusters, s.n_gold, s.n_items) == (2, 3, 6)
    for name in ["b3_precision", "b3_recall", "b3_f1", "pairwise_precision",
                 "pairwise_recall", "pairwise_f1", "ari", "ami"]:
        assert type(getattr(s, name)) is float
    for name in ["n_clusters", "n_gold", "n_items"]:
        assert type(getattr(s, name)) is int


def test_cluster_scores_to_dict_has_every_field():
    s = score_clustering(GOLD6, PRED6)
    d = s.to_dict()
    assert list(d) == [f.name for f in dataclasses.fields(ClusterScores)]
    assert d["n_items"] == 6
    assert d["ari"] == s.ari


def test_cluster_scores_is_frozen():
    s = score_clustering([0, 1], [0, 1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.ari = 0.5  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fn", ALL_FUNCTIONS)
def test_empty_input_raises_value_error(fn):
    with pytest.raises(ValueError, match="empty"):
        fn([], [])


@pytest.mark.parametrize("fn", ALL_FUNCTIONS)
def test_mismatched_lengths_raise_value_error_naming_both_lengths(fn):
    with pytest.raises(ValueError, match=r"len\(gold\)=3.*len\(predicted\)=2"):
        fn([0, 1, 2], [0, 1])


def test_unhashable_label_raises_type_error_with_position():
    with pytest.raises(TypeError, match="position 1"):
        score_clustering([0, [1], 2], [0, 1, 2])


def test_accepts_numpy_arrays_tuples_and_strings():
    expected = score_clustering(GOLD6, PRED6)
    assert score_clustering(np.array(GOLD6), tuple(PRED6)) == expected
    assert score_clustering("AAABBC", "XXYYYY") == expected


def test_none_is_an_ordinary_label():
    # None, "x" and 1 are three distinct labels; gold and predicted agree.
    s = score_clustering([None, None, "x", 1], ["a", "a", "b", "c"])
    assert s.ari == 1.0 and s.ami == 1.0 and s.b3_f1 == 1.0 and s.pairwise_f1 == 1.0
    assert s.n_gold == 3


# ---------------------------------------------------------------------------
# Degenerate partitions
# ---------------------------------------------------------------------------


def test_single_item_scores_perfectly_everywhere():
    s = score_clustering(["g"], ["p"])
    assert (s.b3_precision, s.b3_recall, s.b3_f1) == (1.0, 1.0, 1.0)
    # No pairs at all: P = 1 (no predicted pairs) and R = 1 (no gold pairs).
    assert (s.pairwise_precision, s.pairwise_recall, s.pairwise_f1) == (1.0, 1.0, 1.0)
    assert s.ari == 1.0 and s.ami == 1.0
    assert (s.n_clusters, s.n_gold, s.n_items) == (1, 1, 1)


@pytest.mark.parametrize(
    "gold",
    [
        [0, 1, 2, 3, 4],  # all singletons
        [7, 7, 7, 7, 7],  # all in one cluster
        [0, 0, 1, 1, 2],  # ordinary partition
        [0, 1],
        [5, 5],
    ],
    ids=["singletons", "all-in-one", "mixed", "two-singletons", "one-pair"],
)
def test_identical_partitions_score_one_on_every_metric(gold):
    # Rename the labels so identity is about the grouping, not the values.
    pred = [f"c{x}" for x in gold]
    s = score_clustering(gold, pred)
    for name in ["b3_precision", "b3_recall", "b3_f1", "pairwise_precision",
                 "pairwise_recall", "pairwise_f1", "ari", "ami"]:
        assert getattr(s, name) == 1.0, name


def test_all_singletons_on_both_sides_has_perfect_pairwise_scores_by_convention():
    # No gold pairs and no predicted pairs: P = 1.0 and R = 1.0 by convention.
    assert pairwise(range(6), range(6)) == (1.0, 1.0, 1.0)


def test_gold_all_in_one_vs_predicted_singletons():
    n = 5
    s = score_clustering([0] * n, list(range(n)))
    # B3: each item's predicted cluster is itself (P = 1), and it covers
    # 1 of the 5 items of its gold cluster (R = 1/5).  F1 = 2*(1/5)/(6/5) = 1/3.
    assert s.b3_precision == pytest.approx(1.0)
    assert s.b3_recall == pytest.approx(1 / n)
    assert s.b3_f1 == pytest.approx(1 / 3)
    # Pairwise: no predicted pairs -> P = 1.0 by convention; 10 gold pairs, none found.
    assert (s.pairwise_precision, s.pairwise_recall, s.pairwise_f1) == (1.0, 0.0, 0.0)
    assert s.ari == 0.0
    assert s.ami == 0.0
    assert (s.n_clusters, s.n_gold) == (n, 1)


def test_gold_singletons_vs_predicted_all_in_one():
    n = 5
    s = score_clustering(list(range(n)), [0] * n)
    assert s.b3_precision == pytest.approx(1 / n)
    assert s.b3_recall == pytest.approx(1.0)
    assert s.b3_f1 == pytest.approx(1 / 3)
    # Pairwise: no gold pairs -> R = 1.0 by convention; 10 predicted pairs, all wrong.
    assert (s.pairwise_precision, s.pairwise_recall, s.pairwise_f1) == (0.0, 1.0, 0.0)
    assert s.ari == 0.0
    assert s.ami == 0.0
    assert (s.n_clusters, s.n_gold) == (1, n)


def test_ami_is_zero_when_only_one_side_is_a_single_cluster():
    assert adjusted_mutual_info([0, 0, 1, 1, 2], [9] * 5) == 0.0
    assert adjusted_mutual_info([9] * 5, [0, 0, 1, 1, 2]) == 0.0


# ---------------------------------------------------------------------------
# Invariances and symmetries
# ---------------------------------------------------------------------------


def _random_pairs(seed: int, count: int, max_n: int = 60):
    rng = random.Random(seed)
    for _ in range(count):
        n = rng.randint(2, max_n)
        yield (random_partition(rng, n, rng.randint(1, n)),
               random_partition(rng, n, rng.randint(1, n)))


def test_scores_are_invariant_to_label_renaming():
    rename_gold = {i: v for i, v in enumerate([None, "a", (1, 2), 3.5, "z"] + list(range(100, 200)))}
    for gold, pred in _random_pairs(seed=1, count=15):
        renamed_gold = [rename_gold[x] for x in gold]
        renamed_pred = [f"cluster-{x * 7 + 3}" for x in pred]
        a = score_clustering(gold, pred)
        b = score_clustering(renamed_gold, renamed_pred)
        for name, value in a.to_dict().items():
            assert getattr(b, name) == pytest.approx(value, abs=1e-12), name


def test_scores_are_invariant_to_item_order():
    rng = random.Random(2)
    for gold, pred in _random_pairs(seed=2, count=10):
        order = list(range(len(gold)))
        rng.shuffle(order)
        a = score_clustering(gold, pred)
        b = score_clustering([gold[i] for i in order], [pred[i] for i in order])
        for name, value in a.to_dict().items():
            assert getattr(b, name) == pytest.approx(value, abs=1e-12), name


def test_ari_and_ami_are_symmetric():
    for gold, pred in _random_pairs(seed=3, count=15):
        assert adjusted_rand_index(gold, pred) == pytest.approx(adjusted_rand_index(pred, gold), abs=1e-12)
        assert adjusted_mutual_info(gold, pred) == pytest.approx(adjusted_mutual_info(pred, gold), abs=1e-12)


def test_swapping_gold_and_predicted_swaps_precision_and_recall():
    for gold, pred in _random_pairs(seed=4, count=15):
        p, r, f1 = bcubed(gold, pred)
        p2, r2, f2 = bcubed(pred, gold)
        assert (p2, r2, f2) == pytest.approx((r, p, f1), abs=1e-12)
        p, r, f1 = pairwise(gold, pred)
        p2, r2, f2 = pairwise(pred, gold)
        assert (p2, r2, f2) == pytest.approx((r, p, f1), abs=1e-12)


# ---------------------------------------------------------------------------
# Cross-checks against references
# ---------------------------------------------------------------------------


def test_bcubed_and_pairwise_match_naive_definitions_on_random_partitions():
    for gold, pred in _random_pairs(seed=5, count=20, max_n=40):
        p, r, f1 = bcubed(gold, pred)
        np_, nr = naive_bcubed(gold, pred)
        assert (p, r) == pytest.approx((np_, nr), abs=1e-12)
        assert f1 == pytest.approx(2 * np_ * nr / (np_ + nr), abs=1e-12)

        gold_pairs, pred_pairs = naive_pair_sets(gold, pred)
        common = len(gold_pairs & pred_pairs)
        exp_p = common / len(pred_pairs) if pred_pairs else 1.0
        exp_r = common / len(gold_pairs) if gold_pairs else 1.0
        exp_f = 0.0 if exp_p + exp_r == 0 else 2 * exp_p * exp_r / (exp_p + exp_r)
        assert pairwise(gold, pred) == pytest.approx((exp_p, exp_r, exp_f), abs=1e-12)


def test_ari_and_ami_match_scikit_learn_on_random_partitions():
    skm = pytest.importorskip("sklearn.metrics")
    rng = random.Random(6)
    cases = []
    for i in range(20):
        n = rng.randint(1, 400)
        # Mix few-cluster, many-cluster and near-singleton regimes.
        k_gold = rng.choice([1, 2, 3, max(1, n // 10), max(1, n // 2), n])
        k_pred = rng.choice([1, 2, 5, max(1, n // 3), n])
        cases.append((random_partition(rng, n, k_gold), random_partition(rng, n, k_pred)))
    # A prediction that is a light perturbation of gold (high-agreement regime).
    gold = random_partition(rng, 300, 40)
    pred = [g if rng.random() < 0.8 else rng.randrange(40) for g in gold]
    cases.append((gold, pred))

    for gold, pred in cases:
        assert adjusted_rand_index(gold, pred) == pytest.approx(
            skm.adjusted_rand_score(gold, pred), abs=1e-9
        )
        assert adjusted_mutual_info(gold, pred) == pytest.approx(
            skm.adjusted_mutual_info_score(gold, pred, average_method="arithmetic"), abs=1e-9
        )


def test_ami_matches_scikit_learn_on_a_larger_partition():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(7)
    gold = rng.integers(0, 500, 3000)
    pred = np.where(rng.random(3000) < 0.6, gold, rng.integers(0, 800, 3000))
    assert adjusted_mutual_info(gold, pred) == pytest.approx(
        skm.adjusted_mutual_info_score(gold, pred), abs=1e-9
    )


def test_ami_is_a_finite_fraction_on_ten_thousand_items_and_three_thousand_clusters():
    # Speed belongs to the benchmarks, not to a timed unit test.
    rng = np.random.default_rng(8)
    gold = rng.integers(0, 3000, 10_000)
    pred = np.where(rng.random(10_000) < 0.5, gold, rng.integers(0, 3000, 10_000))
    value = adjusted_mutual_info(gold.tolist(), pred.tolist())
    assert math.isfinite(value) and 0.0 < value < 1.0
