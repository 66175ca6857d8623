"""`storyline eval timeline` and `storyline eval summary` on small hand-made files."""

from __future__ import annotations

import json

from click.testing import CliRunner

from storyline.cli import cli
from storyline.errors import InputError
from storyline.evaluate.timelines import evaluate_timelines


def _topic(folder):
    folder.mkdir()
    articles = [
        {"id": "a1", "date": "2020-03-04", "text": "The dam broke on March 3, flooding the valley. Farmers fled to the hills with their cattle."},
        {"id": "a2", "date": "2020-03-08", "text": "Since the dam broke on March 3 the valley is under water. Aid trucks arrived on Friday with food."},
        {"id": "a3", "date": "2020-03-09", "text": "A minister visited the valley on Monday and promised new funds for the dam."},
        {"id": "a4", "date": "2020-03-10", "text": ""},
    ]
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in articles) + "\n")
    gold = [{"name": "t/1", "entries": [
        {"date": "2020-03-03", "sentences": ["The dam breaks and floods the valley."]},
        {"date": "2020-03-09", "sentences": ["A minister visits the valley and promises funds."]},
    ]}]
    (folder / "timelines.json").write_text(json.dumps(gold))
    return folder


def test_eval_timeline_predicts_the_gold_number_of_dates_and_scores_them(tmp_path):
    folder = _topic(tmp_path / "dam")
    scores = evaluate_timelines([folder])
    (timeline,) = scores["timelines"]
    assert (timeline["n_dates"], timeline["n_sentences"]) == (2, 1)
    # March 3 (mentioned twice) and March 9 ("on Monday" in an article of that Monday); articles after the
    # gold timeline's last date are not read
    assert scores["date_f1"] == 1.0
    assert 0 < scores["ar1_f1"] <= 1 and scores["concat_r1_f1"] > 0

    result = CliRunner().invoke(cli, ["eval", "timeline", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["date_f1"] == 1.0


def test_eval_timeline_names_the_file_and_line_of_a_bad_date(tmp_path):
    folder = _topic(tmp_path / "dam")
    (folder / "articles.jsonl").write_text('{"id": "x", "date": "March", "text": "Words."}\n')
    result = CliRunner().invoke(cli, ["eval", "timeline", str(folder)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert "SL103" in str(result.exception) and "articles.jsonl:1" in str(result.exception)


def test_eval_summary_scores_the_summary_and_the_lead_baseline(tmp_path):
    sets = [{"id": f"neus-train-{i}", "articles": [
        {"id": "r1", "title": "t", "text": "The council approved the harbour plan on Tuesday. Work starts in May."},
        {"id": "r2", "title": "t", "text": "Critics said the cost was too high. The council approved the harbour plan on Tuesday."},
        {"id": "r3", "title": "t", "text": "Fishermen protested outside the hall."},
    ], "reference": "The council approved the harbour plan on Tuesday despite critics of its cost."} for i in range(2)]
    path = tmp_path / "neus.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in sets) + "\n")
    result = CliRunner().invoke(cli, ["--set", "embedder=embedder.hashing.v1", "eval", "summary", str(path), "--json"])
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)
    assert s["n_sets"] == 2 and s["cited_share"] == 1.0
    assert s["rouge1_f1"] > 0 and s["lead"]["rouge1_f1"] > 0 and 2 <= s["sentences_per_summary"] <= 5
