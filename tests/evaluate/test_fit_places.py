"""``storyline fit places``: training groups from geoparsing and ACLED files, the conditional logit, the document."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from storyline.evaluate.fit_places import fit_conditional_logit, fit_place_ranker, group_accuracy
from storyline.pipeline.geo.gazetteer import Gazetteer, import_geonames
from storyline.pipeline.geo.ranker import RANKER_FEATURES
from support import geonames_row as _row


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gaz")
    rows = folder / "places.txt"
    rows.write_text("\n".join([
        _row(930001, "London", 51.51, -0.13, "P", "PPLC", "GB", "ENG", 8_900_000),
        _row(930002, "London", 42.98, -81.25, "P", "PPL", "CA", "08", 380_000),
        _row(930003, "Ontario", 50.0, -86.0, "A", "ADM1", "CA", "08", 13_000_000),
        _row(930004, "Paris", 48.85, 2.35, "P", "PPLC", "FR", "11", 2_100_000),
        _row(930005, "Paris", 33.66, -95.55, "P", "PPL", "US", "TX", 25_000),
        _row(930006, "Texas", 31.0, -100.0, "A", "ADM1", "US", "TX", 29_000_000),
    ]) + "\n", encoding="utf-8")
    target = folder / "g.sqlite"
    import_geonames(rows, target)
    g = Gazetteer(target, builtin=False)
    yield g
    g.close()


def test_conditional_logit_learns_which_feature_marks_the_positive():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(200):
        x = rng.normal(size=(3, 2))
        positive = int(np.argmax(x[:, 0] + 0.1 * rng.normal(size=3)))
        groups.append((x, positive))
    beta = fit_conditional_logit([groups], l2=0.1)
    assert beta[0] > 2.0 and abs(beta[1]) < 0.5
    assert group_accuracy(groups, beta) > 0.9
    assert group_accuracy([], beta) is None


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_fit_places_on_a_geoparsing_and_an_acled_file(tmp_path, gazetteer):
    news = "Police closed a road in London, Ontario. Storms hit Paris, Texas."
    geo = _write(tmp_path / "geo.jsonl", [{"id": "1", "text": news, "toponyms": [
        {"start": 24, "end": 30, "name": "London", "lat": 42.98, "lon": -81.25, "geonameid": "930002", "type": None},
        {"start": 52, "end": 57, "name": "Paris", "lat": 33.66, "lon": -95.55, "geonameid": None, "type": None}]}])
    note = "On 3 May 2022, workers protested in London (Ontario)."
    gold = {"event_type": "Protests", "sub_event_type": "Peaceful protest", "actor1": "Protesters (Canada)", "country": "Canada",
            "admin1": "Ontario", "location": "London", "latitude": 42.98, "longitude": -81.25, "fatalities": 0, "event_date": "2022-05-03"}
    events = _write(tmp_path / "acled.jsonl", [{"id": "CAN1", "date": "2022-05-03", "text": note, "gold": gold}])
    spans = [[[(24, 30, "GPE"), (32, 39, "GPE"), (52, 57, "GPE"), (59, 64, "GPE")]], [[(36, 42, "GPE"), (44, 51, "GPE")]]]
    doc = fit_place_ranker([geo, events], spans=spans, gazetteer=gazetteer, log=lambda m: None)
    assert set(doc["weights"]) == set(RANKER_FEATURES)
    assert doc["training_groups"] == {"geo.jsonl": 2, "acled.jsonl": 1}
    assert [f["file"] for f in doc["fitted_on"]] == ["geo.jsonl", "acled.jsonl"]
    assert all(len(f["sha256"]) == 64 for f in doc["fitted_on"])
    assert set(doc["cross_kind_accuracy"]) == {"geoparsing -> acled.jsonl", "events -> geo.jsonl"}
    assert doc["command"] == "storyline fit places geo.jsonl acled.jsonl"
    # an enclosing name that agrees is what told the positives apart
    assert doc["weights"]["q_admin1"] > 0 and doc["training_accuracy"]["geo.jsonl"] == 1.0
