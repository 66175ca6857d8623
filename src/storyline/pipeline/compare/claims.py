"""Claims: each report of an event cut into claim units, each with the slots the pipeline reads.

A claim is a sentence, or a clause of a long sentence ("…, where US
servicemen are training local forces"; "…, a US military official said the
operation…"), with its character span in the article text, the sentence's
index, its attribution ("the WSJ writes") and the slots other stages
extract: counts of killed and injured (``record/counts.py``), other numbers
with their unit ("900 US troops", "$3 billion"), day-precision event dates
(``dates.py``), the actor and target (``record/actors.py``), and whether the
main statement is negated. Slots are what facts are compared on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Sequence

from ...model import Article, Mention
from ..entities import LABELS
from ..record.actors import Actor, assign_roles
from ..record import finders
from ..record.counts import CountMention
from .furniture import is_furniture, is_headline, lead_furniture

__all__ = ["Claim", "Quantity", "split_claims", "content_words", "MAX_CLAIMS"]

#: claims read per report (a bound on the cost of one report; the lead comes first)
MAX_CLAIMS = 80
#: sentences longer than this may be cut at a clause boundary
_LONG = 140
_MIN_CLAUSE = 45
_CLAUSE = re.compile(
    r",\s+(?=(?:where|which|while|whereas|although|though|but|however|after which|as)\b)"
    r"|;\s+"
    r"|,\s+(?=(?:(?:a|an|the|one|two|some|several)\s+)?(?:[A-Z][\w.’'-]*\s+|[a-z][\w’'-]*\s+){0,4}"
    r"(?:said|says|told|noted|added|stated|reported|wrote|writes)\b)",
)
#: a sentence that opens with a subordinate clause ("After Russia informed the US …, its aircraft struck …")
_LEADING_CLAUSE = re.compile(r"(?:After|When|Although|Though|While|Because|Before|As|Since|If|Once)\b[^,;]{30,}?,\s+")
#: "a Tuesday deadline", "by Friday", "until Monday": a day that dates something other than the reported event
_DATE_OF_ANOTHER_THING = re.compile(r"\b(?:a|an|by|until|till|before|since|through|deadline(?:\s+of)?|due)\s+(?:(?:this|next|last)\s+)?$", re.IGNORECASE)
#: "Tuesday's vote", "Monday night's game"... kept; "Tuesday deadline" (a noun right after the day) is not the event's day
_DATE_AS_MODIFIER = re.compile(r"(?:[’']s\b|\s+(?:deadline|meeting|vote|hearing|election|summit|session|talks|court date)\b)", re.IGNORECASE)
#: cheap tests before the costly slot patterns: a casualty word (counts), a digit or a day word (dates)
_MAY_COUNT = re.compile(r"kill|dead|die|death|slain|murder|execut|behead|lynch|massacr|perish|succumb|lost (?:their|his|her) li|"
                        r"injur|wound|hurt|hospitali|casualt|fatalit|victim|harm|toll|bodies", re.IGNORECASE)
_MAY_DATE = re.compile(r"\d|day\b|tonight|yesterday|week|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|n[o’']t|denied|denies|deny|rejected the claim|refused to)\b|\w+n[’']t\b", re.IGNORECASE)
#: v2: "be denied entry", "were denied bail": a passive "denied" is a refusal of something, not a denial of a statement
_PASSIVE_DENIED = re.compile(r"\b(?:be|been|being|is|are|was|were|get|got)\s+denied\b", re.IGNORECASE)
#: v2: a number glued to a name by a hyphen ("COVID-19", "F-16") or one side of a tally or range ("67-32") is no quantity
#: v3: "denied a Nichols offer", "denies them access": denying someone a thing is a refusal, not a denial of a statement
REFUSAL = re.compile(r"\b(?:denied|denies|deny|denying)\s+(?:a|an|him|her|them|us|me|his|their|its)\b", re.IGNORECASE)
_NAMED_OR_TALLY = re.compile(r"(?:[A-Za-z]-|\d[-–])$")
_TALLY_AFTER = re.compile(r"[-–]\d")
#: v2: "60m", "5bn", "10k": a multiplier written as a letter or two right after the number
_SHORT_MULTIPLIER = re.compile(r"(k|m|bn|b|tn)(?![A-Za-z])", re.IGNORECASE)
_SHORT_MULTIPLIERS = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12}
#: v2: words the unit pattern may take for a noun that measure nothing ("412,000 last week", "121 still missing")
_NOT_A_UNIT = frozenset("last next past previous first second third new other additional still only just less fewer".split())
#: v4: a number naming a place or a thing, not an amount ("the 12000 block of East 223rd Street", "Route 66", "Room 101")
_ADDRESS_UNITS = frozenset("block street avenue road route highway lane floor room suite gate pier terminal".split())
#: v4: a currency written with its country ("$US1 million", "US$5", "A$3"): the amount is in that currency
_CODED_CURRENCY = re.compile(r"(?:[$€£](?:US|AU|A|NZ|C|HK|S)|(?:US|AU|A|NZ|C|HK|S)[$])(?=\d)")
_STOP = frozenset("""a an the of to in on at by for with from and or but as is are was were be been being has have had do does
did that this these those it its their his her they them he she we you i which who whom whose what when where while
there here than then so such into over under about after before between also not no said says say told according
would could should will can may might must just more most other some any all each both one two three us s
monday tuesday wednesday thursday friday saturday sunday today yesterday tonight morning evening night
january february march april june july august september october november december""".split())
_UNIT = re.compile(r"\s*(?:[$€£])?\s*(?:(?:million|billion|trillion|thousand|hundred)\s+)?(?:per\s*cent|percent|%|"
                   r"(?:[A-Za-z][\w'’-]*\s+){0,2}?(?P<noun>[a-z][a-z'’-]{2,}))")
_NUMBER = re.compile(r"(?<![\w.,])(?P<cur>[$€£])?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.,]\d)"
                     r"(?:\s*(?P<mult>million|billion|trillion|thousand)\b)?")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit ("900" "troops"; "3000000000" "$"); ``approx`` when qualified ("about 900")."""

    unit: str
    value: float
    start: int  # into the article text
    end: int
    text: str
    approx: bool = False


@dataclass
class Claim:
    article: Article
    source: str
    index: int  # the sentence's index among the article's sentences
    start: int
    end: int
    text: str
    attribution: str | None = None
    upstream: str | None = None
    counts: tuple[CountMention, ...] = ()  # offsets into the article text
    quantities: tuple[Quantity, ...] = ()
    dates: tuple[tuple[str, int, int], ...] = ()  # (ISO day, start, end)
    actor1: Actor | None = None
    actor2: Actor | None = None
    negated: bool = False
    words: frozenset[str] = field(default_factory=frozenset)
    #: the linked keys of the named entities in the claim ("ISIS" and "the Islamic State" share one)
    entities: frozenset[str] = field(default_factory=frozenset)
    #: set by the aligner: the fact the claim states
    fact: int | None = None


def content_words(text: str) -> frozenset[str]:
    """Lower-cased content words, crudely stemmed ("troops" ~ "troop", "attacked" ~ "attack")."""
    stems = _STEMS
    if len(stems) > _STEMS_KEPT:
        stems.clear()
    out = set()
    for token in _TOKEN.findall(text.lower()):
        stem = stems.get(token, _UNSEEN)
        if stem is _UNSEEN:
            stem = stems[token] = _stem(token)
        if stem is not None:
            out.add(stem)
    return frozenset(out)


_TOKEN = re.compile(r"[a-z0-9][a-z0-9'’-]*")
#: token -> its stem, or None for a stop word (a token's stem depends on the token alone)
_STEMS: dict[str, str | None] = {}
_STEMS_KEPT = 100_000
_UNSEEN = object()


def _stem(w: str) -> str | None:
    w = w.strip("'’-")
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    if w in _STOP or len(w) < 2:
        return None
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the clauses of the sentence ``text[start:end]`` (the sentence itself when short)."""
    if end - start <= _LONG:
        return [(start, end)]
    cuts = [start]
    lead = _LEADING_CLAUSE.match(text, start, end)
    if lead and end - lead.end() >= _MIN_CLAUSE:
        cuts.append(lead.end())
    for m in _CLAUSE.finditer(text, cuts[-1], end):
        if m.start() - cuts[-1] >= _MIN_CLAUSE and end - m.end() >= _MIN_CLAUSE:
            cuts.append(m.end())
    spans = []
    for a, b in zip(cuts, cuts[1:] + [end]):
        b2 = b
        while b2 > a and text[b2 - 1] in " ,;":
            b2 -= 1
        spans.append((a, b2))
    return spans


def _quantities(text: str, start: int, end: int, counted: Sequence[tuple[int, int]], rules: int = 1) -> tuple[Quantity, ...]:
    out = []
    # v4: "$US1 million" is read as "  $1 million" (same offsets), so the claim's two sums "$US1 million ($1.52 million)"
    # are both seen and the claim compares neither
    view = _CODED_CURRENCY.sub(lambda m: " " * (len(m.group(0)) - 1) + "$", text[start:end]) if rules >= 4 else None
    found = _NUMBER.finditer(text if view is None else text[:start] + view + text[end:], start, end)
    for m in found:
        if any(s <= m.start() < e for s, e in counted):
            continue  # a count of killed or injured has its own slot
        if rules >= 2 and (_NAMED_OR_TALLY.search(text, max(start, m.start() - 2), m.start())
                           or _TALLY_AFTER.match(text, m.end())):
            continue
        num = float(m.group("num").replace(",", ""))
        if m.group("mult"):
            num *= {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}[m.group("mult")]
        short = _SHORT_MULTIPLIER.match(text, m.end()) if rules >= 2 and not m.group("mult") else None
        if short:  # "60m doses", "$5bn", "10k runners"
            num *= _SHORT_MULTIPLIERS[short.group(1).lower()]
        elif rules >= 4 and not m.group("mult") and m.end() < end and text[m.end()].isalpha():
            continue  # v4: a number glued to letters is a name ("76ers", "3M", "4th"), not an amount
        if 1900 <= num <= 2100 and not m.group("cur"):
            continue  # a year
        unit_m = _UNIT.match(text, short.end() if short else m.end())
        if m.group("cur"):
            unit = m.group("cur")
        elif unit_m and unit_m.group(0).strip().lower() in ("percent", "per cent", "%"):
            unit = "%"
        elif unit_m and unit_m.group("noun") and unit_m.end() <= end:
            unit = unit_m.group("noun").lower().rstrip("s")
        else:
            continue
        if unit in _STOP or unit in ("year", "month", "day", "week", "hour", "minute", "am", "pm") or (
                rules >= 2 and unit in _NOT_A_UNIT) or (rules >= 4 and unit in _ADDRESS_UNITS):
            continue
        before = text[max(start, m.start() - 20):m.start()].lower()
        approx = bool(re.search(r"(?:about|around|nearly|almost|roughly|some|over|more than|at least|up to|approximately|estimated)\s*$", before))
        out.append(Quantity(unit, num, m.start(), m.end(), text[m.start():m.end()], approx))
    return tuple(out)


def _slots(claim: Claim, mentions: Sequence[Mention], anchor: dt.date | None, rules: int = 1,
           words: frozenset[str] | None = None) -> None:
    """Read the claim's slots; ``mentions`` may be only the article's entity mentions (the others are not read here),
    ``words`` the claim's content words when already read."""
    text, s, e = claim.article.text, claim.start, claim.end
    sentence = text[s:e]
    if _MAY_COUNT.search(sentence):  # the count patterns are costly: only where a casualty word stands
        claim.counts = tuple(CountMention(c.kind, c.value, c.start + s, c.end + s, c.text, c.exact, c.low, c.high, c.total,
                                          c.negation, c.scope) for c in finders.counts(sentence))
    claim.quantities = _quantities(text, s, e, [(c.start, c.end) for c in claim.counts], rules)
    plain = _PASSIVE_DENIED.sub(" ", sentence) if rules >= 2 else sentence
    claim.negated = bool(_NEGATION.search(REFUSAL.sub(" ", plain) if rules >= 3 else plain))
    claim.words = content_words(sentence) if words is None else words
    claim.entities = frozenset(m.key for m in mentions if m.label in LABELS and m.key and s <= m.start and m.end <= e)
    if not _MAY_DATE.search(sentence):
        claim.dates = ()
    else:
        _dates(claim, sentence, mentions, anchor)
    _actors(claim, sentence, mentions)


def _dates(claim: Claim, sentence: str, mentions: Sequence[Mention], anchor: dt.date | None) -> None:
    s = claim.start
    event_days = {v.iso() for v in finders.event_days(sentence, anchor)}
    claim.dates = tuple((m.date.iso(), m.start + s, m.end + s) for m in finders.dates(sentence, anchor)
                        if m.date.iso() in event_days and m.date.precision == "day" and not _DATE_OF_ANOTHER_THING.search(sentence[:m.start])
                        and not _DATE_AS_MODIFIER.match(sentence, m.end))


def _actors(claim: Claim, sentence: str, mentions: Sequence[Mention]) -> None:
    s, e = claim.start, claim.end
    triggers = finders.triggers(sentence)
    if not triggers:  # who did what to whom needs an act
        return
    spans = [(m.start - s, m.end - s, m.label) for m in mentions if m.label in LABELS and s <= m.start and m.end <= e]
    actors = list(finders.actors(sentence, tuple(spans)))
    if actors:
        t = triggers[0]
        claim.actor1, claim.actor2 = assign_roles(sentence, actors, t.start, t.end, t.plover)


def _attribution(mentions: Sequence[Mention], start: int, end: int) -> tuple[str | None, str | None]:
    """(who the claim's sentence credits, the outlet it names when that is an outlet)."""
    for m in mentions:
        if m.label != "ATTRIBUTION":
            continue
        s0, s1 = m.detail.get("sentence_start", m.start), m.detail.get("sentence_end", m.end)
        if s0 <= start < s1 or start <= m.start < end:
            src = m.detail.get("source") or m.text
            return src, (m.key if m.detail.get("kind") == "outlet" else None)
    return None, None


def split_claims(article: Article, mentions: Sequence[Mention], upstream: str | None = None, rules: int = 1) -> list[Claim]:
    """The claims of one report, in text order (at most :data:`MAX_CLAIMS`); ``rules`` 2 reads slots as v2 does
    (no quantity in a name or a tally, "60m" is 60 million, no unit "last" or "still", no denial in a passive
    "be denied"); ``rules`` 3 also reads no claim from page furniture (:mod:`.furniture`)."""
    source = article.source or article.id
    sentences = [seg for seg in article.segments if seg.kind == "sentence"] or []
    spans = [(seg.start, seg.end) for seg in sentences] or ([(0, len(article.text))] if article.text.strip() else [])
    out: list[Claim] = []
    # read once per report: the slots read only the entity mentions, the attribution only the attributions
    entities = [m for m in mentions if m.label in LABELS]
    attributions = [m for m in mentions if m.label == "ATTRIBUTION"]
    for index, (s, e) in enumerate(spans):
        if rules >= 3:  # v3: no claim from a dateline, a byline, a time stamp, a photo credit, boilerplate or the headline
            if is_headline(article.text, s, e) or is_furniture(article.text[s:e], article.title):
                continue
            s += lead_furniture(article.text[s:e])
        attribution, cited = _attribution(attributions, s, e)
        for cs, ce in _clauses(article.text, s, e):
            words = content_words(article.text[cs:ce])
            if len(words) < 3:
                continue
            claim = Claim(article, source, index, cs, ce, article.text[cs:ce], attribution, cited or upstream)
            _slots(claim, entities, article.published, rules, words)
            out.append(claim)
            if len(out) >= MAX_CLAIMS:
                return out
    return out
