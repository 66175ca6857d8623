"""Page furniture: the parts of a report that state nothing about the event (v3 claims).

A web page or wire story carries lines around its sentences that the
sentence splitter reads as sentences: the dateline in front of the lead
("WASHINGTON (Reuters) -", "Mumbai, Nov 11 -"), the byline ("By Jane Doe,
CNN"), time stamps ("Posted: May 24, 2005", "Updated 4:08 p.m. ET"), photo
credits ("(AP Photo/Evan Vucci)"), share / newsletter / "Read more"
boilerplate, and the headline printed again at the top of the text. Read as
claims they give facts such as "different dates" between two reports that
only differ in when they were posted.

:func:`lead_furniture` is the length of a dateline or byline in front of a
claim (the claim starts after it); :func:`is_furniture` says a whole claim is
furniture. Every pattern is anchored and its repetitions bounded, so a long
line costs linear time.
"""

from __future__ import annotations

import re

__all__ = ["lead_furniture", "is_furniture", "is_headline"]

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAY = r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|urday|sday)?\.?"
#: "May 24, 2005", "24 May 2005", "Dec. 19, 2005", "08/02/2013", "2013-08-02", "Thu Jun 13, 2013"
_DATE = (rf"(?:(?:{_WEEKDAY},?\s{{1,3}})?(?:{_MONTH}\s{{1,3}}\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s{{1,3}}\d{{4}})?"
         rf"|\d{{1,2}}\s{{1,3}}{_MONTH}(?:,?\s{{1,3}}\d{{4}})?)|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}},\s{{1,3}}\d{{4}})")
#: "4:08 p.m. ET", "08:45 AM PDT", "2:48:40 PM", "22:46 GMT", "4:45pm", "GMT+01:0"
_TIME = r"(?:\d{1,2}[:.]\d{2}(?::\d{2})?\s{0,2}(?:[ap]\.?\s?m\.?)?(?:\s{0,2}[A-Z]{2,4}(?:[+-]\d{1,2}(?::\d{1,2})?)?)?)"
_STAMP_WORD = r"(?:(?:First|Last)\s{1,3})?(?:Posted|Published|Updated|Modified|Created|Last\s{1,3}updated|Filed|Originally\s{1,3}published)"
#: a line that is only a time stamp: "Posted: May 24, 2005", "Updated 4:08 p.m. ET", "September 9, 2013", "April 24, 2013-4:45pm"
_STAMP = re.compile(
    rf"\W{{0,3}}(?:{_STAMP_WORD}(?:\s{{1,3}}(?:on|at))?\s{{0,3}}:?\s{{0,3}})?(?:{_DATE}|{_TIME}|{_WEEKDAY})"
    rf"(?:[\s,;|@-]{{0,4}}(?:at\s{{1,3}})?(?:{_DATE}|{_TIME}|{_WEEKDAY}|{_STAMP_WORD}:?|ago|\d{{1,4}}(?!\d)|year|years|days?|hours?|minutes?|"
    rf"\[[^\]\n]{{0,40}}\]|\([^)\n]{{0,40}}\)))" + r"{0,8}\W{0,3}",
    re.IGNORECASE)
#: "Posted 1 year, 160 days ago [downloaded on 2 October 2013]": a stamp word at the start of a short line with a number
_STAMP_LEAD = re.compile(rf"\W{{0,3}}{_STAMP_WORD}(?:\s{{0,3}}:|\s{{1,3}}(?:on|at)\b|\s{{1,3}}\d)(?=[^\n]{{0,100}}\d)[^\n]{{0,100}}",
                         re.IGNORECASE)
_NAME = r"(?:[A-Z][a-zA-Z'’.-]{0,20}|[A-Z]\.)"
_BY = (rf"\s{{0,3}}By\s{{1,3}}(?!(?:{_MONTH}|{_WEEKDAY}|The|Then|Now|Late|Early|Noon|Midnight)\b){_NAME}(?:\s{{1,3}}{_NAME}){{0,3}}"
       rf"(?:\s{{0,2}}(?:,|and|&)\s{{1,3}}{_NAME}(?:\s{{1,3}}{_NAME}){{0,3}}){{0,3}}")
#: "By Jane Doe", "By Jane Doe and John Roe, CNN", "By JANE DOE | Associated Press", "Jane Doe contributed to this report."
_BYLINE = re.compile(
    _BY +
    r"(?:\s{0,2}[,|/•–—-]\s{0,2}[A-Za-z][\w.&' ]{0,40})?"
    rf"(?:\s{{0,3}}(?:{_STAMP_WORD}:?\s{{0,3}})?(?:{_DATE}|{_TIME})){{0,3}}\W{{0,3}}")
_CONTRIBUTED = re.compile(r"[^\n]{0,120}\b(?:contributed|contributed reporting)\s{1,3}(?:to\s{1,3}this\s{1,3}(?:report|story|article)|reporting)\W{0,3}",
                          re.IGNORECASE)
#: "WASHINGTON (Reuters) -", "WASHINGTON —", "ST. LOUIS, Mo. (AP) —", "WASHINGTON-April 27 -", "Mumbai, Nov 11 -", "(CNN) —"
_DATELINE_SOURCE = (
    rf"\s{{0,3}}(?:(?=[A-Z]{{3}}|[A-Z][A-Z.]{{0,3}}\s?[A-Z]{{3}})[A-Z][A-Z.'’]{{1,20}}(?:[ -][A-Z][A-Z.'’]{{1,20}}){{0,3}}"
    rf"(?:,\s{{1,3}}[A-Z][A-Za-z.]{{1,15}}(?:\s[A-Z][A-Za-z.]{{1,15}})?)?"
    rf"|[A-Z][a-z]{{2,20}}(?:\s[A-Z][a-z]{{2,20}})?(?=,\s{{0,3}}{_MONTH}\s{{0,3}}\d))"
    rf"(?:\s{{0,3}}\([^()\n]{{1,40}}\))?(?:\s{{0,3}}[,-]\s{{0,3}}{_DATE})?\s{{0,3}}(?:--|[—–-])\s{{1,3}}"
    r"|\s{0,3}\((?:[A-Z][\w.&' ]{1,30})\)\s{0,3}(?:--|[—–-])\s{1,3}")
_DATELINE = re.compile(_DATELINE_SOURCE)
#: a byline in front of a dateline: "By Jane Doe WASHINGTON (AP) — ..."
_BYLINE_LEAD = re.compile(_BY + r"\s{0,3}[,|]?\s{1,3}(?=" + _DATELINE_SOURCE + ")")
#: a photo credit in a caption: "(AP Photo/Evan Vucci)", "Photo: Getty Images", "Image credit: ...", "Credit: Reuters"
_PHOTO = re.compile(r"\b(?:AP|AFP|EPA|Reuters|Getty|Bloomberg)\s{0,2}(?:Photo|Images?|Pool)?\s{0,2}/"
                    r"|\b(?:Photo|Photograph|Image|Picture|Video)s?\s{0,2}(?:credit|courtesy|by)?\s{0,2}:"
                    r"|\b(?:Photo|Image|Picture)s?\s{1,2}(?:credit|courtesy\s{1,2}of|by)\b"
                    r"|\bCredit:\s|\bGetty\s{1,2}Images\b|\(Photo\b", re.IGNORECASE)
#: share, newsletter, "Read more" and other boilerplate around an article's text
_BOILERPLATE = re.compile(
    r"\b(?:read\s{1,2}(?:more|the\s{1,2}full|next)|sign\s{1,2}up|subscribe\b|newsletters?\b|click\s{1,2}here|"
    r"share\s{1,2}(?:this|on|via)\b|follow\s{1,2}us|all\s{1,2}rights\s{1,2}reserved|copyright\b|©|"
    r"related\s{0,2}:|advertisement\b|watch\s{0,2}:|listen\s{0,2}:|"
    r"this\s{1,2}(?:story|article|report)\s{1,2}(?:has\s{1,2}been|was|is\s{1,2}being)\s{1,2}updated|"
    r"(?:download|get)\s{1,2}(?:our|the)\s{1,2}app)", re.IGNORECASE)


def lead_furniture(text: str) -> int:
    """How many characters at the start of ``text`` are a dateline or a byline (0 when none)."""
    end = 0
    for _ in range(3):  # "By Jane Doe WASHINGTON (AP) — ...": a byline, then a dateline
        m = _DATELINE.match(text, end) or _BYLINE_LEAD.match(text, end)
        if m is None or m.end() == end:
            break
        end = m.end()
    return end


def is_furniture(text: str, title: str | None = None) -> bool:
    """Is the claim ``text`` a time stamp, a byline, a photo credit, boilerplate, or the title printed again?"""
    line = text.strip()
    if not line:
        return True
    if len(line) <= 160 and (_STAMP.fullmatch(line) or _STAMP_LEAD.fullmatch(line) or _BYLINE.fullmatch(line)
                             or _CONTRIBUTED.fullmatch(line)):
        return True
    if _PHOTO.search(line) or _BOILERPLATE.search(line):
        return True
    return bool(title) and _same_words(line, title)


def is_headline(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` a headline at the top of the text: one of its first lines, on a line of its own,
    without a sentence's final punctuation ("Lindsay Lohan checks into rehab at Betty Ford Center")?"""
    if text.count("\n", 0, start) > 3 or end - start > 160:
        return False
    before, after = text[max(0, start - 1):start], text[end:end + 1]
    line = text[start:end].rstrip()
    return before in ("", "\n") and after in ("", "\n") and not re.search(r"[.!?:;\"”’')]$", line)


def _same_words(a: str, b: str) -> bool:
    x, y = re.findall(r"\w+", a.lower()), re.findall(r"\w+", b.lower())
    return bool(x) and x == y
