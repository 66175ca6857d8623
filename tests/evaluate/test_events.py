"""``eval events`` on tiny hand-written ACLED and PLOVER files, and its metrics."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from storyline.cli import cli
from storyline.errors import InputError
from storyline.evaluate.events import ACLED_KEYS, PLOVER_KEYS, detect_format, evaluate_events, macro_f1
from support import FAKE_ENTITIES, FAKE_SETS, options, write_jsonl


def acled_row(i, text, event_type, sub, fatalities, actor1="Protesters (Kenya)", date="2022-03-04"):
    return {"id": f"KEN{i}", "date": date, "text": text, "gold": {
        "event_type": event_type, "sub_event_type": sub, "actor1": actor1, "assoc_actor_1": None, "actor2": None,
        "assoc_actor_2": None, "country": "Kenya", "admin1": "Nairobi", "admin2": None, "location": "Nairobi",
        "latitude": -1.2833, "longitude": 36.8167, "geo_precision": 1, "time_precision": 1, "fatalities": fatalities,
        "event_date": date}}


ACLED = [
    acled_row(1, "On 4 March 2022, teachers held a peaceful protest in Nairobi demanding higher pay. [size=no report]",
              "Protests", "Peaceful protest", 0),
    acled_row(2, "On 4 March 2022, police clashed with armed bandits in Nairobi. Two bandits were killed. 2 fatalities.",
              "Battles", "Armed clash", 2, actor1="Police Forces of Kenya (2013-2022)"),
]
PLOVER = [
    {"id": "PLOVER-GSR01-DOCUMENT-0001", "event": "DOCUMENT", "eventText": "header"},
    {"id": "PLOVER-X-AGREE-1", "event": "AGREE", "eventText": "agreed", "text": "The two ministers agreed to reopen the border."},
    {"id": "PLOVER-X-REJECT-1", "event": "REJECT", "eventText": "rejected", "text": "The government rejected the offer of talks."},
]


def test_macro_f1_averages_over_gold_classes():
    assert macro_f1(["a", "a", "b"], ["a", "a", "b"]) == 1.0
    # a: P 1/2 R 1 -> 2/3; b: never predicted -> 0
    assert macro_f1(["a", "b"], ["a", "a"]) == pytest.approx((2 / 3 + 0) / 2)


def test_formats_are_detected_from_the_record_shape():
    assert detect_format(ACLED[0]) == "acled"
    assert detect_format(PLOVER[1]) == "plover"
    assert detect_format({"text": "x"}) is None


def test_eval_events_on_an_acled_file_prints_every_key_as_a_fraction(tmp_path):
    path = write_jsonl(tmp_path / "acled.jsonl", ACLED)
    result = CliRunner().invoke(cli, [*FAKE_SETS, "eval", "events", str(path), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["n"] == 2 and scores["format"] == "acled"
    for key in ACLED_KEYS:
        if key != "fatalities_mae":
            assert scores[key] is None or 0.0 <= scores[key] <= 1.0, key
    assert scores["date_exact"] == 1.0
    assert scores["fatalities_exact"] == 1.0 and scores["fatalities_mae"] == 0.0
    assert scores["location_161km"] == 1.0  # Nairobi is in the built-in gazetteer


def test_eval_events_on_plover_records_scores_the_plover_type(tmp_path):
    path = write_jsonl(tmp_path / "plover.jsonl", PLOVER)
    scores = evaluate_events(path, options=options())
    assert scores["n"] == 2 and set(PLOVER_KEYS) <= set(scores)
    assert scores["event_type_accuracy"] == 1.0
    result = CliRunner().invoke(cli, ["eval", "events", str(path)])
    assert result.exit_code == 0 and "event type        accuracy 1.000" in result.output


def test_a_file_of_another_format_is_refused_with_its_name_and_line(tmp_path):
    path = write_jsonl(tmp_path / "other.jsonl", [{"text": "hello"}])
    with pytest.raises(InputError, match=r"other\.jsonl:1: .*not an ACLED or PLOVER"):
        evaluate_events(path, options=options())
    bad = write_jsonl(tmp_path / "bad.jsonl", [ACLED[0], {"id": "x", "date": "2022-01-01", "text": "t", "gold": {"event_type": "Riots"}}])
    with pytest.raises(InputError, match=r"bad\.jsonl:2: missing field 'gold\.sub_event_type'"):
        evaluate_events(bad, options=options(entities="entities.test-capitalised.v1"))


def test_fit_events_writes_parameters_with_the_data_fingerprint_and_heldout_scores(tmp_path):
    import hashlib

    from storyline.pipeline.record.eventtype import LinearEventTyper, load_params

    rows = []
    for i in range(30):
        if i % 2:
            rows.append(acled_row(i, f"On 4 March 2022, teachers held a peaceful protest number {i} in Nairobi.", "Protests", "Peaceful protest", 0))
        else:
            rows.append(acled_row(i, f"On 4 March 2022, police clashed with bandits near hill {i}.", "Battles", "Armed clash", 0))
    path = write_jsonl(tmp_path / "tiny_acled.jsonl", rows)
    out = tmp_path / "params.json"
    result = CliRunner().invoke(cli, ["fit", "events", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["fitted_on"] == [{"file": "tiny_acled.jsonl", "rows": 30, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]
    assert 0 < document["heldout_scores"]["n"] < 30
    typer = LinearEventTyper(load_params(out))
    (coding,) = typer.classify(["Students held a peaceful protest."])
    assert coding.acled_sub_event_type == "Peaceful protest"


def test_fit_events_names_the_line_of_a_row_without_an_acled_sub_event_type(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [acled_row(1, "text", "Battles", "Armed clash", 0), acled_row(2, "text", "Battles", "Sword fight", 0)])
    result = CliRunner().invoke(cli, ["fit", "events", str(path), "-o", str(tmp_path / "p.json")])
    assert result.exit_code != 0  # main() prints the error as one line; the runner keeps the exception
    assert "bad.jsonl:2" in str(result.exception) and "Sword fight" in str(result.exception)


def test_fit_writes_a_new_file_by_default_and_never_the_bundled_one_unless_asked(tmp_path, monkeypatch):
    from importlib import resources

    bundled = resources.files("storyline.pipeline") / "params" / "eventtype-linear-v1.json"
    before = bundled.read_bytes()
    rows = [acled_row(i, f"On 4 March 2022, {'teachers held a peaceful protest' if i % 2 else 'police clashed with bandits'} {i}.",
                      "Protests" if i % 2 else "Battles", "Peaceful protest" if i % 2 else "Armed clash", 0) for i in range(30)]
    path = write_jsonl(tmp_path / "tiny_acled.jsonl", rows)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["fit", "events", str(path)])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "eventtype-linear-v1.fitted.json").exists() and "eventtype-linear-v1.fitted.json" in result.output
    assert bundled.read_bytes() == before
    both = CliRunner().invoke(cli, ["fit", "events", str(path), "-o", "x.json", "--overwrite-bundled"])
    assert both.exit_code == 2 and "either --output or --overwrite-bundled" in both.output


def _marked_rows(n=40):
    """ACLED rows whose held-out ones (by the split ``fit events`` uses) carry a word no training row has."""
    from storyline.evaluate.fit_kinds import is_heldout

    rows = []
    for i in range(n):
        protest = i % 2 == 0
        text = (f"On 4 March 2022, teachers held a peaceful protest number {i} in Nairobi." if protest
                else f"On 4 March 2022, police clashed with bandits near hill {i} in Nairobi.")
        row = acled_row(i, text, "Protests" if protest else "Battles", "Peaceful protest" if protest else "Armed clash", 0)
        if is_heldout(row):
            row["text"] += " Zorblat zorblat."
        rows.append(row)
    held = [r for r in rows if "Zorblat" in r["text"]]
    assert 2 <= len(held) < n  # the marker must be frequent enough to enter a vocabulary fitted on it
    return rows, held


def test_heldout_eval_fits_the_event_typer_on_the_other_four_fifths_only(tmp_path, monkeypatch):
    from storyline.evaluate import fit_events

    rows, held = _marked_rows()
    path = write_jsonl(tmp_path / "acled.jsonl", rows)
    fitted_texts = []
    real_train = fit_events.train

    def spy(texts, labels, l2):
        fitted_texts.extend(texts)
        params = real_train(texts, labels, l2)
        fitted_texts.append(params["vocabulary"])
        return params

    monkeypatch.setattr(fit_events, "train", spy)
    scores = evaluate_events(path, options=options(entities=FAKE_ENTITIES), split="heldout")
    *texts, vocabulary = fitted_texts
    assert len(texts) == len(rows) - len(held) and not any("Zorblat" in t for t in texts)
    assert "zorblat" not in vocabulary
    assert scores["n"] == len(held)
    fit = scores["event_typer_fit"]
    assert fit["rows"] == len(rows) - len(held) and fit["heldout_rows_in_fit"] == 0
    assert fit["model"].startswith("eventtype.linear.v1 refitted") and fit["classifier_alone"]["n"] == len(held)
    # the same fit on every row does learn the marker: the check above can fail
    assert "zorblat" in real_train([r["text"] for r in rows], [r["gold"]["sub_event_type"] for r in rows], 1e-4)["vocabulary"]


def test_eval_events_on_every_row_keeps_the_bundled_typer(tmp_path):
    rows, _ = _marked_rows()
    path = write_jsonl(tmp_path / "acled.jsonl", rows)
    scores = evaluate_events(path, options=options(entities=FAKE_ENTITIES), split="all")
    assert scores["event_typer_fit"] == {"model": "bundled"} and scores["n"] == len(rows)


def test_heldout_eval_names_the_line_of_a_row_without_an_acled_sub_event_type(tmp_path):
    rows, _ = _marked_rows()
    rows[3]["gold"]["sub_event_type"] = "Sword fight"
    path = write_jsonl(tmp_path / "acled.jsonl", rows)
    with pytest.raises(InputError) as caught:
        evaluate_events(path, options=options(entities=FAKE_ENTITIES), split="heldout")
    assert caught.value.line == 4 and "Sword fight" in str(caught.value)


def test_heldout_eval_on_the_command_line_names_the_refit(tmp_path):
    rows, held = _marked_rows()
    path = write_jsonl(tmp_path / "acled.jsonl", rows)
    result = CliRunner().invoke(cli, [*FAKE_SETS, "eval", "events", str(path), "--split", "heldout"])
    assert result.exit_code == 0, result.output
    assert f"({len(held)} ACLED records)" in result.output
    assert f"refitted on {len(rows) - len(held)} rows (0 of them held out)" in result.output
