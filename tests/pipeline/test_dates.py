"""Dates: expressions found in text and resolved against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from storyline.model import DatePrecision as P
from storyline.pipeline.dates import event_date_candidates, find_dates

SATURDAY = dt.date(2022, 6, 18)


def only(text, anchor=SATURDAY):
    (mention,) = find_dates(text, anchor)
    return mention


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("On Wednesday, troops", dt.date(2022, 6, 15), P.DAY),
        ("on Saturday", dt.date(2022, 6, 18), P.DAY),
        ("last Saturday", dt.date(2022, 6, 11), P.DAY),
        ("next Monday", dt.date(2022, 6, 20), P.DAY),
        ("yesterday", dt.date(2022, 6, 17), P.DAY),
        ("last night", dt.date(2022, 6, 17), P.DAY),
        ("today", SATURDAY, P.DAY),
        ("on 2022-06-01", dt.date(2022, 6, 1), P.DAY),
        ("June 15", dt.date(2022, 6, 15), P.DAY),
        ("June 15th, 2021", dt.date(2021, 6, 15), P.DAY),
        ("15 of June", dt.date(2022, 6, 15), P.DAY),
        ("Sept. 3", dt.date(2021, 9, 3), P.DAY),  # 2022-09-03 is more than 60 days ahead: last year
        ("in February 2018", dt.date(2018, 2, 1), P.MONTH),
        ("in 2019", dt.date(2019, 1, 1), P.YEAR),
        ("this week", dt.date(2022, 6, 13), P.WEEK),
        ("last month", dt.date(2022, 5, 1), P.MONTH),
        ("next year", dt.date(2023, 1, 1), P.YEAR),
    ],
)
def test_expression_resolves_against_the_anchor(text, value, precision):
    mention = only(text)
    assert (mention.date.value, mention.date.precision) == (value, precision)
    assert mention.date.anchor == SATURDAY
    assert mention.text == text[mention.start : mention.end]


def test_week_interval_runs_monday_to_sunday():
    date = only("this week").date
    assert (date.start, date.end) == (dt.date(2022, 6, 13), dt.date(2022, 6, 19))


def test_since_is_an_interval_ending_at_the_anchor():
    assert (only("since 2011").date.precision, only("since 2011").date.end) == (P.INTERVAL, SATURDAY)
    since_month = only("since March 2020").date
    assert (since_month.value, since_month.precision, since_month.end) == (dt.date(2020, 3, 1), P.INTERVAL, SATURDAY)


def test_earlier_this_month_ends_at_the_anchor():
    date = only("earlier this month").date
    assert (date.start, date.end) == (dt.date(2022, 6, 1), SATURDAY)


def test_month_arithmetic_crosses_year_ends():
    assert only("next month", dt.date(2022, 12, 10)).date.start == dt.date(2023, 1, 1)
    assert only("last month", dt.date(2023, 1, 10)).date.end == dt.date(2022, 12, 31)


def test_december_date_in_early_january_article_is_last_year():
    assert only("December 30", dt.date(2023, 1, 2)).date.value == dt.date(2022, 12, 30)


def test_relative_expressions_need_an_anchor():
    assert find_dates("On Wednesday, yesterday, this week", None) == []
    assert only("June 15, 2021", None).date.value == dt.date(2021, 6, 15)


@pytest.mark.parametrize("text", ["February 30, 2021", "2022-13-45", "February 29"])
def test_impossible_dates_are_skipped_not_raised(text):
    assert find_dates(text, dt.date(2023, 3, 1)) == []


@pytest.mark.parametrize("text", ["The grammar 12 rules apply", "To their dismay 5 people left", "in 2019-2020 seasons", "some 2020 troops"])
def test_month_names_and_years_inside_other_words_are_not_dates(text):
    assert [m.text for m in find_dates(text, SATURDAY) if m.date.precision == P.DAY] == []
    assert all(m.text.lower() != "in 2019" for m in find_dates(text, SATURDAY))


def test_mentions_are_in_text_order_and_do_not_overlap():
    text = "On June 15, 2022 and on Wednesday, and in February 2018."
    mentions = find_dates(text, SATURDAY)
    assert [m.text for m in mentions] == ["June 15, 2022", "on Wednesday", "in February 2018"]
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:]))


# ---------------------------------------------------------------- event dates


def test_event_date_skips_dates_attached_to_reporting_verbs():
    lead = [
        "Russian troops attacked US-backed forces, the Wall Street Journal wrote on Friday.",
        "One of these operations was carried out on Wednesday near al-Tanf.",
    ]
    assert [d.value for d in event_date_candidates(lead, SATURDAY)] == [dt.date(2022, 6, 15)]


def test_event_date_ignores_coarse_future_and_old_dates():
    lead = ["Fighting began in February 2018 and since 2011.", "Talks are planned for next Monday.", "It started on June 1."]
    assert event_date_candidates(lead, SATURDAY) == []
    assert [d.value for d in event_date_candidates(lead, SATURDAY, window_days=30)] == [dt.date(2022, 6, 1)]


def test_until_a_weekday_looks_ahead_and_is_never_an_event_date():
    monday = dt.date(2023, 3, 6)
    (found,) = find_dates("River levels would stay high until Wednesday.", monday)
    assert (found.text, found.date.iso()) == ("until Wednesday", "2023-03-08")
    assert event_date_candidates(["River levels would stay high until Wednesday."], monday) == []
    (same_day,) = find_dates("Crews will stay until Monday.", monday)
    assert same_day.date.iso() == "2023-03-06"


# ------------------------------------------------------------------ the pretests and the lowered search

@pytest.mark.parametrize("text", [
    "On Wednesday, and LAST FRIDAY, then on 12 MARCH 2021 and March 3rd, 2020 (2021-05-04).",
    "Yesterday and THIS MORNING; last night; earlier this week, next month, this YEAR.",
    "Since 2011, in 2019 troops; in 2019 people; since MAY 2018; in Sept. 2017.",
    "No date here at all, only words.",
    "A week, a month, a year: none of them dated.",
    "On Tue\u212ady? Not a weekday; \u017finc\u0435 2011 neither; Monday is.",
])
@pytest.mark.parametrize("anchor", [SATURDAY, None])
def test_the_fast_date_search_finds_what_the_reference_finds(text, anchor):
    from storyline.pipeline.dates import find_dates_reference

    assert find_dates(text, anchor) == find_dates_reference(text, anchor)


def test_a_text_without_digits_still_finds_its_relative_dates():
    found = find_dates("He spoke on Wednesday and again last week.", SATURDAY)
    assert [m.text for m in found] == ["on Wednesday", "last week"]
    assert found[0].date.value == dt.date(2022, 6, 15)
