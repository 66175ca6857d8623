"""Quality gate: clustering accuracy on small fixed subsets of the development files.

The floors live in ``quality_floors.json``; a floor may only rise (lowering one
needs a stated reason in the commit). The subsets are read from ../shared/data at
test time and never copied into the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.evaluate.clustering import evaluate_clustering

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "clustering"
FLOORS = json.loads((Path(__file__).with_name("quality_floors.json")).read_text())


def _subset(source: Path, target: Path, keep) -> Path:
    lines = [l for l in source.read_text(encoding="utf-8").splitlines() if l.strip() and keep(json.loads(l))]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def subsets(tmp_path_factory):
    if not DATA.exists():
        pytest.skip(f"development data not found at {DATA}")
    tmp = tmp_path_factory.mktemp("gate")
    allsides_dates = sorted({json.loads(l)["date"] for l in (DATA / "allsides_dev.jsonl").read_text().splitlines() if l.strip()})
    first_days = set(allsides_dates[: FLOORS["allsides_days"]])
    topics = set(FLOORS["ecbplus_topics"])
    return {
        "allsides": _subset(DATA / "allsides_dev.jsonl", tmp / "allsides.jsonl", lambda r: r["date"] in first_days),
        "ecbplus": _subset(DATA / "ecbplus_dev.jsonl", tmp / "ecbplus.jsonl", lambda r: r["story"] in topics),
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", ["allsides", "ecbplus", "allsides-titles"])
def test_clustering_stays_above_its_pinned_floors(subsets, name):
    corpus = subsets[name.split("-")[0]]
    scores = evaluate_clustering(corpus, titles_only=name.endswith("titles"))
    floors = FLOORS["floors"][name]
    below = {k: (round(scores[k], 4), v) for k, v in floors.items() if scores[k] < v}
    assert not below, f"{name}: below the pinned floors (score, floor): {below}"
