"""Toponym recognition and resolution: context chooses among candidates; unresolved names keep a country."""

from __future__ import annotations

from storyline.model import plain
import re
from pathlib import Path

import pytest

from storyline.model import GeoPrecision
from storyline.pipeline.geo.gazetteer import Gazetteer, import_geonames
from storyline.pipeline.geo.places import GazetteerGeoparser, haversine_km, precision_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "src" / "storyline" / "examples" / "seeds"


@pytest.fixture(scope="module")
def small_gazetteer(tmp_path_factory):
    target = tmp_path_factory.mktemp("gaz") / "g.sqlite"
    import_geonames(FIXTURES / "geonames_sample.txt", target, admin1_codes=FIXTURES / "admin1_sample.txt",
                    country_info=FIXTURES / "countryinfo_sample.txt")
    gazetteer = Gazetteer(target, builtin=False)
    yield gazetteer
    gazetteer.close()


def spans(text: str, *names: tuple[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of every occurrence of each (name, label)."""
    out = []
    for name, label in names:
        out += [(m.start(), m.end(), label) for m in re.finditer(re.escape(name), text)]
    return sorted(out)


def test_paris_texas_by_the_qualifier_and_paris_france_without(small_gazetteer):
    parser = GazetteerGeoparser(small_gazetteer, recognise=False)
    text = "Storms hit Paris, Texas on Monday."
    places = parser.parse("a", text, spans(text, ("Paris", "GPE"), ("Texas", "GPE")))
    paris = next(p for p in places if p.text == "Paris")
    assert (paris.country_code, paris.admin1) == ("US", "Texas")
    text = "Thousands marched in Paris on Monday."
    places = parser.parse("b", text, spans(text, ("Paris", "GPE")))
    assert [(p.country_code, p.precision) for p in places] == [("FR", GeoPrecision.CITY)]


def test_paris_texas_chosen_by_other_places_of_the_article(small_gazetteer):
    parser = GazetteerGeoparser(small_gazetteer, recognise=False)
    text = "The storm moved across Texas overnight. In Paris, the mayor opened a shelter."
    paris = [p for p in parser.parse("a", text, spans(text, ("Texas", "GPE"), ("Paris", "GPE"))) if p.text == "Paris"]
    assert paris[0].country_code == "US"
    assert 0 < paris[0].confidence <= 1


def test_al_tanf_resolves_to_the_site_when_the_gazetteer_has_it(small_gazetteer):
    parser = GazetteerGeoparser(small_gazetteer)
    text = "Russian jets struck a base near the town of al-Tanf, in the southeast of Syria."
    places = parser.parse("a", text, [(0, 7, "NORP"), (44, 51, "PERSON"), (73, 78, "GPE")])
    tanf = next(p for p in places if p.text == "al-Tanf")
    assert (tanf.geonameid, tanf.country_code, tanf.precision) == (900001, "SY", GeoPrecision.POINT)
    assert tanf.admin1 == "Homs Governorate"
    assert haversine_km(tanf.latitude, tanf.longitude, 33.49, 38.66) < 1


def test_unresolved_toponym_keeps_its_text_and_the_country_of_the_article(small_gazetteer):
    parser = GazetteerGeoparser(small_gazetteer)
    text = ("Fighting continued in Syria on Monday. Shells fell near the village of Kafr Zeita, "
            "in the north of the country, officials in Homs said.")
    places = parser.parse("a", text, spans(text, ("Syria", "GPE"), ("Homs", "GPE")))
    kafr = next(p for p in places if p.text == "Kafr Zeita")
    assert kafr.precision == GeoPrecision.UNRESOLVED
    assert kafr.latitude is None and kafr.geonameid is None
    assert kafr.country_code == "SY" and kafr.country == "Syria"


def test_leading_article_and_possessive_are_trimmed_and_directions_are_not_places(small_gazetteer):
    parser = GazetteerGeoparser(small_gazetteer, recognise=False)
    text = "Texas's governor spoke. The West reacted."
    places = parser.parse("a", text, [(0, 7, "GPE"), (24, 32, "LOC")])
    assert [(p.start, p.end, p.text) for p in places] == [(0, 5, "Texas")]


def test_nothing_to_find_gives_no_places(small_gazetteer):
    parser = GazetteerGeoparser(small_gazetteer)
    assert parser.parse("a", "nothing here at all.", []) == []


def test_precision_of_feature_codes(small_gazetteer):
    by_code = {e.feature_code: e for e in small_gazetteer.lookup("paris") + small_gazetteer.lookup("texas") + small_gazetteer.lookup("tanf")}
    assert precision_of(by_code["PPLC"]) == GeoPrecision.CITY
    assert precision_of(by_code["ADM1"]) == GeoPrecision.REGION
    assert precision_of(by_code["MILB"]) == GeoPrecision.POINT


def test_haversine_known_distance():
    # Paris - London is about 344 km
    assert 340 < haversine_km(48.8566, 2.3522, 51.5074, -0.1278) < 348
    assert haversine_km(10, 10, 10, 10) == 0


@pytest.mark.slow
def test_founding_articles_place_al_tanf_in_syria(real_models):
    """With the built-in gazetteer only (no al-Tanf in it), al-Tanf is at least Syria."""
    _embedder, extractor = real_models
    parser = GazetteerGeoparser(Gazetteer(None))
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        places = parser.parse(path.stem, text, extractor.extract([text])[0])
        tanf = [p for p in places if "Tanf" in p.text]
        assert tanf, path.name
        assert all(p.country_code == "SY" for p in tanf), [(p.text, p.country_code) for p in tanf]
        syria = [p for p in places if p.text == "Syria"]
        assert syria and syria[0].precision == GeoPrecision.COUNTRY


def test_engine_stores_places_and_shows_them_with_the_article(tmp_path, small_gazetteer):
    import storyline
    from storyline.pipeline.embed import HashingEmbedder
    from support import CapitalisedEntities, options

    engine = storyline.Storyline(tmp_path / "t.db", options(), embedder=HashingEmbedder(),
                                 entity_extractor=CapitalisedEntities(), geoparser=GazetteerGeoparser(small_gazetteer))
    try:
        engine.ingest_records([{"id": "a1", "date": "2022-06-18", "text": "Russian jets struck the town of al-Tanf on Wednesday."}])
        places = plain(engine.article("a1"))["places"]
        assert [(p["text"], p["geonameid"], p["country_code"], p["precision"]) for p in places] == [
            ("al-Tanf", 900001, "SY", "point")]
        assert engine.component_names()["geoparser"].startswith("geoparser.geonames.")  # the configured default
    finally:
        engine.close()


def test_a_long_article_naming_many_places_is_geoparsed_in_time_linear_in_its_length():
    """Every candidate of every name was scored against every other name of the article (and each accepted span
    against every accepted one): quadratic. 3,000 sentences naming 9,000 places took minutes; now seconds."""
    import time
    from storyline.registry import create
    from support import options
    geoparser = create("geoparser.geonames.v3", options())
    towns = ["Paris", "Lyon", "Marseille", "Berlin", "Munich", "Hamburg", "Madrid", "Seville", "Valencia", "Rome",
             "Milan", "Naples", "Cairo", "Lagos", "Nairobi", "Lima", "Quito", "Bogota", "Denver", "Dallas", "Austin"]
    pieces, names = [], []
    for n in range(3000):
        a, b, c = towns[n % 21], towns[(n * 7 + 3) % 21], towns[(n * 5 + 1) % 21]
        pieces.append(f"Crews from {a} drove to {b} and then to {c} on day {n}.")
    text = " ".join(pieces)
    spans = [(m.start(), m.end(), "GPE") for m in re.finditer("|".join(towns), text)]

    started = time.process_time()
    places = geoparser.parse("long", text, spans)
    seconds = time.process_time() - started

    assert len(places) == len(spans) == 9000
    assert sum(p.name == "Paris" for p in places) == sum(p.text == "Paris" for p in places)
    assert seconds < 20, seconds
