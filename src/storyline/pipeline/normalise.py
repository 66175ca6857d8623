"""Normalise: validate a raw record and turn it into an :class:`Article`.

Cleans the text (line breaks, spaces, Unicode form), identifies the language
offline, and segments the text into paragraphs, headings and sentences. The
character offsets of every segment refer to the stored, cleaned text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Any, Mapping

from ..errors import Codes, InputError
from ..model import Article, RawRecord, Segment

__all__ = ["to_article", "clean_text", "segment", "split_sentences", "fingerprint", "identify_language",
           "DEFAULT_LIMITS", "field_limits", "excerpt", "EARLIEST_DATE", "LATEST_DATE",
           "ID_PATTERN", "DATE_PATTERN", "TEXT_PATTERN", "PRINTABLE_PATTERN"]

_KNOWN_FIELDS = ("id", "date", "source", "title", "text", "url", "lang")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$")

#: characters allowed per field, by default: the settings ``max_<field>_chars`` (``max_article_chars`` for the text)
DEFAULT_LIMITS: dict[str, int] = {"id": 256, "title": 1000, "source": 300, "url": 4096, "text": 2_000_000}
#: a language tag (BCP 47) is never longer
_LANG_CHARS = 35
#: publication dates a store can hold: the vector index counts days from 1800-01-01, and every window
#: computed around a date must stay inside the calendar
EARLIEST_DATE = dt.date(1800, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
#: integers are accepted for string fields (ids often are numbers) up to 64 bits
_INT_LIMIT = 2**63
#: ids of stories and events: an article may not take one (``storyline show S1`` would not find it)
_RESERVED_ID = re.compile(r"[SE][0-9]+")
_UNPRINTABLE_CLASS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_UNPRINTABLE = re.compile(f"[{_UNPRINTABLE_CLASS}]")
#: the longest date value (a date with a time part)
_DATE_CHARS = 64

# ---- the same rules as JSON Schema patterns (ECMA-262 and Python ``re`` read them alike), for the REST API's
# OpenAPI document: a value matching its pattern is never rejected for that field (tests/pipeline/test_bounds.py).
#: Python's ``str.strip`` whitespace that is not a control character
_WS = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_P, _N = f"[^{_UNPRINTABLE_CLASS}]", f"[^{_WS}{_UNPRINTABLE_CLASS}]"
#: empty (a content id), or printable, not blank, and not of the form S<n> / E<n> once stripped
ID_PATTERN = (f"^(?:[{_WS}]*(?:[^SE{_WS}{_UNPRINTABLE_CLASS}]{_P}*|[SE](?:|[^0-9{_UNPRINTABLE_CLASS}]{_P}*"
              f"|[0-9]+(?:[^0-9{_WS}{_UNPRINTABLE_CLASS}]|[{_WS}]+{_N}){_P}*)))?$")
_YEAR = "(?:18|19|2[0-9])[0-9]{2}"
_LEAP = "(?:(?:18|19|2[0-9])(?:0[48]|[2468][048]|[13579][26])|(?:20|24|28)00)"
_DAY = (f"(?:{_YEAR}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
        f"|{_LEAP}-02-29)")
#: empty, or a calendar day from 1800-01-01 to 2999-12-31, optionally with a time part, spaces around allowed
DATE_PATTERN = f"^(?:[{_WS}]*{_DAY}(?:[T ][0-9:.+\\-Z]*)?[{_WS}]*)?$"
#: a text with at least one character that cleaning keeps (not whitespace, a control character, BOM or ZWSP)
TEXT_PATTERN = "[^\\x00-\\x20\\x7f\\x85\\xa0\\u1680\\u2000-\\u200b\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
#: no control characters (url, lang)
PRINTABLE_PATTERN = f"^{_P}*$"


def field_limits(options: Mapping[str, Any]) -> dict[str, int]:
    """The field limits of resolved settings (``max_id_chars``, ..., ``max_article_chars`` for the text)."""
    return {name: int(options["max_article_chars" if name == "text" else f"max_{name}_chars"]) for name in DEFAULT_LIMITS}


def excerpt(value: Any, chars: int = 200) -> str:
    """The start of a rejected record's value, safe to store and print: lone surrogates become escapes."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    if isinstance(value, int) and abs(value) >= _INT_LIMIT:
        return "(a number of more than 19 digits)"
    return str(value)[:chars].encode("utf-8", "backslashreplace").decode("utf-8")


def to_article(record: RawRecord, *, source: str | None = None, max_chars: int | None = None,
               limits: Mapping[str, int] | None = None) -> Article:
    """Validate ``record`` and build the article; raise :class:`InputError` naming the field.

    Every field is bounded (``limits``, by default :data:`DEFAULT_LIMITS`;
    ``max_chars`` overrides the text's), so no stage ever sees an input larger
    than the settings allow. A rejection names the field and the limit.
    """
    fields = record.fields
    bounds = {**DEFAULT_LIMITS, **(limits or {})}
    if max_chars is not None:
        bounds["text"] = max_chars

    def fail(message: str, code: str) -> InputError:
        return InputError(message, code=code, origin=record.origin, line=record.line)

    raw: dict[str, str | None] = {}
    for name in _KNOWN_FIELDS:
        raw[name] = _field_text(name, fields.get(name), bounds.get(name), fail)
    if not raw["source"] and source is not None:  # the outlet named for records that carry none (--source)
        raw["source"] = _field_text("source", source, bounds.get("source"), fail)
    raw_text = raw["text"]
    if raw_text is None:
        raise fail("missing field 'text'", Codes.MISSING_FIELD)
    text = clean_text(raw_text)
    if not text:
        raise fail("field 'text' is empty", Codes.EMPTY_TEXT)
    published = _parse_date(raw["date"], fail)
    title = clean_text(raw["title"]) if raw["title"] else None
    src = _UNPRINTABLE.sub(" ", raw["source"]).strip() if raw["source"] is not None else None
    url = raw["url"].strip() if raw["url"] else None
    if url and _UNPRINTABLE.search(url):
        raise fail(f"field 'url' holds a control character at {_UNPRINTABLE.search(url).start()}", Codes.BAD_FIELD)
    language = _language(raw["lang"], fail) if raw["lang"] else identify_language(f"{title or ''}\n{text}")
    fp = fingerprint(text)
    article_id = _article_id(raw["id"], fail) if raw["id"] not in (None, "") else _content_id(src, published, title, fp)
    return Article(
        id=article_id,
        text=text,
        source=src or None,
        url=url,
        title=title or None,
        published=published,
        language=language,
        fingerprint=fp,
        origin=excerpt(f"{record.origin}:{record.line}", 10_000),
        segments=tuple(segment(text)),
    )


def _field_text(name: str, value: Any, limit: int | None, fail) -> str | None:
    """A known field as text, or a rejection: wrong type, a number beyond 64 bits, too long, a lone surrogate."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise fail(f"field {name!r} must be a string, got {type(value).__name__}", Codes.BAD_FIELD)
    if isinstance(value, int):
        if abs(value) >= _INT_LIMIT:
            raise fail(f"field {name!r} is a number of more than 19 digits", Codes.BAD_FIELD)
        value = str(value)
    if limit is not None and len(value) > limit:
        setting = "max_article_chars" if name == "text" else f"max_{name}_chars"
        raise fail(f"field {name!r} is too large ({len(value):,} characters; the limit is {limit:,}, setting {setting})",
                   Codes.TOO_LARGE)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate ("\ud800"): no UTF-8 text can hold it
        raise fail(f"field {name!r} holds a lone surrogate {value[exc.start]!r} at character {exc.start}, "
                   "which is not text", Codes.NOT_UTF8) from None
    return value


def _article_id(value: str, fail) -> str:
    bad = _UNPRINTABLE.search(value)
    if bad is not None:
        raise fail(f"field 'id' holds a control character {bad.group()!r} at {bad.start()}", Codes.BAD_FIELD)
    article_id = value.strip()
    if not article_id:
        raise fail("field 'id' is blank (only whitespace); give a real id or leave it out for a content id", Codes.BAD_FIELD)
    if _RESERVED_ID.fullmatch(article_id):
        raise fail(f"field 'id': {article_id!r} has the form of a story or event id (S<n>, E<n>), "
                   "which articles may not take", Codes.BAD_FIELD)
    return article_id


def _language(value: str, fail) -> str:
    lang = value.strip().lower()
    if len(lang) > _LANG_CHARS or _UNPRINTABLE.search(lang):
        raise fail(f"field 'lang': {value[:40]!r} is not a language tag such as 'en' or 'pt-br' "
                   f"(at most {_LANG_CHARS} printable characters)", Codes.BAD_FIELD)
    return lang


def _parse_date(value: str | None, fail) -> dt.date | None:
    if value in (None, ""):
        return None
    text = value.strip()
    match = _DATE.match(text[:_DATE_CHARS])
    if match is None or len(value) > _DATE_CHARS:
        raise fail(f"field 'date': {text[:40]!r} is not a date in the form YYYY-MM-DD", Codes.BAD_DATE)
    try:
        day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise fail(f"field 'date': {text!r} is not a valid date ({exc})", Codes.BAD_DATE) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise fail(f"field 'date': {text!r} is outside the dates a store holds "
                   f"({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()})", Codes.BAD_DATE)
    return day


def _content_id(source: str | None, published: dt.date | None, title: str | None, fp: str) -> str:
    key = "\x1f".join([source or "", published.isoformat() if published else "", title or "", fp])
    return "a" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:15]


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_MANY_BREAKS = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """NFC, one kind of line break, no control characters, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text.replace("\ufeff", "").replace("\u200b", ""))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_BREAKS.sub("\n\n", "\n".join(lines)).strip()


def fingerprint(text: str) -> str:
    """Hash of the text reduced to lower-case words: equal for exact copies."""
    words = re.findall(r"\w+", text.lower())
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


def identify_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (offline, py3langid), or None for too little text."""
    sample = text[:2000]
    if len(re.findall(r"\w+", sample)) < 3:
        return None
    import py3langid

    lang, _score = py3langid.classify(sample)
    return str(lang)


# ---------------------------------------------------------------- segmentation

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj sgt capt cpl adm cmdr gov sen rep rev st jr sr inc corp co ltd
    no nos vs etc al fig jan feb mar apr jun jul aug sep sept oct nov dec mt ft pres dept univ est approx
    u.s u.k u.n e.g i.e a.m p.m d.c n.y l.a""".split()
)
_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«"
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]»]*(?=\s+)")
_NEXT = re.compile(r"\s+(\S)")
_LAST_TOKEN = re.compile(r"([\w.]+)$")
#: Longer tokens are never abbreviations; looking back no further keeps splitting linear.
_ABBREVIATION_CHARS = 24
_TERMINAL = tuple(".!?:;,…\"'”’)]»")


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, shifted by ``offset``."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        nxt = _NEXT.match(text, end)
        if nxt is None:
            continue
        following = nxt.group(1)
        if not (following.isupper() or following.isdigit() or following in _OPENERS):
            continue
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = nxt.start(1)
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s + offset, e + offset) for s, e in spans]


def _is_abbreviation(text: str, dot: int) -> bool:
    window_start = max(0, dot - _ABBREVIATION_CHARS)
    word = _LAST_TOKEN.search(text, window_start, dot)
    if word is None or (word.start() == window_start and window_start > 0):
        return False  # no token, or one longer than any abbreviation
    token = word.group(1).lower()
    if token in _ABBREVIATIONS:
        return True
    # single initials ("J. Smith") and dotted acronyms ("U.S.")
    return len(token) == 1 and token.isalpha() or bool(re.fullmatch(r"(?:\w\.)+\w", token))


def _is_heading(block: str, is_last: bool) -> bool:
    if is_last or "\n" in block or len(block) > 80:
        return False
    words = block.split()
    return (
        0 < len(words) <= 10
        and not block.endswith(_TERMINAL)
        and (block[0].isupper() or block[0].isdigit())
    )


def segment(text: str) -> list[Segment]:
    """Headings and sentences of ``text``, paragraph by paragraph.

    Paragraphs are separated by blank lines. A short one-line paragraph without
    closing punctuation that is followed by more text is a heading. Inside a
    paragraph, a line break ends a sentence unless the lines are hard-wrapped.
    """
    segments: list[Segment] = []
    blocks = [(m.start(), m.group()) for m in re.finditer(r"[^\n](?:.|\n(?!\n))*", text)]
    for number, (start, block) in enumerate(blocks):
        if _is_heading(block, number == len(blocks) - 1):
            segments.append(Segment("heading", start, start + len(block), number))
            continue
        for line_start, line in _units(block):
            for s, e in split_sentences(line, start + line_start):
                segments.append(Segment("sentence", s, e, number))
    return segments


def _units(block: str) -> list[tuple[int, str]]:
    lines = block.split("\n")
    wrapped = len(lines) > 1 and all(len(l) > 40 and not l.endswith(_TERMINAL) for l in lines[:-1])
    if wrapped:
        return [(0, block.replace("\n", " "))]
    units, pos = [], 0
    for line in lines:
        units.append((pos, line))
        pos += len(line) + 1
    return units
