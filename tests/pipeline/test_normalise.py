"""Normalise: validate a raw record, clean its text, identify the language, segment it."""

from __future__ import annotations

import datetime as dt

import pytest

from storyline.errors import Codes, InputError
from storyline.model import RawRecord
from storyline.pipeline.normalise import clean_text, fingerprint, identify_language, segment, split_sentences, to_article

ENGLISH = "The central bank raised interest rates again on Wednesday to fight inflation."


def record(line=1, **fields):
    return RawRecord("in.jsonl", line, fields)


def test_record_becomes_an_article_with_its_fields_and_provenance():
    article = to_article(record(7, id=" x1 ", date="2022-06-18T09:30:00Z", source=" Wire ", title=" Rates  up ", url="http://e.x/1 ", text=ENGLISH))

    assert (article.id, article.source, article.title, article.url) == ("x1", "Wire", "Rates up", "http://e.x/1")
    assert article.published == dt.date(2022, 6, 18)
    assert article.origin == "in.jsonl:7"
    assert article.language == "en"
    assert article.fingerprint == fingerprint(ENGLISH)
    assert article.duplicate_of is None


def test_source_argument_is_used_only_when_the_record_has_none():
    assert to_article(record(text=ENGLISH), source="Given").source == "Given"
    assert to_article(record(text=ENGLISH, source="Own"), source="Given").source == "Own"


def test_given_language_wins_over_identification():
    assert to_article(record(text=ENGLISH, lang="DE")).language == "de"


def test_content_id_is_stable_and_depends_on_source_date_title_and_words():
    base = dict(text=ENGLISH, date="2022-06-18", source="Wire", title="Rates")
    same = to_article(record(**base)).id
    assert to_article(record(3, **base)).id == same  # the line or file does not matter
    assert to_article(record(**base | {"text": ENGLISH.upper() + "  "})).id == same  # nor case and spacing
    for change in ({"text": ENGLISH + " More."}, {"date": "2022-06-19"}, {"source": "Other"}, {"title": "Other"}):
        assert to_article(record(**base | change)).id != same, change
    assert same.startswith("a") and len(same) == 16


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({}, Codes.MISSING_FIELD, "missing field 'text'"),
        ({"text": " \n\t\u200b "}, Codes.EMPTY_TEXT, "empty"),
        ({"text": ENGLISH, "date": "18/06/2022"}, Codes.BAD_DATE, "YYYY-MM-DD"),
        ({"text": ENGLISH, "date": "2022-13-45"}, Codes.BAD_DATE, "not a valid date"),
        ({"text": ENGLISH, "title": ["a"]}, Codes.BAD_FIELD, "'title'"),
        ({"text": ENGLISH, "source": True}, Codes.BAD_FIELD, "'source'"),
        ({"text": {"body": "x"}}, Codes.BAD_FIELD, "'text'"),
        ({"text": "x" * 101}, Codes.TOO_LARGE, "too large"),
    ],
)
def test_invalid_record_raises_input_error_naming_the_field_and_place(fields, code, words):
    with pytest.raises(InputError) as info:
        to_article(record(4, **fields), max_chars=100)
    assert info.value.code == code
    assert words in info.value.reason
    assert (info.value.origin, info.value.line) == ("in.jsonl", 4)
    assert str(info.value).startswith(f"[{code}] in.jsonl:4: ")


def test_numeric_id_and_missing_date_are_accepted():
    article = to_article(record(id=42, text=ENGLISH))
    assert (article.id, article.published) == ("42", None)


def test_clean_text_unifies_breaks_spaces_and_unicode_form():
    raw = "\ufeffCafe\u0301\u00a0 au\tlait \r\n\r\n\r\n\r\nSecond\x07 line  \rthird"
    assert clean_text(raw) == "Caf\u00e9 au lait\n\nSecond line\nthird"


def test_fingerprint_ignores_case_spacing_and_punctuation_only():
    assert fingerprint("Hello,  WORLD!") == fingerprint("hello world")
    assert fingerprint("hello world") != fingerprint("hello there world")


def test_language_is_none_for_too_little_text():
    assert identify_language("Hi there") is None
    assert identify_language("Die Zentralbank hat die Zinsen am Mittwoch erneut erhöht.") == "de"


# ---------------------------------------------------------------- segmentation


def spans(text, kind=None):
    return [text[s.start : s.end] for s in segment(text) if kind in (None, s.kind)]


def test_short_unpunctuated_paragraph_followed_by_text_is_a_heading():
    text = "First paragraph ends here.\n\nTroops in Syria\n\nAround 900 US troops are stationed in Syria."
    assert spans(text, "heading") == ["Troops in Syria"]
    assert spans(text, "sentence") == ["First paragraph ends here.", "Around 900 US troops are stationed in Syria."]
    assert [s.paragraph for s in segment(text)] == [0, 1, 2]


@pytest.mark.parametrize(
    "block",
    [
        "the lower-case start",
        "A heading that ends with a full stop.",
        "Background:",
        "A line of more than ten words is a short paragraph and not a heading",
        "Last paragraph without punctuation",
    ],
)
def test_lower_case_punctuated_long_or_final_paragraphs_are_not_headings(block):
    text = f"Opening sentence.\n\n{block}" + ("" if block.startswith("Last") else "\n\nClosing sentence.")
    assert block not in spans(text, "heading")
    assert block in " ".join(spans(text, "sentence"))


def test_sentences_split_on_terminal_punctuation_before_a_capital():
    text = 'He said "it is over." Then he left! Did he? Yes... 2022 was long.'
    assert [text[s:e] for s, e in split_sentences(text)] == ['He said "it is over."', "Then he left!", "Did he?", "Yes...", "2022 was long."]


@pytest.mark.parametrize(
    "text",
    [
        "Gen. Erik Kurilla spoke.",
        "Mr. Smith met Dr. Jones.",
        "The U.S. Army moved.",
        "J. R. Smith arrived.",
        "It rose 2.5 per cent.",
        "see e.g. the report.",
        "prices rose. more news",
    ],
)
def test_abbreviations_initials_decimals_and_lower_case_do_not_end_a_sentence(text):
    assert len(split_sentences(text)) == 1


def test_split_offsets_are_shifted():
    assert split_sentences("Alpha beta. Gamma delta.", offset=10) == [(10, 21), (22, 34)]


def test_hard_wrapped_lines_form_one_sentence_and_short_lines_are_separate():
    wrapped = "This sentence was wrapped by an old mail program\nat a fixed column and continues here."
    assert spans(wrapped) == [wrapped]
    listing = "Casualties\nNone reported\nDamage\nMinor"
    assert spans("Intro.\n\n" + listing) == ["Intro.", "Casualties", "None reported", "Damage", "Minor"]


def test_segment_offsets_refer_to_the_given_text():
    text = clean_text("  Opening line here.  Second one.\n\n\n\nHeading\n\nBody text goes here. And more.  ")
    segs = segment(text)
    assert [text[s.start : s.end] for s in segs] == ["Opening line here.", "Second one.", "Heading", "Body text goes here.", "And more."]
    assert [s.kind for s in segs] == ["sentence", "sentence", "heading", "sentence", "sentence"]


def test_only_short_tokens_count_as_abbreviations():
    assert len(split_sentences("Shares in Acme Inc. Then fell.")) == 1
    assert len(split_sentences("It was " + "x" * 30 + "inc. Then it rained.")) == 2


def test_article_of_the_maximum_size_in_one_paragraph_is_segmented():
    # splitting used to rescan the text before every full stop: quadratic, minutes for this article
    sentence = "Marlow flooded again after the Thames burst its banks. "
    text = sentence * (2_000_000 // len(sentence))

    article = to_article(record(text=text))

    assert len(article.sentences()) == 2_000_000 // len(sentence)
    assert article.sentences()[-1] == sentence.strip()
