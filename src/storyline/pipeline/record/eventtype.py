"""Event type: what kind of event a text reports, as PLOVER and ACLED types.

An event typer is anything with ``name`` and
``classify(texts) -> list[EventTypeCoding]``. The default,
``eventtype.linear.v1``, combines two layers:

* a **linear classifier** over word uni- and bigrams (multinomial logistic
  regression, fitted by ``storyline fit events`` on ACLED notes) that picks
  one of ACLED's sub-event types; the event type follows from it, since every
  ACLED sub-event type belongs to exactly one event type;
* a **trigger lexicon**, written from the PLOVER category definitions, that
  finds words announcing each PLOVER type. ACLED codes only political violence,
  demonstrations and a few strategic developments, so it cannot teach the
  verbal categories (AGREE, DEMAND, REJECT, THREATEN, CONSULT, ...): the
  lexicon covers those.

The PLOVER type of a text is the type of its earliest trigger (the first
event word is usually the main verb: in "X threatened to attack Y" the event
is the threat, in "Y refused to agree" the refusal). Following PLOVER, an act
that is only announced ("will visit", "is prepared to lift", "offered to
send") is AGREE when the act is cooperative and THREATEN when it is hostile;
capitalised words inside a name ("Economic Cooperation") and acts that are
ended ("cessation of hostilities") are not triggers. When both the trigger and
the classifier name a violent or protest type (ASSAULT, FIGHT, PROTEST), the
classifier's finer, fitted choice wins. Without any trigger, the PLOVER type
is the mapping of the classifier's ACLED sub-event type (below) when the
classifier gives it a probability of at least 0.5, and None otherwise.

ACLED -> PLOVER, in our words. ACLED codes violence and demonstrations in
detail and little else; PLOVER is coarser there and wider elsewhere.

* Battles (armed clashes; territory taken by a government or a non-state
  group): two organised armed sides fighting each other -> FIGHT.
* Explosions/Remote violence (air or drone strikes, shelling, artillery and
  missiles, mines and IEDs, grenades, suicide bombs, chemical weapons): force
  delivered from a distance on a target that does not fight back at that
  moment -> ASSAULT. (PLOVER would put some air and artillery exchanges
  between armies under FIGHT; we code the one-sided strike as ASSAULT, which
  is how most users read "an airstrike on a base".)
* Violence against civilians (attacks, abductions and disappearances,
  sexual violence): one-sided violence on unarmed people -> ASSAULT.
* Protests (peaceful, with intervention, met with excessive force) -> PROTEST.
* Riots (violent demonstrations, mob violence) -> PROTEST; the ACLED
  sub-event type in the detail says it was violent.
* Strategic developments, by sub-event type: an agreement -> AGREE; arrests
  -> COERCE; changes to a group or its activity (curfews, states of
  emergency, bans, security measures) -> COERCE; disrupted weapons use
  (seizures, defusals, interceptions) -> COERCE; looting and property
  destruction -> COERCE; a headquarters or base established -> MOBILIZE; a
  non-violent transfer of territory (one side hands over or leaves) ->
  RETREAT; "Other" has no PLOVER counterpart and is left to the lexicon.

A coding's ``confidence`` is the classifier's probability of its ACLED
sub-event type; when the PLOVER type comes from the lexicon alone it is a
fixed 0.6, which says "a trigger word, nothing more".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from ...errors import Codes, SettingsError
from ..fold import ascii_lowered, is_lower_ascii_pattern
from .linear import NgramSoftmax, encode_array, ngrams

__all__ = [
    "PLOVER_TYPES",
    "ACLED_SUB_EVENT_TYPES",
    "ACLED_TO_PLOVER",
    "Trigger",
    "EventTypeCoding",
    "EventTyper",
    "LinearEventTyper",
    "find_triggers",
    "ngrams",
    "load_params",
    "PARAMS_FILE",
]

PARAMS_FILE = "eventtype-linear-v1.json"

#: The PLOVER event categories (CRIME is PLOVER's addition to CAMEO's cue categories).
PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "INVESTIGATE",
    "DEMAND", "DISAPPROVE", "REJECT", "THREATEN", "SANCTION",
    "PROTEST", "CRIME", "MOBILIZE", "COERCE", "ASSAULT", "FIGHT",
)

#: ACLED sub-event type -> its ACLED event type (ACLED's published taxonomy).
ACLED_SUB_EVENT_TYPES = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

_BY_EVENT_TYPE = {
    "Battles": "FIGHT",
    "Explosions/Remote violence": "ASSAULT",
    "Violence against civilians": "ASSAULT",
    "Protests": "PROTEST",
    "Riots": "PROTEST",
}
_STRATEGIC = {
    "Agreement": "AGREE",
    "Arrests": "COERCE",
    "Change to group/activity": "COERCE",
    "Disrupted weapons use": "COERCE",
    "Headquarters or base established": "MOBILIZE",
    "Looting/property destruction": "COERCE",
    "Non-violent transfer of territory": "RETREAT",
    "Other": None,
}
#: ACLED sub-event type -> PLOVER type (None: no PLOVER counterpart).
ACLED_TO_PLOVER: dict[str, str | None] = {
    sub: _STRATEGIC[sub] if event == "Strategic developments" else _BY_EVENT_TYPE[event]
    for sub, event in ACLED_SUB_EVENT_TYPES.items()
}

_VIOLENT = frozenset({"ASSAULT", "FIGHT", "PROTEST"})
LEXICON_CONFIDENCE = 0.6
UNTRIGGERED_CONFIDENCE = 0.5

# ------------------------------------------------------------------ triggers
#
# Written from the PLOVER category definitions, one line per category: words
# (stems; the pattern allows the usual English endings) that announce it.
# Multi-word cues come first within a category so "shot dead" beats "shot".

_W = r"[a-z]*"  # any ending
_LEXICON: tuple[tuple[str, str], ...] = (
    # material conflict
    ("ASSAULT", rf"air ?strikes?|air ?raids?|drone strikes?|bomb{_W}|shell(?:ed|ing|s)\b|missiles?|rockets?|mortars?|"
                rf"explo(?:sion|sive|de|ded)s?|blasts?|ieds?\b|landmines?|grenades?|suicide attack{_W}|assassinat{_W}|"
                rf"kill(?:ed|ing|s)?\b|murder{_W}|massacre{_W}|execut(?:ed|ion)s?|behead{_W}|tortur{_W}|abduct{_W}|"
                rf"kidnap{_W}|rap(?:ed|e)\b|sexual(?:ly)? assault{_W}|shot dead|stabb{_W}|beat(?:en|ing)?\b|lynch{_W}|"
                rf"attack{_W}|ambush{_W}|struck|strike on|strikes on|hit by|opened fire|shooting|fired (?:\w+ ){0,3}(?:at|on|upon)\b|shot (?:and |at |him|her|them)|wound(?:ed|ing)\b"),
    ("FIGHT", rf"clash{_W}|fight(?:s|ing)?\b|fought|battl{_W}|exchange(?:d)? (?:of )?(?:fire|gunfire)|firefights?|gunfights?|"
              rf"offensive|invad{_W}|invasion|recaptur{_W}|retook|retake{_W}|overr(?:an|un)|captur(?:ed|e) (?:the )?(?:town|city|village|territory|base)|"
              rf"seized control|took control|skirmish{_W}|hostilities|engag(?:ed|ement) (?:with|in) combat"),
    ("PROTEST", rf"protest{_W}|demonstrat(?:ion|ors?|ed|ing|e)s?|rall(?:y|ies|ied)|march(?:ed|es)?\b|sit-ins?|"
                rf"on strike|hunger strike|general strike|strike action|walkouts?|boycott{_W}|riot{_W}|pickets?|picketing"),
    ("COERCE", rf"arrest{_W}|detain{_W}|detention|jail{_W}|imprison{_W}|deport{_W}|expel{_W}|curfew|"
               rf"state of emergency|martial law|banned|bans\b|confiscat{_W}|crack(?:ed)? down|crackdown|censor{_W}|"
               rf"raid(?:ed|s)?\b|seiz(?:ed|ure)|round(?:ed)? up|shut down|closed down|evict{_W}|blockad{_W}|"
               rf"took (?:\w+ )?into custody|sentenced"),
    ("MOBILIZE", rf"mobili[sz]{_W}|deploy{_W}|troop build-?up|massed|military (?:exercise|drill|manoeuvre|maneuver)s?|"
                 rf"(?:on|raised?|heightened?) (?:high )?alert|reinforce{_W}|put (?:its |their )?(?:forces|troops) on"),
    ("CRIME", rf"robb{_W}|theft|thiev{_W}|smuggl{_W}|traffick{_W}|extort{_W}|burglar{_W}"),
    # verbal conflict
    ("THREATEN", rf"threat{_W}|warn{_W}|ultimatum|vow(?:ed|s)? to (?:retaliate|respond|punish|strike)"),
    ("DEMAND", rf"demand{_W}|call(?:ed|s|ing)? (?:on|for|upon)|urg(?:ed|es|e|ing)\b|insist{_W}|press(?:ed|es)? (?:for|\w+ to)|"
               rf"appeal(?:ed|s)? (?:to|for)|ask(?:ed|s)? (?:for|\w+ to)|request(?:ed|s)?\b"),
    ("DISAPPROVE", rf"critici[sz]{_W}|condemn{_W}|denounc{_W}|accus{_W}|blam{_W}|complain{_W}|deplor{_W}|"
                   rf"protested to (?:the|its|his|her|their)\b|lodged (?:a|an) (?:protest|complaint)|sued|lawsuit|charg(?:ed|es) that|"
                   rf"rebuk{_W}|censur{_W}|slamm?{_W}|lambast{_W}|decr(?:y|ied)"),
    ("REJECT", rf"reject{_W}|refus{_W}|declin(?:ed|es)? to|turn(?:ed|s)? down|rebuff{_W}|veto{_W}|"
               rf"spurn{_W}|ruled out|dismiss(?:ed|es)? (?:the |a |an |calls|demands|proposals?)|denied (?:a |the )?(?:request|permission|access)"),
    ("SANCTION", rf"sanction{_W}|embargo{_W}|sever{_W} (?:diplomatic )?(?:ties|relations)|broke off|break off|"
                 rf"recall{_W} (?:its |their )?ambassador|expel{_W} (?:\w+ )?diplomats?|suspend{_W} (?:aid|talks|relations|cooperation|ties)|"
                 rf"cut (?:off )?(?:aid|ties|relations)|downgrad{_W}|freez(?:e|es|ing) (?:the )?assets"),
    # cooperation
    ("AGREE", rf"agree{_W}|agreement|accords?\b|accept(?:ed|s|ing)?\b|consensus|reach(?:ed|es)? (?:a |an )?(?:deal|settlement|understanding)|sign(?:ed|s|ing)? (?:a |an |the )?(?:deal|treaty|pact|accord|agreement)|"
              rf"pledg{_W}|promis{_W}|ceasefire|cease-fire|truce|peace deal|offer(?:ed|s)? to|willing(?:ness)? to|"
              rf"ready to|vow(?:ed|s)? to (?:cooperate|work|help|support)"),
    ("CONSULT", rf"mediat{_W}|\bmet\b|meet(?:s|ing)?\b|talks\b|negotiat{_W}|visit{_W}|host(?:ed|s|ing)?\b|discuss{_W}|consult{_W}|"
                rf"summit|telephon{_W}|phone call|spoke (?:with|to|by phone)|confer(?:red|s)?\b"),
    ("SUPPORT", rf"(?:upgrad|restor|establish|normali[sz])(?:ed|es|e|ing) (?:\w+ )?(?:ties|relations)|prais{_W}|endors{_W}|support{_W}|back(?:ed|ing)\b|welcom{_W}|recogni[sz](?:ed|es|e|ing)\b|"
                rf"apologi[sz]{_W}|forg(?:ive|ave){_W}|defend(?:ed|s)? (?:the|its|his|her|their)|commend{_W}|applaud{_W}|"
                rf"hail(?:ed|s)\b|thank{_W}|congratulat{_W}"),
    ("COOPERATE", rf"cooperat{_W}|co-operat{_W}|collaborat{_W}|joint (?:exercise|operation|patrol|venture)s?|"
                  rf"shar(?:ed|e|es|ing) intelligence|extradit{_W}|partnership"),
    ("AID", rf"\baid\b|assistance|donat{_W}|relief|humanitarian|loans?\b|supplies|grants? of|grant(?:ed|s)? (?:asylum|\$|a loan)|"
            rf"provid(?:ed|es|e) (?:\w+ )?(?:aid|food|medicine|weapons|arms|funds|help)|shelter"),
    ("CONCEDE", rf"eas(?:ed|es|e|ing) (?:the )?restrictions|lift(?:ed|s)? (?:the )?(?:ban|curfew|state of emergency|restrictions)|"
                rf"acced{_W}|conced{_W}|resign{_W}|step(?:ped)? down|yield{_W}|gave in|backed down|relent{_W}"),
    ("RETREAT", rf"withdr(?:ew|aw|awn|awal|aws)|pull(?:ed)? (?:out|back)|retreat{_W}|releas{_W}|freed|"
                rf"lift(?:ed|s)? (?:the )?(?:sanctions|embargo|blockade)|de-?escalat{_W}|disarm{_W}|demobili[sz]{_W}|"
                rf"allow(?:ed|s)? (?:\w+ )?(?:inspectors|access)|hand(?:ed)? over|evacuat{_W}"),
    ("INVESTIGATE", rf"investigat{_W}|inquir(?:y|ies)|probe{_W}|inspect{_W}|examin{_W}|look(?:ed|ing)? into|fact-finding"),
)
_TRIGGER_PATTERNS = tuple((plover, re.compile(rf"\b(?:{pattern})", re.IGNORECASE)) for plover, pattern in _LEXICON)
assert all(is_lower_ascii_pattern(pattern) for _, pattern in _LEXICON), "the fast search needs lower-case patterns"
#: the same patterns, case-sensitive, for the lowered text
_CASED_PATTERNS = tuple((plover, re.compile(rf"\b(?:{pattern})")) for plover, pattern in _LEXICON)
#: the places where some category's pattern matches
_ANY_TRIGGER = re.compile(r"\b(?=" + "|".join(f"(?:{pattern})" for _, pattern in _LEXICON) + ")")
_OPENING = frozenset(".!?:;\"“(")


#: an act announced rather than done: "will visit", "is prepared to lift", "offered to send"
_INTENT = re.compile(r"\b(?:will|would|shall|'ll|plans? to|planning to|intends? to|intending to|prepared to|ready to|willing to|"
                     r"offer(?:ed|s)? to|promis(?:ed|es) to|pledg(?:ed|es) to|vow(?:ed|s)? to|expected to|is to|are to|going to|"
                     r"decided to|committed to)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_COOPERATIVE = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT", "INVESTIGATE"})
_HOSTILE = frozenset({"ASSAULT", "FIGHT", "COERCE", "SANCTION"})
#: an act ended or refused is not that act ("cessation of hostilities")
_ENDED = re.compile(r"\b(?:cessation of|end to|end of|halt to|halt of|stop to|no)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Trigger:
    """A word or phrase that announces an event of one PLOVER type."""

    start: int
    end: int
    text: str
    plover: str


def find_triggers(text: str) -> list[Trigger]:
    """Every PLOVER trigger in ``text``, in text order, longest first at one start, no overlaps.

    The same triggers as :func:`find_triggers_reference` (the specification), found faster: one scan of the
    lowered text (:mod:`~storyline.pipeline.fold`) for the places where any category's pattern matches, then each
    category's case-sensitive pattern tried at those places only, in order, as its own scan would find them.
    """
    lowered = ascii_lowered(text)
    if lowered is None:
        return find_triggers_reference(text)
    starts = [m.start() for m in _ANY_TRIGGER.finditer(lowered)]
    if not starts:
        return []
    found = []
    for plover, pattern in _CASED_PATTERNS:
        end = 0
        for start in starts:
            if start < end:
                continue
            m = pattern.match(lowered, start)
            if m is None:
                continue
            end = m.end()
            if text[start].isupper() and start > 0 and not _opens_a_sentence(text, start):
                continue  # part of a name: "Asia-Pacific Economic Cooperation"
            if _ENDED.search(text[max(0, start - 20): start]):
                continue
            found.append(Trigger(start, end, text[start:end], plover))
    return _settle(text, found)


def _opens_a_sentence(text: str, start: int) -> bool:
    """Whether ``text[:start]`` ends a sentence or opens a quote or bracket, as ``(?:^|[.!?:;"“(]\\s*)$`` says."""
    i = start - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return (i >= 0 and text[i] in _OPENING) or (start == 1 and text[0] == "\n")


def find_triggers_reference(text: str) -> list[Trigger]:
    """:func:`find_triggers` by the plain search: every category's pattern run over the whole text."""
    found = []
    for plover, pattern in _TRIGGER_PATTERNS:
        for m in pattern.finditer(text):
            if m.group(0)[0].isupper() and m.start() > 0 and not re.search(r"(?:^|[.!?:;\"“(]\s*)$", text[: m.start()]):
                continue  # part of a name: "Asia-Pacific Economic Cooperation"
            if _ENDED.search(text[max(0, m.start() - 20): m.start()]):
                continue
            found.append(Trigger(m.start(), m.end(), m.group(0), plover))
    return _settle(text, found)


def _settle(text: str, found: list[Trigger]) -> list[Trigger]:
    """The triggers in text order, longest first at one start, no overlaps; announced acts recoded."""
    found.sort(key=lambda t: (t.start, -(t.end - t.start)))
    out: list[Trigger] = []
    for trigger in found:
        if out and trigger.start < out[-1].end:
            continue
        # PLOVER codes an announced cooperative act as AGREE (intent to cooperate) and an
        # announced hostile act as THREATEN
        if _INTENT.search(text[max(0, trigger.start - 40): trigger.start]):
            if trigger.plover in _COOPERATIVE:
                trigger = Trigger(trigger.start, trigger.end, trigger.text, "AGREE")
            elif trigger.plover in _HOSTILE:
                trigger = Trigger(trigger.start, trigger.end, trigger.text, "THREATEN")
        out.append(trigger)
    return out


# ------------------------------------------------------------------ the coding


@dataclass(frozen=True)
class EventTypeCoding:
    """The type of the event a text reports."""

    plover: str | None
    acled_event_type: str | None
    acled_sub_event_type: str | None
    confidence: float
    #: the trigger that decided the PLOVER type, when one did
    trigger: Trigger | None = None
    #: "classifier" or "lexicon": which layer chose the PLOVER type
    method: str = "classifier"

    def detail(self) -> dict[str, Any]:
        return {
            "acled_event_type": self.acled_event_type,
            "acled_sub_event_type": self.acled_sub_event_type,
            "confidence": round(self.confidence, 4),
            "method": self.method,
            **({"trigger": self.trigger.text} if self.trigger else {}),
        }


class EventTyper(Protocol):
    name: str

    def classify(self, texts: Sequence[str]) -> list[EventTypeCoding]: ...


def load_params(path: str | Path | None = None) -> dict[str, Any]:
    """The fitted parameter document (the bundled one by default)."""
    target = Path(path) if path else Path(str(resources.files("storyline.pipeline") / "params" / PARAMS_FILE))
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"event type parameters not found: {target}; run `storyline fit events FILE`", code=Codes.BAD_SETTING) from None


class LinearEventTyper(NgramSoftmax):
    """ACLED sub-event classifier (n-gram logistic regression) plus the PLOVER trigger lexicon."""

    name = "eventtype.linear.v1"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        super().__init__(params if params is not None else load_params())

    @classmethod
    @lru_cache(maxsize=1)
    def bundled(cls) -> "LinearEventTyper":
        return cls()

    def classify(self, texts: Sequence[str]) -> list[EventTypeCoding]:
        out = []
        for text, p in zip(texts, self.probabilities(texts)):
            best = int(np.argmax(p))
            out.append(combine(self.classes[best], float(p[best]), find_triggers(text)))
        return out

    def classify_one(self, text: str, triggers: Sequence[Trigger]) -> tuple[EventTypeCoding, np.ndarray]:
        """``classify([text])[0]`` and ``probabilities([text])[0]`` from one pass (``triggers``: those of
        ``text``, found by the caller)."""
        p = self.probabilities([text])[0]
        best = int(np.argmax(p))
        return combine(self.classes[best], float(p[best]), triggers), p


def combine(sub_event_type: str, confidence: float, triggers: Sequence[Trigger]) -> EventTypeCoding:
    """The PLOVER type from the classifier's ACLED choice and the text's triggers (see the module doc)."""
    event_type = ACLED_SUB_EVENT_TYPES.get(sub_event_type)
    mapped = ACLED_TO_PLOVER.get(sub_event_type)
    first = triggers[0] if triggers else None
    if first is None:
        # no event word at all: the ACLED classifier alone names a PLOVER type only when it is fairly sure
        plover = mapped if confidence >= UNTRIGGERED_CONFIDENCE else None
        return EventTypeCoding(plover, event_type, sub_event_type, confidence, None, "classifier")
    if first.plover in _VIOLENT and mapped in _VIOLENT:
        return EventTypeCoding(mapped, event_type, sub_event_type, confidence, first, "classifier")
    if first.plover == mapped:
        return EventTypeCoding(mapped, event_type, sub_event_type, confidence, first, "classifier")
    return EventTypeCoding(first.plover, event_type, sub_event_type, LEXICON_CONFIDENCE, first, "lexicon")


def _linear(options) -> LinearEventTyper:
    return LinearEventTyper.bundled()
