"""Counts of killed and injured people, read from sentences with their spans."""

from __future__ import annotations

import re

import pytest

from storyline.pipeline.record.counts import find_counts, parse_number, total_counts


def killed(sentence: str) -> list[int]:
    return [c.value for c in find_counts(sentence) if c.kind == "killed"]


def injured(sentence: str) -> list[int]:
    return [c.value for c in find_counts(sentence) if c.kind == "injured"]


@pytest.mark.parametrize("sentence, expected", [
    ("Rebels killed 3 soldiers near the bridge.", [3]),
    ("Three people were killed in the market.", [3]),
    ("A civilian was killed by a stray bullet.", [1]),
    ("At least 12 dead after the blast.", [12]),
    ("The armed suspect was shot. 1 fatality.", [1]),
    ("Gunmen shot and killed a village elder on his farm.", [1]),
    ("Twenty-five villagers were massacred overnight.", [25]),
    ("A 25-year-old man was shot dead outside his home.", [1]),
    ("Two bodies were found in a ditch.", [2]),
    ("The death toll rose to 15 on Monday.", [15]),
])
def test_killed_counts_in_common_phrasings(sentence, expected):
    assert killed(sentence) == expected


def test_coordinated_groups_of_victims_are_each_counted():
    sentence = "On 7 February 2022, nine soldiers and a militia member were killed and five militia members were injured."
    assert sum(killed(sentence)) == 10
    assert injured(sentence) == [5]


def test_dates_times_ages_and_distances_are_not_counts():
    assert killed("On 3 May 2022 at 10 am, 40 km from the town, nobody knows what happened.") == []
    assert killed("In 2019 the mayor was re-elected.") == []


def test_range_counts_its_low_end_and_is_not_exact():
    (mention,) = [c for c in find_counts("Police opened fire, killing 1-3 protesters.") if c.kind == "killed"]
    assert (mention.value, mention.exact, mention.low, mention.high) == (1, False, 1, 3)


def test_vague_quantities_follow_the_documented_convention_and_are_not_exact():
    assert parse_number("several") == (10, False, None, None)
    assert parse_number("dozens of") == (12, False, None, None)
    assert parse_number("at least 12") == (12, False, 12, None)  # a lower bound
    assert parse_number("between 5 and 10") == (5, False, 5, 10)
    assert parse_number("twenty-one") == (21, True, None, None)


def test_nobody_hurt_statements_give_zero_and_unknown_gives_nothing():
    assert killed("There were no fatalities.") == [0]
    assert killed("No casualties were reported.") == [0] and injured("No casualties were reported.") == [0]
    assert find_counts("Casualties unknown.") == []


def test_a_nobody_hurt_statement_limited_to_a_group_keeps_its_scope():
    (mention,) = [c for c in find_counts("The strike did not cause any casualties among US or coalition troops, an official said.")
                  if c.kind == "killed"]
    assert mention.negation and mention.scope == "US or coalition troops"
    totals = total_counts(["The strike did not cause any casualties among US or coalition troops, an official said."])
    assert totals["killed"] is None  # says nothing about anyone else


def test_a_count_given_as_the_cause_of_a_protest_is_not_the_protest_s_count():
    assert killed("Residents protested after a man was killed by the police.") == []


def test_total_prefers_a_stated_total_then_adds_only_sentences_that_say_they_add():
    assert total_counts(["Two men were killed.", "Also, a woman was killed.", "3 fatalities."])["killed"].value == 3
    assert total_counts(["Two men were killed.", "A woman was also killed nearby."])["killed"].value == 3
    assert total_counts(["Two men were killed.", "The two men were killed by gunmen."])["killed"].value == 2
    assert total_counts(["The market was quiet."]) == {"killed": None, "injured": None}


def test_a_total_split_between_events_is_divided():
    total = total_counts(["During the attacks, 8 - 14 civilians were killed, split between 2 events."])["killed"]
    assert (total.value, total.exact) == (4, False)


def test_mention_spans_point_at_the_words():
    sentence = "Three people were killed in the market."
    (mention,) = find_counts(sentence)
    assert sentence[mention.start:mention.end] == mention.text == "Three people were killed"


def test_thousands_separators_and_scales_keep_their_value():
    # issue 12: "killing more than 1,000" was recorded as 1, "more than 2,000" as 2
    (m,) = [c for c in find_counts("The earthquake struck the island, killing more than 1,000 people.") if c.kind == "killed"]
    assert (m.value, m.exact, m.low, m.high) == (1000, False, 1000, None)
    assert killed("More than 2,000 people were killed in the fighting.") == [2000]
    assert killed("At least 1,297 people were killed.") == [1297]
    assert killed("The pandemic has killed 2.5 million people.") == [2500000]
    assert killed("Two million people died.") == [2000000]


def test_bounds_are_kept_as_bounds():
    assert parse_number("150+") == (150, False, 150, None)
    assert parse_number("more than 1,000") == (1000, False, 1000, None)
    assert parse_number("up to 20") == (20, False, None, 20)
    assert parse_number("about 30") == (30, False, None, None)
    assert parse_number("several hundred") == (200, False, None, None)
    (m,) = [c for c in find_counts("The floods killed 150+ people.") if c.kind == "killed"]
    assert (m.value, m.low) == (150, 150)


def test_a_toll_that_rose_is_the_stated_total():
    values = total_counts(["The storm left 12 dead.", "By Sunday the toll had risen to more than 150."])
    assert values["killed"].value == 150 and values["killed"].exact is False


def test_long_number_lists_stay_linear():
    import time

    sentence = "killing " + ", ".join(["1,000"] * 1000) + " people"  # quadratic: about 15 s here
    started = time.process_time()
    find_counts(sentence)
    assert time.process_time() - started < 3.0


#: one sentence for each pattern family of find_counts (totals, counts coded elsewhere, none, passive, active,
#: pronoun objects, "death of", singular victims, bodies)
EVERY_FAMILY = [
    "The attack caused 12 fatalities.", "Fatalities coded to the Talakivka event.",
    "The death toll rose to 31 on Monday.", "There was no loss of life.", "There were no casualties.",
    "No one was harmed in the blast.", "None of the passengers were hurt.", "Three soldiers were shot dead.",
    "Five people were slain.", "Two men were executed.", "Four people perished in the fire.",
    "Six people lost their lives.", "Two villagers succumbed to their wounds.", "Nine people were hospitalised.",
    "Ten workers sustained minor injuries.", "Gunmen killed 14 people.", "The army massacred dozens of villagers.",
    "Militants beheaded two hostages.", "A mob lynched three men.", "The bomb wounded 20 people.",
    "Police killed him.", "The strike injured her.", "They mourned the death of four miners.",
    "The journalist was assassinated.", "He later died in hospital.", "Seven bodies were found in the river.",
    "The corpses of three men were recovered.", "Twelve people were burnt to death.",
]


def test_the_count_word_pretest_never_drops_a_count(monkeypatch):
    from storyline.pipeline.record import counts as counts_module

    pretested = [find_counts(s) for s in EVERY_FAMILY]
    monkeypatch.setattr(counts_module, "_ANY_COUNT_WORD", re.compile(""))  # every sentence searched in full
    assert pretested == [find_counts(s) for s in EVERY_FAMILY]
    assert all(pretested)
    assert find_counts("The council met on Tuesday to discuss the budget.") == []
