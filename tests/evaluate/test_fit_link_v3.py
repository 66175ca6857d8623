"""Fitting linker.continuation.v3: pairs labelled from the gold, teacher forcing, rows without text left out;
the Timeline17 mix builder leaves such rows out too."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from collections import Counter
from pathlib import Path

import numpy as np

from storyline.evaluate.fit_link_v3 import RecordingLinkerV3, RecordingLinkerV4, prepared_corpus
from storyline.pipeline.cluster.features import EventState, Vocabulary
from storyline.pipeline.link import StoryState
from storyline.pipeline.link_v3 import LinkParamsV3
from storyline.pipeline.link_v4 import LinkParamsV4

ROOT = Path(__file__).resolve().parents[2]


def event(id: str, vector, day: int, member: str) -> EventState:
    date = dt.date(2010, 1, 1) + dt.timedelta(days=day)
    v = np.asarray(vector, dtype=np.float32)
    return EventState(id, v / np.linalg.norm(v), 1, date, date, Counter(), Counter(), members=[member])


def test_pairs_are_labelled_from_the_gold_and_the_event_is_linked_as_the_gold_says():
    gold = {"a1": "oil", "a2": "quake", "a3": "oil"}
    # the quake story is the closer one by cosine: a fitted linker might join it, the recorder follows the gold
    recorder = RecordingLinkerV3(gold, LinkParamsV3({"cos_max": 10.0}, -5.0, 0.5), window_days=45)
    recorder.restore([StoryState("S1", [event("E1", [0.6, 0.8], 0, "a1")]),
                      StoryState("S2", [event("E2", [1, 0], 1, "a2")])], 3)
    new = event("E3", [1, 0.05], 2, "a3")
    decision = recorder.link(new, ["S1", "S2"], Vocabulary(), Vocabulary())
    assert (decision.action, decision.target_id) == ("join", "S1")
    labels = sorted(label for _, label in recorder.events[0])
    assert labels == [0, 1]
    # an event of a story nobody has started yet starts its own
    assert recorder.link(event("E4", [0, 1], 3, "a4"), ["S1", "S2"], Vocabulary(), Vocabulary()).action == "new"


def test_the_v4_recorder_records_only_the_stories_whose_core_the_event_continues():
    gold = {"a1": "oil", "a2": "oil", "a3": "oil", "a4": "oil", "a5": "masks"}
    recorder = RecordingLinkerV4(gold, LinkParamsV4({"cos_max": 10.0}, -5.0, 0.5), window_days=45)
    oil = [event(f"E{i}", [1, 0.1 * i], i, f"a{i}") for i in range(1, 5)]
    for e in oil:
        e.entities.update(["bp"])
    recorder.restore([StoryState("S1", oil)], 2)
    v = Vocabulary()
    for _ in oil:
        v.add(["bp"])
    # a story of four events naming "bp": an event that does not is no candidate, so gives no pair
    assert recorder.link(event("E5", [1, 0.4], 5, "a5"), ["S1"], v, Vocabulary()).action == "new"
    assert recorder.events == [[]]
    follow = event("E6", [1, 0.5], 6, "a4")
    follow.entities.update(["bp"])
    assert recorder.link(follow, ["S1"], v, Vocabulary()).action == "join"
    assert [label for _, label in recorder.events[1]] == [1]


class _Engine:
    def analyse(self, articles):
        return [f"analysis of {a.id}" for a in articles]


def test_a_row_without_text_is_left_out_and_reported(tmp_path):
    rows = [{"id": "x", "date": "2010-01-01", "text": "Oil spill in the Gulf.", "story": "oil"},
            {"id": "y", "date": "2010-01-02", "text": "   ", "story": "oil"},
            {"id": "z", "date": "2010-01-03", "text": "Quake in Haiti.", "story": "quake"}]
    said = []
    kept, articles, analyses = prepared_corpus(tmp_path / "c.jsonl", rows, _Engine(), said.append)
    assert [r["id"] for r in kept] == ["x", "z"] and len(articles) == 2
    assert set(analyses) == {a.id for a in articles}
    assert len(said) == 1 and "row 2" in said[0] and "SL104" in said[0]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_timeline17_mix_leaves_out_rows_without_text_and_keeps_the_chosen_topics(tmp_path, capsys):
    for topic, texts in {"haiti": ["Quake.", "", "Aid arrives."], "bpoil": ["Spill.", "Cap fitted."]}.items():
        (tmp_path / topic).mkdir()
        with open(tmp_path / topic / "articles.jsonl", "w", encoding="utf-8") as f:
            for i, text in enumerate(texts):
                f.write(json.dumps({"id": f"{topic}{i}", "date": f"2010-01-0{i + 1}", "text": text}) + "\n")
            f.write("not json\n")
    mix = _script("t17_mix")
    rows = mix.build(tmp_path)
    assert sorted(r["id"] for r in rows) == ["bpoil0", "bpoil1", "haiti0", "haiti2"]
    assert all(r["story"] == r["id"][:5] and r["event"] is None for r in rows)
    report = capsys.readouterr().err
    assert "haiti/articles.jsonl:2: left out, no text" in report and report.count("not JSON") == 2
    assert {r["story"] for r in mix.build(tmp_path, topics={"haiti"})} == {"haiti"}
