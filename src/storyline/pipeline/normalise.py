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
from typing import Any

from ..errors import Codes, InputError
from ..model import Article, RawRecord, Segment

__all__ = ["to_article", "clean_text", "segment", "split_sentences", "fingerprint", "identify_language"]

_KNOWN_FIELDS = ("id", "date", "source", "title", "text", "url", "lang")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$")


def to_article(record: RawRecord, *, source: str | None = None, max_chars: int = 2_000_000) -> Article:
    """Validate ``record`` and build the article; raise :class:`InputError` naming the field."""
    fields = record.fields

    def fail(message: str, code: str) -> InputError:
        return InputError(message, code=code, origin=record.origin, line=record.line)

    for name in _KNOWN_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, (str, int)) or isinstance(value, bool):
            raise fail(f"field {name!r} must be a string, got {type(value).__name__}", Codes.BAD_FIELD)
    raw_text = fields.get("text")
    if raw_text is None:
        raise fail("missing field 'text'", Codes.MISSING_FIELD)
    if len(str(raw_text)) > max_chars:
        raise fail(f"field 'text' is too large ({len(str(raw_text)):,} characters; the limit is {max_chars:,})", Codes.TOO_LARGE)
    text = clean_text(str(raw_text))
    if not text:
        raise fail("field 'text' is empty", Codes.EMPTY_TEXT)
    published = _parse_date(fields.get("date"), fail)
    title = clean_text(str(fields["title"])) if fields.get("title") not in (None, "") else None
    src = fields.get("source") or source
    src = str(src).strip() if src is not None else None
    url = str(fields["url"]).strip() if fields.get("url") else None
    language = str(fields["lang"]).strip().lower() if fields.get("lang") else identify_language(f"{title or ''}\n{text}")
    fp = fingerprint(text)
    given_id = fields.get("id")
    article_id = str(given_id).strip() if given_id not in (None, "") else _content_id(src, published, title, fp)
    return Article(
        id=article_id,
        text=text,
        source=src or None,
        url=url,
        title=title or None,
        published=published,
        language=language,
        fingerprint=fp,
        origin=f"{record.origin}:{record.line}",
        segments=tuple(segment(text)),
    )


def _parse_date(value: Any, fail) -> dt.date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    match = _DATE.match(text)
    if match is None:
        raise fail(f"field 'date': {text!r} is not a date in the form YYYY-MM-DD", Codes.BAD_DATE)
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise fail(f"field 'date': {text!r} is not a valid date ({exc})", Codes.BAD_DATE) from None


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
