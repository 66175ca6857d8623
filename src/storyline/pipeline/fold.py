"""Case folding for the rule finders: one lower-cased copy of a text, searched by case-sensitive patterns.

A pattern written in lower-case ASCII and compiled with ``re.IGNORECASE`` matches an ASCII letter in either case,
and four non-ASCII letters besides (Python's case folding maps them to ASCII ones): dotted capital I (U+0130),
dotless i (U+0131), long s (U+017F) and the Kelvin sign (U+212A). So on a text without those four, the same
pattern compiled case-sensitively matches the text with only A-Z lowered at exactly the same places, and runs
several times faster (the regular expression engine can skip on a literal first character). The lowered copy has
the text's length, so every offset found in it is an offset in the text.
"""

from __future__ import annotations

import re
import string

__all__ = ["ascii_lowered", "is_lower_ascii_pattern"]

_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
#: the non-ASCII letters that re.IGNORECASE matches to ASCII letters
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")
#: an ASCII capital that is not the letter of an escape (\b, \w, \S, ...) nor of a named group's ``(?P``
_CAPITAL = re.compile(r"(?<!\\)(?<!\(\?)[A-Z]")


def ascii_lowered(text: str) -> str | None:
    """``text`` with A-Z lowered, or None when it holds a letter that IGNORECASE would match to ASCII."""
    if _FOLDS_TO_ASCII.search(text):
        return None
    return text.translate(_LOWER)


def is_lower_ascii_pattern(pattern: str) -> bool:
    """Whether ``pattern`` (the source of a regular expression) has no capital letter outside an escape or
    ``(?P`` and no letter outside ASCII (a dash or a curly quote has no case, and is allowed)."""
    uncased = all(ch.isascii() or (not ch.isalpha() and ch.lower() == ch == ch.upper()) for ch in pattern)
    return uncased and not _CAPITAL.search(pattern)
