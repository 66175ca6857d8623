"""geoparser.geonames.v2: candidate spans, their features, the span model and the rules it adds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.pipeline.geo.gazetteer import Gazetteer, import_geonames
from storyline.pipeline.geo.spans import FEATURES, CandidateInfo, SpanModel, span_features
from storyline.pipeline.geo.places import GazetteerGeoparser
from support import geonames_row

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _row(gid, name, alternates, *place):
    return geonames_row(gid, name, *place, alternates=alternates)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gaz")
    extra = folder / "countries.txt"
    extra.write_text("\n".join([
        _row(910001, "Syria", "Syrian Arab Republic", 35.0, 38.0, "A", "PCLI", "SY", "00", 22_000_000),
        _row(910002, "Kentucky", "", 37.5, -85.0, "A", "ADM1", "US", "KY", 4_400_000),
        _row(910003, "Kentucky", "", 38.0, -84.0, "H", "STM", "US", "KY", 0),
        _row(910004, "Edmonton", "", 53.55, -113.47, "P", "PPLA", "CA", "01", 1_000_000),
    ]) + "\n", encoding="utf-8")
    target = folder / "g.sqlite"
    import_geonames(FIXTURES / "geonames_sample.txt", target, admin1_codes=FIXTURES / "admin1_sample.txt",
                    country_info=FIXTURES / "countryinfo_sample.txt")
    import_geonames(extra, target)
    g = Gazetteer(target, builtin=False)
    yield g
    g.close()


#: a hand-set model: known places and facility names are toponyms, persons and unknown names are not
MODEL = SpanModel({"g_country": 4.0, "g_admin1": 4.0, "g_city_big": 4.0, "g_city": 2.0, "suf_facility": 3.0,
                   "lab_person": -2.0, "g_none": -2.0, "demonym": 3.0, "prev_locative": 1.0}, -1.5)


def _info(**kw):
    base = dict(label="GPE", part="", kinds={}, max_population=0, has_candidates=False, demonym=False,
                elsewhere_place=False, next_comma_place=False, prev_comma_place=False)
    base.update(kw)
    return CandidateInfo(**base)


def test_features_describe_the_kind_of_string_and_its_context():
    text = "Protesters gathered near Royal Street on Monday."
    start = text.index("Royal")
    f = span_features(text, start, start + len("Royal Street"), _info(label="ORG"))
    assert set(f) == set(FEATURES)
    assert f["lab_org"] == 1 and f["lab_gpe"] == 0
    assert f["suf_facility"] == 1 and f["org_facility"] == 1 and f["suf_org"] == 0
    assert f["prev_locative"] == 1 and f["sentence_start"] == 0 and f["words2"] == 1
    assert f["g_none"] == 1
    f = span_features("Edmonton-based firms grew.", 0, 8, _info(kinds={"g_city_big": 1.0}, max_population=10**6,
                                                                      has_candidates=True))
    assert f["next_based"] == 1 and f["sentence_start"] == 1 and f["g_none"] == 0
    assert 0.8 < f["g_logpop"] < 0.9


def test_span_model_probability_and_unknown_features_are_refused():
    model = SpanModel({"g_country": 2.0}, -1.0)
    assert model.probability({"g_country": 1.0}) == pytest.approx(1 / (1 + 2.718281828 ** -1.0), rel=1e-6)
    with pytest.raises(ValueError, match="unknown features"):
        SpanModel.from_document({"weights": {"no_such": 1.0}, "bias": 0})


def test_bundled_span_model_loads_and_names_its_training_data():
    model = SpanModel.load()
    assert set(model.weights) == set(FEATURES)
    from importlib import resources

    doc = json.loads(resources.files("storyline.pipeline").joinpath("params", "geoparser-spans-v1.json").read_text())
    assert doc["fitted_on"] and all(len(f["sha256"]) == 64 for f in doc["fitted_on"])
    assert doc["command"].startswith("storyline fit geoparse")


def test_a_known_place_mislabelled_as_an_organisation_is_kept_and_an_unknown_person_is_not(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=MODEL)
    assert parser.name == "geoparser.geonames.v2"
    text = "Edmonton police said Jim Wedbush was arrested."
    places = parser.parse("a", text, [(0, 8, "ORG"), (21, 32, "PERSON")])
    assert [(p.text, p.country_code) for p in places] == [("Edmonton", "CA")]


def test_a_demonym_kept_as_a_place_resolves_to_its_country(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=MODEL)
    text = "Syrian troops entered Homs."
    places = parser.parse("a", text, [(0, 6, "NORP"), (22, 26, "GPE")])
    assert [(p.text, p.geonameid, p.precision) for p in places] == [("Syrian", 910001, "country"), ("Homs", 900002, "city")]


def test_style_guide_abbreviation_names_the_first_level_division(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=MODEL)
    text = "A tornado struck Paris, Ky. on Monday."
    start = text.index("Ky")
    places = parser.parse("a", text, [(17, 22, "GPE"), (start, start + 2, "GPE")])
    ky = next(p for p in places if p.text.startswith("Ky"))
    assert (ky.text, ky.geonameid, ky.end) == ("Ky.", 910002, start + 3)
    # v1 keeps its behaviour: no abbreviations
    v1 = GazetteerGeoparser(gazetteer)
    assert all(p.geonameid != 910002 for p in v1.parse("a", text, [(17, 22, "GPE"), (start, start + 2, "GPE")]))


def test_pieces_of_a_comma_span_compete_with_the_whole(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=MODEL)
    text = "Officials in Homs, Syria said so."
    places = parser.parse("a", text, [(13, 24, "GPE")])
    assert [p.text for p in places] == ["Homs", "Syria"]


def test_overlapping_candidates_keep_the_more_likely_one(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=MODEL)
    text = "They met at Homs Street Hospital today."
    start = text.index("Homs")
    # the entity span and the gazetteer's "Homs" overlap: only one survives
    places = parser.parse("a", text, [(start, start + len("Homs Street Hospital"), "FAC")])
    assert len(places) == 1


def test_a_name_the_gazetteer_lacks_is_placed_at_the_enclosing_place_the_article_names(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=MODEL)
    text = "Fighting in Homs spread. Shells fell in Khalidiya Street Market, near Homs."
    start = text.index("Khalidiya")
    places = parser.parse("a", text, [(12, 16, "GPE"), (start, start + len("Khalidiya Street Market"), "FAC"),
                                      (text.rindex("Homs"), text.rindex("Homs") + 4, "GPE")])
    market = next(p for p in places if p.text.startswith("Khalidiya"))
    assert market.precision == "unresolved" and market.geonameid is None and market.name is None
    assert (market.latitude, market.longitude, market.country_code) == (34.72682, 36.72339, "SY")
    # v1 leaves it without coordinates
    v1 = GazetteerGeoparser(gazetteer, recognise=False)
    old = next(p for p in v1.parse("a", text, [(12, 16, "GPE"), (start, start + len("Khalidiya Street Market"), "FAC")])
               if p.text.startswith("Khalidiya"))
    assert old.latitude is None and old.country_code == "SY"


def test_a_name_introduced_by_its_kind_is_kept_whatever_its_entity_label(gazetteer):
    parser = GazetteerGeoparser(gazetteer, span_model=MODEL)  # the model alone would drop an unknown person
    text = "Shells fell on the village of Kafr Zeita in Syria."
    start = text.index("Kafr")
    places = parser.parse("a", text, [(start, start + len("Kafr Zeita"), "PERSON"), (text.index("Syria"), len(text) - 1, "GPE")])
    kafr = next(p for p in places if p.text == "Kafr Zeita")
    assert (kafr.precision, kafr.country_code, kafr.latitude) == ("unresolved", "SY", 35.0)
