"""``geoparser.geonames.v7``: v6 where the names written after a place say where it is.

11. **The names after a place place it.** "Cuatro Caminos, San Cristobal
    Totonicapan, Totonicapan", "Kelly town in Idleb", "Mine 6/7, Donetsk": a
    name followed by enclosing names (after commas, in parentheses, or after
    "in", with or without a kind word between) is in the one country those
    names share -- and in their one first-level division when they share
    one. When its chosen entry is elsewhere and it has a candidate there, the
    candidate there is chosen instead (v6's rule 7 did so only for a name
    written with its kind word). A country's own name is never moved, and a
    list whose names share no single country ("Dublin, Paris") says nothing.
    A name with no candidate there keeps its choice ("X, Y" may be a list in
    prose), unless it is a small town and the names after it are divisions
    or joined strongly ("X town in Y", "X (Y)"): then it is a homonym abroad,
    left unresolved and placed at the names after it.
"""

from __future__ import annotations

import re
from typing import Sequence

from .. import entities as entities_stage
from .context import Context, Toponym
from .gazetteer import Entry, name_key
from ...model import GeoPrecision, Place
from .origins import OriginGeoparser, _most_specific
from .places import Span
from .ranker import DIVISION_WORDS, SETTLEMENT_WORDS

__all__ = ["FollowerGeoparser", "enclosing_names"]

_KIND = "|".join(sorted(SETTLEMENT_WORDS | DIVISION_WORDS, key=len, reverse=True))
#: what joins a name to the names after it: ", ", " (", " in ", after an optional number ("Mine 6/7, Y") and kind word
#: ("X town in Y")
_JOIN = re.compile(rf"(?:\s+(?:No\.?\s*)?\d[\w/-]*)?(?:\s+(?:{_KIND}))?(?:\s*,\s*|\s*\(\s*|\s+in\s+(?:the\s+)?)")
#: the particles of Arabic and Romance names that may stand between two capitalised words ("Deir ez Zor")
PARTICLES = "al|el|as|ad|ar|ash|az|ez|de|del|la|le|du|do|da|di"
_NAME = re.compile(rf"[A-Z][\w’'\-]*(?:\s+(?:(?:{PARTICLES})\s+)?[A-Z][\w’'\-]*){{0,3}}"
                   rf"(?:\s+(?:{_KIND}))?")
_STRONG = re.compile(rf"(?:\s+(?:No\.?\s*)?\d[\w/-]*)?(?:(?:\s+(?:{_KIND}))?(?:\s*\(|\s+in\s+)|\s+(?:{_KIND})\s*,)")
_SEPARATOR = re.compile(r"\s*,\s*")
#: (v8) between the names after a place, also an opening parenthesis and ", in": "Y township (Z district, W)"
_SEPARATOR_THROUGH = re.compile(r"\s*(?:,\s*(?:in\s+(?:the\s+)?)?|\(\s*)")
#: at most this many names after a place are read
_MAX_NAMES = 3
#: a chosen town smaller than this with no candidate where the names after it are is a homonym abroad (a first
#: guess, not fitted); a bigger one keeps its choice ("Paris, London" may be a list in prose)
SMALL = 100_000


def enclosing_names(text: str, end: int, *, through: bool = False, limit: int = _MAX_NAMES) -> list[tuple[int, str]]:
    """The capitalised names (offset, name) right after ``text[:end]``: "X, Y, Z" / "X (Y, Z)" / "X town in Y" -> Y, Z.

    ``through`` (v8) reads on past an opening parenthesis or ", in": "X, Y (Z, W)" -> Y, Z, W."""
    join = _JOIN.match(text, end)
    if not join:
        return []
    separator = _SEPARATOR_THROUGH if through else _SEPARATOR
    out: list[tuple[int, str]] = []
    pos = join.end()
    while len(out) < limit:
        name = _NAME.match(text, pos)
        if not name:
            break
        out.append((name.start(), re.sub(rf"\s+(?:{_KIND})$", "", name.group(0))))
        sep = separator.match(text, name.end())
        if not sep:
            break
        pos = sep.end()
    return out


def _shared(pieces: Sequence[Sequence[Entry]]) -> tuple[str | None, str | None]:
    """The one country (and the one first-level division, or None) every piece has an entry in."""
    found = [p for p in pieces if p]
    if not found:
        return None, None
    countries = set.intersection(*({e.country_code for e in p if e.country_code} for p in found))
    if len(countries) != 1:
        return None, None
    country = next(iter(countries))
    divisions = [{e.admin1_code for e in p if e.country_code == country and e.admin1_code and not e.feature_code.startswith("PCL")}
                 for p in found]
    divisions = [d for d in divisions if d]
    admin1 = set.intersection(*divisions) if divisions else set()
    return country, (next(iter(admin1)) if len(admin1) == 1 else None)


class FollowerGeoparser(OriginGeoparser):
    """v6 plus rule 11 of the module doc."""

    #: (v8) read the names after a place through parentheses, and how many
    read_through = False
    max_followers = _MAX_NAMES

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = "geoparser.geonames.v7"

    def _toponyms(self, text: str, entities: Sequence[Span]):
        toponyms, demonyms = super()._toponyms(text, entities)
        toponyms = self._more_toponyms(text, toponyms)
        at = {t.start: t for t in toponyms}
        for t in toponyms:
            t.followers = [self._entries(name, at.get(start)) for start, name in
                           enclosing_names(text, self._followers_from(text, t), through=self.read_through, limit=self.max_followers)]
            # "X town in Y", "X (Y)": not a list in prose, so a town named Y says where X is as a division does
            t.follow_strong = bool(t.followers) and bool(_STRONG.match(text, t.end))
        return toponyms, demonyms

    def _followers_from(self, text: str, t: Toponym) -> int:
        """(v8) where the names after ``t`` are read from; v7: right after it."""
        return t.end

    def _more_toponyms(self, text: str, toponyms: list[Toponym]) -> list[Toponym]:
        """(v8) the toponyms a later version recognises besides v6's; v7 adds none."""
        return toponyms

    def _entries(self, name: str, toponym: Toponym | None) -> list[Entry]:
        """The divisions and countries a name may be (under the keys of the toponym written there, if one is:
        "Idleb" respelled Idlib); the towns only when it names no division."""
        keys = {name_key(name)} | ({k for k, _ in toponym.keys} if toponym is not None else set())
        alias = entities_stage.normalise(name, "GPE")
        if alias:
            keys.add(name_key(alias))
        entries = [e for key in keys for e in self.gazetteer.lookup(key)]
        divisions = [e for e in entries if e.feature_class == "A"]
        return divisions or [e for e in entries if e.feature_class == "P"]

    def _choose(self, t: Toponym, context: Context | None) -> None:
        super()._choose(t, context)
        pieces = getattr(t, "followers", ())
        if t.choice is None or not pieces or t.choice.feature_code.startswith("PCL"):
            return
        country, admin1 = _shared(pieces)
        if country is None or (t.choice.country_code == country and admin1 in (None, t.choice.admin1_code)):
            return
        # the names after it are other places ("X, Y"), unless it is written with its quarter ("X - Q (X, Y)", v8)
        named = set() if getattr(t, "quarter", False) else {e.geonameid for p in pieces for e in p}
        inside = [(e, p) for e, p in t.candidates if e.country_code == country and e.geonameid not in named]
        if admin1 is not None:
            inside = [(e, p) for e, p in inside if e.admin1_code == admin1] or inside
        if not inside:
            if t.choice.population < SMALL and (t.follow_strong or any(e.feature_class == "A" for p in pieces for e in p)):
                t.choice, t.confidence = None, 0.0  # a small homonym abroad: placed at the names after it
                t.abroad = True  # (v8 places it there; v7 left it at the article's country)
            return
        if all(e.geonameid == t.choice.geonameid for e, _ in inside):
            return
        t.candidates = inside
        super()._choose(t, context)

    def _place(self, article_id: str, t: Toponym, context: Context):
        place = super()._place(article_id, t, context)
        pieces = getattr(t, "followers", ())
        if t.choice is not None or place.country_code or not pieces:
            return place
        country, admin1 = _shared(pieces)
        inside = [e for p in pieces for e in p if e.country_code == country and (admin1 is None or e.admin1_code == admin1)]
        if not inside:
            return place
        q = _most_specific(inside)
        return Place(article_id, t.start, t.end, t.text, latitude=q.latitude, longitude=q.longitude,
                     country_code=q.country_code or None, country=self.gazetteer.country_name(q.country_code),
                     admin1=self._admin1(q), precision=GeoPrecision.UNRESOLVED, confidence=0.0)


def _geonames_v7(options) -> FollowerGeoparser:
    """v6 where the names written after a place (after commas, in parentheses, after "in") say its country."""
    from .places import default_gazetteer_path
    from .ranker import PlaceRanker
    from .spans import SpanModel

    return FollowerGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load(),
                             ranker=PlaceRanker.load())
