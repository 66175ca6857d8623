"""Case folding for the rule finders: a lowered copy that case-sensitive patterns search as IGNORECASE ones would."""

from __future__ import annotations

import re

import pytest

from storyline.pipeline.fold import ascii_lowered, is_lower_ascii_pattern


def test_only_ascii_capitals_are_lowered_and_offsets_are_kept():
    text = "Über ATTACK “Talks” in ÉGYPT"
    lowered = ascii_lowered(text)
    assert lowered == "Über attack “talks” in Égypt"
    assert len(lowered) == len(text)


@pytest.mark.parametrize("letter", ["\u0130", "\u0131", "\u017f", "\u212a"])
def test_a_letter_that_ignorecase_folds_to_ascii_refuses_the_copy(letter):
    text = f"wor{letter} attac{letter}"
    assert ascii_lowered(text) is None
    # the reason: the IGNORECASE pattern matches it, the lowered copy would not
    assert any(re.search(word, text, re.IGNORECASE) for word in ("work", "wori", "wors", "attack", "attaci", "attacs"))


@pytest.mark.parametrize("pattern, ok", [
    (r"\bkill(?:ed|s)?\b", True),
    (r"(?P<y>\d{4})\s+\W", True),
    (r"(?!\s*(?:-|–|people))", True),
    (r"Kill", False),
    (r"\bé", False),
])
def test_lower_ascii_patterns(pattern, ok):
    assert is_lower_ascii_pattern(pattern) is ok
