"""``geoparser.geonames.v9``: v8 where world regions are regions and an organisation's acronym is no place.

17. **A world region is a region, not a town.** The built-in gazetteer has
    the continents but not the regions news names across borders: "the
    Middle East" resolved to a neighbourhood of Baltimore, "Central Africa"
    to the Central African Republic through an alternate name. A name in
    :data:`WORLD_REGIONS` (the macro regions of the UN's geoscheme and the
    regions news writes, with a rough centre of each) is placed as a region
    with no country, as a continent is, unless an enclosing name written
    after it says it is a place of that name ("Middle East, Baltimore").
    Names that are also a division the gazetteer has in its own right
    ("Sahel", a region of Burkina Faso; "Gulf", a province of Papua New
    Guinea) are not in the table: event notes use them as divisions.
18. **An organisation's acronym is no place.** "The Government
    Accountability Office (GAO)": capitals in parentheses whose letters are
    the initials of the words before them define an abbreviation of that
    name; when no toponym covers those words (an organisation, not "the
    United Arab Emirates (UAE)"), the abbreviation is not a toponym anywhere
    in the article (the headline's "GAO" is not Gao, Mali, either).
19. **A small town alone in its country is a homonym abroad.** "Barh axis
    (Maqbanah, Taizz)" resolved to Barh, India; "Toto area, north of Tabit
    (Tawila locality, North Darfur state)" to Toto, India: a town (or a
    division below the first level) smaller than ``SMALL`` people, chosen in
    a country that nothing else in the article names (no other toponym, no
    nationality that is not an actor's origin), while every other town or
    division the article resolves is in one other country (countries are
    left out: "demonstrated in Gelting against the war in Ukraine" names
    Ukraine as a topic), is read in that country:
    its candidate there when it has one, else it is left unresolved and
    placed as v8 places a homonym abroad (at the names after it, else the
    article's country). A report of one event is in one country; a country
    the article names once, by a small town only, is the likelier misreading.
20. **What is shelled is a place.** "Russian forces shelled Kobzartsi,
    Mykolaiv", "fired artillery at Mykolaiv": the tagger reads the object of
    an attack verb as a person or nothing, and no locative word introduces
    it. The capitalised names right after a verb of attack (shelled, bombed,
    struck, raided, stormed, captured, fired ... at/on), split at commas (at
    most three), are toponyms when the gazetteer has a town or a division of
    that name (an alternate name is enough: the verb says it is a place) and
    no toponym covers them already.
"""

from __future__ import annotations

import re
from typing import Sequence

from ...model import GeoPrecision, Place
from .context import Context, Toponym, overlaps
from .enclosed import EnclosedGeoparser, EnclosedParams
from .followers import SMALL
from .gazetteer import name_key
from .places import Span

__all__ = ["RegionGeoparser", "WORLD_REGIONS", "defined_acronyms"]

#: (rule 17) world regions by their folded name: (the name to show, latitude, longitude of a rough centre)
WORLD_REGIONS: dict[str, tuple[str, float, float]] = {
    name_key(n): (n, lat, lon) for n, lat, lon in (
        ("Middle East", 29.0, 41.0), ("Mideast", 29.0, 41.0), ("Near East", 33.0, 38.0), ("Far East", 35.0, 120.0),
        ("Latin America", -10.0, -60.0), ("Central America", 13.0, -86.0), ("Caribbean", 17.0, -72.0),
        ("Southeast Asia", 5.0, 110.0), ("South Asia", 22.0, 78.0), ("East Asia", 35.0, 115.0),
        ("Central Asia", 43.0, 65.0), ("West Asia", 29.0, 45.0), ("Western Europe", 48.0, 5.0),
        ("Eastern Europe", 50.0, 30.0), ("Central Europe", 49.0, 15.0), ("Northern Europe", 60.0, 15.0),
        ("Southern Europe", 41.0, 15.0), ("Balkans", 43.0, 20.0), ("Scandinavia", 63.0, 15.0), ("Baltics", 57.0, 24.0),
        ("Caucasus", 42.0, 45.0), ("Horn of Africa", 8.0, 45.0), ("Sub-Saharan Africa", 0.0, 20.0),
        ("North Africa", 28.0, 15.0), ("West Africa", 12.0, -3.0), ("East Africa", 0.0, 37.0),
        ("Southern Africa", -25.0, 25.0), ("Central Africa", 2.0, 20.0), ("Maghreb", 31.0, 3.0), ("Levant", 33.0, 36.0),
        ("Persian Gulf", 27.0, 51.0), ("Asia-Pacific", 10.0, 120.0), ("Indo-Pacific", 5.0, 110.0),
    )
}
#: (rule 18) capitals in parentheses: "(GAO)", "(CDC)", "(J&K)"
_ABBREVIATION = re.compile(r"\(\s*([A-Z][A-Za-z&.]{1,9})\s*\)")
#: the words an abbreviation may leave out ("Office of the Director of National Intelligence (ODNI)")
_SMALL_WORDS = frozenset({"of", "the", "and", "for", "on", "in", "to", "de", "la", "du", "des", "&"})
_WORD = re.compile(r"[A-Za-z][\w’'-]*|&")
#: (rule 20) a verb of attack, then the names of what was attacked: "shelled X, Y", "fired artillery at X"
_ATTACKED = re.compile(r"\b(?:shelled|bombed|bombarded|struck|raided|stormed|captured|recaptured|liberated|"
                       r"fired\s+(?:[\w.-]+\s+){0,3}?(?:at|on|into|towards))\s+(?:the\s+)?"
                       r"([A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2}(?:\s*,\s*[A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2}){0,2})")


def defined_acronyms(text: str) -> list[tuple[str, int, int]]:
    """(abbreviation, start, end of the words it abbreviates) for each "Long Name (LN)" of ``text``."""
    out = []
    for match in _ABBREVIATION.finditer(text):
        letters = [c for c in match.group(1) if c.isupper()]
        if len(letters) < 2:
            continue
        words = list(_WORD.finditer(text, max(0, match.start() - 160), match.start()))
        found = _initials_match(words, letters)
        if found is not None:
            out.append((match.group(1), found, words[-1].end()))
    return out


def _initials_match(words: list[re.Match], letters: list[str]) -> int | None:
    """Where the words whose initials are ``letters`` start, reading back from the parenthesis; small words may be
    skipped or counted ("Department of Defense (DoD)", "Office of the Director of National Intelligence (ODNI)")."""
    i, k = len(words) - 1, len(letters) - 1
    start = None
    while k >= 0 and i >= 0:
        word = words[i].group(0)
        if word[0].upper() == letters[k] and (word[0].isupper() or word.lower() in _SMALL_WORDS):
            start, k = words[i].start(), k - 1
        elif word.lower() not in _SMALL_WORDS:
            return None
        i -= 1
    return start if k < 0 else None


class RegionGeoparser(EnclosedGeoparser):
    """v8 plus rules 17 and 18 of the module doc."""

    def __init__(self, *args, params: EnclosedParams | None = None, **kwargs) -> None:
        super().__init__(*args, params=params, **kwargs)
        self.name = "geoparser.geonames.v9"

    def _toponyms(self, text: str, entities: Sequence[Span]):
        toponyms, demonyms = super()._toponyms(text, entities)
        spans = [(t.start, t.end) for t in toponyms]
        # an abbreviation of a name no toponym covers is an organisation's (not "the United Arab Emirates (UAE)")
        acronyms = {a for a, s, e in defined_acronyms(text) if not any(overlaps((s, e), span) for span in spans)}
        if acronyms:
            toponyms = [t for t in toponyms if t.text.strip() not in acronyms]
        for t in toponyms:
            t.world_region = WORLD_REGIONS.get(name_key(t.text))
        return toponyms, demonyms

    def _more_toponyms(self, text: str, toponyms: list[Toponym]) -> list[Toponym]:
        toponyms = super()._more_toponyms(text, toponyms)
        added = []
        for match in _ATTACKED.finditer(text):
            offset = match.start(1)
            for piece in re.split(r"(\s*,\s*)", match.group(1)):
                start, end = offset, offset + len(piece)
                offset = end
                if not piece[:1].isupper() or any(overlaps((start, end), (t.start, t.end)) for t in toponyms + added):
                    continue
                if not any(e.feature_class in ("P", "A") and not e.folded for e in self.gazetteer.lookup(name_key(piece))):
                    continue
                topo = self._make(text, start, end, "GPE")
                if topo is not None:
                    topo.origin = False
                    added.append(topo)
        return sorted(toponyms + added, key=lambda t: t.start) if added else toponyms

    def _choose(self, t: Toponym, context: Context | None) -> None:
        if getattr(t, "world_region", None) is not None and not _enclosed(t):
            t.candidates = []
            t.choice, t.confidence = None, 0.0
            return
        super()._choose(t, context)

    def resolve(self, text: str, entities: Sequence[Span]):
        toponyms, context = super().resolve(text, entities)
        for t in toponyms:  # rule 19
            if not _small_place(t) or getattr(t, "origin", False):
                continue
            code = t.choice.country_code
            # only the article's towns and divisions: a country is often named as a topic or an origin ("demonstrated
            # in Gelting against the war in Ukraine", "the Saudi-led coalition")
            others = {o.choice.country_code for o in toponyms if o is not t and o.choice is not None and o.choice.country_code
                      and not o.choice.feature_code.startswith("PCL") and not getattr(o, "origin", False)
                      and name_key(o.text) != name_key(t.text)}
            if len(others) != 1 or code in others or context.without(t).country_share(code) > 0:
                continue
            (country,) = others
            inside = [(e, p) for e, p in t.candidates if e.country_code == country]
            if inside:
                t.candidates = inside
                super()._choose(t, context.without(t))
            else:
                t.choice, t.confidence = None, 0.0
                t.abroad = True  # v8 (rule 14) places it at the names after it when they say where
        return toponyms, context

    def _place(self, article_id: str, t: Toponym, context: Context):
        region = getattr(t, "world_region", None)
        if region is not None and t.choice is None and not _enclosed(t):
            name, latitude, longitude = region
            return Place(article_id, t.start, t.end, t.text, name=name, latitude=latitude, longitude=longitude,
                         feature_code="RGN", precision=GeoPrecision.REGION, confidence=1.0)
        return super()._place(article_id, t, context)


def _small_place(t: Toponym) -> bool:
    e = t.choice
    if e is None or e.feature_code.startswith("PCL") or e.feature_code in ("ADM1", "CONT", "PPLC"):
        return False
    return e.feature_class in ("P", "A") and e.population < SMALL


def _enclosed(t: Toponym) -> bool:
    """Is an enclosing name written after ``t`` in the country of one of its candidates ("Middle East, Baltimore";
    not "the Middle East, Syria and Iraq", a list in prose)?"""
    after = {e.country_code for e in t.qualifier} | {e.country_code for p in getattr(t, "followers", ()) for e in p}
    return any(e.country_code in after for e, _ in t.candidates if e.country_code)


def _geonames_v9(options) -> RegionGeoparser:
    """v8 where world regions are regions with no country and an organisation's acronym is no place."""
    from .places import default_gazetteer_path
    from .ranker import PlaceRanker
    from .spans import SpanModel

    return RegionGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load(),
                           ranker=PlaceRanker.load())
