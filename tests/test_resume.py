"""Resume is exact: a run stopped between batches and run again ends with the events of an uninterrupted run.

The clusterer's second pass revisits recent articles (its memory); that memory is
stored with each batch, so a resumed run revisits exactly what an uninterrupted one
would. Real data (AllSides) with the hashing embedder and the fake entities: the
cut below is one where a run without the stored memory ends with other events.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import storyline
from storyline.pipeline.embed import HashingEmbedder
from support import CapitalisedEntities, options

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "clustering" / "allsides_dev.jsonl"


def _records() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is absent (the development data sits in ../shared/data)")
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [{k: r[k] for k in ("id", "date", "source", "title", "text")} for r in rows]
    return sorted(records, key=lambda r: (r["date"] or "", r["id"]))


def _run(db: Path, parts: list[list[dict]], clusterer: str) -> dict[str, tuple[str, str | None]]:
    for part in parts:  # each part in a fresh process-like engine: state comes back from the store only
        with storyline.Storyline(db, options(records=False, clusterer=clusterer), embedder=HashingEmbedder(),
                                 entity_extractor=CapitalisedEntities()) as engine:
            engine.ingest_records(part)
    with storyline.Storyline(db, options(records=False)) as engine:
        return engine.store.assignments()


@pytest.mark.parametrize("clusterer", ["clusterer.online.v3", "clusterer.online.v4", "clusterer.online.v5"])
def test_a_run_resumed_after_a_stop_ends_with_the_events_of_an_uninterrupted_run(tmp_path, clusterer):
    records = _records()

    whole = _run(tmp_path / "whole.db", [records], clusterer)
    resumed = _run(tmp_path / "resumed.db", [records[:960], records], clusterer)

    moved = sorted(k for k in whole if whole[k] != resumed.get(k))
    assert moved == [] and whole == resumed
