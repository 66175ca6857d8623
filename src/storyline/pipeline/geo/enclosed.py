"""``geoparser.geonames.v8``: v7 where the names written in parentheses after a place are read as places.

12. **Names in parentheses after a name are places the gazetteer knows.**
    "Fotokol (Fotokol, Logone-et-Chari, Extreme-Nord)", "in front of the
    Provincial Office (Cheongju)", "the Bosingak Pavilion (Seoul City -
    Jongno)": the tagger often reads these as persons or organisations, and
    the span model then drops them. A name inside such parentheses (the
    pieces split at commas and at " - ", leading lowercase words such as
    "coded to" skipped) is a toponym when the gazetteer has a division or a
    country of that name, or a town of at least ``min_city_population``. A
    piece in capitals ("(WB)", "(J&K)", "(AP)") is not read, nor a party-state
    tag ("(D-R.I.)", "(D., Hawaii)", "(R, Utah)"): a lawmaker's state is no
    place of the story.
13. **The names after a place are read through parentheses.** "Awara, Abuna
    Ginde Beret (West Shewa, Oromia)", "Arile village, in Rumu groupement
    (Aru, Ituri)": v7's rule 11 stopped at the parenthesis; v8 reads on (up to
    ``max_followers`` names), so the names that share one country place the
    first name there.
14. **An unresolved name is placed at the names after it before the article's
    country.** "Chelhar town (Tharparkar, Sindh)" in an article about India's
    government: a name the gazetteer lacks (or a homonym abroad that rule 11
    unresolved) is placed at the names written after it when they share one
    country, not at the country the rest of the article names most. Names
    after a comma count only for a homonym abroad, and only when one of them
    is written as the gazetteer names it ("the G-7 summit in Cornwall,
    England" in a report about a trip to Belgium; not "Kilburn, Grannum",
    Grannum read as Granma); otherwise a comma list in prose may say nothing.

15. **"X - Y (Z, W)" is one name.** "Al Quds - Shaykh Jarrah (Al Quds, West
    Bank)", "Dhaka - Paltan (Paltan)": a city and its quarter written with a
    spaced dash; the names after the quarter place the city too, even when
    they repeat it (Al Quds, a name of Jerusalem in Israel and in the West
    Bank, is then the one in the West Bank). A capital keeps its choice
    ("Bogota - Kennedy (Bogota, D.C.)").
16. **A division named by a compass word is looked up with its kind.**
    "Nuwara Eliya town (Central)", "Negombo (Western)": Sri Lanka's
    provinces are "Central Province", "Western Province" in the gazetteer,
    while "Central" and "Western" alone are Uganda's, Ghana's, Zambia's...;
    so a bare compass word ("Central", "North Western", ...) written as a
    place is also looked up as "<word> Province" and "<word> Region", as are
    the enclosing names after a place.

The settings are data (:class:`EnclosedParams`); they are first guesses, not fitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...model import GeoPrecision, Place
from .. import entities as entities_stage
from .context import Context, Toponym, overlaps
from .gazetteer import name_key
from .followers import PARTICLES, FollowerGeoparser, _shared, enclosing_names
from .origins import _most_specific, origin

__all__ = ["EnclosedGeoparser", "EnclosedParams", "parenthesised_names"]


@dataclass(frozen=True)
class EnclosedParams:
    #: at most this many names after a place are read (rule 13; v7 reads 3 and stops at a parenthesis)
    max_followers: int = 5
    #: a town named alone in parentheses is read as a place from this many people (rule 12; a guess, not fitted)
    min_city_population: int = 100_000


#: (rule 16) compass words that name a division only with their kind word in some countries
COMPASS = frozenset(("central", "western", "northern", "eastern", "southern", "north western", "north eastern",
                     "south western", "south eastern", "north central", "north west", "north east", "south west",
                     "south east", "northwest", "northeast", "southwest", "southeast", "north", "south", "east", "west"))
#: (rule 16) the kinds looked up with a compass word
COMPASS_KINDS = ("province", "region")
#: (rule 16) right after a name and an opening parenthesis or a comma: "Negombo (", "Kandy town, "
_ENCLOSING_BEFORE = re.compile(r"[A-Z][\w’'-]*(?:\s+[a-z][a-z-]+)?\s*(?:,|\()\s*$")
#: (rule 15) a quarter after a spaced dash, then an opening parenthesis: "Al Quds - Shaykh Jarrah ("
_QUARTER = re.compile(r"\s+-\s+[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*){0,3}(?=\s*\()")
#: "(A, B, C)" right after a word or a closing parenthesis (not at the start of a text or after a full stop)
_GROUP = re.compile(r"(?<=[\w’'.)])\s*\(([^()\n]{2,120})\)")
_PIECE_SEPARATOR = re.compile(r"\s*,\s*|\s+-\s+")
#: a capitalised name of at most five words, with the particles of Arabic, Romance and Dutch names between
_CAPITALISED = re.compile(rf"[A-Z][a-z][\w’'\-]*(?:\s+(?:(?:{PARTICLES}|wa|van|von)\s+)?"
                          r"[A-Z][\w’'\-]*){0,4}")
#: a short word with a capital inside is an abbreviation ("(PoP)", "(MoD)"), not a name
_ACRONYM = re.compile(r"[A-Z]\w{0,4}[A-Z]\w{0,3}")
#: (rule 14) the names after a place are in parentheses: "Chelhar town (", "Al Jubah district (", "Kanombe ("
_PARENTHESIS_AFTER = re.compile(r"(?:\s+[a-z][a-z-]+)?\s*\(")
#: leading lowercase words ("coded to", "coded to zone capital", "formerly")
#: a lawmaker's party before a state: "(D., Hawaii)", "(R, Utah)", "(D - Calif.)"
_PARTY_FIRST = re.compile(entities_stage.PARTY_LETTER)
_LEADING_LOWER = re.compile(r"(?:[a-z][\w-]*\s+)+")


def _as_written(t: Toponym) -> bool:
    """Is one of the names after ``t`` the gazetteer's own name as written ("Cornwall, England"; "Budi, Mueang Yala
    (Yala)"), not only a respelling (in "Kilburn, Grannum" the name after it is read as Granma, Cuba)?"""
    written = getattr(t, "follower_toponyms", [])
    pieces = getattr(t, "followers", ())
    return any(i < len(written) and written[i] is not None
               and any(name_key(e.name) == name_key(written[i].text) for e in entries)
               for i, entries in enumerate(pieces))


def parenthesised_names(text: str) -> list[tuple[int, int]]:
    """The (start, end) of the capitalised names written inside parentheses that follow a word."""
    out: list[tuple[int, int]] = []
    for group in _GROUP.finditer(text):
        start = group.start(1)
        inner = group.group(1)
        if _PARTY_FIRST.match(inner):
            continue
        pos = 0
        for sep in [*_PIECE_SEPARATOR.finditer(inner), None]:
            stop = sep.start() if sep else len(inner)
            piece_start = start + pos
            lead = _LEADING_LOWER.match(text, piece_start, start + stop)
            if lead:
                piece_start = lead.end()
            name = _CAPITALISED.match(text, piece_start, start + stop)
            if name and name.end() == start + stop and not _ACRONYM.fullmatch(name.group(0)):
                out.append((name.start(), name.end()))
            pos = sep.end() if sep else len(inner)
    return out


class EnclosedGeoparser(FollowerGeoparser):
    """v7 plus rules 12 to 14 of the module doc."""

    read_through = True

    def __init__(self, *args, params: EnclosedParams | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.params = params or EnclosedParams()
        self.max_followers = self.params.max_followers
        self.name = "geoparser.geonames.v8"

    def _more_toponyms(self, text: str, toponyms: list[Toponym]) -> list[Toponym]:
        added: list[Toponym] = []
        replaced: set[int] = set()
        for start, end in parenthesised_names(text):
            over = [t for t in toponyms if overlaps((start, end), (t.start, t.end))]
            # a toponym the gazetteer knows nothing of ("Seoul City - Jongno") gives way to the names inside it
            if any(self._known(t) for t in over):
                continue
            topo = self._make(text, start, end, "GPE")
            if topo is None or not self._known_enclosing(topo):
                continue
            topo.origin = origin(text, topo.start, topo.end)
            added.append(topo)
            replaced |= {id(t) for t in over}
        if not added:
            return toponyms
        return sorted([t for t in toponyms if id(t) not in replaced] + added, key=lambda t: t.start)

    def _followers_from(self, text: str, t: Toponym) -> int:
        quarter = _QUARTER.match(text, t.end)
        t.quarter = bool(quarter)
        return quarter.end() if quarter else t.end

    def _choose(self, t: Toponym, context: Context | None) -> None:
        if not getattr(t, "quarter", False):
            super()._choose(t, context)
            return
        # a capital keeps its choice ("Bogota - Kennedy (Bogota, D.C.)" is not the Bogota of New Jersey)
        candidates = list(t.candidates)
        t.quarter = False
        super()._choose(t, context)
        t.quarter = True
        if t.choice is not None and t.choice.feature_code == "PPLC":
            return
        t.candidates = candidates
        super()._choose(t, context)

    def _make(self, text: str, start: int, end: int, label: str) -> Toponym | None:
        topo = super()._make(text, start, end, label)
        # only where an enclosing name is written ("Negombo (Western)"): "the Central region" of a country the
        # article names keeps v7's candidates
        if topo is not None and topo.keys and topo.keys[0][0] in COMPASS and _ENCLOSING_BEFORE.search(text, max(0, start - 60), start):
            topo.keys = topo.keys + [(f"{topo.keys[0][0]} {kind}", 0.0) for kind in COMPASS_KINDS]
        return topo

    def _qualifiers(self, text: str, end: int):
        entries = super()._qualifiers(text, end)
        match = re.match(r"(?:\s+[a-z][a-z-]+)?(?:\s*,\s*|\s*\()([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\b", text[end:end + 60])
        if match and name_key(match.group(1)) in COMPASS:
            key = name_key(match.group(1))
            entries = entries + [e for kind in COMPASS_KINDS for e in self.gazetteer.lookup(f"{key} {kind}")
                                 if e.feature_class == "A"]
        return entries

    def _entries(self, name: str, toponym: Toponym | None):
        entries = super()._entries(name, toponym)
        key = name_key(name)
        if key in COMPASS:
            entries = entries + [e for kind in COMPASS_KINDS for e in self.gazetteer.lookup(f"{key} {kind}")
                                 if e.feature_class == "A" and e not in entries]
        return entries

    def _known(self, topo: Toponym) -> bool:
        return any(self.gazetteer.lookup(key) for key, _ in topo.keys)

    def _known_enclosing(self, topo: Toponym) -> bool:
        """Does the gazetteer have a division or country, or a big enough town, of this name?"""
        for key, _ in topo.keys:  # "Seoul City" under the key of Seoul too
            for e in self.gazetteer.lookup(key):
                if e.feature_class == "A" or (e.feature_class == "P" and e.population >= self.params.min_city_population):
                    return True
        return False

    def _toponyms(self, text: str, entities):
        toponyms, demonyms = super()._toponyms(text, entities)
        at = {t.start: t for t in toponyms}
        for t in toponyms:  # the toponyms written as the names after it, in order (None where a name is no toponym)
            begin = self._followers_from(text, t)
            t.follower_toponyms = [at.get(start) for start, _ in
                                   enclosing_names(text, begin, through=True, limit=self.max_followers)]
            t.parenthesised = bool(_PARENTHESIS_AFTER.match(text, begin))
        return toponyms, demonyms

    def _place(self, article_id: str, t: Toponym, context: Context):
        place = super()._place(article_id, t, context)
        pieces = getattr(t, "followers", ())
        if t.choice is not None or not pieces:
            return place
        if not getattr(t, "parenthesised", False) and not (getattr(t, "abroad", False) and _as_written(t)):
            return place  # "Kilburn, Grannum", "Ramor Theatre, Virginia": a list in prose may say nothing
        country, admin1 = _shared(pieces)
        if country is None or place.country_code == country:
            return place  # v7 placed it in the country the names after it share (at the place the article is about)
        q = self._enclosing_point(t, pieces, country, admin1)
        if q is None:
            return place
        return Place(article_id, t.start, t.end, t.text, latitude=q.latitude, longitude=q.longitude,
                     country_code=q.country_code or None, country=self.gazetteer.country_name(q.country_code),
                     admin1=self._admin1(q), precision=GeoPrecision.UNRESOLVED, confidence=0.0)

    @staticmethod
    def _enclosing_point(t: Toponym, pieces, country: str, admin1: str | None):
        """The nearest name after ``t`` in ``country`` (and ``admin1``): its toponym's choice, else its entry there."""
        def inside(e) -> bool:
            return e is not None and e.country_code == country and (admin1 is None or e.admin1_code == admin1)

        written = getattr(t, "follower_toponyms", [])
        for i, entries in enumerate(pieces):
            topo = written[i] if i < len(written) else None
            if topo is not None and inside(topo.choice):
                return topo.choice
            there = [e for e in entries if inside(e)]
            if there:
                return _most_specific(there)
        return None


def _geonames_v8(options) -> EnclosedGeoparser:
    """v7 where names in parentheses after a name are places, and the names after a place are read through them."""
    from .places import default_gazetteer_path
    from .ranker import PlaceRanker
    from .spans import SpanModel

    return EnclosedGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load(),
                             ranker=PlaceRanker.load())
