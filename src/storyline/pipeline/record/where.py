"""Where: the places of a report's coded paragraph that can be where its event happened, best first.

:func:`place_candidates` scores each place the geoparser found in the coded
sentences: in the main sentence, after a locative word ("in", "near", "the
town of"), the most specific of compatible places; a nationality, an actor
("Russia conducted an airstrike"), a border landmark or the name of a
facility ("Pomona high school") is not where. :func:`encloses` says when one
place is the country or region of another, so the two agree.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from ...model import Article, GeoPrecision, Place
from .. import entities as entities_stage

__all__ = ["place_candidates", "place_detail", "encloses", "specificity", "affiliation_place", "country_as_region",
           "topic_place", "government_place"]

_LOCATIVE = re.compile(r"\b(?:in|at|near|outside|around|inside|into|across|on|(?:north|south|east|west|northeast|northwest|southeast|"
                       r"southwest|outskirts|town|city|village|district|province|region|area|suburb)\s+of)\s+(?:the\s+)?(?:\w+\s+){0,2}$",
                       re.IGNORECASE)


#: "Pomona high school", "Kabul University": a place name that only names a facility or an institution
_NAMES_A_FACILITY = re.compile(r"\s+(?:high\s+school|school|university|college|hospital|airport|stadium|mosque|church|market|"
                               r"prison|camp|bridge|road|street|highway|station|club|court|council|office|park)\b")
#: "Abdanan city (Ilam)", "Reg district, Kandahar": the name of the place followed by an enclosing name
_FOLLOWED_BY_ENCLOSING = re.compile(r"^(?:\s+[a-z][a-z-]+)?\s*(?:\(|,\s*)")


#: (revision 4) the enclosing name of a located name: "at Nilkhet intersection, Dhaka city"
_LOCATIVE_LIST = re.compile(r"\b(?:in|at|near|outside|around|inside)\s+(?:the\s+)?(?:[\w’'-]+\s+){0,3}[\w’'-]+,\s*$", re.IGNORECASE)
#: (revision 4) an actor's origin: "an armed group from Nigeria", "Turkish forces"
_ORIGIN_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$", re.IGNORECASE)
_ACTOR_AFTER = re.compile(r"(?:['’]s)?\s+(?:armed\s+|security\s+|special\s+)?(?:forces|troops|army|military\s+forces|soldiers|"
                          r"servicem[ae]n|warplanes?|jets|aircraft|drones|air ?strikes|airstrikes|artillery|navy|militants|"
                          r"fighters|rebels|militias|border guards|nationals|citizens|helicopters?|bombers?|missiles?|rockets?|"
                          r"shelling|warships?|gunboats?|tanks)\b", re.IGNORECASE)
_BORDER = re.compile(r"\b(?:border(?:s|ing)?\s+(?:with\s+)?|frontier\s+with\s+)(?:the\s+)?$", re.IGNORECASE)


#: the opening of a lawmaker's state after the name, with or without the party: "Schumer (D-N.Y.)", "Murkowski (Alaska)"
_AFFILIATION_OPEN = re.compile(rf"\(\s*({entities_stage.PARTY_LETTER})?$")
_AFFILIATION_CLOSE = re.compile(r"\.?\s*\)")
#: "the New York Democrat said", "a Texas Republican": a state read as the lawmaker's
_AFFILIATION_BEFORE = re.compile(r"\b(?:the|a|an|fellow)\s+$", re.IGNORECASE)
_AFFILIATION_AFTER = re.compile(r"\s+(?:Democrat|Republican|[Ii]ndependent|lawmaker|congressman|congresswoman|senator)\b")


def affiliation_place(place: Place, text: str, person_ends: set[int]) -> bool:
    """Is ``place`` the state a lawmaker stands for, written in parentheses after the name ("Sen. Brian Schatz (D.,
    Hawaii)", "Lisa Murkowski (Alaska)") or before the party ("the New York Democrat said")? Then it says who the
    person is, not where the event happened. Only a US state (or an unresolved US name such as "N.Y"). Without a
    party letter, the parenthesis must follow a person's name (``person_ends``: where the report's PERSON mentions
    end), since "in Nilkhet (Dhaka)" gives where a place is."""
    if place.country_code != "US" or place.precision not in (GeoPrecision.REGION, GeoPrecision.UNRESOLVED):
        return False  # the convention is American, and a state is a region ("Akinyele LGA (Oyo)" says where)
    before = text[max(0, place.start - 12):place.start]
    if _AFFILIATION_AFTER.match(text, place.end) and _AFFILIATION_BEFORE.search(before):
        return True
    opening = _AFFILIATION_OPEN.search(before)
    if opening is None or not _AFFILIATION_CLOSE.match(text, place.end):
        return False
    if opening.group(1):
        return True
    paren = place.start - len(before) + opening.start()
    return any(e <= paren and not text[e:paren].strip() for e in person_ends if paren - e <= 2)


#: (revision 7) a country as the topic of a policy, not where: "China competitiveness legislation", "the Iran nuclear
#: deal", "Russia sanctions" -- the name right before up to two lowercase words ending in a word of law or policy
_TOPIC_AFTER = re.compile(r"(?:\s+[a-z][a-z-]+){0,2}?\s+(?:legislation|bills?|polic(?:y|ies)|deals?|sanctions|strateg(?:y|ies)|"
                          r"tariffs?|hawks?|doves?|hardliners|envoys?|czar|talks|negotiations|package|agenda|accords?|"
                          r"agreements?|treaty|probe|inquiry)\b")
#: (revision 7) a capital as its government, the subject of a verb: "even if Washington removed all sanctions",
#: "Moscow says", "Beijing has warned", "Washington should return to the deal"
_GOVERNMENT_VERB = re.compile(r"(?:['’]s\s+(?:government|administration|leaders?|demands?|position|stance|decision|"
                              r"withdrawal|sanctions|policy|response)\b|\s+(?:has|have|had|is|was|will|would|should|"
                              r"must|can|could|may|might|wants?|wanted|needs?|needed|says?|said|claims?|claimed|"
                              r"accuse[sd]?|warn(?:s|ed)?|reject(?:s|ed)?|refuse[sd]?|demand(?:s|ed)?|denie[sd]|den(?:y|ies)|"
                              r"insist(?:s|ed)?|urge[sd]?|impose[sd]?|remove[sd]?|lift(?:s|ed)?|announce[sd]?|agree[sd]?|"
                              r"respond(?:s|ed)?|threaten(?:s|ed)?|seeks?|sought|hopes?|hoped|believes?|believed|blame[sd]?|"
                              r"condemn(?:s|ed)?|dismiss(?:es|ed)?|expects?|expected|sanction(?:s|ed)|backs?|backed)\b)")


def topic_place(place: Place, text: str) -> bool:
    """(revision 7) Is ``place`` a country written as the topic of a law or a policy ("obstructed China
    competitiveness legislation", "the Iran nuclear deal")? It names what is debated, not where."""
    return place.precision == GeoPrecision.COUNTRY and bool(_TOPIC_AFTER.match(text, place.end))


def government_place(place: Place, text: str) -> bool:
    """(revision 7) Is ``place`` a national capital standing for its government, as the subject of a verb ("even if
    Washington removed all sanctions", "Moscow says") with no locative word before it? It says who acts, not where."""
    if place.feature_code != "PPLC" or _LOCATIVE.search(text[max(0, place.start - 40):place.start]):
        return False
    return bool(_GOVERNMENT_VERB.match(text, place.end))


def specificity(place: Place, revision: int = 3) -> float:
    """Point 5, city 4, region 3, a named but unresolved place in a known country 2, country 1, else 0. From
    ``revision`` 7 a region with no country (a continent, "the Middle East") is wider than a country: 0.5."""
    if revision >= 7 and place.precision == GeoPrecision.REGION and not place.country_code:
        return 0.5
    if place.precision == GeoPrecision.UNRESOLVED:
        return 2.0 if place.country_code else 0.0
    return {GeoPrecision.POINT: 5.0, GeoPrecision.CITY: 4.0, GeoPrecision.REGION: 3.0, GeoPrecision.COUNTRY: 1.0}.get(place.precision, 0.0)


def place_candidates(article: Article, places: Sequence[Place], coding: Any, strict: bool = True,
                     revision: int = 3) -> list[tuple[Place, float]]:
    """Places of the coded paragraph, best first: in the main sentence, after a locative word, most specific.

    From ``revision`` 4: a place after a locative word is where even when the actor finder also took it for
    an actor ("staged a protest at Nilkhet intersection, Dhaka city"); an actor's origin ("an armed group from
    Nigeria", "Turkish forces") counts less; and a place outside the main sentence that no locative word
    introduces, after the main sentence, is a passing mention, not where the event happened ("the Senate voted ...
    Sen. X of Ohio").
    """
    spans = [(s.start, s.end) for s in coding.sentences[:4]]
    if not spans:
        return []
    countries = [p.country_code for p in places if p.country_code]
    details = {id(p): place_detail(p, revision) for p in places}
    out = []
    actor_spans = [(a.start, a.end) for sc in coding.sentences for a in (sc.actor1, sc.actor2) if a is not None]
    for p in places:
        in_main = spans[0][0] <= p.start < spans[0][1]
        if not (in_main or any(s <= p.start < e for s, e in spans)):
            continue
        if p.text.lower().rstrip("s") in entities_stage._DEMONYMS or p.text.lower() in entities_stage._DEMONYMS:
            continue  # "Russian forces": a nationality, not where
        locative = bool(_LOCATIVE.search(article.text[max(0, p.start - 40):p.start]))
        placed = locative or bool(_LOCATIVE_LIST.search(article.text[max(0, p.start - 60):p.start]))
        if strict and any(s <= p.start < e for s, e in actor_spans) and not (revision >= 4 and placed):
            continue  # "Russia conducted an airstrike": who acted, not where
        if strict and _BORDER.search(article.text[max(0, p.start - 30):p.start]):
            continue  # "near the border with Jordan": a landmark, not the place of the event
        if revision >= 4 and p.start >= spans[0][1] and not placed:
            continue  # a name in passing after the main sentence ("Sen. Portman of Ohio"), not where its event happened
        from_country = p.precision == GeoPrecision.COUNTRY and _ORIGIN_BEFORE.search(article.text, max(0, p.start - 12), p.start)
        origin = revision >= 4 and bool(from_country or _ACTOR_AFTER.match(article.text, p.end))
        # the country most of the report's places are in is the report's country
        agreement = countries.count(p.country_code) / len(countries) if p.country_code and countries else 0.0
        # the first place of a sentence is usually where the event happened
        first = not any(q.start < p.start and s <= q.start for q in places for s, e in spans[:1] if q.start < e)
        # the most specific of compatible places: a place another of the report's places encloses ("Abdanan city
        # (Ilam)", "in Iran") beats the enclosing one, all the more when the enclosing name follows it
        enclosed = any(encloses(details[id(q)], details[id(p)]) for q in places if q is not p)
        encloser = any(encloses(details[id(p)], details[id(q)]) for q in places if q is not p and q.start != p.start)
        qualified = enclosed and bool(_FOLLOWED_BY_ENCLOSING.match(article.text, p.end))
        # "Pomona high school": the name of a facility, not the place of the event
        facility = bool(_NAMES_A_FACILITY.match(article.text, p.end))
        score = (2.0 * in_main + 1.0 * locative + 0.5 * agreement + 0.3 * (first and in_main) + specificity(p, revision) / 10
                 + p.confidence / 100 + 0.8 * enclosed + 0.5 * qualified - 0.8 * encloser - 1.0 * facility - 1.5 * origin)
        out.append((p, score))
    return sorted(out, key=lambda x: -x[1])


def place_detail(place: Place, revision: int = 3) -> dict[str, Any]:
    return {"specificity": specificity(place, revision), "latitude": place.latitude, "longitude": place.longitude, "country": place.country,
            "country_code": place.country_code, "admin1": place.admin1, "precision": place.precision,
            "confidence": round(place.confidence, 4), "geonameid": place.geonameid, "text": place.text}


def encloses(outer: dict[str, Any], inner: dict[str, Any]) -> bool:
    """Is the place ``outer`` (a detail dict) the country or region that contains ``inner``?"""
    if not outer.get("country_code") or outer.get("country_code") != inner.get("country_code"):
        return False
    if outer.get("precision") == GeoPrecision.COUNTRY:
        return inner.get("precision") != GeoPrecision.COUNTRY
    if outer.get("precision") == GeoPrecision.REGION and outer.get("admin1"):
        return inner.get("admin1") == outer.get("admin1") and inner.get("precision") in (GeoPrecision.CITY, GeoPrecision.POINT)
    return False




def country_as_region(candidates: Sequence[Any]) -> None:
    """(revision 6) One name, one place within an event: a country some reports name ("Georgia", in reports that name
    nothing else) is the region of that name another report's place is in ("Atlanta", Georgia, United States) -- one
    sense per event, as one sense per discourse reads a text. ``candidates`` are the place ballot's candidates (with
    ``detail``); such a country's detail becomes that region's, its position the region's where a report named the
    region itself, else none."""
    for c in candidates:
        name = (c.detail.get("text") or "").casefold()
        if c.detail.get("precision") != GeoPrecision.COUNTRY or not name:
            continue
        homes = [o for o in candidates if o is not c and o.detail.get("country_code") != c.detail.get("country_code")
                 and (o.detail.get("admin1") or "").casefold() == name]
        if not homes:
            continue
        home = homes[0]
        itself = home.detail.get("precision") == GeoPrecision.REGION
        c.detail = dict(c.detail, precision=GeoPrecision.REGION, specificity=3.0, country=home.detail.get("country"),
                        country_code=home.detail.get("country_code"), admin1=home.detail.get("admin1"),
                        latitude=home.detail.get("latitude") if itself else None,
                        longitude=home.detail.get("longitude") if itself else None,
                        geonameid=home.detail.get("geonameid") if itself else None,
                        read_as=f"the region another report places the event in ({home.value})")
