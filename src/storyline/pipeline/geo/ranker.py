"""Which gazetteer entry a toponym names: features and a fitted logistic ranker.

``geoparser.geonames.v3`` describes every candidate entry of a recognised
toponym by the general features below and picks the candidate with the
highest score of a logistic model. The features say what kind of place the
candidate is and how the text around the name agrees with it -- never which
name or which place:

* **priors**: population (log), how it ranks by population among the
  candidates, the kind of place (country, first-level division, capital,
  administrative seat, other populated place, region, natural or built
  feature), whether the name is its main name, an alternate name, or matched
  only without a generic word ("Idlib Province" -> "Idlib") or a leading
  article, how many candidates there are;
* **the words around the name**: a kind word next to it ("Reg district",
  "Khost city", "the village of X") agreeing or not with the candidate's kind;
  the entity label (a facility read as a country);
* **enclosing names**: what follows the name -- "X, Y", "X (Y, Z)", "X
  district (Y)" -- agrees with the candidate's first-level division or
  country, or names a division or country the candidate is not in;
* **the rest of the article**: the share of the article's other places in the
  candidate's country, a locative place of the same sentence in that country,
  a demonym or nationality of that country, the candidate's division named
  elsewhere, the candidate enclosing another chosen place, and the distance
  to the nearest other chosen place.

The model is fitted by ``storyline fit places FILE...`` on gold geoparsing
files and ACLED event files (:mod:`storyline.evaluate.fit_places`); the
committed parameters name the files they came from with their sha256.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Mapping, Protocol, Sequence

__all__ = ["RANKER_FEATURES", "PlaceRanker", "Mention", "ContextView", "ranker_features", "kind_word", "PARAMS_FILE"]

PARAMS_FILE = "geoparser-ranker-v1.json"

RANKER_FEATURES: tuple[str, ...] = (
    "logpop", "pop_top", "pop_share", "log_candidates", "single",
    "k_country", "k_adm1", "k_adm2", "k_capital", "k_seat", "k_ppl", "k_cont", "k_region", "k_water", "k_terrain",
    "k_site",
    "main", "alternate", "folded", "stripped",
    "kw_settlement_p", "kw_settlement_not_p", "kw_division_a", "kw_division_p",
    "fac_label_ap", "gpe_label_other", "norp_label",
    "q_country", "q_admin1", "q_admin_any", "q_miss",
    "ctx_share_country", "ctx_share_other", "ctx_same_sentence", "ctx_demonym", "ctx_admin1", "ctx_encloses",
    "ctx_near", "ctx_close", "ctx_none",
)

#: Kind words that say the name is a populated place or one that a division names
SETTLEMENT_WORDS = frozenset("""city town village township municipality locality neighbourhood neighborhood suburb
hamlet camp port capital""".split())
#: Kind words that say the name is an administrative division
DIVISION_WORDS = frozenset("""district province state county region governorate prefecture oblast department upazila
sub-district subdistrict division territory canton commune""".split())

_WORD_AFTER = re.compile(r"\s+([a-z][a-z-]+)")
_OF_BEFORE = re.compile(r"\b([a-z][a-z-]+)\s+of\s+(?:the\s+)?$")


class Mention(Protocol):
    """What the ranker reads of one toponym (:class:`storyline.pipeline.geo.context.Toponym`)."""

    label: str
    kind_word: str | None
    qualifier: list  # gazetteer entries named right after the name ("X, Y", "X (Y)")


class ContextView(Protocol):
    """What the ranker reads of the rest of the article (:class:`storyline.pipeline.geo.context.Context`)."""

    def country_share(self, code: str) -> float: ...
    def same_sentence_country(self, code: str) -> bool: ...
    def demonym_country(self, code: str) -> bool: ...
    def admin1_named(self, country: str, admin1: str) -> bool: ...
    def encloses_other(self, entry) -> bool: ...
    def nearest_km(self, entry) -> float | None: ...


def kind_word(text: str, start: int, end: int) -> str | None:
    """The kind word right after a name ("Reg district") or before it with "of" ("the town of X"), lowercased."""
    after = _WORD_AFTER.match(text, end)
    if after and after.group(1) in SETTLEMENT_WORDS | DIVISION_WORDS:
        return after.group(1)
    before = _OF_BEFORE.search(text[max(0, start - 30):start])
    if before and before.group(1) in SETTLEMENT_WORDS | DIVISION_WORDS:
        return before.group(1)
    surface = text[start:end].rsplit(None, 1)
    if len(surface) == 2 and surface[1].lower() in SETTLEMENT_WORDS | DIVISION_WORDS:
        return surface[1].lower()
    return None


def _kind(entry) -> str:
    code, cls = entry.feature_code, entry.feature_class
    if code.startswith("PCL") or code == "TERR":
        return "k_country"
    if code == "ADM1":
        return "k_adm1"
    if code.startswith("ADM"):
        return "k_adm2"
    if code == "PPLC":
        return "k_capital"
    if code.startswith("PPLA"):
        return "k_seat"
    if cls == "P":
        return "k_ppl"
    if code == "CONT":
        return "k_cont"
    if cls in ("A", "L"):
        return "k_region"
    if cls == "H":
        return "k_water"
    if cls in ("T", "V", "U"):
        return "k_terrain"
    return "k_site"


def ranker_features(mention: Mention, candidates: Sequence[tuple[object, float]], context: ContextView | None) -> list[dict[str, float]]:
    """The features of each ``(entry, key penalty)`` candidate of ``mention`` (see :data:`RANKER_FEATURES`)."""
    n = len(candidates)
    populations = [e.population for e, _ in candidates]
    top = max(populations) if populations else 0
    total = sum(populations) or 1
    word = mention.kind_word
    settlement = word in SETTLEMENT_WORDS if word else False
    division = word in DIVISION_WORDS if word else False
    qualifiers = mention.qualifier
    out = []
    for entry, penalty in candidates:
        f = dict.fromkeys(RANKER_FEATURES, 0.0)
        f["logpop"] = math.log10(entry.population + 1) / 7.0
        f["pop_top"] = float(entry.population == top and top > 0)
        f["pop_share"] = entry.population / total
        f["log_candidates"] = math.log1p(n) / 3.0
        f["single"] = float(n == 1)
        kind = _kind(entry)
        f[kind] = 1.0
        f["main"] = float(entry.main and not entry.folded)
        f["alternate"] = float(not entry.main)
        f["folded"] = float(entry.folded)
        f["stripped"] = float(penalty > 0)
        is_p, is_a = entry.feature_class == "P", entry.feature_class == "A"
        f["kw_settlement_p"] = float(settlement and is_p)
        f["kw_settlement_not_p"] = float(settlement and not is_p)
        f["kw_division_a"] = float(division and is_a)
        f["kw_division_p"] = float(division and is_p)
        f["fac_label_ap"] = float(mention.label == "FAC" and (is_a or is_p))
        f["gpe_label_other"] = float(mention.label == "GPE" and entry.feature_class not in ("A", "P", "L"))
        f["norp_label"] = float(mention.label == "NORP")
        if qualifiers:
            country = any(q.feature_code.startswith("PCL") and q.country_code == entry.country_code for q in qualifiers)
            admin1 = any(q.feature_code == "ADM1" and q.country_code == entry.country_code and q.admin1_code == entry.admin1_code
                         and q.geonameid != entry.geonameid for q in qualifiers)
            admin_any = any(not q.feature_code.startswith("PCL") and q.country_code == entry.country_code
                            and q.geonameid != entry.geonameid for q in qualifiers)
            f["q_country"], f["q_admin1"], f["q_admin_any"] = float(country), float(admin1), float(admin_any)
            f["q_miss"] = float(not any(q.country_code == entry.country_code for q in qualifiers))
        if context is None:
            f["ctx_none"] = 1.0
        else:
            share = context.country_share(entry.country_code) if entry.country_code else 0.0
            if kind == "k_country":
                f["ctx_share_country"] = share
            else:
                f["ctx_share_other"] = share
            f["ctx_same_sentence"] = float(bool(entry.country_code) and context.same_sentence_country(entry.country_code))
            f["ctx_demonym"] = float(bool(entry.country_code) and context.demonym_country(entry.country_code))
            f["ctx_admin1"] = float(kind != "k_adm1" and bool(entry.admin1_code) and context.admin1_named(entry.country_code, entry.admin1_code))
            f["ctx_encloses"] = float(context.encloses_other(entry))
            nearest = context.nearest_km(entry)
            if nearest is not None:
                f["ctx_near"] = math.exp(-nearest / 250.0)
                f["ctx_close"] = math.exp(-nearest / 25.0)
        out.append(f)
    return out


@dataclass(frozen=True)
class PlaceRanker:
    """A logistic model over :data:`RANKER_FEATURES`; the candidate with the highest score wins."""

    weights: Mapping[str, float]
    bias: float = 0.0

    def scores(self, features: Sequence[Mapping[str, float]]) -> list[float]:
        items = list(self.weights.items())
        return [self.bias + sum(w * f.get(name, 0.0) for name, w in items) for f in features]

    @classmethod
    def from_document(cls, document: Mapping) -> "PlaceRanker":
        unknown = set(document["weights"]) - set(RANKER_FEATURES)
        if unknown:
            raise ValueError(f"place ranker has unknown features: {sorted(unknown)}")
        return cls(dict(document["weights"]), float(document.get("bias", 0.0)))

    @classmethod
    def load(cls, name: str = PARAMS_FILE) -> "PlaceRanker":
        data = json.loads(resources.files("storyline.pipeline").joinpath("params", name).read_text(encoding="utf-8"))
        return cls.from_document(data)
