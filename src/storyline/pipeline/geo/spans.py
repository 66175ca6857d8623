"""Which candidate spans are toponyms: features and a fitted logistic model.

The entity extractor's labels are a weak signal for places: spaCy's small
model tags "Edmonton" as an organisation, "Tamil Nadu" as a person, and
"Wedbush" or "Modi" as places. ``geoparser.geonames.v2`` therefore treats
every entity span (GPE, LOC, FAC, ORG, PERSON, NORP, EVENT), every name
introduced by its kind ("the town of al-Tanf") and every capitalised name
that the gazetteer knows well as a *candidate*, describes it by the general
features below, and keeps it when a logistic model says it is more likely a
toponym than not.

The model is fitted by ``storyline fit geoparse FILE...`` on gold geoparsing
files (:mod:`storyline.evaluate.fit_geoparse`); the committed parameters name
the files they came from with their sha256. Features say what kind of
string a span is and what the gazetteer knows of it -- never which string.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Mapping

__all__ = ["FEATURES", "SpanModel", "span_features", "CandidateInfo"]

#: Words that end the name of a built place ("Royal Street", "Barclays Center").
FACILITY_WORDS = frozenset("""
street st st. road rd rd. avenue ave ave. boulevard blvd lane drive highway motorway freeway expressway bridge
square plaza place close crescent way court terrace parkway route tunnel station terminal airport airfield
port harbour harbor pier dock hospital clinic school academy college university campus library museum gallery
theatre theater cinema church cathedral basilica chapel mosque temple synagogue abbey shrine cemetery graveyard
centre center mall market hall hotel inn tower castle palace house building stadium arena park garden gardens
field fields racecourse course club prison jail estate farm farms plantation base camp barracks embassy consulate
complex office offices capitol zoo
""".split())
#: Words that end the name of an organisation ("Peel Regional Police").
ORGANISATION_WORDS = frozenset("""
inc inc. ltd ltd. corp corp. co co. company corporation group party ministry department police service services
council committee commission association union federation agency authority bank fund foundation institute
network news times post press media team league board army forces force navy guard brigade battalion
""".split())
#: Words that end the name of a natural or administrative area ("Cook County", "Peace River").
AREA_WORDS = frozenset("""
county province state region district governorate prefecture oblast territory municipality borough parish
island islands peninsula river lake sea ocean gulf bay coast valley mountain mountains mount hill hills desert
strait channel canal forest plain plains delta basin falls creek village town city
""".split())
#: Prepositions that put a place after them ("in Kabul", "from Aleppo").
LOCATIVE_WORDS = frozenset("""
in at near from to into inside outside across throughout around within toward towards via through between
""".split())

FEATURES: tuple[str, ...] = (
    "lab_gpe", "lab_loc", "lab_fac", "lab_org", "lab_person", "lab_norp", "lab_event", "lab_intro", "lab_gaz",
    "part_comma", "part_run", "run_known",
    "g_country", "g_admin1", "g_city_big", "g_city", "g_other", "g_cont", "g_none", "g_alternate_only", "g_logpop",
    "demonym",
    "elsewhere_place",
    "words1", "words2", "words3",
    "all_caps", "short_caps", "lower_start", "digit", "run_after_of",
    "suf_facility", "suf_org", "suf_area",
    "prev_locative", "prev_the", "sentence_start",
    "next_comma_place", "prev_comma_place", "next_based", "next_possessive",
    "org_known", "person_known", "norp_demonym", "gpe_unknown", "fac_facility", "org_facility", "person_facility",
)

_WORD_BEFORE = re.compile(r"([A-Za-z]+)\W*$")


@dataclass(frozen=True)
class CandidateInfo:
    """What the geoparser knows of one candidate span (the inputs of :func:`span_features`)."""

    label: str  # entity label, or INTRO (introduced by its kind), GAZ (gazetteer match)
    #: "" for a whole span; "comma" for a piece of "Thruxton, Hampshire"; "run" for the known words
    #: that begin or end a longer span ("Winnipeg" in "Winnipeg Fire Paramedic Service")
    part: str
    kinds: Mapping[str, float]  # g_country, g_admin1, ... -> 1 (main name) or 0.5 (alternate name only)
    max_population: int
    has_candidates: bool
    demonym: bool
    elsewhere_place: bool
    next_comma_place: bool
    prev_comma_place: bool


def span_features(text: str, start: int, end: int, info: CandidateInfo) -> dict[str, float]:
    """The features of the span ``text[start:end]`` (see :data:`FEATURES`)."""
    surface = text[start:end]
    words = surface.split()
    last = words[-1].lower().strip(".,’'") if words else ""
    f = dict.fromkeys(FEATURES, 0.0)
    f["lab_" + info.label.lower()] = 1.0
    f["part_comma"] = float(info.part == "comma")
    f["part_run"] = float(info.part == "run")
    for kind, value in info.kinds.items():
        f[kind] = value
    f["g_none"] = float(not info.has_candidates)
    f["g_alternate_only"] = float(info.has_candidates and not any(v >= 1 for v in info.kinds.values()))
    f["g_logpop"] = math.log10(info.max_population + 1) / 7.0
    f["demonym"] = float(info.demonym)
    f["elsewhere_place"] = float(info.elsewhere_place)
    n = len(words)
    f["words1"], f["words2"], f["words3"] = float(n == 1), float(n == 2), float(n >= 3)
    letters = [c for c in surface if c.isalpha()]
    f["all_caps"] = float(len(letters) > 2 and all(c.isupper() for c in letters))
    f["short_caps"] = float(len(letters) <= 3 and sum(c.isupper() for c in letters) >= 2)
    f["lower_start"] = float(surface[:1].islower())
    f["run_after_of"] = float(info.part == "run" and text[max(0, start - 4):start].lower() == " of ")
    f["digit"] = float(any(c.isdigit() for c in surface))
    f["suf_facility"] = float(n > 1 and last in FACILITY_WORDS)
    f["suf_org"] = float(n > 1 and last in ORGANISATION_WORDS)
    f["suf_area"] = float(n > 1 and last in AREA_WORDS)
    before = text[max(0, start - 30):start]
    word = _WORD_BEFORE.search(before)
    previous = word.group(1).lower() if word and before.endswith((word.group(0))) else ""
    f["prev_locative"] = float(previous in LOCATIVE_WORDS)
    f["prev_the"] = float(previous == "the")
    stripped = before.rstrip()
    f["sentence_start"] = float(not stripped or stripped[-1] in ".!?\n\"“:")
    f["next_comma_place"] = float(info.next_comma_place)
    f["prev_comma_place"] = float(info.prev_comma_place)
    after = text[end:end + 8]
    f["next_based"] = float(after.startswith(("-based", "–based")))
    f["next_possessive"] = float(after.startswith(("'s", "’s")))
    known = max(info.kinds.get("g_country", 0.0), info.kinds.get("g_admin1", 0.0), info.kinds.get("g_city_big", 0.0))
    f["run_known"] = f["part_run"] * known
    f["org_known"] = f["lab_org"] * known
    f["person_known"] = f["lab_person"] * known
    f["norp_demonym"] = f["lab_norp"] * f["demonym"]
    f["gpe_unknown"] = f["lab_gpe"] * f["g_none"]
    f["fac_facility"] = f["lab_fac"] * f["suf_facility"]
    f["org_facility"] = f["lab_org"] * f["suf_facility"]
    f["person_facility"] = f["lab_person"] * f["suf_facility"]
    return f


@dataclass(frozen=True)
class SpanModel:
    """A logistic model over :data:`FEATURES`; keeps a span at probability >= 0.5."""

    weights: Mapping[str, float]
    bias: float

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    @classmethod
    def from_document(cls, document: Mapping) -> "SpanModel":
        unknown = set(document["weights"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"span model has unknown features: {sorted(unknown)}")
        return cls(dict(document["weights"]), float(document["bias"]))

    @classmethod
    def load(cls, name: str = "geoparser-spans-v1.json") -> "SpanModel":
        data = json.loads(resources.files("storyline.pipeline").joinpath("params", name).read_text(encoding="utf-8"))
        return cls.from_document(data)
