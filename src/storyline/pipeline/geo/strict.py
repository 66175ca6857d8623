"""``geoparser.geonames.v4``: v3 with names that must earn their place.

News is full of names that a gazetteer also lists as places: an office
("the White House" is an alternate name of Casablanca), a party ("GOP" of
Gorakhpur), a first name ("Anthony" Fauci; Anthony, New Mexico), a title
("Secretary" Blinken; Secretary, Maryland), a common word ("the Delta
variant"; Delta State, Nigeria), a legislator's party-state tag ("Sen. Jack
Reed (D-R.I.)"). v3 resolves many of them. v4 keeps v3's recognition and
ranker and adds four general rules, none of which names a string:

1. **The entity label limits the candidates.** A span the entity extractor
   labels as a building or facility (FAC: buildings, airports, highways) and
   names with the definite article ("the White House", "the Pentagon") is
   not a city or a division unless an enclosing name qualifies it; a span
   labelled as an organisation, a person or a facility resolves through an
   entry's main name or a spelling of it ("Bialystok" of "Białystok"),
   never through an alternate name that is a translation or an abbreviation
   (Casablanca's "White House", Gorakhpur's "GOP"), except to a country or a
   first-level division ("DPRK", "Balearic Islands"); and such an entity written with the
   definite article ("the White House") is not a town unless the town's own
   name has the article ("The Hague").
2. **A part of a person's name is not a place**: a toponym strictly inside
   a PERSON span ("Anthony" of "Anthony Fauci", "Secretary" of "Secretary
   Blinken") is dropped.
3. **A party-state tag is not a place of the text**: a toponym inside a
   parenthesis right after a person's name that holds a party letter or a
   state abbreviation with its period ("Jack Reed (D-R.I.)", "Richard Burr
   (N.C.)") is dropped.
4. **A weak name needs evidence.** A one-word name that the extractor did not
   label as a geopolitical entity, and that resolves to something smaller
   than a country or a well-known city (``WELL_KNOWN_CITY`` people), is kept
   only with evidence for it, and never as the word right before a
   person's name ("Secretary Rumsfeld"): a locative word before it ("in", "near"), an
   enclosing name or a kind word next to it, its place as the enclosing
   name of another ("Boussara (Tiefora, Cascades)"), or another place of the
   article (by another name), or a nationality, in the same country.

``geoparser.geonames.v5`` adds a fifth rule:

5. **An institution is not a small town.** A name that the extractor labels
   as an organisation or a facility and that ends in the head noun of a
   building or an institution ("House", "Palace", "Office", "Hospital"...:
   "White House press secretary Jen Psaki"; White House, Tennessee is a town
   whose main name it is), and that resolves to a populated place smaller
   than a well-known city, is kept only when the text places it: a locative
   word before it, an enclosing name or a kind word next to it. (Without the
   head noun the label alone is no evidence: spaCy labels many towns,
   "Edmonton", "Red Deer", as organisations.) Other places of the article
   in the same country are no evidence here (every US report names US places).
   An organisation or facility whose every candidate the rules set aside
   ("the White House said") stays unresolved with no position: it is not
   drawn at the article's main place, as other unknown names are.
"""

from __future__ import annotations

import bisect
import re
from difflib import SequenceMatcher
from typing import Sequence

from ...model import GeoPrecision, Place
from .. import entities as entities_stage
from .context import Context, Toponym, _country_codes
from .gazetteer import name_key
from .places import GazetteerGeoparser, Span, default_gazetteer_path
from .ranker import PlaceRanker
from .spans import SpanModel

__all__ = ["EvidenceGeoparser", "InstitutionGeoparser"]

#: labels of spans that name something other than a place in their own right
_NOT_PLACE_LABELS = frozenset({"FAC", "ORG", "PERSON"})
#: a party-state tag right after a person's name: "(D-R.I.)", "(R-Ky.)", "(D., N.Y.)", "(N.C.)", "(Calif.)" -- a party
#: letter, or a state written as an abbreviation with its period (an enclosing place, "Kolofata (Mayo-Sava)", has neither)
_TAG = re.compile(r"\s*\(\s*(?:(?:[DRI]|Ind|Dem|Rep)\s*[.,–—-]+\s*[^()\n]{1,20}|(?:[A-Z][a-z]{0,4}\.\s?)+(?:[A-Z][a-z]{0,3}\.)?)\s*\)")
#: labels under which a one-word name is strong enough on its own
_STRONG_LABELS = frozenset({"GPE", "INTRO"})
#: how alike (difflib ratio of the folded names) an alternate name must be to the main name to count as a spelling of it
RESEMBLANCE = 0.6
#: a city this large is known by its name alone ("a Cork mother", "a Saskatoon police officer")
WELL_KNOWN_CITY = 150_000
#: "the White House", "the Pentagon": a facility named with the definite article is a building or an institution
_DEFINITE = re.compile(r"the\s+", re.IGNORECASE)
#: rule 5: the last word of a building's or an institution's name
_INSTITUTION_HEAD = re.compile(r"\b(?:House|Palace|Hall|Office|Court|Castle|Tower|Building|Cent(?:er|re)|Church|Cathedral|Temple|"
                               r"Mosque|Hospital|School|College|University|Airport|Station|Bank|Embassy|Parliament|Capitol|"
                               r"Ministry|Department|Prison|Stadium|Arena|Museum|Library)$")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


class EvidenceGeoparser(GazetteerGeoparser):
    """v3 plus the rules of the module doc."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = "geoparser.geonames.v4"

    def _toponyms(self, text: str, entities: Sequence[Span]):
        toponyms, demonyms = super()._toponyms(text, entities)
        persons = [(s, e) for s, e, label in entities if label == "PERSON"]
        tags = [m.span() for s, e in persons for m in [_TAG.match(text, e)] if m]
        kept = [t for t in toponyms
                if not any(s <= t.start and t.end <= e and (t.start, t.end) != (s, e) for s, e in persons)
                and not any(s <= t.start and t.end <= e for s, e in tags)]
        # "the White House" tagged as a facility or an organisation: the entity itself is named with the article
        definite = {(m.end(), e) for s, e, label in entities if label in _NOT_PLACE_LABELS
                    for m in [_DEFINITE.match(text, s, e)] if m}
        for t in kept:
            t.definite = (t.start, t.end) in definite
        return kept, demonyms

    def _choose(self, t: Toponym, context: Context | None) -> None:
        if t.label in _NOT_PLACE_LABELS:
            t.candidates = [(e, p) for e, p in t.candidates
                            if e.main or _country(e) or e.feature_code == "ADM1" or _resembles(t.text, e.name)]
        if t.definite and not t.qualifier:
            # "the White House", "the Pentagon" as an office: a town is not named with the article (unless its name has it)
            t.candidates = [(e, p) for e, p in t.candidates if e.feature_class != "P" or e.name.lower().startswith("the ")]
        if t.label == "FAC" and t.definite and not t.qualifier:
            t.candidates = [(e, p) for e, p in t.candidates if e.feature_class not in ("P", "A") or _country(e)]
        super()._choose(t, context)

    def resolve(self, text: str, entities: Sequence[Span]):
        toponyms, context = super().resolve(text, entities)
        if not toponyms:
            return toponyms, context
        demonyms = [(s, key) for s, e, label in entities if label == "NORP"
                    for key in [entities_stage.normalise(text[s:e], label)] if key]
        nationalities = {code for code in (_country_codes().get(key) for _, key in demonyms) if code}
        titles = {e for s, e, label in entities if label == "PERSON" for e in [s]}
        kept = [t for t in toponyms if not _weak(t) or (not _before_a_name(text, t, titles)
                                                         and (_encloses_another(text, t, toponyms) or _has_evidence(t, toponyms, nationalities)))]
        if len(kept) == len(toponyms):
            return toponyms, context
        return kept, self._context(kept, demonyms, text)


class InstitutionGeoparser(EvidenceGeoparser):
    """v4 plus rule 5 of the module doc: an organisation or facility is not a small town the text does not place."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = "geoparser.geonames.v5"

    def _toponyms(self, text: str, entities: Sequence[Span]):
        toponyms, demonyms = super()._toponyms(text, entities)
        # "the White House’s briefing": the possessive is no part of the name the article is written with
        definite = {(m.end(), e - len(p.group(0)) if p else e) for s, e, label in entities if label in _NOT_PLACE_LABELS
                    for m in [_DEFINITE.match(text, s, e)] if m for p in [_POSSESSIVE.search(text, s, e)]}
        for t in toponyms:
            t.definite = t.definite or (t.start, t.end) in definite
        return toponyms, demonyms

    def _choose(self, t: Toponym, context: Context | None) -> None:
        had = bool(t.candidates)
        super()._choose(t, context)
        # (called twice: without and with the article's context; the first call is the one that sets candidates aside)
        t.institution = getattr(t, "institution", False) or (had and not t.candidates and t.label in ("ORG", "FAC"))

    def _place(self, article_id: str, t: Toponym, context: Context):
        if t.choice is None and getattr(t, "institution", False):
            return Place(article_id, t.start, t.end, t.text, precision=GeoPrecision.UNRESOLVED, confidence=0.0)
        return super()._place(article_id, t, context)

    def resolve(self, text: str, entities: Sequence[Span]):
        toponyms, context = super().resolve(text, entities)
        institutions = sorted((s, e) for s, e, label in entities if label in ("ORG", "FAC"))
        kept = [t for t in toponyms if not _small_town_of_an_institution(t, institutions)]
        if len(kept) == len(toponyms):
            return toponyms, context
        demonyms = [(s, key) for s, e, label in entities if label == "NORP"
                    for key in [entities_stage.normalise(text[s:e], label)] if key]
        return kept, self._context(kept, demonyms, text)


def _small_town_of_an_institution(t: Toponym, institutions: Sequence[tuple[int, int]]) -> bool:
    """Rule 5: ``t`` (labelled, or written inside a span labelled, ORG or FAC: "the White House's") is a small town
    the text does not place. ``institutions`` are sorted spans (a binary search each, so linear in the article)."""
    at = bisect.bisect_right(institutions, (t.start, float("inf"))) - 1
    inside = t.label in ("ORG", "FAC") or (at >= 0 and institutions[at][1] >= t.end)
    if not inside or not _INSTITUTION_HEAD.search(t.text) or t.choice is None or t.choice.feature_class != "P":
        return False
    if t.choice.main and t.choice.population >= WELL_KNOWN_CITY:
        return False
    return not (t.qualifier or t.kind_word or t.locative)


def _resembles(surface: str, main_name: str) -> bool:
    """Is the name written a spelling of the entry's main name ("Bialystok" of "Białystok", "Mondragon" of "Arrasate /
    Mondragón"), rather than a translation or an abbreviation ("White House" of Casablanca, "GOP" of Gorakhpur)?"""
    a, b = name_key(surface), name_key(main_name)
    return bool(a) and (a in b or SequenceMatcher(None, a, b).ratio() >= RESEMBLANCE)


def _country(entry) -> bool:
    return entry.feature_code.startswith("PCL") or entry.feature_code == "CONT"


def _weak(t: Toponym) -> bool:
    if t.label in _STRONG_LABELS or " " in t.text.strip() or t.choice is None:
        return False
    big_city = t.choice.feature_class == "P" and t.choice.main and t.choice.population >= WELL_KNOWN_CITY
    return not (_country(t.choice) or big_city)


def _before_a_name(text: str, t: Toponym, person_starts: set[int]) -> bool:
    """"Secretary Rumsfeld", "Delta Airlines' Ed Bastian": a word right before a person's name is a title or a modifier."""
    gap = len(text[t.end:]) - len(text[t.end:].lstrip(" "))
    return 0 < gap <= 2 and (t.end + gap) in person_starts


#: "Boussara (Tiefora, Cascades)", "Masisi, Nord-Kivu": the name stands where an enclosing place is written,
#: after a capitalised name and a comma or an opening parenthesis
_ENCLOSING_POSITION = re.compile(r"[A-Z][\w’'-]*\s*(?:,|\()\s*$")


def _encloses_another(text: str, t: Toponym, toponyms: Sequence[Toponym]) -> bool:
    """Is ``t`` written as the enclosing place of a name just before it ("X, Y", "X (Y", "X (Z, Y")?"""
    return bool(_ENCLOSING_POSITION.search(text, max(0, t.start - 40), t.start))


def _has_evidence(t: Toponym, toponyms: Sequence[Toponym], nationalities: set[str]) -> bool:
    code = t.choice.country_code if t.choice else None
    if t.qualifier or t.kind_word or t.locative:
        return True
    if not code:
        return False
    key = name_key(t.text)
    others = [o for o in toponyms if o.choice is not None and name_key(o.text) != key]
    return code in nationalities or any(o.choice.country_code == code for o in others)


def _geonames_v4(options) -> EvidenceGeoparser:
    """v3 with the entity label limiting candidates, person-name parts and tags dropped, weak names needing evidence."""
    return EvidenceGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load(),
                             ranker=PlaceRanker.load())



def _geonames_v5(options) -> InstitutionGeoparser:
    """v4 where an organisation or facility is not a small town that the text does not place."""
    return InstitutionGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load(),
                                ranker=PlaceRanker.load())
