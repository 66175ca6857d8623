"""Event kind: what area of news an event belongs to, before any conflict coding.

PLOVER and ACLED describe political interaction, conflict and protest; a rate
rise, an earthquake or a Moon landing is none of those, and coding it with
their types is wrong however good the coder. So every event first gets a
**kind** from a short taxonomy that covers general news, each kind mapped to
the top level of the IPTC Media Topics vocabulary:

=============  ============================================  ==================
kind           what                                          IPTC Media Topic
=============  ============================================  ==================
politics       government, elections, legislation, courts    politics (medtop:11000000)
               as political actors, diplomacy
conflict       war, armed violence, terrorism, protests,     conflict, war and peace (medtop:16000000)
               riots, security operations
crime          crime, police, trials and justice             crime, law and justice (medtop:02000000)
disaster       natural disasters, fires, accidents           disaster, accident and emergency incident (medtop:03000000)
economy        economy, markets, companies, jobs, budgets    economy, business and finance (medtop:04000000)
science        science, technology, space, the internet      science and technology (medtop:13000000)
health         disease, epidemics, vaccines, health care     health (medtop:07000000)
environment    climate, pollution, conservation, energy      environment (medtop:06000000)
               policy
sport          sport                                         sport (medtop:15000000)
culture        arts, entertainment, media, celebrities       arts, culture, entertainment and media (medtop:01000000)
other          anything else (education, religion,           the remaining top-level topics
               lifestyle, human interest, weather)
=============  ============================================  ==================

The default, ``kind.linear.v1``, is a multinomial logistic regression over
word uni- and bigrams (the scorer of :mod:`.linear`), fitted by ``storyline
fit kinds`` on development files only (see
:mod:`storyline.evaluate.fit_kinds`). It reads a report's headline and lead.
A typer that is unsure **abstains**: when its most probable kind has a
probability below ``ABSTAIN_BELOW`` the kind is None and the record says
which kind it would have guessed.

:func:`coding_scope` says what the kind allows: PLOVER and ACLED types for
conflict and crime (for crime, an ACLED violence or protest type only where
the PLOVER type the report's words give agrees with it: a sentencing is no
demonstration); PLOVER's verbal and cooperative types, and no ACLED type,
for politics; nothing for any other kind, nor when the kind abstained, with
a note saying why. (``recorder.agreement.v2`` still let an uncertain kind take
PLOVER's verbal types; ``revision=2`` keeps that for it.)
"""

from __future__ import annotations

import dataclasses

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from ...errors import Codes, SettingsError
from .linear import NgramSoftmax

__all__ = ["KINDS", "IPTC", "KindCoding", "KindTyper", "LinearKindTyper", "CodingScope", "coding_scope", "kind_text",
           "ABSTAIN_BELOW", "PARAMS_FILE", "load_params"]

PARAMS_FILE = "kind-linear-v1.json"

#: kind -> how a person reads it
KINDS: dict[str, str] = {
    "politics": "politics and government",
    "conflict": "conflict, security and protest",
    "crime": "crime and justice",
    "disaster": "disaster and accident",
    "economy": "economy and business",
    "science": "science and technology",
    "health": "health",
    "environment": "environment",
    "sport": "sport",
    "culture": "culture and entertainment",
    "other": "other",
}
#: kind -> IPTC Media Topics top-level concept (code, label)
IPTC: dict[str, tuple[str, str]] = {
    "politics": ("medtop:11000000", "politics"),
    "conflict": ("medtop:16000000", "conflict, war and peace"),
    "crime": ("medtop:02000000", "crime, law and justice"),
    "disaster": ("medtop:03000000", "disaster, accident and emergency incident"),
    "economy": ("medtop:04000000", "economy, business and finance"),
    "science": ("medtop:13000000", "science and technology"),
    "health": ("medtop:07000000", "health"),
    "environment": ("medtop:06000000", "environment"),
    "sport": ("medtop:15000000", "sport"),
    "culture": ("medtop:01000000", "arts, culture, entertainment and media"),
    "other": ("", "education, religion, lifestyle, human interest, society, weather, labour"),
}
#: below this probability of its best kind the typer abstains
ABSTAIN_BELOW = 0.5
#: characters of a report read for its kind (headline and lead)
LEAD_CHARS = 1500

#: kinds whose events PLOVER and ACLED code fully
FULL_CODING = frozenset({"conflict", "crime"})
#: kinds whose events get PLOVER's non-material types only
VERBAL_CODING = frozenset({"politics"})
#: PLOVER types that only a conflict or crime event may take
MATERIAL_PLOVER = frozenset({"ASSAULT", "FIGHT", "PROTEST", "MOBILIZE", "COERCE", "CRIME"})


@dataclass(frozen=True)
class KindCoding:
    """The kind of one text (None when the typer abstained), with every kind's probability."""

    kind: str | None
    confidence: float
    #: the most probable kind, also when the typer abstained
    best: str
    probabilities: dict[str, float] = field(default_factory=dict)

    @property
    def abstained(self) -> bool:
        return self.kind is None

    def detail(self) -> dict[str, Any]:
        code, label = IPTC.get(self.best, ("", ""))
        return {"label": KINDS.get(self.best, self.best), "iptc": code, "iptc_label": label,
                "confidence": round(self.confidence, 4), "abstained": self.abstained, "best": self.best}


class KindTyper(Protocol):
    name: str

    def classify(self, texts: Sequence[str]) -> list[KindCoding]: ...


def kind_text(title: str | None, text: str) -> str:
    """What the kind is read from: the headline and the lead of a report."""
    lead = text[:LEAD_CHARS]
    return f"{title}\n\n{lead}" if title else lead


def load_params(path: str | Path | None = None) -> dict[str, Any]:
    """The fitted parameter document (the bundled one by default)."""
    target = Path(path) if path else Path(str(resources.files("storyline.pipeline") / "params" / PARAMS_FILE))
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"event kind parameters not found: {target}; run `storyline fit kinds`", code=Codes.BAD_SETTING) from None


def decide(classes: Sequence[str], p: np.ndarray, abstain_below: float = ABSTAIN_BELOW) -> KindCoding:
    """The kind of one probability row: the best class, or an abstention when it is below the bar."""
    best = int(np.argmax(p))
    confidence = float(p[best])
    probabilities = {c: round(float(v), 4) for c, v in zip(classes, p)}
    return KindCoding(classes[best] if confidence >= abstain_below else None, confidence, classes[best], probabilities)


class LinearKindTyper(NgramSoftmax):
    """The event kind by a linear model over word n-grams; abstains below ``ABSTAIN_BELOW``."""

    name = "kind.linear.v1"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        params = params if params is not None else load_params()
        super().__init__(params)
        self.abstain_below = float(params.get("abstain_below", ABSTAIN_BELOW))

    @classmethod
    @lru_cache(maxsize=1)
    def bundled(cls) -> "LinearKindTyper":
        return cls()

    def classify(self, texts: Sequence[str]) -> list[KindCoding]:
        return [decide(self.classes, p, self.abstain_below) for p in self.probabilities(texts)]


@dataclass(frozen=True)
class CodingScope:
    """Which event types an event of some kind may take, and why."""

    acled: bool
    plover: bool
    #: PLOVER types not allowed even when ``plover`` is
    excluded_plover: frozenset[str] = frozenset()
    #: why a type is left empty ("" when every type is allowed)
    reason: str = ""
    #: an ACLED violence or protest type only where the PLOVER type agrees with it
    consistent: bool = False
    #: ... and only where the report's words give a PLOVER type at all (a crime report with no protest word is no protest)
    worded: bool = False
    #: ... where any event word of the report may agree, not only its first ("supporters of X protested")
    any_word: bool = False
    #: the record builder's revision, whose trigger reading (:func:`.reading.event_triggers`) the scope's rules use
    revision: int = 3
    #: (revision 5) the event is an earlier one the reports recall: its past years are its own, not background
    recalled: bool = False


def coding_scope(kind: KindCoding | None, revision: int = 3) -> CodingScope:
    """What PLOVER and ACLED may say about an event of this kind (see the module doc); no kind: everything.

    An uncertain kind allows no type at all: the trigger lexicon alone reads "released" as RETREAT and
    "host" as AGREE in any news, so a type is only given where the kind says the event is one PLOVER
    describes. ``revision=2`` (``recorder.agreement.v2``) still gave such an event PLOVER's verbal types.
    """
    scope = _scope(kind, revision)
    return dataclasses.replace(scope, revision=revision) if revision != scope.revision else scope


def _scope(kind: KindCoding | None, revision: int) -> CodingScope:
    if kind is None:
        return CodingScope(True, True)
    if kind.kind in FULL_CODING:
        # ACLED's classes are conflict's own; a crime report gets one only where its words agree, and (revision 3)
        # so does a conflict report: "Israel and Hamas agree to a cease-fire" is no demonstration
        return CodingScope(True, True, consistent=kind.kind == "crime" or revision >= 3,
                           worded=kind.kind == "crime" and revision >= 3, any_word=kind.kind == "conflict")
    if kind.kind is None:
        uncertain = f"the kind is uncertain (at best {KINDS.get(kind.best, kind.best)}, {kind.confidence:.2f})"
        if revision >= 3:
            return CodingScope(False, False, frozenset(), f"no event type: {uncertain}, and PLOVER and ACLED code only "
                               "political interaction, conflict and protest")
        return CodingScope(False, True, MATERIAL_PLOVER, f"no conflict or protest type: {uncertain}")
    if kind.kind in VERBAL_CODING:
        return CodingScope(False, True, MATERIAL_PLOVER, "no ACLED type: a political event, not political violence or a demonstration")
    label = KINDS.get(kind.kind, kind.kind)
    return CodingScope(False, False, frozenset(), f"no event type: {'an' if label[0] in 'aeiou' else 'a'} {label} event, and PLOVER "
                       "and ACLED code only political interaction, conflict and protest")


def _linear(options) -> LinearKindTyper:
    return LinearKindTyper.bundled()
