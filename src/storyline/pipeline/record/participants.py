"""Revision 5 of the record builder (``recorder.agreement.v5``): who takes part, and what is the event's own.

Read on general news (AllSides), revision 4 still took for the event what a
report only mentions. Revision 5 reads five things apart:

* **An outlet that reports is no participant.** "told CNBC", "according to
  the Associated Press", "Fox News reported", "in an interview with NPR": a
  news outlet (one of :data:`OUTLETS`, or the report's own source) named as
  the one reporting, interviewing or polling is no actor or target
  (:func:`reporting_outlet`). An outlet named otherwise ("Dominion sued Fox
  News") stays.
* **A party word is the party, or nothing.** "Republicans", "the GOP",
  "Democrats" used as nouns are one actor, the party's organisation
  ("Republican Party", "Democratic Party"), so reports that write it
  differently agree; "Republican" before another noun ("Republican senators",
  "GOP Sen. X") only qualifies that noun and is no actor of its own
  (:func:`party_actor`), nor a place (:func:`party_place`).
* **A sentence about a past year is background.** "enslaved people were freed
  in 1865": a sentence that names a year before the report's own, and no day
  of the reporting window, gives no event word to the record (:func:`past_year`);
  an earlier event's own record (:mod:`.background`) keeps them.
* **A cumulative toll is background.** "COVID-19 has killed 3,000,000 people
  worldwide", "the war has killed more than 10,000 since 2014": a disease's
  or a war's toll over a country, the world or months, or one it "has
  killed" so far, is not the count of the reported event (:func:`cumulative_toll`).
* **An opinion column reports no act.** A column, editorial or op-ed (its
  address or headline says so) argues; the protests or attacks it names are
  its subject, not an event it reports, so it gives no protest, attack or
  ACLED type (:func:`is_opinion`).

(The fifth rule, that a target equal to its actor is no target, is applied to
the record's fields in :mod:`.build`.)
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Sequence

from ...model import Article, Mention
from . import bodies, finders
from .actors import Actor
from .eventtype import LEXICON_CONFIDENCE, EventTypeCoding, EventTyper, Trigger
from .reading import _combined_again, keeps_actor, not_an_event

__all__ = ["OUTLETS", "is_opinion", "past_year", "cumulative_toll", "reporting_outlet", "party_actor", "party_place", "background_triggers", "reread_participants"]

#: news outlets by the names reports give them (a report's own source is added to these)
OUTLETS = (r"CNN|CNBC|MSNBC|Fox(?: News| Business)?|NBC(?: News)?|ABC(?: News)?|CBS(?: News)?|NPR|PBS|BBC|C-SPAN|"
           r"Reuters|(?:the )?Associated Press|AP|AFP|Agence France-Presse|Bloomberg(?: News)?|Axios|Politico|The Hill|"
           r"(?:The )?New York Times|(?:The )?Washington Post|(?:The )?Wall Street Journal|USA Today|Newsweek|Breitbart|"
           r"(?:The )?Daily Wire|(?:The )?Washington Examiner|(?:The )?Los Angeles Times|(?:The )?Guardian|Al Jazeera|"
           r"(?:The )?Daily Mail|HuffPost|Vox|Business Insider|Insider|Yahoo News|(?:The )?Atlantic|National Review|"
           r"(?:The )?Federalist|(?:The )?New York Post|(?:The )?Daily Beast|ProPublica|Vice News|Newsmax|"
           r"(?:The )?Washington Times|(?:The )?Epoch Times|(?:The )?Daily Caller|(?:The )?Boston Globe|(?:The )?Times|"
           r"Fox News Digital|NBC News Digital|ABC News Live|CNN International|Sky News|Deseret News|(?:The )?Intercept|"
           r"Mediaite|(?:The )?Blaze|(?:The )?Economist|Financial Times|Forbes|TIME|Time magazine|Univision|Telemundo")
_OUTLET = re.compile(rf"(?:the\s+)?(?:{OUTLETS})(?:[’']s)?", re.IGNORECASE)
#: words before an outlet that make it the one reporting: "told CNBC", "according to the AP", "an interview with NPR"
_REPORTING_BEFORE = re.compile(r"\b(?:told|tells|telling|to|according\s+to|with|on|by|via|from|per|in|for|said\s+on|"
                               r"(?:an?|the)\s+(?:interview|appearance|op-ed|poll|survey|report|analysis|investigation|story|"
                               r"article|podcast|broadcast|town\s+hall|segment)\s+(?:with|on|by|for|in|from)|"
                               r"(?:reported|obtained|confirmed|seen|reviewed|cited|quoted|published|aired|broadcast)\s+by)\s*$",
                               re.IGNORECASE)
#: words after an outlet that make it the one reporting: "Fox News reported", "CNN's Jake Tapper", "a CBS poll"
_REPORTING_AFTER = re.compile(r"^\s*(?:[’']s\b|(?:first\s+|previously\s+|also\s+|later\s+)?(?:reported|reports|has\s+reported|"
                              r"had\s+reported|learned|has\s+learned|obtained|confirmed|said|says|wrote|writes|noted|notes|"
                              r"cited|quoted|published|aired|broadcast|projected|projects|called|calls|asked|interviewed|"
                              r"polled|poll|survey|analysis|reporting|report|host|hosts|anchor|reporter|correspondent|"
                              r"contributor|interview|News\b|Digital\b|affiliate|headline|story|article|investigation|requests?\s+for|"
                              r"inquir(?:y|ies)|quer(?:y|ies)|questions?))",
                              re.IGNORECASE)
#: the parties and the words reports write for them
_PARTY = re.compile(r"(?:the\s+)?(?P<word>Republicans?|GOP|Democrats?|Democratic|Dems?)(?:\s+Party)?", re.IGNORECASE)
_PARTY_NAMES = {"republican": "Republican Party", "gop": "Republican Party", "democrat": "Democratic Party",
                "democratic": "Democratic Party", "dem": "Democratic Party"}
#: a noun a party word qualifies: "Republican senators", "GOP leaders", "Democratic Sen. X", "Republican-led"
_QUALIFIED_NOUNS = (r"senators?|sens?\.|reps?\.|representatives?|lawmakers?|legislators?|leaders?|leadership|members?|"
                    r"colleagues|governors?|govs?\.|officials?|voters?|candidates?|challengers?|nominees?|primary|primaries|"
                    r"majority|minority|caucus|conference|legislatures?|states?|strategists?|operatives?|donors?|megadonors?|"
                    r"base|lawyers?|attorneys?|aides?|staffers?|critics?|allies|ally|opponents?|holdouts?|negotiators?|"
                    r"mayors?|administrations?|presidents?|congressm[ae]n|congresswom[ae]n|chairm[ae]n|chairs?|whips?|"
                    r"counterparts|bills?|plans?|proposals?|amendments?|versions?|agenda|push|efforts?|lawsuits?|control|"
                    r"polic(?:y|ies)|activists?|groups?|organi[sz]ations?|committees?|national|party\s+(?:leaders?|officials?)")
_QUALIFIED = re.compile(rf"^(?:-(?:led|controlled|backed|held|run)\b|\s+(?:(?:state|House|Senate|congressional|former|top|"
                        rf"fellow|moderate|conservative|progressive|centrist|leading|rank-and-file)\s+)?(?i:{_QUALIFIED_NOUNS})\b|"
                        r"\s+(?!(?:Party|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][a-z]+\b)")
#: a year the sentence is about: "in 1865", "since 2014", "by 1990"
_YEAR = re.compile(r"\b(?:in|by|of|until|during|before)\s+(?:the\s+)?(?:(?:early|late|mid-?|summer|spring|"
                   r"fall|autumn|winter|January|February|March|April|May|June|July|August|September|October|November|"
                   r"December)\s+)?(?:\d{1,2},?\s+)?(?P<year>1[0-9]{3}|20[0-9]{2})s?\b", re.IGNORECASE)
#: what a cumulative toll is the toll of: a disease, a pandemic, a war
_AFFLICTION = re.compile(r"\b(?:covid(?:-19)?|coronavirus|virus|pandemic|epidemic|outbreak|disease|flu|influenza|ebola|"
                         r"cholera|malaria|measles|h[iI][vV]|aids|overdoses?|opioids?|war|civil war|insurgency)\b", re.IGNORECASE)
#: how a cumulative toll is counted: over a country, the world, or a long time
_CUMULATIVE = re.compile(r"\b(?:worldwide|globally|around the (?:world|globe)|across the (?:world|globe|country|nation|"
                         r"united states|u\.s\.?)|world-?wide|nationwide|national(?:ly)?|in the (?:u\.s\.?|united states|"
                         r"country|world)|so far|to date|in total|all told|overall|since (?:the\s+)?(?:start|beginning|"
                         r"outbreak|onset|pandemic|war|conflict|virus|it\s+began|\w+\s+\d{4}|\d{4}|january|february|march|"
                         r"april|may|june|july|august|september|october|november|december|last\s+(?:year|spring|summer|"
                         r"fall|winter))|over the (?:past|last)\s+(?:\w+\s+)?(?:months|years|decades?)|"
                         r"in (?:the\s+)?(?:past|last)\s+(?:\w+\s+)?(?:months|years|decades?)|(?:more|over)\s+than\s+a\s+"
                         r"(?:year|decade)|a (?:year|decade) of|the (?:global|national|world(?:'s|’s)?|u\.s\.?|nation(?:'s|’s)?|"
                         r"country(?:'s|’s)?)\s+(?:death\s+)?toll)\b", re.IGNORECASE)
#: an opinion piece by its address or its headline
_OPINION_URL = re.compile(r"/(?:opinions?|op-?eds?|editorials?|columns?|columnists?|commentary|think)(?:/|-)", re.IGNORECASE)
_OPINION_TITLE = re.compile(r"^\s*(?:opinion|editorial|op-?ed|column|commentary|analysis|perspective)\s*[:|\-–—]", re.IGNORECASE)
_OPINION_SOURCE = re.compile(r"\((?:opinion|editorial|op-?ed)\)|\bopinion\b", re.IGNORECASE)
#: PLOVER types of a physical act (as :mod:`.build` counts them)
_MATERIAL = {"ASSAULT", "FIGHT", "PROTEST", "COERCE", "MOBILIZE", "CRIME"}


def is_opinion(article: Article) -> bool:
    """Is ``article`` a column, editorial or op-ed (by its address, its headline or its source's name)?"""
    return bool((article.url and _OPINION_URL.search(article.url)) or (article.title and _OPINION_TITLE.match(article.title))
                or (article.source and _OPINION_SOURCE.search(article.source)))


def past_year(sentence: str, article: Article) -> bool:
    """Is ``sentence`` about a year before the report's own ("were freed in 1865"): it names one ("in", "by",
    "of", "until", "during", "before" a year; "since 2014" lasts until now) and no day of the reporting window?"""
    if article.published is None or not any(int(m.group("year")) < article.published.year for m in _YEAR.finditer(sentence)):
        return False
    return not finders.event_days(sentence, article.published)  # "since 2018, Biles withdrew on Tuesday" is today's


#: a disease or a war as the subject of a toll in the perfect: "COVID-19, which emerged in 2019, has killed 3.34 million"
_AFFLICTION_HAS_KILLED = re.compile(r"\b(?:covid(?:-19)?|coronavirus|pandemic|epidemic|virus|disease|flu|influenza|ebola|"
                                    r"cholera|malaria|measles|overdoses?|opioids?|the war)\b[^.;]{0,80}?\b(?:has|have)\s+"
                                    r"(?:now\s+|already\s+|so\s+far\s+)?(?:killed|claimed(?:\s+the\s+lives\s+of)?)\b", re.IGNORECASE)


def cumulative_toll(sentence: str) -> bool:
    """Is a toll in ``sentence`` the cumulative toll of a disease or a war (see the module doc)?"""
    return bool(_AFFLICTION.search(sentence) and _CUMULATIVE.search(sentence)) or bool(_AFFLICTION_HAS_KILLED.search(sentence))


def party_place(place: Any) -> bool:
    """Is ``place`` (a :class:`~storyline.model.Place`) a party word the geoparser took for a place ("Democratic")?"""
    return bool(_PARTY.fullmatch(" ".join(place.text.split())))


def _source_outlet(article: Article) -> str | None:
    """The outlet's own name in the report's source ("Fox News (Online News)" -> "Fox News")."""
    if not article.source:
        return None
    name = re.sub(r"\s*\([^)]*\)\s*$", "", article.source).strip()
    return name if len(name) >= 2 else None


def reporting_outlet(sentence: str, actor: Actor, article: Article) -> bool:
    """Is ``actor`` (spanning ``sentence[actor.start:actor.end]``) a news outlet named as the one reporting?"""
    surface = " ".join(actor.text.split())
    own = _source_outlet(article)
    outlet = _OUTLET.fullmatch(surface) or (own is not None and re.sub(r"^the\s+", "", surface, flags=re.IGNORECASE).lower()
                                            == re.sub(r"^the\s+", "", own, flags=re.IGNORECASE).lower())
    if not outlet:
        return False
    before, after = sentence[max(0, actor.start - 40):actor.start], sentence[actor.end:actor.end + 30]
    return bool(_REPORTING_BEFORE.search(before) or _REPORTING_AFTER.match(after))


def party_actor(sentence: str, actor: Actor) -> Actor | None:
    """``actor`` as its party's organisation when it is a party word used as a noun; None when it qualifies
    another noun; ``actor`` itself when it is no party word."""
    match = _PARTY.fullmatch(" ".join(actor.text.split()))
    if match is None:
        return actor
    word = match.group("word").lower().rstrip("s") if match.group("word").lower() != "gop" else "gop"
    if not actor.text.rstrip().lower().endswith("party") and _QUALIFIED.match(sentence[actor.end:actor.end + 40]):
        return None
    name = _PARTY_NAMES[word]
    return dataclasses.replace(actor, name=name, key=f"organisation:{name.lower()}", kind="organisation", country=None)


def background_triggers(text: str, triggers: Sequence[Trigger], article: Article) -> list[Trigger]:
    """``triggers`` of ``text`` (a span of ``article``) without those of a sentence about a past year, nor, in an
    opinion column, those of a physical act."""
    opinion = is_opinion(article)
    past = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if past_year(m.group(0), article)]
    return [t for t in triggers if not any(s <= t.start < e for s, e in past) and not (opinion and t.plover in _MATERIAL)]


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"”’']?|$)")
#: a sentence worth coding again: it names an outlet or a party, or a year, or a toll
_SUSPECT = re.compile(rf"\b(?:{OUTLETS}|Republican|GOP|Democrat|Dems?\b|1[0-9]{{3}}|20[0-9]{{2}})|"
                      r"\b(?:kill|die|dead|death|toll)", re.IGNORECASE)


def _participants(sentence: str, actors: Sequence[Actor], article: Article, conflict: bool, revision: int = 5) -> list[Actor]:
    out = []
    for actor in actors:
        if not keeps_actor(actor, conflict) or reporting_outlet(sentence, actor, article):
            continue
        actor = party_actor(sentence, actor)
        if actor is not None:
            out.append(actor)
    if revision >= 6:  # "the White House" is the government; "Native American", "residents" take no part in general news
        out = bodies.seats_as_governments(out)
        if not conflict:
            out = bodies.kept_in_general_news(sentence, out)
    return out


def reread_participants(coding: Any, mentions: Sequence[Mention], typer: EventTyper, conflict: bool, recalled: bool = False,
                        revision: int = 5) -> Any:
    """``coding`` (an :class:`.build.ArticleCoding`, as revision 4 reads it) as revision 5 reads it (see the module doc);
    ``recalled``: the coding is of an earlier event the report recalls, whose past years are its own. ``revision`` 6 adds
    the rules of :mod:`.bodies` (seats of government, group words, bare populations, protest types without demonstrators)."""
    from .build import code_sentence  # the record builder imports this module
    from .reading import event_triggers

    article = coding.article
    text = article.text
    own = _source_outlet(article)
    opinion = is_opinion(article)
    counted = False
    for i, sc in enumerate(coding.sentences):
        if not (opinion or _SUSPECT.search(sc.text) or (own and own.lower() in sc.text.lower())
                or (revision >= 6 and bodies.suspect(sc.text, conflict))):
            continue
        recoded = code_sentence(text, sc.start, sc.end, mentions, event_triggers(sc.text, 5, None if recalled else article),
                                adjust=lambda s, found: _participants(s, found, article, conflict, revision))
        if not recalled and past_year(sc.text, article):
            # the past year's sentence is background altogether: no actors ("Islamic terrorism" of a career), no counts
            recoded = dataclasses.replace(recoded, actor1=None, actor2=None, counts=())
            counted = counted or bool(sc.counts)
        if cumulative_toll(sc.text) and recoded.counts:
            recoded, counted = dataclasses.replace(recoded, counts=()), True
        coding.sentences[i] = recoded
    if counted:
        coding.totals = None  # counted again from the sentences kept
    if not recalled:
        coding.event_type = _type_without_background(coding, article)
    if revision >= 6 and coding.type_text is not None:  # rocket fire that the classifier took for a protest
        typed = text[coding.type_text[0]:coding.type_text[1]]
        coding.event_type = bodies.no_protest_without_demonstrators(coding.event_type, typed, coding.type_probabilities,
                                                                    getattr(typer, "classes", None))
    return coding


def _type_without_background(coding: Any, article: Article):
    """The event type once the triggers of the report's background are set aside (:func:`background_triggers`)."""
    et, span = coding.event_type, coding.type_text
    if et is None or span is None:
        return et
    typed = article.text[span[0]:span[1]]
    kept = event_triggers_of(typed, article)
    if et.trigger is not None and any(_same(et.trigger, t) for t in kept):
        return et
    if et.trigger is None and not (is_opinion(article) and (et.plover in _MATERIAL or et.acled_sub_event_type)):
        return et
    if et.acled_sub_event_type is None or is_opinion(article):
        # no ACLED class to combine the words with (or a column's, which reports no act): the first word kept decides
        first = kept[0] if kept else None
        return EventTypeCoding(first.plover if first else None, None, None, LEXICON_CONFIDENCE if first else 0.0, first, "lexicon")
    return _combined_again(et, coding.type_probabilities, kept)


def event_triggers_of(text: str, article: Article) -> list[Trigger]:
    """Revision 5's event words of ``text``, a span of ``article``."""
    from .reading import event_triggers

    return event_triggers(text, 5, article)


def _same(a: Trigger, b: Trigger) -> bool:
    return a.text == b.text and a.plover == b.plover and a.start == b.start
