"""geoparser.geonames.v3: the place ranker's features, the bundled ranker, and the names v3 recognises."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from storyline.pipeline.geo.gazetteer import Gazetteer, import_geonames
from storyline.pipeline.geo.ranker import RANKER_FEATURES, PlaceRanker, kind_word, ranker_features
from storyline.pipeline.geo.spans import SpanModel
from storyline.pipeline.geo.places import GazetteerGeoparser
from support import geonames_row as _row

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gaz")
    rows = folder / "places.txt"
    rows.write_text("\n".join([
        _row(920001, "London", 51.51, -0.13, "P", "PPLC", "GB", "ENG", 8_900_000),
        _row(920002, "London", 42.98, -81.25, "P", "PPL", "CA", "08", 380_000),
        _row(920003, "Ontario", 50.0, -86.0, "A", "ADM1", "CA", "08", 13_000_000),
        _row(920004, "Canada", 60.0, -95.0, "A", "PCLI", "CA", "00", 37_000_000),
        _row(920005, "Bergerac", 44.85, 0.48, "P", "PPL", "FR", "75", 28_000),
        _row(920006, "Kandahar", 31.61, 65.71, "P", "PPLA", "AF", "23", 390_000),
        _row(920007, "Kandahar", 31.0, 65.5, "A", "ADM1", "AF", "23", 1_300_000),
        _row(920008, "Lere", 9.7, 8.6, "P", "PPL", "NG", "18", 20_000),
        _row(920009, "Tombouctou", 19.0, -2.0, "A", "ADM1", "ML", "06", 680_000),
    ]) + "\n", encoding="utf-8")
    target = folder / "g.sqlite"
    import_geonames(rows, target)
    g = Gazetteer(target, builtin=False)
    yield g
    g.close()


#: recognition by a hand-set span model: known places are toponyms, persons are not
SPANS = SpanModel({"g_country": 4.0, "g_admin1": 4.0, "g_city_big": 4.0, "g_city": 2.0, "lab_person": -3.0, "g_none": -2.0}, -1.5)


class _Topo:
    def __init__(self, label="GPE", kind=None, qualifier=()):
        self.label, self.kind_word, self.qualifier = label, kind, list(qualifier)


def test_kind_word_after_before_and_inside_the_name():
    text = "clashes in Reg district, Kandahar; the town of Fleifel; Khost City police"
    assert kind_word(text, text.index("Reg"), text.index("Reg") + 3) == "district"
    assert kind_word(text, text.index("Fleifel"), text.index("Fleifel") + 7) == "town"
    assert kind_word(text, text.index("Kandahar"), text.index("Kandahar") + 8) is None
    assert kind_word(text, text.index("Khost"), text.index("City") + 4) == "city"


def test_features_say_whether_the_enclosing_name_agrees_with_the_candidate(gazetteer):
    ontario = gazetteer.lookup("ontario")[0]
    candidates = [(e, 0.0) for e in gazetteer.lookup("london")]
    by_country = {e.country_code: f for (e, _), f in zip(candidates, ranker_features(_Topo(qualifier=[ontario]), candidates, None))}
    assert by_country["CA"]["q_admin1"] == 1.0 and by_country["CA"]["q_miss"] == 0.0
    assert by_country["GB"]["q_admin1"] == 0.0 and by_country["GB"]["q_miss"] == 1.0
    assert by_country["GB"]["pop_top"] == 1.0 and by_country["GB"]["k_capital"] == 1.0 and by_country["CA"]["k_ppl"] == 1.0
    assert all(f["ctx_none"] == 1.0 for f in by_country.values())


def test_a_kind_word_agrees_with_a_settlement_or_a_division(gazetteer):
    candidates = [(e, 0.0) for e in gazetteer.lookup("kandahar")]
    features = ranker_features(_Topo(kind="city"), candidates, None)
    by_code = {e.feature_code: f for (e, _), f in zip(candidates, features)}
    assert by_code["PPLA"]["kw_settlement_p"] == 1.0 and by_code["ADM1"]["kw_settlement_not_p"] == 1.0
    features = ranker_features(_Topo(kind="province"), candidates, None)
    by_code = {e.feature_code: f for (e, _), f in zip(candidates, features)}
    assert by_code["ADM1"]["kw_division_a"] == 1.0 and by_code["PPLA"]["kw_division_p"] == 1.0


def test_ranker_scores_and_rejects_unknown_features():
    ranker = PlaceRanker({"logpop": 2.0, "q_admin1": 5.0})
    assert ranker.scores([{"logpop": 1.0}, {"logpop": 0.5, "q_admin1": 1.0}]) == [2.0, 6.0]
    with pytest.raises(ValueError, match="unknown features"):
        PlaceRanker.from_document({"weights": {"no_such": 1.0}})


def test_bundled_ranker_names_its_training_data_and_reads_london_ontario(gazetteer):
    doc = json.loads(resources.files("storyline.pipeline").joinpath("params", "geoparser-ranker-v1.json").read_text())
    assert set(doc["weights"]) == set(RANKER_FEATURES)
    assert doc["fitted_on"] and all(len(f["sha256"]) == 64 for f in doc["fitted_on"])
    assert doc["command"].startswith("storyline fit places")
    parser = GazetteerGeoparser(gazetteer, span_model=SPANS, ranker=PlaceRanker.load())
    assert parser.name == "geoparser.geonames.v3"
    text = "Police closed a road in London, Ontario on Monday."
    places = parser.parse("a", text, [(24, 30, "GPE"), (32, 39, "GPE")])
    assert [(p.text, p.country_code) for p in places][0] == ("London", "CA")
    text = "Thousands marched in London on Monday."
    assert [(p.text, p.country_code) for p in parser.parse("b", text, [(21, 27, "GPE")])] == [("London", "GB")]


def test_v3_recognises_a_known_place_after_in_that_the_tagger_missed_or_read_as_a_person(gazetteer):
    v3 = GazetteerGeoparser(gazetteer, span_model=SPANS, ranker=PlaceRanker.load())
    v2 = GazetteerGeoparser(gazetteer, span_model=SPANS)
    text = "On 8 January, around 140 persons demonstrated in Bergerac."
    assert [p.text for p in v3.parse("a", text, [])] == ["Bergerac"]
    assert [p.text for p in v3.parse("a", text, [(49, 57, "PERSON")])] == ["Bergerac"]
    assert v2.parse("a", text, [(49, 57, "PERSON")]) == []
    # a person's name in the possessive, and a month, are not places
    assert v3.parse("a", "It was said in Bergerac's speech in May.", []) == []


def test_v3_reads_a_name_followed_by_its_kind_and_the_enclosing_name(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=SPANS, ranker=PlaceRanker.load())
    text = "On 19 January, a protest took place in Reg district, Kandahar."
    places = {p.text: p for p in parser.parse("a", text, [])}
    assert set(places) == {"Reg", "Kandahar"}
    assert places["Reg"].precision == "unresolved" and places["Reg"].country_code == "AF"


def test_a_candidate_outside_the_country_of_the_enclosing_names_in_parentheses_is_not_taken(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=SPANS, ranker=PlaceRanker.load())
    text = "An armed group looted the offices of an NGO in the town of Lere (Tombouctou)."
    places = {p.text: p for p in parser.parse("a", text, [])}
    assert places["Lere"].precision == "unresolved" and places["Lere"].country_code == "ML"
    text = "An armed group looted the offices of an NGO in the town of Lere."
    assert [(p.text, p.country_code) for p in parser.parse("a", text, [])] == [("Lere", "NG")]
