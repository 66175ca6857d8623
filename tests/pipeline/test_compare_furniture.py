"""v3 claims: page furniture (datelines, bylines, time stamps, credits, boilerplate, headlines) states nothing."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from storyline.model import Article, Segment
from storyline.pipeline.compare.claims import split_claims
from storyline.pipeline.compare.furniture import is_furniture, is_headline, lead_furniture

DAY = dt.date(2021, 6, 4)


def page(aid: str, source: str, *lines: str, title: str | None = None) -> Article:
    """An article whose lines are its sentences, one a line (as a web page's text is)."""
    text, segments = "", []
    for k, line in enumerate(lines):
        start = len(text)
        text += line + "\n"
        segments.append(Segment("sentence", start, start + len(line), k))
    return Article(aid, text, source=source, title=title, published=DAY, segments=tuple(segments))


@pytest.mark.parametrize("line", [
    "Posted: May 24, 2005", "11/30/09 05:40 PM ET", "Updated 4:08 p.m. ET", "Last Updated: Monday, 28 November 2005, 02:24 GMT",
    "Posted on Thu Jun 13, 2013 08:45 AM PDT", "First Posted 23:37:00 05/05/2010", "September 9, 2013",
    "Posted 1 year, 160 days ago [downloaded on 2 October 2013]", "Published on Friday, 27 September 2013",
    "By Jane Doe, CNN", "By Jane Doe and John Roe", "By JANE DOE | Associated Press", "Jane Doe contributed to this report.",
    "Sign up for our morning newsletter.", "Read more: the senator answers her critics",
    "The president speaks in the East Room. (AP Photo/Evan Vucci)", "Photo: Getty Images", "Share this article on Facebook",
])
def test_time_stamps_bylines_credits_and_boilerplate_are_furniture(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "By 1958, at the peak of her fame, Page vanished from public view.", "By Saturday, at least 6,000 Web sites had been infected.",
    "By July, many intelligence reports grew more pessimistic.", "By then, all 23 pirates had clambered onto the dhow.",
    "Photos show the entire two-story building seeming to go up in flames.", "He died on May 24, 2005, at his home.",
    "Updated figures show 12 people were killed on Tuesday.", "Posted guards stood outside the embassy, officials said.",
])
def test_sentences_that_only_look_like_furniture_are_claims(line):
    assert not is_furniture(line)


@pytest.mark.parametrize("text, rest", [
    ("WASHINGTON (Reuters) - The Senate voted on Tuesday.", "The Senate voted on Tuesday."),
    ("ST. LOUIS, Mo. (AP) — A man was arrested.", "A man was arrested."),
    ("WASHINGTON-April 27 - The talks ended.", "The talks ended."),
    ("Mumbai, Nov 11 - Police said the gunmen fled.", "Police said the gunmen fled."),
    ("(CNN) — The president spoke.", "The president spoke."),
    ("By Jane Doe WASHINGTON (AP) — The vote failed.", "The vote failed."),
    ("U.S.-Russian relations have been in a spiral.", "U.S.-Russian relations have been in a spiral."),
    ("COVID-19 vaccine mandates are contested.", "COVID-19 vaccine mandates are contested."),
    ("By then, the fire was out.", "By then, the fire was out."),
])
def test_a_dateline_or_byline_in_front_of_the_lead_is_cut_off(text, rest):
    assert text[lead_furniture(text):] == rest


def test_the_patterns_stay_linear_on_long_lines():
    for k in (2000, 8000):
        started = time.process_time()
        for s in ("By " + "Aa, " * k, "Posted " + "1 " * k, "WASHINGTON " * k + "(", "May 1, 2013 " * k):
            is_furniture(s)
            lead_furniture(s)
        seconds = time.process_time() - started
    assert seconds < 2.0


def test_a_headline_is_a_first_line_without_a_sentence_end():
    text = "Ellen DeGeneres to host the Oscars\nPublished August 02, 2013\nEllen DeGeneres will host the Oscars.\n"
    assert is_headline(text, 0, 34)
    body = text.index("Ellen DeGeneres will")
    assert not is_headline(text, body, body + len("Ellen DeGeneres will host the Oscars."))


def test_v3_reads_no_claim_from_furniture_and_starts_the_lead_after_its_dateline():
    a = page("a", "A", "Ellen DeGeneres Set As Oscars Host", "Posted: 08/02/2013 11:10 am EDT", "By Jane Doe, Variety",
             "LOS ANGELES (Reuters) - Ellen DeGeneres will host the Oscars for a second time next year, the Academy said.",
             "Ellen DeGeneres Set As Oscars Host", "Sign up for our entertainment newsletter.",
             title="Ellen DeGeneres Set As Oscars Host")
    v3 = [c.text for c in split_claims(a, (), None, 3)]
    assert v3 == ["Ellen DeGeneres will host the Oscars for a second time next year, the Academy said."]
    v2 = [c.text for c in split_claims(a, (), None, 2)]
    assert "Posted: 08/02/2013 11:10 am EDT" in v2 and len(v2) > len(v3)


def _pair(rules: int, *texts: str):
    return [c for k, t in enumerate(texts) for c in split_claims(page(f"a{k}", f"Outlet {k}", t), (), None, rules)]


def test_v3_denial_governs_its_clause_and_agrees_with_a_claim_that_denies_it_too():
    from storyline.pipeline.compare.conflicts import find_conflict

    masks = ("Most notably, the CDC is not expected to announce that everyone in K-12 schools, regardless of status, should wear a mask.",
             "The CDC also said all adults and students should wear masks in K-12 schools regardless of vaccination status.")
    assert find_conflict(_pair(2, *masks), 2) is None
    assert find_conflict(_pair(3, *masks), 3).kind == "negation"
    motive = ("The police would not discuss a possible motive for the bombing at the station.",
              "Police had no motive for the bombing at the station and could offer no details.")
    assert find_conflict(_pair(2, *motive), 2) is not None and find_conflict(_pair(3, *motive), 3) is None
    offer = ("The deadlock devastated prosecutors, who had turned down an offer from Nichols' attorneys to plead guilty in exchange "
             "for a life sentence.", "The frustrated prosecutor gambled on getting a death penalty decision when he denied a Nichols "
             "offer a year ago to plead guilty in exchange for a life prison sentence.")
    assert find_conflict(_pair(2, *offer), 2) is not None and find_conflict(_pair(3, *offer), 3) is None


def test_v3_compares_a_claim_naming_two_days_day_by_day():
    from storyline.pipeline.compare.conflicts import find_conflict

    week = ("Initial claims in state programs decreased by 20,000 to 385,000 in the week ended May 26, Labor Department data showed Thursday.",
            "New jobless claims dropped 20,000 to 385,000 for the week ended May 29, the Department of Labor said.")
    assert find_conflict(_pair(2, *week), 2) is None
    conflict = find_conflict(_pair(3, *week), 3)
    assert conflict.kind == "date" and set(conflict.values) == {"2021-05-26", "2021-05-29"}
    vote = ("Schumer on Thursday night moved to arrange the procedural vote for Saturday, aides said.",
            "A procedural vote on the bill was set for Saturday, aides said.")
    assert find_conflict(_pair(3, *vote), 3) is None


def test_v3_a_denial_agrees_with_a_claim_that_announces_an_end_to_the_same_thing():
    from storyline.pipeline.compare.conflicts import find_conflict

    mission = ("Biden said we are not going to be by the end of the year in a combat mission in Iraq, officials said.",
               "President Biden hosted the Iraqi prime minister to announce a planned end to the combat mission in Iraq.")
    assert find_conflict(_pair(3, *mission), 3) is None
    denial = ("Russian forces did not attack the convoy of aid trucks near the border town on the main road.",
              "Russian forces attacked the convoy of aid trucks near the border town on the main road.")
    assert find_conflict(_pair(3, *denial), 3).kind == "negation"


def test_v3_a_conflict_holds_between_two_near_claims_of_a_fact_not_the_ends_of_a_chain():
    from storyline.pipeline.compare.conflicts import find_conflict

    claims = _pair(3, "Five people were killed in a bombing at the central market of Kabul on Wednesday.",
                   "A bombing at the central market of Kabul on Wednesday killed people, the police said.",
                   "Seven people were killed in a bombing at the central market of Kabul on Wednesday.")
    assert find_conflict(claims, 3).kind == "count"
    chain = {(0, 1), (1, 2)}
    assert find_conflict(claims, 3, lambda i, j: (i, j) in chain) is None
    conflict = find_conflict(claims, 3, lambda i, j: (i, j) in chain | {(0, 2)})
    assert conflict.kind == "count" and sorted(conflict.values) == ["5 killed", "7 killed"]
