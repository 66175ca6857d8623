"""Event type: the ACLED classifier, the PLOVER trigger lexicon and how they combine."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from storyline import registry
from storyline.evaluate.fit_events import split_heldout, train
from storyline.pipeline.record.eventtype import (
    ACLED_SUB_EVENT_TYPES, ACLED_TO_PLOVER, PARAMS_FILE, PLOVER_TYPES, LinearEventTyper, combine, find_triggers, ngrams,
)
from support import options

TRAINING = [
    ("Soldiers clashed with rebels near the river and exchanged fire for hours.", "Armed clash"),
    ("Rebels and army troops fought in the hills; heavy fighting continued.", "Armed clash"),
    ("Militants clashed with police at a checkpoint.", "Armed clash"),
    ("A drone strike hit a house in the village.", "Air/drone strike"),
    ("Warplanes carried out airstrikes on positions near the town.", "Air/drone strike"),
    ("An air strike by jets destroyed a depot.", "Air/drone strike"),
    ("Hundreds of teachers held a peaceful protest demanding higher wages.", "Peaceful protest"),
    ("Students gathered outside parliament to protest the new law.", "Peaceful protest"),
    ("Farmers marched peacefully to the ministry in protest.", "Peaceful protest"),
]


@pytest.fixture(scope="module")
def tiny_typer():
    texts, labels = zip(*TRAINING)
    return LinearEventTyper(train(list(texts), list(labels), l2=1e-4))


def test_every_acled_sub_event_type_maps_to_a_plover_type_or_is_left_to_the_lexicon():
    assert set(ACLED_TO_PLOVER) == set(ACLED_SUB_EVENT_TYPES)
    assert {v for v in ACLED_TO_PLOVER.values() if v} <= set(PLOVER_TYPES)
    assert ACLED_TO_PLOVER["Air/drone strike"] == "ASSAULT"
    assert ACLED_TO_PLOVER["Armed clash"] == "FIGHT"
    assert ACLED_TO_PLOVER["Mob violence"] == "PROTEST"
    assert ACLED_TO_PLOVER["Agreement"] == "AGREE" and ACLED_TO_PLOVER["Arrests"] == "COERCE"
    assert ACLED_TO_PLOVER["Other"] is None


def test_ngrams_are_lowercased_unigrams_and_bigrams_with_numbers_folded():
    assert ngrams("Killed 12 People") == ["killed", "0", "people", "killed 0", "0 people"]


def test_a_fitted_classifier_separates_its_training_kinds(tiny_typer):
    codings = tiny_typer.classify(["Jets carried out an air strike on the depot.", "Teachers held a protest at the ministry."])
    assert [c.acled_sub_event_type for c in codings] == ["Air/drone strike", "Peaceful protest"]
    assert codings[0].acled_event_type == "Explosions/Remote violence"
    assert codings[0].plover == "ASSAULT" and codings[1].plover == "PROTEST"
    assert all(0 < c.confidence <= 1 for c in codings)


def test_probabilities_of_a_batch_sum_to_one_and_an_empty_batch_is_empty(tiny_typer):
    p = tiny_typer.probabilities(["rebels clashed", "nothing at all"])
    assert p.shape == (2, 3) and p.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)
    assert tiny_typer.classify([]) == []


@pytest.mark.parametrize("sentence, plover", [
    ("Senior officials agreed on Wednesday that their countries should cooperate.", "AGREE"),
    ("The minister threatened to impose tariffs if talks failed.", "THREATEN"),
    ("The opposition demanded the release of the detainees.", "DEMAND"),
    ("The government rejected the proposal outright.", "REJECT"),
    ("The foreign minister met his counterpart in Geneva.", "CONSULT"),
    ("The president condemned the attack.", "DISAPPROVE"),
    ("The United Nations sent humanitarian aid to the region.", "AID"),
    ("Washington imposed sanctions on three banks.", "SANCTION"),
    ("Police arrested four men at the border.", "COERCE"),
    ("Troops withdrew from the disputed village.", "RETREAT"),
    ("Prosecutors opened an investigation into the deaths.", "INVESTIGATE"),
])
def test_the_first_trigger_names_the_plover_type(sentence, plover):
    assert find_triggers(sentence)[0].plover == plover


def test_triggers_do_not_overlap_and_carry_their_span():
    sentence = "Rebels threatened to attack the town."
    triggers = find_triggers(sentence)
    assert [t.plover for t in triggers] == ["THREATEN", "ASSAULT"]
    assert all(sentence[t.start:t.end] == t.text for t in triggers)


def test_the_classifier_refines_a_violent_trigger_and_a_verbal_trigger_overrides_it():
    strike = find_triggers("Rebels clashed with the army.")
    assert combine("Air/drone strike", 0.9, strike).plover == "ASSAULT"  # both violent: the fitted choice
    verbal = find_triggers("The rebels agreed to a ceasefire.")
    coding = combine("Armed clash", 0.7, verbal)
    assert (coding.plover, coding.method, coding.acled_sub_event_type) == ("AGREE", "lexicon", "Armed clash")
    assert combine("Other", 0.8, []).plover is None


def test_the_heldout_split_is_stable_and_about_one_fifth():
    rows = [{"id": f"row{i}", "text": ""} for i in range(1000)]
    train_idx, held = split_heldout(rows)
    assert split_heldout(rows) == (train_idx, held)
    assert 150 < len(held) < 250 and not set(train_idx) & set(held)


def test_bundled_parameters_record_their_data_and_are_small():
    path = resources.files("storyline.pipeline") / "params" / PARAMS_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    (source,) = document["fitted_on"]
    assert source["file"] == "acled_dev.jsonl" and len(source["sha256"]) == 64
    assert document["heldout_scores"]["n"] > 0
    assert len(path.read_bytes()) < 2_000_000


def test_the_default_typer_is_registered_by_name():
    typer = registry.create("eventtype.linear.v1", options())
    assert typer.name == "eventtype.linear.v1"
    (coding,) = typer.classify(["On Wednesday, Russian troops carried out an airstrike on a military base."])
    assert coding.plover == "ASSAULT"


# ------------------------------------------------------------------ the fast search equals the reference

_SEARCHED = [
    "Rebels ATTACKED a convoy; Talks resumed. The Asia-Pacific Economic Cooperation summit met.",
    "\nAttack on the base.",
    " \nAttack on the base.",
    "“Protests spread,” he said (Arrests followed) and police Detained 40.",
    "Troops will visit the town; there was a cessation of hostilities and an end to Fighting.",
    "The army fired three shells at the village, then shot and wounded two; they were shot dead.",
    "KILLED: five. Killed Killing kills; skilled workers. Struck, struck, hit by a car.",
    "He called for calm, urged restraint, asked them to leave and requested aid.",
    "Kelvin \u212a: the attac\u212a and kil\u017fing were \u0130nvestigated.",
]


@pytest.mark.parametrize("text", _SEARCHED)
def test_the_fast_trigger_search_finds_what_the_reference_finds(text):
    from storyline.pipeline.record.eventtype import find_triggers_reference

    assert find_triggers(text) == find_triggers_reference(text)
    assert find_triggers(text.upper()) == find_triggers_reference(text.upper())


def test_the_fast_trigger_search_still_finds_triggers():
    found = find_triggers("\nAttack on the base; Rebels clashed and Talks followed.")
    assert [(t.text, t.plover) for t in found] == [("Attack", "ASSAULT"), ("clashed", "FIGHT")]


def test_a_text_with_a_letter_folded_to_ascii_is_searched_the_plain_way():
    # U+212A (Kelvin sign) matches "k" under IGNORECASE: the reference search finds "attacK"
    (trigger,) = find_triggers("They attac\u212a the town.")
    assert trigger.text == "attac\u212a" and trigger.plover == "ASSAULT"


def test_classify_one_is_classify_and_probabilities_in_one_pass():
    typer = LinearEventTyper.bundled()
    text = "Police arrested 12 protesters after a rally in the capital turned violent."
    coding, p = typer.classify_one(text, find_triggers(text))
    assert coding == typer.classify([text])[0]
    assert p.tolist() == typer.probabilities([text])[0].tolist()
