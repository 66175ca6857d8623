"""recorder.agreement.v7 (issue 12): places that are no where, on articles written for these tests.

Errors read by eye in AllSides records of v6: a country written as the topic of a bill ("obstructed China
competitiveness legislation") made China the place of a Senate vote; a capital standing for its government
("even if Washington removed all sanctions") placed an Iranian event in Washington; a region with no country
("the Middle East", as v9 of the geoparser places it) would outrank the country the report is about.
Each test shows v6's reading first, then v7's.
"""

from __future__ import annotations

from storyline.model import GeoPrecision, Place
from storyline.pipeline.record.where import government_place, topic_place

from test_record_bodies import build
from test_record_participants import mentions
from test_record_reading import article


def _country(a, name, code, latitude, longitude, at=None):
    start = a.text.index(name, at or 0)
    return Place(a.id, start, start + len(name), name, name=name, latitude=latitude, longitude=longitude,
                 country_code=code, country=name, precision=GeoPrecision.COUNTRY, confidence=1.0)


def _washington(a):
    start = a.text.index("Washington")
    return Place(a.id, start, start + 10, "Washington", name="Washington", latitude=38.9, longitude=-77.0, country_code="US",
                 country="United States", admin1="District of Columbia", feature_code="PPLC", precision=GeoPrecision.CITY,
                 confidence=0.9)


def test_a_country_as_the_topic_of_a_bill_is_not_where():
    a = article("The Senate voted 54-35 on Friday after Republicans obstructed China competitiveness legislation overnight.",
                "Senate vote")
    found = mentions(a, [("The Senate", "ORG")])
    china = _country(a, "China", "CN", 35.0, 105.0)
    assert build([a], found, {a.id: [china]}).get("place") == "China"  # the error
    assert build([a], found, {a.id: [china]}, revision=7).get("place") is None


def test_a_capital_as_the_subject_of_a_verb_is_its_government_not_where():
    a = article("The president-elect flatly rejected meeting Joe Biden on Monday, even if Washington removed all sanctions.",
                "Raisi", n=1)
    b = article("The cleric said in Iran on Monday that he would not meet Joe Biden.", "Raisi", n=2)
    found = {**mentions(a, [("Joe Biden", "PERSON")]), **mentions(b, [("Joe Biden", "PERSON")])}
    places = {a.id: [_washington(a)], b.id: [_country(b, "Iran", "IR", 32.0, 53.0)]}
    assert build([a, b], found, places).get("place") == "Washington"  # the error
    assert build([a, b], found, places, revision=7).get("place") == "Iran"


def test_a_capital_after_a_locative_word_is_still_where():
    a = article("Protesters marched in Washington on Saturday and said the bill must pass.", "March")
    found = mentions(a, [("Protesters", "NORP")])
    washington = _washington(a)
    assert not government_place(washington, a.text)
    assert build([a], found, {a.id: [washington]}, revision=7).get("place") == "Washington"
    b = article("Washington said on Monday it would send more aid.", "Aid")
    assert government_place(_washington(b), b.text)


def test_a_country_followed_by_other_words_stays_a_place():
    a = article("Floods in China killed 12 people on Monday.", "Floods")
    assert not topic_place(_country(a, "China", "CN", 35.0, 105.0), a.text)
    b = article("Talks on the Iran nuclear deal resumed in Vienna.", "Talks")
    assert topic_place(_country(b, "Iran", "IR", 32.0, 53.0), b.text)


def test_a_region_with_no_country_is_wider_than_the_country_another_report_names():
    a = article("The United States will end its combat mission in Iraq by the end of the year.", "Iraq", n=1)
    b = article("The United States will end its combat role in the Middle East by the end of the year.", "Iraq", n=2)
    found = {**mentions(a, [("The United States", "GPE")]), **mentions(b, [("The United States", "GPE")])}
    start = b.text.index("Middle East")
    region = Place(b.id, start, start + 11, "Middle East", name="Middle East", latitude=29.0, longitude=41.0,
                   feature_code="RGN", precision=GeoPrecision.REGION, confidence=1.0)
    places = {a.id: [_country(a, "Iraq", "IQ", 33.0, 44.0)], b.id: [region]}
    assert build([a, b], found, places).get("place") == "Middle East"  # v6: the region outranks the country
    assert build([a, b], found, places, revision=7).get("place") == "Iraq"
