"""Text from articles, safe to print on a terminal.

Sources, urls, ids, languages and titles come from the input and may carry
escape sequences (``ESC [ 2 J`` clears the screen, ``ESC ] 8`` writes links,
``ESC ] 52`` writes the clipboard) or bidirectional overrides that make text
read differently from what it is. The command line passes everything it
prints through :func:`printable` (human output) or :func:`printable_json`
(JSON output), which show such characters as escapes (``\\x1b``) instead.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["printable", "printable_json"]

#: C0 controls, DEL, C1 controls, line/paragraph separators, bidirectional embeddings, overrides and isolates
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
#: what JSON leaves raw inside strings (json.dumps already escapes C0 controls)
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: Any) -> Any:
    """``value`` with every unsafe character of every string in it shown as an escape.

    Dicts, lists and tuples are copied with their strings made printable (keys
    too); other values are returned as they are. A line break inside a value
    is escaped as well, so one value never spans or fakes lines of output.
    Lone surrogates become escapes, so the result can always be encoded.
    """
    if isinstance(value, str):
        text = _UNSAFE.sub(_escape, value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        return text
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(printable(v) for v in value)
    return value


def printable_json(text: str) -> str:
    """A JSON document with the characters ``json.dumps(ensure_ascii=False)`` leaves raw written as ``\\uXXXX``.

    Those characters can only occur inside JSON strings, where the escape
    means the same character: the document parses to the same data.
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
