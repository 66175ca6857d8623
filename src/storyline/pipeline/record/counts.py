"""Counts: how many were killed and injured, read from sentences with their spans.

:func:`find_counts` reads one sentence and returns every count mention in it:

* a number before a death or injury word: "three people were killed",
  "Nine soldiers and a PDF member were killed" (9 + 1), "a civilian was
  killed" (1), "12 dead", "two bodies were found";
* a number after an active verb: "killing 3", "shot and killed a clan elder"
  (1), "injuring nine";
* a stated total: "1 fatality", "3 fatalities", "death toll rose to 15",
  "fatalities coded as 10";
* a statement that nobody was hurt: "no casualties" (killed and injured are
  both 0), "there were no fatalities", "no one was injured". When the
  statement is limited to a group ("no casualties among US troops", "none of
  them were hurt") it is kept with that ``scope``: it says nothing about
  the others, so it never makes a whole-event count 0 on its own.

Numbers are digits or words ("twenty-five", "a dozen"). What is not exact is
marked ``exact=False``: ranges ("8-14", "between 5 and 10") count their low
end; "at least 12", "more than 20", "about 30" count the number stated; vague
quantities follow the convention event datasets such as ACLED use for
"unclear" reports: "several", "many", "a number of" count 10, "dozens" 12,
"scores" 20, "hundreds" 100, "thousands" 1000, "a few" 3. "Casualties
unknown" and an unnumbered "fighters were killed" give no count at all.

:func:`total_counts` combines the mentions of a group of sentences (one
report) into one value per kind: a stated total wins; otherwise sentences that
add to what came before ("also", "another", "separately") are summed and the
others give the largest count; a statement that nobody was hurt gives 0 only
when nothing else was counted; and a note that the count is "split between
N events/locations" divides it. None means "not reported".

A death the sentence recalls is not a count: "a year since Floyd was killed"
("a" opens "year since ...", no group of victims), "since three officers
were killed", "after ... was killed" are background of the reported event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

__all__ = ["CountMention", "CountValue", "find_counts", "total_counts", "parse_number", "KINDS"]

KINDS = ("killed", "injured")

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_VAGUE = {
    "several": 10, "many": 10, "numerous": 10, "multiple": 10, "a number of": 10, "an unknown number of": None,
    "dozens of": 12, "dozens": 12, "scores of": 20, "hundreds of": 100, "hundreds": 100, "thousands of": 1000,
    "thousands": 1000, "tens of thousands of": 10000, "tens of thousands": 10000, "hundreds of thousands of": 100000,
    "several hundred": 200, "a few hundred": 200, "several thousand": 2000, "a few thousand": 2000,
    "a few": 3, "few": 3,
}
#: "2.5 million", "two thousand": a number times its scale word
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_WORD_NUMBER = (r"(?:(?:" + "|".join(_TENS) + r")(?:[-\s](?:" + "|".join(w for w in _UNITS if w != "zero") + r"))?|"
                + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"|a dozen|a hundred|one hundred|a thousand)")
# never the tail of a longer number ("000" of "2,000", "5" of "2.5")
_DIGITS = r"(?<![\d.])(?<!\d,)(?:\d{1,3}(?:,\d{3})+|\d+)"
_NOT_A_COUNT = (r"(?!\s*(?:-?year|years?\b|yrs?\b|months?\b|days?\b|hours?\b|minutes?\b|km|kilomet|miles?\b|metres?\b|meters?\b|"
                r"m\b|mm\b|cm\b|kg\b|%|percent|per cent|am\b|pm\b|a\.m|p\.m|:\d|\.\d|st\b|nd\b|rd\b|th\b|caliber|calibre|"
                r"(?:january|february|march|april|may|june|july|august|september|october|november|december)\b))")
_SCALED = rf"(?:(?<![\d.])\d+(?:\.\d+)?|\b{_WORD_NUMBER})\s+(?:hundred|thousand|million|billion)\b"
_ONE_NUMBER = rf"(?:{_SCALED}|(?:{_DIGITS})\+?|\b{_WORD_NUMBER}\b)"
_QUALIFIER = (r"(?P<q>at least|at most|more than|over|about|around|nearly|almost|approximately|roughly|some|up to|"
              r"an estimated|as many as|close to|no fewer than|no less than)\s+")
_ANY_QUALIFIER = _QUALIFIER.replace("(?P<q>", "(?:")
NUMBER = (rf"(?:{_ANY_QUALIFIER})?(?:between\s+{_ONE_NUMBER}\s+and\s+{_ONE_NUMBER}|"
          rf"{_ONE_NUMBER}(?:\s*(?:-|–|to|or)\s*{_ONE_NUMBER})?{_NOT_A_COUNT}|"
          r"\b(?:" + "|".join(sorted(_VAGUE, key=len, reverse=True)) + r")\b|\b(?:a|an|one|both)\b)")
_NUMBER_RE = re.compile(NUMBER, re.IGNORECASE)

# words that may stand in the noun phrase after a number ("three [Afghan police officers]")
_NP_STOP = re.compile(r"^(?:the|in|on|at|by|to|from|with|into|of|for|during|after|before|while|when|who|which|that|since|ago|"
                      r"was|were|is|are|be|been|has|have|had|and|or|but|also|reportedly|allegedly|"
                      r"killed|dead|died|injured|wounded|hurt)$", re.IGNORECASE)
_PARTICIPLE_OK = frozenset({"armed", "unidentified", "suspected", "alleged", "unarmed", "displaced", "detained", "retired",
                            "unnamed", "masked", "wanted", "elected", "associated", "affiliated", "related", "hundred"})
_NP_WORD = r"[A-Za-z0-9][\w'’.\-]*"

_KILLED_PASSIVE = (r"killed|shot dead|slain|dead|died|executed|murdered|beheaded|lynched|massacred|assassinated|"
                   r"burn(?:ed|t) to death|beaten to death|stabbed to death|lost (?:their|his|her) li(?:ves|fe)|perished|"
                   r"succumbed|confirmed dead|found dead")
_INJURED_PASSIVE = r"injured|wounded|hurt|hospitali[sz]ed|sustained (?:\w+ )?injuries"
_KILLED_ACTIVE = r"kill(?:ed|ing|s)?|shot dead|shooting dead|massacr(?:ed|ing)|execut(?:ed|ing)|murder(?:ed|ing)|behead(?:ed|ing)|lynch(?:ed|ing)"
_INJURED_ACTIVE = r"injur(?:ed|ing|es)|wound(?:ed|ing|s)"
_AUX = r"(?:(?:were|was|are|is|have been|has been|had been|got|being|been|reportedly|allegedly|also|later|all|were all|both|each)\s+){0,3}"

_TOTAL = re.compile(rf"(?P<num>{_DIGITS}|\b{_WORD_NUMBER}\b)\s+(?:reported\s+|total\s+)?fatalit(?:y|ies)\b|"
                    rf"\bfatalities\s+(?:were\s+)?coded\s+(?:as|to)\s+(?P<coded>{_DIGITS})\b|"
                    rf"\b(?:death\s+)?toll\s+(?:\w+\s+){{0,6}}?(?:of|to|at|reached|is|was|stands at|hit)\s+(?:{_QUALIFIER})?(?P<toll>{_DIGITS}|\b{_WORD_NUMBER}\b)",
                    re.IGNORECASE)
_NONE = re.compile(
    r"\b(?:there (?:were|was|have been|has been) no|no(?:\s+reported)?|without(?: any)?|did not (?:cause|result in|lead to)(?: any)?|"
    r"didn't (?:cause|result in)(?: any)?|not cause any|zero)\s+(?P<what>casualties|casualty|fatalities|fatality|deaths|death|"
    r"injuries|injury|victims|one (?:was|were) (?:killed|injured|hurt|wounded|harmed)|people (?:were )?(?:killed|injured|hurt)|"
    r"loss(?:es)? of (?:life|lives))"
    r"|\b(?:no one|nobody|no-one) (?:was|were|has been|had been|got) (?P<what2>killed|injured|hurt|wounded|harmed)"
    r"|\b(?P<none>none of (?:them|us|those|the [\w\s]{1,30}?)) (?:was|were|had been|has been|got) (?P<what3>killed|injured|hurt|wounded|harmed)",
    re.IGNORECASE)
_SCOPE = re.compile(r"^\s*(?:were reported\s+|reported\s+)?(?:among|to|for|in the ranks of|on the side of)\s+(?P<scope>(?:the\s+)?[\w\-’' ]{2,40}?)(?=[,.;]|$|\s+(?:but|as|when|while|who|during|said|says)\b)", re.IGNORECASE)
#: counts stated as the cause or background of the reported event ("protest after a man was killed")
_BACKGROUND = re.compile(r"\b(?:after|since|following|over|against|accused of|suspected of|charged with|justice for|in memory of|"
                         r"commemorat\w*|anniversary of|death of|killing of|murder of|responsible for)\s+(?:[\w'’-]+\s+){0,3}$", re.IGNORECASE)
#: notes that put this report's deaths in another record ("fatalities coded to the Talakivka event")
_ELSEWHERE = re.compile(r"\bfatalities\s+(?:were\s+)?(?:coded|counted|recorded)\s+(?:to|in|under|with)\s+(?!\d)[\w\s\-'’]{0,40}?\b(?:events?|locations?)\b", re.IGNORECASE)
_ADDITIVE = re.compile(r"\b(?:also|another|separately|additionally|in addition|elsewhere|meanwhile)\b", re.IGNORECASE)
#: what a verb of killing may have as its object that is no person ("killed a bill", "kills two proposals")
_NOT_PEOPLE = re.compile(r"\s+(?:\w+\s+)?(?:laws?|bills?|measures?|plans?|deals?|proposals?|provisions?|rules?|amendments?|"
                         r"motions?|projects?|programs?|programmes?|ideas?|efforts?|polic(?:y|ies)|stor(?:y|ies)|chances?|"
                         r"votes?|legislation|mandates?|requirements?|agreements?|talks|birds|engines?)\b", re.IGNORECASE)
_SPLIT = re.compile(rf"\bsplit\s+(?:between|across|among|over)\s+(?P<n>{_DIGITS}|\b{_WORD_NUMBER}\b)\s+(?:events|locations|places|incidents|rows|days)", re.IGNORECASE)


@dataclass(frozen=True)
class CountMention:
    """A number of people killed or injured stated in a sentence (offsets into that sentence)."""

    kind: str  # "killed" | "injured"
    value: int
    start: int
    end: int
    text: str
    exact: bool = True
    low: int | None = None
    high: int | None = None
    #: a stated total ("3 fatalities") rather than one group of victims
    total: bool = False
    #: "nobody was hurt" statements: value 0
    negation: bool = False
    #: the group a "nobody was hurt" statement is limited to ("US or coalition troops")
    scope: str | None = None


@dataclass(frozen=True)
class CountValue:
    """The count of one kind for a report, and the mentions it rests on."""

    value: int
    exact: bool
    mentions: tuple[tuple[int, CountMention], ...] = field(default_factory=tuple)  # (sentence index, mention)
    note: str = ""


def _word_value(text: str) -> int | None:
    t = text.lower().replace("-", " ").strip()
    if t in ("a", "an", "one"):
        return 1
    if t == "both":
        return 2
    if t in ("a dozen",):
        return 12
    if t in ("a hundred", "one hundred"):
        return 100
    if t == "a thousand":
        return 1000
    if t in _UNITS:
        return _UNITS[t]
    parts = t.split()
    if parts and parts[0] in _TENS:
        return _TENS[parts[0]] + (_UNITS.get(parts[1], 0) if len(parts) > 1 else 0)
    return None


def _single(text: str) -> int | None:
    t = text.strip().lower().rstrip("+").strip()
    if re.fullmatch(_DIGITS, t):
        return int(t.replace(",", ""))
    scaled = re.fullmatch(r"(.+?)\s+(hundred|thousand|million|billion)", t)
    if scaled:
        head = scaled.group(1)
        number = float(head) if re.fullmatch(r"\d+(?:\.\d+)?", head) else _word_value(head)
        return int(round(number * _SCALES[scaled.group(2)])) if number is not None else None
    return _word_value(t)


#: qualifiers that make the number a bound: "more than 1,000" is at least 1,000, "up to 20" at most 20
_LOWER = ("at least", "more than", "over", "no fewer than", "no less than")
_UPPER = ("at most", "up to", "as many as", "nearly", "almost", "close to")


def parse_number(text: str) -> tuple[int, bool, int | None, int | None] | None:
    """``(value, exact, low, high)`` of a number phrase ("at least 12", "8-14", "dozens of", "150+"), or None.

    ``low``/``high`` are the bounds the phrase states: a range gives both, "more than 1,000" and "150+" a
    lower bound, "up to 20" an upper one; an approximate number ("about 30") gives none.
    """
    t = " ".join(text.lower().split())
    exact, qualifier = True, None
    m = re.match(_QUALIFIER, t)
    if m:
        exact, qualifier = False, m.group("q")
        t = t[m.end():]
    vague = t.rstrip()
    if vague in _VAGUE:
        value = _VAGUE[vague]
        return (value, False, None, None) if value is not None else None
    value = _single(t)
    if value is None:
        between = re.fullmatch(rf"between\s+({_ONE_NUMBER})\s+and\s+({_ONE_NUMBER})", t)
        ranged = between or re.fullmatch(rf"({_ONE_NUMBER})\s*(?:-|–|to|or)\s*({_ONE_NUMBER})", t)
        if not ranged:
            return None
        low, high = _single(ranged.group(1)), _single(ranged.group(2))
        if low is None or high is None:
            return None
        low, high = min(low, high), max(low, high)
        return low, False, low, high
    if t.endswith("+") or qualifier in _LOWER:
        return value, False, value, None
    if qualifier in _UPPER:
        return value, False, None, value
    return value, exact, None, None


def _np_ok(words: Sequence[str]) -> bool:
    previous = ""
    for w in words:
        lw = w.lower().strip(".,")
        allowed = lw == "of" or (lw == "the" and previous == "of")
        previous = lw
        if _NP_STOP.match(lw) and not allowed:
            return False
        if lw.endswith("ed") and lw not in _PARTICIPLE_OK:
            return False
    return True


_NUM_NP = rf"(?:{NUMBER})(?:\s+{_NP_WORD}){{0,6}}?"
_PASSIVE = {
    kind: re.compile(rf"(?P<subject>{_NUM_NP}(?:\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+as well as\s+){_NUM_NP}){{0,8}})\s+{_AUX}(?:(?:were|was)\s+)?(?:(?<=was |ere )(?:shot|stabbed|beaten|attacked) and\s+)?"
                     rf"(?P<verb>{verbs})\b", re.IGNORECASE)
    for kind, verbs in (("killed", _KILLED_PASSIVE), ("injured", _INJURED_PASSIVE))
}
#: a dashed aside between a verb and its object: "killing – in the words of the former CIA chief – “several hundred Russians”"
_ASIDE = r"\s*[–—]\s[^–—\n]{1,80}?\s[–—]"
_ACTIVE = {
    kind: re.compile(rf"\b(?P<verb>{verbs})(?:{_ASIDE})?\s+[“\"]?(?P<object>{_NUM_NP}(?:\s*(?:,\s*(?:and\s+)?|\s+and\s+){_NUM_NP}){{0,8}})", re.IGNORECASE)
    for kind, verbs in (("killed", _KILLED_ACTIVE), ("injured", _INJURED_ACTIVE))
}
_PRONOUN_OBJECT = {kind: re.compile(rf"\b(?P<verb>{verbs})\s+(?P<object>him|her)\b", re.IGNORECASE)
                   for kind, verbs in (("killed", _KILLED_ACTIVE), ("injured", _INJURED_ACTIVE))}
_SINGULAR = re.compile(rf"\b(?:(?:the|this|that)\s+(?:[\w'’-]+\s+){{0,3}}?[a-z][\w'’-]*[^s\W]|he|she)\s+(?:was|has been|had been)\s+"
                       rf"(?:(?:reportedly|allegedly|later|also|shot and|stabbed and|beaten and)\s+)?(?P<verb>{_KILLED_PASSIVE})\b|"
                       rf"\b(?:he|she)\s+(?:later\s+|subsequently\s+)?(?:died|succumbed)\b", re.IGNORECASE)
_DEATH_OF = re.compile(rf"\b(?:death|deaths|killing|killings|murder)\s+of\s+(?P<num>{NUMBER})(?:\s+{_NP_WORD}){{0,3}}?", re.IGNORECASE)
_BODIES = re.compile(rf"(?P<subject>(?:{NUMBER})(?:\s+{_NP_WORD}){{0,3}}?\s+(?:body|bodies|corpses?)|(?:body|bodies|corpses?)\s+of\s+(?:{NUMBER}))"
                     rf"(?:\s+\w+){{0,4}}?\s+(?:was|were|had been|have been)?\s*(?:found|discovered|recovered|retrieved)", re.IGNORECASE)


def _groups(phrase: str) -> list[tuple[int, int, tuple[int, bool, int | None, int | None]]]:
    """Each number that opens a noun phrase in a coordinated subject/object, with its offsets."""
    out = []
    for part in re.finditer(r"(?:\d,(?=\d{3})|[^,])+?(?=\s*,(?!\d{3})|\s+and\s+|\s+as well as\s+|$)", phrase):
        chunk = part.group(0)
        lead = re.match(r"\s*(?:and\s+|as well as\s+)?", chunk)
        offset = part.start() + (lead.end() if lead else 0)
        rest = phrase[offset:part.end()]
        m = _NUMBER_RE.match(rest)
        if not m:
            continue
        parsed = parse_number(m.group(0))
        if parsed is None or re.fullmatch(r"(?:18|19|20)\d\d", m.group(0).strip()):
            continue  # a year, not a count
        if not _np_ok(rest[m.end():].split()):
            continue
        out.append((offset, offset + len(m.group(0)), parsed))
    return out


def _mention(kind: str, sentence: str, start: int, end: int, parsed, total: bool = False) -> CountMention:
    value, exact, low, high = parsed
    return CountMention(kind, value, start, end, sentence[start:end], exact, low, high, total)


#: a word every count pattern above needs (each pattern's verbs and nouns contain one of these stems): a sentence
#: without one states no count, and the costly patterns are not run on it. A new pattern's words go here too.
_ANY_COUNT_WORD = re.compile(r"kill|dead|die|slain|execut|murder|behead|lynch|massacr|assassin|death|lost|perish|succumb|"
                             r"injur|wound|hurt|hospitali|casualt|fatalit|toll|victim|harm|loss|bod(?:y|ies)|corpse",
                             re.IGNORECASE)


def find_counts(sentence: str) -> list[CountMention]:
    """Every count of killed or injured people stated in ``sentence``."""
    if not _ANY_COUNT_WORD.search(sentence):
        return []
    found: list[CountMention] = []
    taken: list[tuple[int, int]] = []

    def add(mention: CountMention, span: tuple[int, int]) -> None:
        if any(s < span[1] and span[0] < e for s, e in taken):
            return
        if not mention.total and _BACKGROUND.search(sentence[: mention.start]):
            return
        taken.append(span)
        found.append(mention)

    for m in _TOTAL.finditer(sentence):
        name = next(g for g in ("num", "coded", "toll") if m.group(g))
        parsed = parse_number(f"{m.group('q') or ''} {m.group(name)}" if name == "toll" else m.group(name))
        if parsed and name == "toll" and re.fullmatch(r"(?:18|19|20)\d\d", m.group(name)):
            continue  # "the toll of the war of 1971": a year
        if parsed:
            exact = parsed[1] and not (name == "toll" and m.group("q"))
            add(_mention("killed", sentence, m.start(), m.end(), (parsed[0], exact, parsed[2], parsed[3]), total=True), m.span())
    for m in _ELSEWHERE.finditer(sentence):
        add(CountMention("killed", 0, m.start(), m.end(), m.group(0), True, None, None, True), m.span())
    for m in _NONE.finditer(sentence):
        what = (m.group("what") or m.group("what2") or m.group("what3") or "").lower()
        kinds = ("killed", "injured") if what.startswith(("casualt", "victim")) else (
            ("killed",) if re.search(r"fatalit|death|killed|loss", what) else ("injured",) if re.search(r"injur|hurt|wound|harm", what) else ())
        scope = m.group("none")
        if not scope:
            after = _SCOPE.match(sentence[m.end():])
            scope = after.group("scope").strip() if after else None
        if kinds and not any(s < m.end() and m.start() < e for s, e in taken):
            found.extend(CountMention(kind, 0, m.start(), m.end(), m.group(0), True, None, None, False, True, scope) for kind in kinds)
            taken.append(m.span())
    for kind in KINDS:
        for m in _PASSIVE[kind].finditer(sentence):
            subject_start = m.start("subject")
            groups = _groups(m.group("subject"))
            if not groups:
                continue
            for start, end, parsed in groups:
                add(_mention(kind, sentence, subject_start + start, m.end("verb"), parsed), (subject_start + start, subject_start + end))
        for m in _ACTIVE[kind].finditer(sentence):
            object_start = m.start("object")
            for start, end, parsed in _groups(m.group("object")):
                if _NOT_PEOPLE.match(sentence, object_start + end):
                    continue  # "the legislature killed a law": what is killed is no person
                add(_mention(kind, sentence, m.start("verb"), object_start + end, parsed), (object_start + start, object_start + end))
        for m in _PRONOUN_OBJECT[kind].finditer(sentence):
            add(_mention(kind, sentence, m.start(), m.end(), (1, True, None, None)), m.span("object"))
    for m in _DEATH_OF.finditer(sentence):
        parsed = parse_number(m.group("num"))
        if parsed and m.group("num").lower() not in ("a", "an", "one"):
            add(_mention("killed", sentence, m.start(), m.end("num"), parsed), m.span("num"))
    for m in _SINGULAR.finditer(sentence):
        add(_mention("killed", sentence, m.start(), m.end(), (1, True, None, None)), m.span())
    for m in _BODIES.finditer(sentence):
        number = _NUMBER_RE.search(m.group("subject"))
        parsed = parse_number(number.group(0)) if number else None
        if parsed:
            start = m.start("subject") + number.start()
            add(_mention("killed", sentence, m.start(), m.end(), parsed), (start, start + len(number.group(0))))
    return sorted(found, key=lambda c: (c.start, c.kind))


def total_counts(sentences: Sequence[str], mentions: Sequence[Sequence[CountMention]] | None = None) -> dict[str, CountValue | None]:
    """One count per kind for a group of sentences (see the module doc); None: not reported."""
    if mentions is None:
        mentions = [find_counts(s) for s in sentences]
    divisor = 1
    for s in sentences:
        split = _SPLIT.search(s)
        if split:
            divisor = max(divisor, _single(split.group("n")) or 1)
    out: dict[str, CountValue | None] = {}
    for kind in KINDS:
        totals = [(i, c) for i, found in enumerate(mentions) for c in found if c.kind == kind and c.total]
        plain = [(i, c) for i, found in enumerate(mentions) for c in found if c.kind == kind and not c.total and not c.negation]
        zeros = [(i, c) for i, found in enumerate(mentions) for c in found if c.kind == kind and c.negation]
        unscoped_zeros = [(i, c) for i, c in zeros if c.scope is None]
        if totals:
            i, c = totals[-1]
            value, exact, used, note = c.value, c.exact, [(i, c)], "stated total"
        elif plain:
            per_sentence: dict[int, list[CountMention]] = {}
            for i, c in plain:
                per_sentence.setdefault(i, []).append(c)
            value, exact, used = 0, True, []
            for i in sorted(per_sentence):
                group = per_sentence[i]
                subtotal = sum(c.value for c in group)
                if used and _ADDITIVE.search(sentences[i]):
                    value += subtotal
                    used.extend((i, c) for c in group)
                elif subtotal > value or not used:
                    value = subtotal
                    used = [(i, c) for c in group]
                exact = all(c.exact for _, c in used)
            note = "sum of the groups stated" if len(used) > 1 else "stated"
        elif unscoped_zeros:
            value, exact, used, note = 0, True, unscoped_zeros[:1], "stated that nobody was " + ("killed" if kind == "killed" else "injured")
        else:
            out[kind] = None
            continue
        if divisor > 1 and value:
            value, exact, note = value // divisor, False, note + f"; split between {divisor} events"
        out[kind] = CountValue(value, exact, tuple(used), note)
    return out
