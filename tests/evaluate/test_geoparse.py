"""Geoparsing metrics on hand-computed cases, and the eval/gazetteer commands on tiny fixtures."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline import registry
from storyline.cli import cli
from storyline.errors import InputError
from storyline.evaluate.geoparse import MAX_ERROR_KM, auc, geocoding_scores, load_geoparsing, score_geoparsing, span_scores
from storyline.model import Place
from storyline.pipeline.geo.gazetteer import Gazetteer
from storyline.pipeline.geo.places import GazetteerGeoparser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


# ---------------------------------------------------------------- spans


def test_exact_and_lenient_span_scores():
    gold = [[(0, 5), (10, 15)], [(3, 8)]]
    pred = [[(0, 5), (9, 15), (20, 25)], []]
    s = span_scores(gold, pred)
    # exact: 1 of 3 predictions, 1 of 3 gold
    assert s["precision"] == pytest.approx(1 / 3) and s["recall"] == pytest.approx(1 / 3)
    assert s["f1"] == pytest.approx(1 / 3)
    # overlap: (9, 15) also counts
    assert s["lenient_precision"] == pytest.approx(2 / 3) and s["lenient_recall"] == pytest.approx(2 / 3)


def test_predictions_on_ignored_spans_leave_precision_alone():
    gold = [[(0, 5)]]
    pred = [[(0, 5), (10, 16)]]
    assert span_scores(gold, pred)["precision"] == pytest.approx(0.5)
    assert span_scores(gold, pred, ignore=[[(10, 16)]])["precision"] == 1.0


def test_no_predictions_and_no_gold_give_zero_not_an_error():
    s = span_scores([[]], [[]])
    assert (s["precision"], s["recall"], s["f1"]) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------- AUC


def test_auc_edge_cases():
    assert auc([]) is None
    assert auc([0.0]) == 0.0
    assert auc([MAX_ERROR_KM]) == pytest.approx(math.log(MAX_ERROR_KM + 1) / math.log(MAX_ERROR_KM))
    assert auc([0.0, 0.0, 0.0]) == 0.0
    # errors beyond the largest possible distance are capped
    assert auc([1e9, 1e9]) == pytest.approx(auc([MAX_ERROR_KM, MAX_ERROR_KM]))


def test_auc_by_hand_on_two_and_three_errors():
    # two errors: one interval, trapezoid = mean of the two logs
    expected = (math.log(1) + math.log(100 + 1)) / 2 / math.log(MAX_ERROR_KM)
    assert auc([100.0, 0.0]) == pytest.approx(expected)
    # three errors, order does not matter (the curve is over sorted errors)
    logs = [math.log(e + 1) for e in (0.0, 10.0, 1000.0)]
    expected = ((logs[0] + logs[1]) / 2 + (logs[1] + logs[2]) / 2) / (2 * math.log(MAX_ERROR_KM))
    assert auc([1000.0, 0.0, 10.0]) == pytest.approx(expected)


def test_geocoding_scores():
    s = geocoding_scores([0.0, 100.0, 161.0, 500.0])
    assert s["acc_161km"] == 0.75
    assert s["median_error_km"] == pytest.approx(130.5)
    assert s["mean_error_km"] == pytest.approx(190.25)
    assert s["n_geocoded"] == 4
    assert geocoding_scores([])["acc_161km"] is None


# ---------------------------------------------------------------- scoring a corpus


def _row(text, *toponyms):
    out = []
    for name, kind, lat, lon in toponyms:
        start = text.index(name)
        out.append({"start": start, "end": start + len(name), "name": name, "lat": lat, "lon": lon, "geonameid": None, "type": kind})
    return {"id": "x", "text": text, "toponyms": out}


def test_score_geoparsing_classes_and_errors():
    row = _row("French troops left Paris for Lyon, the city said.",
               ("French", "Non_Literal_Modifier", 46.0, 2.0), ("Paris", "Literal", 48.85, 2.35),
               ("Lyon", "Literal", 45.76, 4.83), ("city", "Literal_Expression", None, None))
    p = lambda s, e, lat=None, lon=None: Place("x", s, e, row["text"][s:e], latitude=lat, longitude=lon)
    predicted = [p(19, 24, 48.85, 2.35), p(29, 33), p(0, 6, 46.0, 2.0)]  # Lyon unresolved
    s = score_geoparsing([row], [predicted])
    # gold toponyms: French, Paris, Lyon ("city" is a non-toponym class)
    assert s["n_gold_toponyms"] == 3
    assert s["toponym_precision"] == 1.0 and s["toponym_recall"] == 1.0
    # literal: Paris and Lyon; "French" is left out of precision
    assert s["literal_precision"] == 1.0 and s["literal_recall"] == 1.0
    # errors: 0 (Paris), max (unresolved Lyon), 0 (French)
    assert s["n_geocoded"] == 3 and s["n_unresolved_matched"] == 1
    assert s["acc_161km"] == pytest.approx(2 / 3)
    assert s["recall_by_type"] == {"Literal": 1.0, "Non_Literal_Modifier": 1.0}


def test_load_geoparsing_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "x", "toponyms": []}\n{"id": "b", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2"):
        load_geoparsing(path)


# ---------------------------------------------------------------- the commands

TEST_EXTRACTOR = "entities.test-gazetteer-words.v1"
TEST_GEOPARSER = "geoparser.test-small-gazetteer.v1"


class _PlaceWords:
    """Marks the fixture gazetteer's names as GPE spans."""

    name = TEST_EXTRACTOR
    _NAMES = re.compile(r"\b(?:Paris|Texas|Homs|France)\b")

    def extract(self, texts):
        return [[(m.start(), m.end(), "GPE") for m in self._NAMES.finditer(t)] for t in texts]


@registry.register(TEST_EXTRACTOR)
def _extractor(options):
    return _PlaceWords()


@registry.register(TEST_GEOPARSER)
def _geoparser(options):
    return GazetteerGeoparser(Gazetteer(options.gazetteer, builtin=False))


def test_gazetteer_import_and_eval_geoparse_commands(tmp_path):
    gazetteer = tmp_path / "g.sqlite"
    runner = CliRunner()
    result = runner.invoke(cli, ["gazetteer", "import", str(FIXTURES / "geonames_sample.txt"),
                                 "--admin1", str(FIXTURES / "admin1_sample.txt"), "--to", str(gazetteer)])
    assert result.exit_code == 0, result.output
    assert "imported 5 places" in result.stdout and "3 admin1 codes" in result.stdout
    assert "geonames_sample.txt:3:" in result.stderr and "geonames_sample.txt:5:" in result.stderr

    corpus = tmp_path / "gold.jsonl"
    rows = [_row("Storms hit Paris, Texas, and Homs.", ("Paris", None, 33.66, -95.56), ("Texas", "ADM1", 31.25, -99.25),
                 ("Homs", "PPLA", 34.73, 36.72))]
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    sets = ["--set", f"entities={TEST_EXTRACTOR}", "--set", f"geoparser={TEST_GEOPARSER}", "--set", f"gazetteer={gazetteer}"]
    result = runner.invoke(cli, [*sets, "eval", "geoparse", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    for key in ("toponym_precision", "toponym_recall", "toponym_f1", "acc_161km", "median_error_km", "auc"):
        assert key in scores
    assert scores["toponym_f1"] == 1.0
    assert scores["acc_161km"] == 1.0
    assert scores["median_error_km"] < 5
    result = runner.invoke(cli, [*sets, "eval", "geoparse", str(corpus)])
    assert result.exit_code == 0 and "within 161 km 1.000" in result.stdout


def test_placed_by_context_is_measured_and_counted_and_referents_compared():
    row = _row("Crowds filled Royal Street in Paris.", ("Royal Street", "Literal", 48.86, 2.34), ("Paris", "Literal", 48.85, 2.35))
    row["toponyms"][1]["geonameid"] = "2988507"
    street = Place("x", 14, 26, "Royal Street", latitude=48.85, longitude=2.35)  # the enclosing place's point, no id
    paris = Place("x", 30, 35, "Paris", geonameid=2988506, latitude=48.85, longitude=2.35)  # right spot, other id
    s = score_geoparsing([row], [[street, paris]])
    assert s["n_placed_by_context"] == 1 and s["n_unresolved_matched"] == 0
    assert s["acc_161km"] == 1.0
    assert s["referent_accuracy"] == 0.0
