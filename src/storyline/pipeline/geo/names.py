"""What place names look like in running text: the patterns and word lists the geoparser reads.

Patterns are linear (no nested quantifiers over the same characters), so their
cost stays proportional to the text they scan.
"""

from __future__ import annotations

import re

__all__ = ['ABBREVIATIONS', 'ARTICLE_PREFIX', 'CALENDAR_WORDS', 'CAPITALISED', 'GENERIC', 'INTRODUCED', 'KIND_AFTER', 'KIND_WORDS', 'LEADING', 'LOCATED', 'LOCATED_QUALIFIED', 'LOCATIVE', 'SENTENCE_END', 'SITE', 'TRAILING', 'UNRESOLVABLE']

GENERIC = re.compile(
    r"\s+(?:province|governorate|region|district|county|state|prefecture|oblast|city|municipality|"
    r"department|territory|island|islands)$", re.IGNORECASE)
LEADING = re.compile(r"^(?:the\s+)", re.IGNORECASE)
TRAILING = re.compile(r"(?:'s|’s|'|’)$")
LOCATIVE = re.compile(
    r"(?:\b(?:in|at|near|into|inside|across|throughout|outside|around|within)\s+(?:the\s+)?|"
    r"\b(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)\s+of\s+)"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|north-?east(?:ern)?|"
    r"north-?west(?:ern)?|south-?east(?:ern)?|south-?west(?:ern)?)\s+)?$", re.IGNORECASE)
CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z’'.-]+(?:\s+(?:[A-Z][a-zA-Z’'.-]+|of|de|del|la|al|el)){0,3}\b")
#: "the town of al-Tanf", "the village of Kafr Nabl": a name introduced by its kind
INTRODUCED = re.compile(
    r"\b(?:town|city|village|province|region|district|governorate|port|base|area|suburb|island|county|state|"
    r"neighbou?rhood|camp|crossing|border town|capital)\s+of\s+"
    r"((?:(?:al|el|as|ad|ar|at|an|ash|az)[-‐‑ ])?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})")
#: "the al-Tanf garrison": an Arabic-article name before the kind of site it is
SITE = re.compile(
    r"\bthe\s+((?:al|el|as|ad|ar|at|an|ash|az)[-‐‑][A-Z][\w’'-]+)\s+(?:garrison|base|camp|area|border|crossing|"
    r"region|province|district|airport|airbase|refinery|dam|checkpoint|outpost|port)\b")
KIND_WORDS = ("district", "city", "town", "village", "township", "municipality", "province", "governorate", "county",
               "sub-district", "subdistrict", "upazila", "region", "commune", "prefecture", "neighbou?rhood", "locality",
               "state", "department", "division", "area")
#: v3: "Reg district", "Khost city", "Biyo Cadde village": a capitalised name followed by its (lowercase) kind
KIND_AFTER = re.compile(
    r"(?<![\w’'-])(?!(?:In|At|On|Of|The|Near|From|To|And|A)\s)((?:(?:al|el|as|ad|ar|at|an|ash|az)[-‐‑ ])?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})\s+(?:"
    + "|".join(k for k in KIND_WORDS if k not in ("division", "department")) + r")\b")
#: v3: a name right after a locative preposition (up to five words: "in Bad Lauterberg im Harz")
LOCATED = re.compile(r"\b(?:in|near|at|outside|around)\s+([A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|am|im|an|de|del|la|le|sur|upon|on)){0,4})")
#: v3: the enclosing names after a located name: "in X, Y", "in X village (Y, Z)"
LOCATED_QUALIFIED = re.compile(r"\b(?:in|near|at|outside|around)\s+[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3}(?:\s+[a-z-]+)?"
                                r"(?:\s*,\s*|\s*\()([A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2}(?:\s*,\s*[A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2}){0,2})")
CALENDAR_WORDS = frozenset("january february march april may june july august september october november december monday "
                            "tuesday wednesday thursday friday saturday sunday".split())
ARTICLE_PREFIX = re.compile(r"(?:al|el|as|ad|ar|at|an|ash|az)[-‐‑][A-Z]")
#: Directions and other names that are places only relative to the speaker
UNRESOLVABLE = frozenset({"west", "east", "north", "south", "the west", "the east", "midwest", "middle", "mainland",
                           "northeast", "northwest", "southeast", "southwest", "earth", "world"})
SENTENCE_END = re.compile(r"[.!?]['\"”’)]*\s+|\n\s*\n")
#: Style-guide abbreviations of US states and Canadian provinces ("Ky.", "B.C."), written with their period.
ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Kans.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland",
    "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi", "Mo.": "Missouri",
    "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada", "N.H.": "New Hampshire", "N.J.": "New Jersey",
    "N.M.": "New Mexico", "N.Y.": "New York", "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma",
    "Ore.": "Oregon", "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota",
    "Tenn.": "Tennessee", "Tex.": "Texas", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington", "W.Va.": "West Virginia",
    "Wis.": "Wisconsin", "Wyo.": "Wyoming", "D.C.": "District of Columbia",
    "Alta.": "Alberta", "B.C.": "British Columbia", "Man.": "Manitoba", "N.B.": "New Brunswick",
    "Nfld.": "Newfoundland and Labrador", "N.L.": "Newfoundland and Labrador", "N.S.": "Nova Scotia",
    "Ont.": "Ontario", "P.E.I.": "Prince Edward Island", "Que.": "Quebec", "Sask.": "Saskatchewan",
    "N.W.T.": "Northwest Territories",
}
