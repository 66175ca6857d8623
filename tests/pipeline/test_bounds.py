"""Bounded cost per input: every field has a size limit (a setting), odd ids and dates are rejected with a
reason, a lone surrogate rejects its record alone, and date finding is linear in the text. Each case runs
against a time bound."""

from __future__ import annotations

from storyline.model import plain
import datetime as dt
import time

import pytest

from storyline.errors import Codes, InputError
from storyline.model import RawRecord
from storyline.pipeline import dates
from storyline.pipeline.normalise import DEFAULT_LIMITS, EARLIEST_DATE, LATEST_DATE, excerpt, field_limits, to_article
from storyline.settings import SETTINGS
from support import FLOOD_A, FLOOD_B, options

GOOD = {"id": "g1", "date": "2023-03-06", "source": "River Times", "title": "Floods in Marlow",
        "text": "The Thames burst its banks at Marlow on Sunday.", "url": "https://example.org/a", "lang": "en"}


def rejected(fields: dict, seconds: float = 1.0, **kwargs) -> InputError:
    started = time.process_time()
    with pytest.raises(InputError) as info:
        to_article(RawRecord("in.jsonl", 7, fields), **kwargs)
    assert time.process_time() - started < seconds
    assert info.value.origin == "in.jsonl" and info.value.line == 7
    return info.value


def test_default_limits_are_the_settings_defaults():
    defaults = {s.name: s.default for s in SETTINGS}
    assert field_limits(defaults) == DEFAULT_LIMITS
    assert field_limits(options(max_title_chars=12, max_article_chars=99)) == {**DEFAULT_LIMITS, "title": 12, "text": 99}


@pytest.mark.parametrize("name,setting", [("title", "max_title_chars"), ("id", "max_id_chars"),
                                          ("source", "max_source_chars"), ("url", "max_url_chars"),
                                          ("text", "max_article_chars")])
def test_a_field_over_its_limit_is_rejected_naming_the_field_and_the_setting(name, setting):
    limit = DEFAULT_LIMITS[name]
    at_limit = "x" * limit
    if name == "url":
        at_limit = "https://e.org/" + "x" * (limit - 14)
    to_article(RawRecord("in.jsonl", 7, GOOD | {name: at_limit}))  # the limit itself is allowed

    error = rejected(GOOD | {name: at_limit + "x"})

    assert error.code == Codes.TOO_LARGE
    assert repr(name) in error.reason and setting in error.reason and f"{limit:,}" in error.reason


def test_limits_follow_the_settings():
    limits = field_limits(options(max_title_chars=10))
    error = rejected(GOOD | {"title": "Eleven char"}, limits=limits)
    assert "the limit is 10" in error.reason


def test_a_five_megabyte_title_is_rejected_at_once():
    error = rejected(GOOD | {"title": "flood " * 900_000}, seconds=0.5)
    assert error.code == Codes.TOO_LARGE and "'title'" in error.reason


@pytest.mark.parametrize("value", [" ", "  \u3000 ", "\u3000"])
def test_a_blank_id_is_rejected(value):
    error = rejected(GOOD | {"id": value})
    assert error.code == Codes.BAD_FIELD and "blank" in error.reason


@pytest.mark.parametrize("value", ["a\x1b[31mb", "a\x00b", "line\nbreak", "bell\x07", "c1\x9b", "\t\n ", "padded\n"])
def test_an_id_with_a_control_character_is_rejected(value):
    error = rejected(GOOD | {"id": value})
    assert error.code == Codes.BAD_FIELD and "control character" in error.reason


@pytest.mark.parametrize("value", ["S1", "E1", "S0042", "E12345"])
def test_an_id_of_the_form_of_a_story_or_event_id_is_rejected(value):
    error = rejected(GOOD | {"id": value})
    assert error.code == Codes.BAD_FIELD and "story or event id" in error.reason


@pytest.mark.parametrize("value", ["S1a", "s1", "E", "ES1", "bbc/business/001", "https://e.org/x?id=3#top", "  padded  "])
def test_other_ids_are_kept_as_given_apart_from_surrounding_spaces(value):
    assert to_article(RawRecord("in.jsonl", 7, GOOD | {"id": value})).id == value.strip()


@pytest.mark.parametrize("name", ["id", "date", "source", "title", "text", "url", "lang"])
def test_a_lone_surrogate_in_any_field_rejects_the_record(name):
    value = {"date": "2023-03-06\ud800", "text": "Floods \udfff in Marlow."}.get(name, "x\ud800y")
    error = rejected(GOOD | {name: value})
    assert error.code == Codes.NOT_UTF8 and repr(name) in error.reason and "surrogate" in error.reason


@pytest.mark.parametrize("name", ["id", "title", "text", "source"])
def test_a_number_beyond_64_bits_is_rejected_without_converting_it(name):
    error = rejected(GOOD | {name: 10**5000})  # str() of it would raise (more than 4,300 digits)
    assert error.code == Codes.BAD_FIELD and "more than 19 digits" in error.reason


def test_a_64_bit_number_is_a_valid_id():
    assert to_article(RawRecord("in.jsonl", 1, GOOD | {"id": 2**63 - 1})).id == str(2**63 - 1)


@pytest.mark.parametrize("value", ["0001-01-01", "0999-12-31", "1799-12-31", "3000-01-01", "9999-12-31"])
def test_a_publication_date_outside_the_stores_range_is_rejected(value):
    error = rejected(GOOD | {"date": value})
    assert error.code == Codes.BAD_DATE and "outside" in error.reason and value in error.reason


def test_the_edges_of_the_date_range_are_accepted():
    for day in (EARLIEST_DATE, LATEST_DATE):
        assert to_article(RawRecord("in.jsonl", 1, GOOD | {"date": day.isoformat()})).published == day


def test_a_long_date_value_is_rejected_without_echoing_it_whole():
    error = rejected(GOOD | {"date": "2023-01-01T" + "1" * 100_000})
    assert error.code == Codes.BAD_DATE and len(error.reason) < 200


@pytest.mark.parametrize("field,value", [("url", "https://e.org/\x1b]8;;evil\x07"), ("lang", "en\x1b[2J"), ("lang", "e" * 36)])
def test_control_characters_in_url_and_lang_are_rejected(field, value):
    assert rejected(GOOD | {field: value}).code == Codes.BAD_FIELD


def test_control_characters_in_the_source_become_spaces():
    assert to_article(RawRecord("in.jsonl", 1, GOOD | {"source": "River\x1b[31m Times\x07"})).source == "River [31m Times"


def test_an_excerpt_is_storable_text():
    assert excerpt("ab\ud800cd") == "ab\\ud800cd"
    assert excerpt(10**5000) == "(a number of more than 19 digits)"
    assert excerpt(["not", "text"]) == ""


# ---------------------------------------------------------------- dates: linear, and in range


def test_finding_dates_in_122_kb_of_dated_text_is_linear():
    text = ("2023-03-05 " * 12_000)[:122_000]
    started = time.process_time()
    found = dates.find_dates(text, dt.date(2023, 3, 8))
    elapsed = time.process_time() - started
    assert len(found) == 11_091
    assert elapsed < 1.5  # 2.9 s with the pairwise overlap check; 0.15 s here
    ten_times = ("2023-03-05 on Monday, March 3 " * 42_000)[:1_220_000]
    started = time.process_time()
    dates.find_dates(ten_times, dt.date(2023, 3, 8))
    assert time.process_time() - started < 10


def test_overlapping_date_expressions_keep_the_longest_first():
    found = dates.find_dates("It happened on March 3, 2023 and in March 2023.", dt.date(2023, 3, 8))
    assert [f.text for f in found] == ["March 3, 2023", "in March 2023"]


def test_dates_in_text_outside_the_calendar_range_are_not_resolved():
    found = dates.find_dates("Dated 0001-01-01, 0999-06-01 and 9999-12-31, then 2023-03-05.", dt.date(2023, 3, 8))
    assert [f.text for f in found] == ["2023-03-05"]


def test_an_anchor_outside_the_range_resolves_nothing_relative_and_does_not_raise():
    anchor = dt.date(1, 1, 3)
    assert [f.text for f in dates.find_dates("On Monday, or 2023-03-05.", anchor)] == ["2023-03-05"]
    assert dates.event_date_candidates(["It was on Monday.", "Yesterday it rained."], anchor) == []
    assert dates.event_date_candidates(["It was on Monday."], dt.date(9999, 12, 31)) == []


# ---------------------------------------------------------------- through the engine


def test_bad_records_are_rejected_alone_and_a_later_ingest_into_the_store_works(fake_engine):
    engine = fake_engine()
    bad = [
        FLOOD_A | {"id": "year-one", "date": "0001-01-01"},
        FLOOD_A | {"id": "surrogate", "title": "Flood \ud800"},
        {"id": "surrogate-text", "text": "Floods \udc80 in Marlow."},
        FLOOD_A | {"id": "S1"},
        FLOOD_A | {"id": "   "},
        FLOOD_A | {"id": 10**5000},
        FLOOD_A | {"id": "long-title", "title": "x" * 2_000_000},
        {"id": "dated-text", "date": "2023-03-06", "text": "Records from 0001-01-01 and 9999-12-31 were found in Marlow."},
    ]
    started = time.process_time()
    summary = engine.ingest_records(bad + [FLOOD_A])
    assert time.process_time() - started < 30
    assert summary.rejected == 7 and summary.ingested == 2
    reasons = {r.line: r for r in engine.rejections()}
    assert {r.code for r in reasons.values()} == {Codes.BAD_DATE, Codes.NOT_UTF8, Codes.BAD_FIELD, Codes.TOO_LARGE}
    assert reasons[3].excerpt == "Floods \\udc80 in Marlow."  # the stored excerpt is text

    later = engine.ingest_records([FLOOD_B])  # the store still takes new articles

    assert later.ingested == 1 and later.rejected == 0
    assert {a["id"] for a in plain(engine.articles())} == {"dated-text", "flood-1", "flood-2"}
