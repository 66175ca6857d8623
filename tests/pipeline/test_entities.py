"""Entities: surface forms normalised to one key per actor or place, and the spaCy extractor."""

from __future__ import annotations

import pytest

from storyline.pipeline.entities import LABELS, SpacyEntityExtractor, expand, normalise


@pytest.mark.parametrize(
    ("text", "label", "key"),
    [
        ("Russia", "GPE", "russia"),
        ("Russia's", "GPE", "russia"),
        ("Russia\u2019s", "GPE", "russia"),
        ("the Russian Federation", "GPE", "russia"),
        ("Russians", "NORP", "russia"),
        ("Russian", "NORP", "russia"),
        ("US", "GPE", "united states"),
        ("U.S.", "GPE", "united states"),
        ("the United States", "GPE", "united states"),
        ("Americans", "NORP", "united states"),
        ("UK", "GPE", "united kingdom"),
        ("IS", "ORG", "islamic state"),
        ("the Kremlin", "ORG", "kremlin"),
        ("  Joe   Biden ", "PERSON", "joe biden"),
        ("\u201cWagner Group\u201d", "ORG", "wagner group"),
    ],
)
def test_surface_forms_map_to_one_key(text, label, key):
    assert normalise(text, label) == key


def test_demonym_is_a_country_only_for_place_and_group_labels():
    assert normalise("American", "PERSON") == "american"


@pytest.mark.parametrize("text", ["'s", " ... ", "()", "the 's"])
def test_nothing_left_after_stripping_is_none(text):
    assert normalise(text, "ORG") is None


def test_expand_adds_the_country_of_capitals_and_seats_of_power():
    assert expand({"moscow"}) == {"moscow", "russia"}
    assert expand({"kremlin", "white house"}) == {"kremlin", "russia", "white house", "united states"}
    assert expand({"marlow"}) == {"marlow"}


@pytest.mark.slow
def test_spacy_extractor_returns_kept_labels_with_offsets_into_each_text():
    texts = ["President Joe Biden spoke in Washington on Monday about Russia.", "", "nothing to see here"]

    found = SpacyEntityExtractor().extract(texts)

    assert len(found) == 3 and found[1] == [] and found[2] == []
    surfaces = {texts[0][s:e]: label for s, e, label in found[0]}
    assert {"Joe Biden", "Washington", "Russia"} <= set(surfaces)
    assert all(label in LABELS for label in surfaces.values())
    assert "Monday" not in surfaces  # DATE is not a kept label
