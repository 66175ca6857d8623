"""storyline fit geoparse: the span model is fitted on gold files and names them by sha256."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from storyline.evaluate.fit_geoparse import candidate_matrix, fit_span_model
from storyline.pipeline.geo.gazetteer import Gazetteer, import_geonames
from storyline.pipeline.geo.spans import FEATURES, SpanModel
from storyline.pipeline.geo.places import GazetteerGeoparser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def geoparser(tmp_path_factory):
    target = tmp_path_factory.mktemp("gaz") / "g.sqlite"
    import_geonames(FIXTURES / "geonames_sample.txt", target)
    g = Gazetteer(target, builtin=False)
    yield GazetteerGeoparser(g, abbreviations=True)
    g.close()


def _corpus(tmp_path: Path) -> tuple[Path, list[list[tuple[int, int, str]]]]:
    rows, spans = [], []
    for i in range(12):
        text = f"Shelling hit Homs on day {i}. Officer Jack Ward{i} said Paris talks failed."
        homs, paris = text.index("Homs"), text.index("Paris")
        ward = text.index("Jack")
        rows.append({"id": str(i), "text": text, "toponyms": [
            {"start": homs, "end": homs + 4, "name": "Homs", "lat": 34.7, "lon": 36.7, "geonameid": "900002", "type": None},
            {"start": paris, "end": paris + 5, "name": "Paris", "lat": 48.9, "lon": 2.3, "geonameid": "900003", "type": "Metonymic"},
        ]})
        spans.append([(homs, homs + 4, "ORG" if i % 2 else "GPE"), (ward, ward + len(f"Jack Ward{i}"), "PERSON"),
                      (paris, paris + 5, "GPE")])
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path, spans


def test_candidates_are_labelled_by_exact_gold_spans(tmp_path, geoparser):
    path, spans = _corpus(tmp_path)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    x, y, n_gold = candidate_matrix(rows, spans, geoparser)
    assert x.shape == (36, len(FEATURES))
    assert n_gold == 24 and y.sum() == 24  # Homs and Paris in every article; the person never


def test_fit_writes_weights_for_every_feature_and_the_data_fingerprint(tmp_path, geoparser):
    path, spans = _corpus(tmp_path)
    doc = fit_span_model([path], spans=[spans], geoparser=geoparser, log=lambda m: None)
    assert set(doc["weights"]) == set(FEATURES)
    assert doc["fitted_on"] == [{"file": "gold.jsonl", "rows": 12, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]
    model = SpanModel.from_document(doc)
    parsed = GazetteerGeoparser(geoparser.gazetteer, span_model=model).parse("a", json.loads(path.read_text().splitlines()[0])["text"], spans[0])
    assert [p.text for p in parsed] == ["Homs", "Paris"]
