"""Dates: find date expressions in English text and resolve them against an anchor.

The anchor is the article's publication date. "On Wednesday" in an article
of Saturday 2022-06-18 is 2022-06-15 (the latest Wednesday on or before the
anchor); "this week" is the interval Monday..Sunday around the anchor with
week precision; "in February 2018" is the month with month precision;
"since 2011" is an interval from 2011 to the anchor. The raw text and the
anchor are kept with every resolved value.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ..model import DatePrecision as P
from ..model import FuzzyDate, Mention
from .fold import ascii_lowered, is_lower_ascii_pattern

__all__ = ["DateMention", "find_dates", "event_date_candidates", "date_mentions"]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join(_WEEKDAYS) + r")"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("month_day", re.compile(r"\b" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?\b", re.I)),
    ("day_month", re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(?P<y>\d{4}))?\b", re.I)),
    ("month_year", re.compile(r"\b(?:in|since|during|until|by|from)?\s*" + _MONTH + r",?\s+(?P<y>\d{4})\b", re.I)),
    ("weekday", re.compile(r"\b(?P<rel>last|this|next|on|early|late|until|till)?\s*" + _WEEKDAY + r"\b", re.I)),
    ("relative_day", re.compile(r"\b(?P<word>yesterday|today|tonight|this morning|this afternoon|this evening|last night)\b", re.I)),
    ("relative_span", re.compile(r"\b(?P<rel>this|last|next|earlier this|later this)\s+(?P<unit>week|month|year)\b", re.I)),
    ("since_year", re.compile(r"\bsince\s+(?P<y>(?:19|20)\d{2})\b", re.I)),
    ("in_year", re.compile(r"\b(?:in|during|of)\s+(?P<y>(?:19|20)\d{2})\b(?!\s*(?:-|–|people|troops|km|kilometres|miles|%))", re.I)),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    date: FuzzyDate


def _week(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _infer_year(month: int, day: int, anchor: dt.date) -> dt.date | None:
    """The year that puts month/day nearest the anchor, preferring the past."""
    try:
        candidate = dt.date(anchor.year, month, day)
    except ValueError:
        return None
    if candidate > anchor + dt.timedelta(days=60):
        try:
            return dt.date(anchor.year - 1, month, day)
        except ValueError:
            return None
    return candidate


def _resolve(kind: str, m: re.Match[str], anchor: dt.date | None) -> FuzzyDate | None:
    g = m.groupdict()
    text = m.group(0).strip()
    try:
        if kind == "iso":
            day = dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
            return FuzzyDate(day, P.DAY, day, day, text, anchor)
        if kind in ("month_day", "day_month"):
            month, d = _MONTHS[g["month"].lower().rstrip(".")], int(g["d"])
            if g.get("y"):
                day = dt.date(int(g["y"]), month, d)
            elif anchor is not None:
                day = _infer_year(month, d, anchor)
                if day is None:
                    return None
            else:
                return None
            return FuzzyDate(day, P.DAY, day, day, text, anchor)
        if kind == "month_year":
            start, end = _month(int(g["y"]), _MONTHS[g["month"].lower().rstrip(".")])
            if text.lower().startswith("since"):
                return FuzzyDate(start, P.INTERVAL, start, anchor or end, text, anchor)
            return FuzzyDate(start, P.MONTH, start, end, text, anchor)
        if kind == "since_year":
            start = dt.date(int(g["y"]), 1, 1)
            return FuzzyDate(start, P.INTERVAL, start, anchor or dt.date(int(g["y"]), 12, 31), text, anchor)
        if kind == "in_year":
            year = int(g["y"])
            return FuzzyDate(dt.date(year, 1, 1), P.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), text, anchor)
        if anchor is None:
            return None
        if kind == "weekday":
            target = _WEEKDAYS[g["weekday"].lower()]
            rel = (g.get("rel") or "").lower()
            back = (anchor.weekday() - target) % 7
            if rel == "last" and back == 0:
                back = 7
            if rel == "next" or (rel in ("until", "till") and back != 0):
                ahead = (target - anchor.weekday()) % 7 or 7
                day = anchor + dt.timedelta(days=ahead)
            else:
                day = anchor - dt.timedelta(days=back)
            return FuzzyDate(day, P.DAY, day, day, text, anchor)
        if kind == "relative_day":
            word = g["word"].lower()
            day = anchor - dt.timedelta(days=1) if word in ("yesterday", "last night") else anchor
            return FuzzyDate(day, P.DAY, day, day, text, anchor)
        if kind == "relative_span":
            rel, unit = g["rel"].lower(), g["unit"].lower()
            shift = -1 if rel == "last" else 1 if rel == "next" else 0
            if unit == "week":
                start, end = _week(anchor + dt.timedelta(weeks=shift))
                precision = P.WEEK
            elif unit == "month":
                y, mo = divmod(anchor.year * 12 + anchor.month - 1 + shift, 12)
                start, end = _month(y, mo + 1)
                precision = P.MONTH
            else:
                start, end = dt.date(anchor.year + shift, 1, 1), dt.date(anchor.year + shift, 12, 31)
                precision = P.YEAR
            if rel.startswith("earlier"):
                end = anchor
            return FuzzyDate(start, precision, start, end, text, anchor)
    except (ValueError, KeyError, OverflowError):
        return None
    return None


#: dates outside this range are not resolved (a year-1 date cannot be counted back from or widened by a window)
EARLIEST = dt.date(1000, 1, 1)
LATEST = dt.date(2999, 12, 31)
_TAKEN = b"\x01"
#: the patterns whose every match holds a digit
_NEED_DIGITS = frozenset({"iso", "month_day", "day_month", "month_year", "since_year", "in_year"})
_DIGIT = re.compile(r"\d")
#: for the others, the lower-case words one of which every match holds (found in the ASCII-lowered text)
_NEEDS = {
    "weekday": tuple(_WEEKDAYS),
    "relative_day": ("yesterday", "today", "tonight", "this morning", "this afternoon", "this evening", "last night"),
    "relative_span": ("week", "month", "year"),
}
assert set(_NEED_DIGITS) | set(_NEEDS) == {kind for kind, _ in _PATTERNS}
#: the patterns, case-sensitive, for the ASCII-lowered text (:mod:`.fold`); the months and weekdays are lower-case
_CASED = {kind: re.compile(pattern.pattern) for kind, pattern in _PATTERNS}
assert all(is_lower_ascii_pattern(pattern.pattern) for _, pattern in _PATTERNS)


def _in_range(value: FuzzyDate) -> bool:
    return all(d is None or EARLIEST <= d <= LATEST for d in (value.value, value.start, value.end))


def find_dates(text: str, anchor: dt.date | None) -> list[DateMention]:
    """Every resolvable date expression in ``text``, longest match first, no overlaps.

    Linear in the text: the characters already taken by a date are marked in
    one byte array, so checking a match for overlap costs its own length (not
    the number of dates found before it). An anchor outside
    :data:`EARLIEST`..:data:`LATEST` resolves nothing relative to it.

    The same dates as :func:`find_dates_reference`: a pattern is not run on a text that lacks what every match
    of it holds (:data:`_NEEDS`), which cannot change what the others find.
    """
    lowered = ascii_lowered(text)
    if lowered is None:
        return find_dates_reference(text, anchor)
    digits = _DIGIT.search(text) is not None
    patterns = [(kind, pattern, _CASED[kind]) for kind, pattern in _PATTERNS
                if (digits if kind in _NEED_DIGITS else any(word in lowered for word in _NEEDS[kind]))]
    return _find(text, anchor, patterns, lowered)


def find_dates_reference(text: str, anchor: dt.date | None) -> list[DateMention]:
    """:func:`find_dates` with every pattern run over the whole text (the specification)."""
    return _find(text, anchor, [(kind, pattern, pattern) for kind, pattern in _PATTERNS], text)


def _find(text: str, anchor: dt.date | None, patterns: list[tuple[str, re.Pattern[str], re.Pattern[str]]],
          searched: str) -> list[DateMention]:
    """The dates of ``text``; each pattern's places are found by its second form in ``searched`` (the text, or
    its ASCII-lowered copy searched case-sensitively), and the match is then read from the text itself."""
    if anchor is not None and not EARLIEST <= anchor <= LATEST:
        anchor = None
    found: list[DateMention] = []
    taken = bytearray(len(text))
    for kind, pattern, search in patterns:
        for place in search.finditer(searched):
            m = place if searched is text else pattern.match(text, place.start())
            start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            end = m.end()
            if taken.find(_TAKEN, start, end) != -1:
                continue
            value = _resolve(kind, m, anchor)
            if value is None or not _in_range(value):
                continue
            taken[start:end] = _TAKEN * (end - start)
            found.append(DateMention(start, end, text[start:end], value))
    return sorted(found, key=lambda d: d.start)


_REPORTING = re.compile(
    r"\b(?:said|says|reported|reports|wrote|writes|told|announced|stated|noted|added|published|confirmed|"
    r"tweeted|posted|statement|report|interview|briefing)\b[^.;]{0,12}$",
    re.I,
)


def event_date_candidates(sentences: list[str], anchor: dt.date | None, window_days: int = 14) -> list[FuzzyDate]:
    """Day-precision dates in the lead sentences that may date the reported event.

    A date attached to a reporting verb ("the newspaper wrote on Friday") dates
    the report, not the event, and is skipped; so are dates after the anchor or
    more than ``window_days`` before it.
    """
    if anchor is not None and not EARLIEST <= anchor <= LATEST:
        anchor = None
    out = []
    for sentence in sentences:
        for mention in find_dates(sentence, anchor):
            value = mention.date
            if value.precision != P.DAY or value.value is None:
                continue
            if _REPORTING.search(sentence[: mention.start]):
                continue
            if anchor is not None and not (anchor - dt.timedelta(days=window_days) <= value.value <= anchor):
                continue
            out.append(value)
    return out


def date_mentions(article_id: str, text: str, anchor: dt.date | None) -> list[Mention]:
    """Every date expression of an article as a DATE mention: key = ISO value, detail = precision and interval."""
    out = []
    for found in find_dates(text, anchor):
        d = found.date
        detail = {
            "value": d.iso(),
            "precision": d.precision,
            "start": d.start.isoformat() if d.start else None,
            "end": d.end.isoformat() if d.end else None,
            "anchor": d.anchor.isoformat() if d.anchor else None,
            "reporting": bool(_REPORTING.search(text[max(0, found.start - 60) : found.start])),
        }
        out.append(Mention(article_id, found.start, found.end, found.text, "DATE", d.iso() or "", detail))
    return out


class RuleDates:
    """The dates stage: every date expression of an article, and the candidate dates of its event."""

    name = "dates.rules.v1"

    def mentions(self, article_id: str, text: str, anchor: dt.date | None) -> list[Mention]:
        return date_mentions(article_id, text, anchor)

    def event_dates(self, sentences: list[str], anchor: dt.date | None) -> list[FuzzyDate]:
        return event_date_candidates(sentences, anchor)


def _rules(options) -> RuleDates:
    return RuleDates()
