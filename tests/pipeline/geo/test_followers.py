"""The names written after a place (geoparser.geonames.v7, rule 11): which names are read."""

import time

from storyline.pipeline.geo.followers import enclosing_names


def _names(text: str, name: str) -> list[str]:
    return [n for _, n in enclosing_names(text, text.index(name) + len(name))]


def test_names_after_commas_are_read_in_order():
    text = "Shots were fired at Harlow Bridge, Upper Wend, Marrowshire on Monday."
    assert _names(text, "Harlow Bridge") == ["Upper Wend", "Marrowshire"]


def test_a_kind_word_and_in_join_a_name_to_its_enclosing_name():
    assert _names("Troops entered Belvar town in Kessaro.", "Belvar") == ["Kessaro"]
    assert _names("A clash near Ostin village (Dunmarra, Pelle) left two dead.", "Ostin") == ["Dunmarra", "Pelle"]


def test_a_number_after_the_name_is_skipped():
    assert _names("Workers gathered at Mine 6/7, Tarvask region.", "Mine") == ["Tarvask"]


def test_a_lowercase_word_after_the_comma_names_nothing():
    assert _names("They met in Corvale, where the march began.", "Corvale") == []


def test_at_most_three_names_are_read():
    text = "Aa, Bb, Cc, Dd, Ee"
    assert [n for _, n in enclosing_names(text, 2)] == ["Bb", "Cc", "Dd"]


def test_a_long_run_of_capitalised_words_is_read_in_bounded_time():
    text = "X, " + "Aaaa " * 20_000 + "!"
    began = time.perf_counter()
    enclosing_names(text, 1)
    assert time.perf_counter() - began < 1.0
