"""geoparser.geonames.v8: names in parentheses, names after a place read through them (issue 12).

The entity spans are given as the extractor labelled sentences like these (often a person or an
organisation), so the tests read the geoparser alone, on the built-in gazetteer. Each test shows v7's
error, then v8's reading.
"""

from __future__ import annotations


import pytest

from storyline import registry
from storyline.pipeline.geo.enclosed import parenthesised_names
from storyline.pipeline.geo.followers import enclosing_names
from support import options, entity_spans as spans, places_by_text as found


@pytest.fixture(scope="module")
def parsers():
    opts = options()
    return registry.create("geoparser.geonames.v7", opts), registry.create("geoparser.geonames.v8", opts)


def test_names_in_parentheses_tagged_as_persons_are_places(parsers):
    v7, v8 = parsers
    text = "On Tuesday, gunmen raided Kouloum (Kolofata, Mayo-Sava, Extreme-Nord) and took two farmers."
    entities = spans(text, ("Kouloum", "PERSON"), ("Kolofata", "PERSON"), ("Mayo-Sava", "ORG"), ("Extreme-Nord", "PERSON"))
    assert found(v7, text, entities) == {}  # the error: no place at all
    places = found(v8, text, entities)
    assert places["Extreme-Nord"][0].country_code == "CM"


def test_a_big_town_alone_in_parentheses_is_a_place(parsers):
    v7, v8 = parsers
    text = "Parents rallied outside the Provincial Office (Cheongju) on Friday against the new rules."
    entities = spans(text, ("Provincial Office", "ORG"), ("Cheongju", "PERSON"))
    assert "Cheongju" not in found(v7, text, entities)
    assert found(v8, text, entities)["Cheongju"][0].country_code == "KR"


def test_a_city_and_its_quarter_unknown_as_a_whole_give_the_city(parsers):
    v7, v8 = parsers
    text = "Members of a union picketed in front of the Twin Towers (Seoul City - Mapo) on Monday."
    entities = spans(text, ("the Twin Towers (", "ORG"), ("Seoul City - Mapo", "GPE"))
    assert not any(p.country_code for ps in found(v7, text, entities).values() for p in ps)
    assert found(v8, text, entities)["Seoul City"][0].country_code == "KR"


def test_abbreviations_and_party_tags_in_parentheses_are_not_places():
    text = ("The Ministry of Defence (MoD) and Sen. Jack Reed (D-R.I.) met officials (WB, J&K) on Monday, "
            "as Sen. Brian Schatz (D., Hawaii) and Sen. Mitt Romney (R, Utah) said.")
    assert parenthesised_names(text) == []
    assert parenthesised_names("(Oromia) Officials said.") == []  # at the start it encloses nothing
    for written, names in (("Locals gathered in Awara (Shewa, Oromia).", ["Shewa", "Oromia"]),
                           ("Shelling hit a farm (coded to Shambu, Oromia).", ["Shambu", "Oromia"])):
        assert [written[s:e] for s, e in parenthesised_names(written)] == names


def test_the_names_after_a_place_are_read_through_parentheses_only_in_v8():
    text = "Residents gathered in Awara, Abuna Ginde Beret (West Shewa, Oromia) on Sunday."
    end = text.index("Awara") + len("Awara")
    assert [n for _, n in enclosing_names(text, end)] == ["Abuna Ginde Beret"]  # v7's reading, unchanged
    assert [n for _, n in enclosing_names(text, end, through=True, limit=5)] == ["Abuna Ginde Beret", "West Shewa", "Oromia"]


def test_a_homonym_abroad_is_placed_in_the_country_its_parentheses_name(parsers):
    v7, v8 = parsers
    text = "Residents gathered in Awara, Abuna Ginde Beret (West Shewa, Oromia) on Sunday to back the army."
    entities = spans(text, ("Awara", "GPE"), ("Abuna Ginde Beret", "PERSON"), ("West Shewa", "GPE"), ("Oromia", "GPE"))
    assert found(v7, text, entities)["Awara"][0].country_code == "JP"  # the error: Awara, Japan
    assert found(v8, text, entities)["Awara"][0].country_code == "ET"


def test_an_unresolved_name_goes_to_its_parentheses_not_to_the_articles_country(parsers):
    v7, v8 = parsers
    text = ("Traders marched in Chelhar town (Tharparkar, Sindh) against the Indian government's decision. "
            "They said India had broken its promises.")
    entities = spans(text, ("Chelhar", "GPE"), ("Tharparkar", "GPE"), ("Sindh", "GPE"), ("Indian", "NORP"), ("India", "GPE"))
    assert found(v7, text, entities)["Chelhar"][0].country_code == "IN"  # the error: the article's country
    chelhar = found(v8, text, entities)["Chelhar"][0]
    assert chelhar.country_code == "PK" and chelhar.latitude is not None


def test_a_list_in_prose_moves_nothing(parsers):
    v7, v8 = parsers
    text = "Tawfik, from Kilburn, Grannum, of no fixed abode, and a youth were charged in London."
    entities = spans(text, ("Tawfik", "PERSON"), ("Kilburn", "GPE"), ("Grannum", "PERSON"), ("London", "GPE"))
    before, after = found(v7, text, entities), found(v8, text, entities)
    assert [p.country_code for p in after["Kilburn"]] == [p.country_code for p in before["Kilburn"]]


def test_a_compass_division_in_parentheses_is_read_with_its_kind(parsers):
    v7, v8 = parsers
    text = "Nurses and pharmacists staged a protest in Nuwara Eliya town (Central) on Friday over pay."
    entities = spans(text, ("Nuwara Eliya", "GPE"), ("Central", "GPE"))
    assert found(v7, text, entities)["Nuwara Eliya"][0].country_code == "UG"  # the error: Uganda's Central
    places = found(v8, text, entities)
    assert places["Nuwara Eliya"][0].country_code == "LK" and places["Central"][0].country_code == "LK"


def test_a_compass_division_in_prose_keeps_the_articles_country(parsers):
    v7, v8 = parsers
    text = "Floods hit Zambia, and the Central region was the worst affected, Zambian officials said."
    entities = spans(text, ("Zambia", "GPE"), ("Central", "LOC"), ("Zambian", "NORP"))
    assert found(v8, text, entities)["Central"][0].country_code == found(v7, text, entities)["Central"][0].country_code == "ZM"


def test_a_city_written_with_its_quarter_is_placed_by_the_names_after_the_quarter(parsers):
    v7, v8 = parsers
    text = "Israeli forces demolished a shed in Al Quds - Beit Hanina (Al Quds, West Bank) on Monday."
    entities = spans(text, ("Israeli", "NORP"), ("Al Quds - Beit Hanina", "GPE"), ("Al Quds", "GPE"), ("West Bank", "GPE"))
    entities = [s for s in entities if not (s[2] == "GPE" and text[s[0]:s[1]] == "Al Quds" and s[0] == text.index("Al Quds"))]
    assert found(v7, text, entities)["Al Quds"][0].country_code == "IL"  # the error: the first one in Israel
    assert [p.country_code for p in found(v8, text, entities)["Al Quds"]] == ["PS", "PS"]


def test_a_capital_written_with_its_quarter_keeps_its_choice(parsers):
    _, v8 = parsers
    text = "On Monday, in Bogota - Kennedy (Bogota, D.C.), residents banged pots to protest."
    entities = spans(text, ("Bogota", "GPE"), ("D.C.", "GPE"))
    assert found(v8, text, entities)["Bogota"][0].country_code == "CO"  # not the Bogota of New Jersey


def test_a_homonym_abroad_after_a_comma_goes_to_the_names_after_it_not_to_the_articles_country(parsers):
    v7, v8 = parsers
    text = ("Biden will travel in mid-June to Belgium. He will attend the G-7 summit in Cornwall, England, and then "
            "the NATO summit in Brussels, Belgium. While in Brussels, he will meet Belgian leaders.")
    entities = spans(text, ("Belgium", "GPE"), ("Cornwall", "GPE"), ("England", "GPE"), ("Brussels", "GPE"))
    assert found(v7, text, entities)["Cornwall"][0].country_code == "BE"  # the error: the article's country
    cornwall = found(v8, text, entities)["Cornwall"][0]
    assert cornwall.country_code == "GB" and cornwall.latitude is not None



def test_only_names_written_as_the_gazetteer_names_them_place_a_homonym_after_a_comma():
    # in a GeoWebNews report "Kilburn, Grannum" had Grannum read as Granma (Cuba), so Kilburn went to Cuba
    from types import SimpleNamespace as N
    from storyline.pipeline.geo.enclosed import _as_written
    england = N(followers=[[N(name="England")]], follower_toponyms=[N(text="England")])
    grannum = N(followers=[[N(name="Granma")]], follower_toponyms=[N(text="Grannum")])
    unwritten = N(followers=[[N(name="England")]], follower_toponyms=[None])
    one_of_two = N(followers=[[N(name="Yala")], [N(name="Yala")]], follower_toponyms=[None, N(text="Yala")])
    assert _as_written(england) and _as_written(one_of_two)
    assert not _as_written(grannum) and not _as_written(unwritten)
