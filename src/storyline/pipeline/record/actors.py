"""Actors: who acted (actor1, the source) and against whom (actor2, the target).

:func:`find_actor_phrases` finds the groups a sentence names: a named entity
(an organisation, a country, a nationality, a person) and the generic groups
that event reports name by role -- "Russian troops", "Taliban forces",
"unidentified gunmen", "protesters", "civilians", "US-backed forces" -- with
the country their modifier names. :func:`assign_roles` places them around the
sentence's event trigger:

* passive voice with an agent ("was attacked by two gunmen", "were destroyed
  by the Taliban"): the agent acts, the subject is the target;
* "clashes between X and Y", "X clashed with Y": X and Y;
* otherwise the nearest group before the trigger acts, and the first group
  after it is the target.

Each actor has a display name, a ``kind`` (military, police, state,
government, armed group, unidentified armed group, allied forces, civilians,
protesters, rioters, organisation, person, group) and a normalised ``key``
(``kind:country-or-name``) so reports that name one actor differently agree:
"Russian troops", "Russia's forces" and "Russia" carrying out an airstrike are
all ``military:russia``.

:func:`same_actor` is how ``eval events`` compares an actor with ACLED's
actor names (see its doc).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Sequence

from .. import entities as entities_stage

__all__ = ["Actor", "find_actor_phrases", "assign_roles", "same_actor", "acled_actor_parts", "with_role_kind", "as_demonstrators",
           "person_names", "names_asked", "relabelled"]

Span = tuple[int, int, str]

# generic group nouns by kind (singular and plural stems)
_KIND_NOUNS = (
    ("police", r"military police(?: forces)?|police forces|police officers|police(?:m[ae]n)?|officers|gendarmes?|gendarmerie|security personnel|security forces|border guards?"),
    ("military", r"forces|force|troops|military|army|armed forces|soldiers?|servicem[ae]n|service members|marines|"
                 r"jets?|warplanes?|aircraft|aircrafts|drones?|navy|air ?forces?|helicopters?|gunships?|artillery|units?|battalions?|brigades?|regime"),
    ("unidentified armed group", r"gunm[ae]n|assailants|attackers|armed m[ae]n|armed individuals?|armed group|unidentified m[ae]n|"
                                 r"unknown m[ae]n|bandits|perpetrators|suspects?"),
    ("armed group", r"militants?|fighters?|rebels?|insurgents?|militias?|militiam[ae]n|jihadists?|terrorists?|separatists?|guerrillas?|"
                    r"mercenar(?:y|ies)|combatants|paramilitar(?:y|ies)"),
    ("protesters", r"protesters|protestors|demonstrators|activists|students|workers|farmers|teachers|employees|supporters|marchers|crowds?"),
    ("rioters", r"rioters|mobs?|looters"),
    ("civilians", r"civilians?|residents|villagers|locals|people|persons|passers-by|m[ae]n|wom[ae]n|child(?:ren)?|famil(?:y|ies)|"
                  r"journalists?|traders|drivers?|farmers?|worshippers|refugees|migrants|patients|elders?"),
    ("members", r"members|supporters|cadres|loyalists|followers|partisans"),
    ("government", r"government|authorities|administration|officials|ministry|cabinet|president|prime minister"),
    ("allied forces", r"coalition|allies|allied forces"),
)
_NOUN_KIND = [(kind, re.compile(rf"(?:{nouns})$", re.IGNORECASE)) for kind, nouns in _KIND_NOUNS]
_ALL_NOUNS = "|".join(n for _, n in _KIND_NOUNS)
_MODIFIER = r"(?:[A-Z][\w'’.\-]*|unidentified|unknown|suspected|alleged|armed|local|government|pro-[\w\-]+|anti-[\w\-]+|[a-z]+-(?:backed|led|allied|aligned)|rebel|security|regime|opposition)"
_SITES = r"bases?|camps?|positions?|posts?|outposts?|checkpoints?|garrisons?|installations?|facilit(?:y|ies)|airports?|airfields?|headquarters|vehicles?|convoys?|stations?|barracks|compounds?|operations?|officials|sources|spokesm[ae]n"
_GROUP = re.compile(rf"\b(?P<mods>(?:{_MODIFIER}[’']?s?\s+){{0,4}})(?P<noun>(?i:{_ALL_NOUNS}))\b(?!\s+(?i:{_SITES})\b)(?!-)")
_BACKED = re.compile(r"([A-Za-z.]+)-(?:backed|led|allied|aligned)\b", re.IGNORECASE)
_UNIDENTIFIED = re.compile(r"\b(?:unidentified|unknown|suspected|masked)\b", re.IGNORECASE)
_AUX_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are)\s+(?:\w+\s+)?$", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:which|who|while|but|and)\b|\b(?:after|when|while|because|as|where)\b", re.IGNORECASE)
_WHERE = re.compile(r"\b(?:in|at|near|inside|across|throughout|from|of|within|border with|borders with|to)\s+(?:the\s+)?$", re.IGNORECASE)
_SITE_AFTER = re.compile(rf"\s+(?i:{_SITES})\b")
_NAMED_PLACE_BEFORE = re.compile(r"\b(?:town|city|village|area|district|province|region|camp|base|garrison|port)\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b(?![\w-])")
_ORG_LABELS = ("ORG", "NORP", "GPE", "PERSON")


@dataclass(frozen=True)
class Actor:
    """A group that acts or is acted on, with its span in the sentence."""

    name: str
    key: str
    kind: str
    country: str | None
    start: int
    end: int
    text: str
    #: a named group the actor belongs to ("INC" for "INC members staged a protest")
    associate: str | None = None

    def detail(self) -> dict[str, str | None]:
        out = {"key": self.key, "kind": self.kind, "country": self.country}
        if self.associate:
            out["associate"] = self.associate
        return out


def _country_of(text: str) -> str | None:
    """The country key a modifier names ("Russian", "US", "Ukraine's"), or None."""
    for word in re.findall(r"[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)?", text):
        for candidate in (word, word.split()[0]):
            key = entities_stage.normalise(candidate, "NORP")
            if key and key in entities_stage._countries()[0]:
                return key
    return None


def _kind_of(noun: str) -> str:
    for kind, pattern in _NOUN_KIND:
        if pattern.match(noun):
            return kind
    return "group"


def _display(kind: str, country: str | None, named: str | None, surface: str) -> str:
    place = country.title() if country else None
    if named:
        return named
    if kind == "military":
        return f"Military forces of {place}" if place else "Military forces"
    if kind == "police":
        return f"Police forces of {place}" if place else "Police forces"
    if kind in ("protesters", "rioters", "civilians"):
        return f"{kind.capitalize()} ({place})" if place else kind.capitalize()
    if kind == "unidentified armed group":
        return f"Unidentified armed group ({place})" if place else "Unidentified armed group"
    if kind == "government":
        return f"Government of {place}" if place else "Government"
    return surface


def _make(kind: str, country: str | None, named: str | None, start: int, end: int, text: str) -> Actor:
    ident = named.lower() if named and kind not in ("military", "police", "state", "government") else (country or "")
    return Actor(_display(kind, country, named, text), f"{kind}:{ident}", kind, country, start, end, text)


def find_actor_phrases(sentence: str, entities: Sequence[Span] = ()) -> list[Actor]:
    """The groups ``sentence`` names, in text order (``entities`` are spans into the sentence)."""
    found: list[Actor] = []
    for m in _GROUP.finditer(sentence):
        mods, noun = m.group("mods").strip(), m.group("noun")
        kind = _kind_of(noun)
        backed = _BACKED.search(mods)
        country = _country_of(backed.group(1) if backed else mods) if mods else None
        if backed:
            country = entities_stage.normalise(backed.group(1), "NORP")
            kind = "allied forces"
        named = None
        names_in_mods = [w for w in re.findall(r"[A-Z][\w'’.\-]*", mods) if not _UNIDENTIFIED.fullmatch(w)]
        if kind == "civilians" and re.search(r"\barmed\b", mods, re.IGNORECASE) and re.fullmatch(r"(?i:m[ae]n|individuals?|people|persons)", noun):
            kind = "unidentified armed group"
        if kind == "members":
            kind = "organisation" if names_in_mods else "group"
            named = " ".join(names_in_mods) or None
        elif kind in ("armed group", "military", "unidentified armed group") and mods and not country and not backed:
            if (_UNIDENTIFIED.search(mods) and not names_in_mods) or (kind == "unidentified armed group" and not names_in_mods):
                kind = "unidentified armed group"
            else:
                words = names_in_mods
                if words:
                    named, kind = " ".join(words).rstrip("’'s"), "armed group"
        elif kind == "military" and "regime" in (mods + noun).lower() and not country:
            kind = "military"
        start = m.start("mods") if mods else m.start("noun")
        found.append(_make(kind, country, named, start, m.end(), sentence[start:m.end()]))
    for start, end, label in entities:
        if label not in _ORG_LABELS or any(a.start <= start < a.end for a in found):
            continue
        surface = sentence[start:end]
        if label in ("PERSON", "ORG") and (_SITE_AFTER.match(sentence[end:]) or _NAMED_PLACE_BEFORE.search(sentence[:start])):
            continue  # "the al-Tanf garrison", "the town of al-Tanf": a place
        if re.search(r"(?:anti|pro)-$", sentence[:start], re.IGNORECASE):
            continue  # "an anti-France demonstration": a stance, not an actor
        if label == "GPE" and sentence.rfind("(", 0, start) > sentence.rfind(")", 0, start):
            continue  # "in Bougouni (Bougouni, Sikasso)": a place qualifier
        key = entities_stage.normalise(surface, label)
        if not key:
            continue
        if label == "GPE" and key not in entities_stage._countries()[0]:
            country = next(iter(entities_stage.expand([key]) - {key}), None)
            if country is None:
                continue  # a town or region is where things happen, not who acts
            key = country
        if key in entities_stage._countries()[0] and _WHERE.search(sentence[:start]):
            continue  # "in Syria", "near the border with Jordan": a place, not an actor
        if key in entities_stage._countries()[0]:
            if label == "NORP" and not re.match(r"\s+(?:and|or)\b", sentence[end:]):
                continue  # "Russian" alone modifies something else
            found.append(_make("state", key, None, start, end, surface))
        elif label == "PERSON":
            found.append(Actor(surface, f"person:{key}", "person", None, start, end, surface))
        else:
            found.append(Actor(surface, f"organisation:{key}", "organisation", None, start, end, surface))
    for m in _ACRONYM.finditer(sentence):
        if any(a.start <= m.start() < a.end for a in found) or m.group(0) in ("US", "UN", "EU", "UK"):
            continue
        found.append(Actor(m.group(0), f"organisation:{m.group(0).lower()}", "organisation", None, m.start(), m.end(), m.group(0)))
    found.sort(key=lambda a: a.start)
    return _appositions_dropped(sentence, _members_of_named(sentence, found))


_OF_NAMED = re.compile(r"\s+of\s+(?:the\s+)?$", re.IGNORECASE)
#: generic groups that belong to a named organisation when "of" links them: "fighters of the Wagner Group"
_BELONGING = frozenset({"armed group", "military", "members", "group", "unidentified armed group"})


def _members_of_named(sentence: str, found: list[Actor]) -> list[Actor]:
    """"fighters of the Wagner Group": one actor, the named group, of the kind its members are."""
    out: list[Actor] = []
    for actor in found:
        previous = out[-1] if out else None
        if (previous is not None and previous.kind in _BELONGING and not previous.country and actor.kind == "organisation"
                and _OF_NAMED.search(sentence[previous.end:actor.start]) is not None and actor.start - previous.end < 12):
            kind = "armed group" if previous.kind in ("members", "group", "unidentified armed group") else previous.kind
            named = re.sub(r"^the\s+", "", actor.name, flags=re.IGNORECASE)
            out[-1] = _make(kind, None, named, previous.start, actor.end, sentence[previous.start:actor.end])
            continue
        out.append(actor)
    return out


def _appositions_dropped(sentence: str, found: list[Actor]) -> list[Actor]:
    """An actor inside a parenthesis right after another actor describes it ("the Wagner Group (a Kremlin-linked
    mercenary company)"), and is no actor of its own."""
    out: list[Actor] = []
    for actor in found:
        opened = sentence.rfind("(", 0, actor.start)
        inside = opened >= 0 and sentence.find(")", opened) >= actor.end and sentence.rfind(")", 0, actor.start) < opened
        if inside and out and out[-1].end <= opened and not sentence[out[-1].end:opened].strip():
            continue
        out.append(actor)
    return out


def with_role_kind(actor: Actor, kind: str | None = None, country: str | None = None) -> Actor:
    """The actor as ``kind`` (protesters who riot are rioters) and with ``country`` when it named none."""
    kind = kind or actor.kind
    country = actor.country or country
    if kind == actor.kind and country == actor.country:
        return actor
    named = actor.name if actor.kind in ("organisation", "person", "armed group", "allied forces") else None
    return dataclasses.replace(_make(kind, country, named, actor.start, actor.end, actor.text), associate=actor.associate)


def as_demonstrators(actor: Actor | None, kind: str, start: int, end: int, text: str) -> Actor:
    """``actor`` in the role of the people demonstrating (``kind`` "protesters" or "rioters").

    People, members of a group and unnamed crowds become the demonstrators (a named group stays as
    their associate); any other actor (police, a state) did not demonstrate, so the demonstrators
    are implicit, at ``start:end`` (the event word).
    """
    if actor is not None and actor.kind == kind:
        return actor
    if actor is not None and actor.kind in ("civilians", "group", "protesters", "rioters", "organisation", "person", "members"):
        associate = actor.name if actor.kind in ("organisation", "person") else actor.associate
        return dataclasses.replace(_make(kind, actor.country, None, actor.start, actor.end, actor.text), associate=associate)
    return Actor(kind.capitalize(), f"{kind}:", kind, None, start, end, text)


def _as_military(actor: Actor) -> Actor:
    if actor.kind == "state":
        return _make("military", actor.country, None, actor.start, actor.end, actor.text)
    return actor


def assign_roles(sentence: str, actors: Sequence[Actor], trigger_start: int | None, trigger_end: int | None,
                 plover: str | None = None) -> tuple[Actor | None, Actor | None]:
    """(actor1, actor2) around the trigger at ``trigger_start:trigger_end`` (see the module doc)."""
    if not actors:
        if plover == "PROTEST" and trigger_start is not None and trigger_end is not None:
            return Actor("Protesters", "protesters:", "protesters", None, trigger_start, trigger_end, sentence[trigger_start:trigger_end]), None
        return None, None
    if trigger_start is None or trigger_end is None:
        return actors[0], (actors[1] if len(actors) > 1 else None)
    violent = plover in ("ASSAULT", "FIGHT")
    before = [a for a in actors if a.end <= trigger_start]
    after = [a for a in actors if a.start >= trigger_end]
    # clause boundary: only groups in the trigger's clause act
    if before:
        tail = sentence[before[-1].end:trigger_start]
        if _CLAUSE_BREAK.search(tail) and len(tail) > 60:
            before = []
    actor1 = before[-1] if before else None
    if actor1 is not None:
        # "the military and the Pyu Saw Htee fired": the first of a coordinated subject leads
        i = len(before) - 1
        while i > 0 and re.fullmatch(r"\s*(?:,|and|,\s*and|as well as)\s*(?:the\s+)?", sentence[before[i - 1].end:before[i].start], re.IGNORECASE):
            i -= 1
        actor1 = before[i]
    actor2 = after[0] if after else None
    between = _BETWEEN.search(sentence[trigger_end:trigger_end + 40])
    if between and len(after) >= 2:
        actor1, actor2 = after[0], after[1]
    elif _AUX_BEFORE.search(sentence[:trigger_start]):
        # passive: the subject is the target; the agent follows "by"
        agent = next((a for a in after if re.search(r"\bby\s+(?:\S+\s+){0,3}$", sentence[trigger_end:a.start])), None)
        actor1, actor2 = agent, (before[-1] if before else None)
    if violent:
        actor1 = _as_military(actor1) if actor1 else None
    if plover == "PROTEST":
        # whoever protests is, in that role, a protester; a protest with no one named still has protesters
        if actor1 is None and actor2 is not None and actor2.kind in ("civilians", "group", "protesters"):
            actor1, actor2 = actor2, None
        if actor1 is None:
            actor1 = Actor("Protesters", "protesters:", "protesters", None, trigger_start, trigger_end, sentence[trigger_start:trigger_end])
        elif actor1.kind == "state":
            # a whole country does not march: its people do, where the protest is
            actor1 = Actor("Protesters", "protesters:", "protesters", None, actor1.start, actor1.end, actor1.text)
        elif actor1.kind != "protesters":
            # members of a party or union who protest act as protesters; the group is kept as their associate
            associate = actor1.name if actor1.kind in ("organisation", "armed group", "person") else None
            protester = _make("protesters", actor1.country, None, actor1.start, actor1.end, actor1.text)
            actor1 = dataclasses.replace(protester, associate=associate)
    if actor1 is not None and actor2 is not None and actor1.key == actor2.key:
        actor2 = next((a for a in after if a.key != actor1.key), None)
    return actor1, actor2


# ------------------------------------------------------------------ names the extractor mislabels

#: a title before a name says the name is a person's: "Dr. Fauci", "President Biden", "Sen. Manchin"
_TITLE_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|President|Vice President|Sen|Senator|Rep|Representative|Gov|Governor|"
                           r"Mayor|Secretary|Justice|Judge|Gen|General|Col|Pope|King|Queen|Prince|Princess|Minister|"
                           r"Chancellor|Speaker|Leader|Officer|Sgt|Lt|Capt|Rev|Sir|Dame|Lord|Lady)\.?\s+$")
#: a disease or its agent is no actor, however it is labelled ("COVID-19 killed 3 million", "the Delta variant")
_DISEASE = re.compile(r"\b(?:covid(?:-19)?|coronavirus(?:es)?|sars-cov-2|virus|variant|influenza|flu|ebola|measles|polio|"
                      r"mpox|monkeypox|cholera|malaria|zika|hiv|omicron)\b", re.IGNORECASE)


def person_names(texts: Sequence[str], mentions: Sequence[Sequence[tuple[int, int, str]]]) -> set[str]:
    """Words that the reports write as a person's name: the last word of a longer PERSON span ("Anthony Fauci"),
    or a name right after a title ("Dr. Fauci"). ``mentions`` are (start, end, label) per text."""
    names: set[str] = set()
    for text, spans in zip(texts, mentions):
        for start, end, label in spans:
            words = text[start:end].split()
            if label == "PERSON" and len(words) > 1:
                names.add(_bare(words[-1]))
            if label in ("PERSON", "ORG") and words and _TITLE_BEFORE.search(text, max(0, start - 25), start):
                names.add(_bare(words[-1]))
    return names


def _bare(word: str) -> str:
    return re.sub(r"(?:'s|’s)$", "", word).strip(".,;:()\"“”").lower()


def relabelled(text: str, start: int, end: int, label: str, names: set[str]) -> str | None:
    """The label an actor mention should have in an event whose reports write ``names`` as persons' names.

    One word labelled a person that no report writes as part of a person's name or after a title is an
    organisation's name ("Moderna", "Pfizer"); a disease is no actor (None); otherwise the label stands.
    """
    surface = text[start:end]
    if _DISEASE.search(surface) and label in ("PERSON", "ORG", "NORP", "GPE"):
        return None
    if label == "PERSON" and (re.search(r"\d", surface) or (len(surface.split()) == 1 and _bare(surface) not in names)):
        return "ORG"
    return label


def names_asked(text: str, mentions: Sequence[tuple[int, int, str]]) -> set[str]:
    """The words whose being a person's name or not (``names`` of :func:`relabelled`) can change a label of ``mentions``
    ((start, end, label) in ``text``): the bare word of each one-word PERSON mention."""
    out = set()
    for start, end, label in mentions:
        surface = text[start:end]
        if label == "PERSON" and len(surface.split()) == 1:
            out.add(_bare(surface))
    return out


# ------------------------------------------------------------------ matching ACLED names

_ACLED_HEADS = (
    ("military", r"military forces|armed forces|army|navy|air force"),
    ("police", r"police forces|police|gendarmerie"),
    ("unidentified armed group", r"unidentified armed group|unidentified gang"),
    ("protesters", r"protesters"),
    ("rioters", r"rioters"),
    ("civilians", r"civilians"),
    ("government", r"government"),
)
_PARENS = re.compile(r"\(([^()]*)\)")


def acled_actor_parts(name: str) -> tuple[str, str | None, str]:
    """(kind, country key, name key) of an ACLED actor name.

    "Military Forces of Ukraine (2019-)" -> ("military", "ukraine", ...);
    "Protesters (India)" -> ("protesters", "india", ...); "Al Shabaab" ->
    ("organisation", None, "al shabaab").
    """
    lowered = name.lower()
    country = None
    for inner in _PARENS.findall(name):
        key = entities_stage.normalise(inner, "GPE")
        if key and key in entities_stage._countries()[0]:
            country = key
    of = re.search(r"\bof\s+([A-Z][^()]*?)\s*(?:\(|$)", name)
    if of and not country:
        key = entities_stage.normalise(of.group(1), "GPE")
        if key and key in entities_stage._countries()[0]:
            country = key
    bare = _PARENS.sub("", lowered).strip()
    for kind, pattern in _ACLED_HEADS:
        if re.search(rf"\b(?:{pattern})\b", bare):
            return kind, country, bare
    return "organisation", country, bare


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in ("the", "of", "and", "forces", "group", "al")}


def same_actor(actor: Actor | None, acled_name: str | None) -> bool:
    """Does our actor name the ACLED actor?

    Generic actors match by kind (military, police, protesters, rioters,
    civilians, government, unidentified armed group; a state acting with force
    counts as its military) and, when both name one, the same country.
    Named groups match when the word sets overlap by half or more of the
    shorter one (case and the words "the", "of", "forces", "group" ignored),
    or one is the other's acronym.
    """
    if actor is None or not acled_name:
        return False
    kind, country, bare = acled_actor_parts(acled_name)
    ours = "military" if actor.kind == "state" else actor.kind
    if kind != "organisation":
        if ours != kind:
            return False
        return actor.country is None or country is None or actor.country == country
    mine, theirs = _tokens(actor.name), _tokens(bare)
    if not mine or not theirs:
        return False
    if len(mine & theirs) * 2 >= min(len(mine), len(theirs)):
        return True
    acronym = "".join(w[0] for w in re.findall(r"[a-z0-9]+", bare))
    return any(t == acronym for t in mine) or "".join(w[0] for w in re.findall(r"[a-z0-9]+", actor.name.lower())) in theirs
