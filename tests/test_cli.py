"""The command line: a thin adapter over the engine; JSON contracts and one-line errors."""

from __future__ import annotations

import json
import re
import sys

import pytest

import storyline
from click.testing import CliRunner

from support import CHESS_A, CHESS_B, FAKE_SETS, FLOOD_A, FLOOD_B, run_cli, write_jsonl
from storyline.cli import cli, main
from storyline.errors import Codes, StorylineError
from storyline.settings import SETTINGS

STORY_KEYS = {"id", "title", "first_date", "last_date", "events"}
EVENT_KEYS = {"id", "title", "date", "date_precision", "articles"}
ARTICLE_KEYS = {"id", "source", "date", "title", "duplicate_of"}
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ONE_LINE_ERROR = re.compile(r"^Error: \[SL\d{3}\] [^\n]+\n$")


@pytest.fixture
def invoke():
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=True)

    return run


@pytest.fixture
def corpus(tmp_path):
    return write_jsonl(tmp_path / "in.jsonl", [FLOOD_A, FLOOD_B, CHESS_A, CHESS_B])


@pytest.fixture
def filled_db(tmp_path, invoke, corpus):
    db = tmp_path / "cli.db"
    result = invoke("--db", str(db), *FAKE_SETS, "ingest", str(corpus))
    assert result.exit_code == 0, result.output
    return db


def run_main(monkeypatch, capsys, *args):
    """Run the real entry point in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["storyline", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- ingest and --db


def test_ingest_prints_the_summary_line(invoke, tmp_path, corpus):
    result = invoke("--db", str(tmp_path / "x.db"), *FAKE_SETS, "ingest", str(corpus))

    assert result.exit_code == 0
    assert result.stdout.startswith("ingested 4 new articles (0 duplicates), 0 already stored, 0 rejected; 2 new events, 2 new stories")


def test_db_option_selects_the_store(invoke, tmp_path, filled_db):
    other = tmp_path / "other.db"
    storyline.Storyline(other).close()

    assert json.loads(invoke("--db", str(other), "articles", "--json").stdout) == []
    assert len(json.loads(invoke("--db", str(filled_db), "articles", "--json").stdout)) == 4
    assert (tmp_path / "cli.db.faiss").exists() and not (tmp_path / "other.db.faiss").exists()


@pytest.mark.parametrize("command", [["stories"], ["articles"], ["show", "S1"], ["export"], ["rejections"], ["search", "flood"]])
def test_read_commands_refuse_a_store_that_does_not_exist_and_create_nothing(invoke, tmp_path, command):
    typo = tmp_path / "typo" / "storyine.db"

    result = invoke("--db", str(typo), *command)

    assert result.exit_code == 2
    assert f"no store at {typo}" in result.output
    assert not typo.parent.exists()


def test_storyline_db_environment_variable_selects_the_store(tmp_path, filled_db, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STORYLINE_DB", str(filled_db))

    result = CliRunner().invoke(cli, ["articles", "--json"])

    assert len(json.loads(result.stdout)) == 4
    assert not (tmp_path / "storyline.db").exists()


def test_ingest_json_summary_includes_the_rejections(invoke, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [FLOOD_A, FLOOD_B, "{broken"])

    result = invoke("--db", str(tmp_path / "x.db"), *FAKE_SETS, "ingest", "--json", str(path))

    summary = json.loads(result.stdout)
    assert (summary["ingested"], summary["events_created"], summary["rejected"]) == (2, 1, 1)
    (rejection,) = summary["rejections"]
    assert (rejection["origin"], rejection["line"], rejection["code"]) == (str(path), 3, Codes.BAD_JSON)


def test_ingest_reports_each_rejection_on_stderr_with_its_code_and_place(invoke, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [FLOOD_A, "{broken", {"id": "x"}])

    result = invoke("--db", str(tmp_path / "x.db"), *FAKE_SETS, "ingest", str(path))

    assert result.exit_code == 1  # some inputs rejected; the good one is stored
    assert f"rejected {path}:2: [{Codes.BAD_JSON}] not valid JSON" in result.stderr
    assert f"rejected {path}:3: [{Codes.MISSING_FIELD}] missing field 'text'" in result.stderr
    assert "1 new article " in result.stdout and "2 rejected" in result.stdout


def test_ingest_reports_this_runs_rejections_even_when_they_were_stored_before(invoke, tmp_path):
    first = write_jsonl(tmp_path / "first.jsonl", [FLOOD_A, "{broken"])
    second = write_jsonl(tmp_path / "second.jsonl", [FLOOD_B, "[1]"])
    db = str(tmp_path / "x.db")
    invoke("--db", db, *FAKE_SETS, "ingest", str(first))
    invoke("--db", db, *FAKE_SETS, "ingest", str(second))

    again = invoke("--db", db, *FAKE_SETS, "ingest", str(first))

    assert f"{first}:2" in again.stderr
    assert f"{second}:2" not in again.stderr


def test_ingest_reads_csv_from_standard_input(invoke, tmp_path):
    csv_text = 'id,date,source,text\ns1,2023-03-06,Desk,"Marlow flooded after the Thames burst its banks on Sunday."\n'

    result = invoke("--db", str(tmp_path / "x.db"), *FAKE_SETS, "ingest", "-", input=csv_text)

    assert "ingested 1 new article " in result.stdout, result.output
    assert [a["id"] for a in json.loads(invoke("--db", str(tmp_path / "x.db"), "articles", "--json").stdout)] == ["s1"]


# ---------------------------------------------------------------- the JSON contract


def test_stories_json_contract(invoke, filled_db):
    result = invoke("--db", str(filled_db), "stories", "--json")

    stories = json.loads(result.stdout)
    assert result.exit_code == 0 and len(stories) == 2
    for story in stories:
        assert set(story) == STORY_KEYS
        assert ISO_DAY.match(story["first_date"]) and ISO_DAY.match(story["last_date"])
        for event in story["events"]:
            assert set(event) == EVENT_KEYS
            assert ISO_DAY.match(event["date"]) and event["date_precision"] == "day"
    by_article = {a: s["id"] for s in stories for e in s["events"] for a in e["articles"]}
    assert by_article["flood-1"] == by_article["flood-2"] != by_article["chess-1"] == by_article["chess-2"]


def test_stories_limit(invoke, filled_db):
    assert len(json.loads(invoke("--db", str(filled_db), "stories", "--json", "--limit", "1").stdout)) == 1


def test_articles_json_contract(invoke, filled_db):
    articles = json.loads(invoke("--db", str(filled_db), "articles", "--json").stdout)

    assert [a["id"] for a in articles] == ["flood-1", "flood-2", "chess-1", "chess-2"]
    assert all(set(a) == ARTICLE_KEYS and ISO_DAY.match(a["date"]) for a in articles)
    assert articles[0] == {"id": "flood-1", "source": "River Times", "date": "2023-03-06", "title": FLOOD_A["title"], "duplicate_of": None}


def test_text_listings_name_every_story_and_article(invoke, filled_db):
    stories = invoke("--db", str(filled_db), "stories").stdout
    articles = invoke("--db", str(filled_db), "articles").stdout

    assert stories.splitlines()[0].split()[:2] == ["id", "dates"]
    assert "S1" in stories and "S2" in stories
    assert all(a in articles for a in ("flood-1", "flood-2", "chess-1", "chess-2"))


def test_show_json_names_the_kind(invoke, filled_db):
    for item, kind in (("S1", "story"), ("E1", "event"), ("flood-1", "article")):
        data = json.loads(invoke("--db", str(filled_db), "show", "--json", item).stdout)
        assert (data["kind"], data["id"]) == (kind, item)
    assert "why together:" in invoke("--db", str(filled_db), "show", "E1").stdout


def test_rejections_lists_stored_rejections(invoke, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", ["{broken"])
    db = str(tmp_path / "x.db")
    invoke("--db", db, *FAKE_SETS, "ingest", str(path))

    (rejection,) = json.loads(invoke("--db", db, "rejections", "--json").stdout)

    assert (rejection["origin"], rejection["line"], rejection["code"]) == (str(path), 1, Codes.BAD_JSON)
    assert invoke("--db", db, "rejections").stdout.startswith(f"{path}:1: [{Codes.BAD_JSON}]")


# ---------------------------------------------------------------- settings


def test_settings_lists_every_setting(invoke, tmp_path):
    text = invoke("--db", str(tmp_path / "x.db"), "settings").stdout
    data = json.loads(invoke("--db", str(tmp_path / "x.db"), "--set", "batch_size=4", "settings", "--json").stdout)

    assert all(f"{s.name} = " in text for s in SETTINGS)
    assert [d["name"] for d in data] == [s.name for s in SETTINGS]
    assert {d["name"]: d["value"] for d in data}["batch_size"] == 4
    assert all(d["help"] for d in data)


def test_set_without_equals_is_a_usage_error(invoke):
    result = invoke("--set", "batch_size", "settings")
    assert result.exit_code == 2 and "NAME=VALUE" in result.output


# ---------------------------------------------------------------- errors at the edge


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--set", "nope=1", "settings"], "SL301"),
        (["--set", "batch_size=lots", "settings"], "SL302"),
        (["--set", "event_candidates=0", "ingest", "{corpus}"], "SL302"),
        (["--set", "embedder=embedder.nope.v1", "ingest", "{corpus}"], "SL303"),
        (["show", "nope"], "SL401"),
        (["--db", "{notadb}", "articles"], "SL201"),
        (["--db", "{notadb}/inside.db", "ingest", "{corpus}"], "SL201"),
    ],
)
def test_errors_print_one_line_with_the_code_and_exit_non_zero(monkeypatch, capsys, tmp_path, corpus, args, code):
    notadb = tmp_path / "notes.db"
    notadb.write_text("not a database " * 200)
    args = [a.format(corpus=corpus, notadb=notadb) for a in args]
    if "--db" not in args:
        storyline.Storyline(tmp_path / "x.db").close()  # an empty store: read commands need one that exists
        args = ["--db", str(tmp_path / "x.db"), *args]

    exit_code, out, err = run_main(monkeypatch, capsys, *args)

    assert exit_code != 0
    assert ONE_LINE_ERROR.match(err), err
    assert f"[{code}]" in err and out == ""


def test_library_errors_reach_the_click_runner_as_storyline_errors(invoke, tmp_path):
    storyline.Storyline(tmp_path / "x.db").close()
    result = invoke("--db", str(tmp_path / "x.db"), "show", "nope")
    assert result.exit_code != 0
    assert isinstance(result.exception, StorylineError) and result.exception.code == Codes.NOT_FOUND


def test_version_option(invoke):
    assert re.search(r"\d+\.\d+\.\d+", invoke("--version").output)


# ---------------------------------------------------------------- a real process


def test_real_subprocess_ingests_and_prints_the_contract(tmp_path, corpus):
    db = str(tmp_path / "proc.db")

    ingest = run_cli("--db", db, *FAKE_SETS[:2], "ingest", str(corpus))
    stories = run_cli("--db", db, "stories", "--json")
    missing = run_cli("--db", db, "show", "nope")

    assert ingest.returncode == 0, ingest.stderr
    assert "ingested 4 new articles" in ingest.stdout
    parsed = json.loads(stories.stdout)
    assert [set(s) for s in parsed] == [STORY_KEYS, STORY_KEYS]
    assert sorted(a for s in parsed for e in s["events"] for a in e["articles"]) == ["chess-1", "chess-2", "flood-1", "flood-2"]
    assert missing.returncode == 1 and missing.stdout == ""
    assert ONE_LINE_ERROR.match(missing.stderr) and "[SL401]" in missing.stderr


def test_config_file_sets_values_below_set_overrides(invoke, tmp_path):
    config = tmp_path / "storyline.toml"
    config.write_text("batch_size = 8\nthreads = 2\n", encoding="utf-8")

    data = json.loads(invoke("--config", str(config), "--set", "threads=3", "settings", "--json").stdout)

    values = {d["name"]: d["value"] for d in data}
    assert (values["batch_size"], values["threads"]) == (8, 3)


def test_export_writes_one_json_line_per_event(invoke, filled_db, tmp_path):
    out = tmp_path / "events.jsonl"

    result = invoke("--db", str(filled_db), "export", "-o", str(out))

    assert result.exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in records) == ["E1", "E2"]
    assert all(set(r["articles_by_source"]) and r["story_id"] for r in records)
    for r in records:  # the comparison of each event's sources travels with it
        assert r["comparison"]["event"] == r["id"]
        assert {s["article"] for f in r["comparison"]["facts"] for s in f["supports"]} <= set(r["articles"])


def test_compare_prints_the_json_contract_for_an_event_and_a_list_for_a_story(invoke, filled_db):
    result = invoke("--db", str(filled_db), "compare", "E1", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"event", "facts", "by_source", "upstream"} and data["event"] == "E1"
    for fact in data["facts"]:
        assert set(fact) >= {"id", "text", "kind", "status", "sources", "independent_sources", "supports", "values"}
        assert fact["status"] in ("agreed", "single", "contested")
        assert bool(fact["values"]) == (fact["status"] == "contested")
        assert all(set(s) >= {"article", "source", "sentence", "start", "end", "text"} for s in fact["supports"])
    for parts in data["by_source"].values():
        assert set(parts) == {"adds", "omits", "contradicts", "framing"}
    story = invoke("--db", str(filled_db), "compare", "S1", "--json")
    assert story.exit_code == 0 and isinstance(json.loads(story.stdout), list)
    text = invoke("--db", str(filled_db), "compare", "E1")
    assert text.exit_code == 0 and text.stdout.startswith("E1: ")
    assert invoke("--db", str(filled_db), "compare", "E99").exit_code != 0


def test_demo_never_deletes_the_users_store_named_in_the_environment(tmp_path, filled_db, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STORYLINE_DB", str(filled_db))

    CliRunner().invoke(cli, [*FAKE_SETS, "demo"])

    ids = {a["id"] for a in json.loads(CliRunner().invoke(cli, ["--db", str(filled_db), "articles", "--json"]).stdout)}
    assert {"flood-1", "flood-2", "chess-1", "chess-2"} <= ids


def test_demo_refuses_to_replace_a_store_it_did_not_create(invoke, filled_db):
    result = invoke(*FAKE_SETS, "demo", "--path", str(filled_db))

    assert result.exit_code == 2 and "was not made by `storyline demo`" in result.output
    assert len(json.loads(invoke("--db", str(filled_db), "articles", "--json").stdout)) == 4


def test_demo_replaces_its_own_earlier_store(invoke, tmp_path):
    path = str(tmp_path / "demo.db")
    first = invoke(*FAKE_SETS, "demo", "--path", path)
    again = invoke(*FAKE_SETS, "demo", "--path", path)

    assert first.exit_code == again.exit_code == 0, again.output
    counts = [r.stdout.splitlines()[0].split(" in ")[0] for r in (first, again)]  # the line without its timing
    assert counts[0] == counts[1]  # replaced, not added to
    assert "0 already stored" in counts[1]


def test_stories_filters_by_date_source_and_text_like_the_api(invoke, filled_db):
    def ids(*args):
        result = invoke("--db", str(filled_db), "stories", "--json", *args)
        assert result.exit_code == 0, result.output
        return [{a for e in s["events"] for a in e["articles"]} for s in json.loads(result.stdout)]

    assert len(ids()) == 2
    assert ids("--source", "Board Weekly") == [{"chess-1", "chess-2"}]
    assert ids("-q", "Thames") == [{"flood-1", "flood-2"}]
    assert ids("--from", "2023-03-15") == [{"chess-1", "chess-2"}]
    assert ids("--to", "2023-03-10") == [{"flood-1", "flood-2"}]
    assert ids("--source", "Nobody") == []
    bad = invoke("--db", str(filled_db), "stories", "--from", "March")
    assert bad.exit_code == 1 and "from must be a date" in str(bad.exception)


def test_search_lists_matching_articles_with_their_event_and_story(invoke, filled_db):
    result = invoke("--db", str(filled_db), "search", "Reykjavik", "--json")

    page = json.loads(result.stdout)
    assert {a["id"] for a in page["articles"]} == {"chess-1", "chess-2"}
    assert all(a["event_id"] and a["story_id"] for a in page["articles"]) and page["next"] is None
    text = invoke("--db", str(filled_db), "search", "Reykjavik").stdout
    assert "chess-1" in text and "[Reykjavik]" in text and "\ue000" not in text


def test_ingest_exits_1_when_an_input_is_missing_and_0_when_all_is_stored(invoke, tmp_path, corpus):
    db = str(tmp_path / "x.db")
    assert invoke("--db", db, *FAKE_SETS, "ingest", str(corpus)).exit_code == 0
    assert invoke("--db", db, *FAKE_SETS, "ingest", str(corpus)).exit_code == 0  # all already stored
    missing = invoke("--db", db, *FAKE_SETS, "ingest", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 1 and "1 rejected" in missing.stdout
    assert "Exit status" in invoke("ingest", "--help").output


@pytest.mark.parametrize(("detail", "shown"), [
    ({"precision": "publication", "start": None, "end": "2021-07-27"}, "2021-07-27 [publication] on or before 2021-07-27"),
    ({"precision": "month", "start": "2021-07-01", "end": "2021-07-31"}, "2021-07-01 [month] 2021-07-01..2021-07-31"),
    ({"precision": "day", "start": "2021-07-01", "end": "2021-07-01"}, "2021-07-01 [day]"),
    ({"precision": "after", "start": "2021-07-01", "end": None}, "2021-07-01 [after] on or after 2021-07-01"),
])
def test_a_record_date_says_its_range_in_words_where_one_end_is_open(detail, shown):
    from storyline.cli.render import _describe

    value = detail.get("start") or detail["end"]
    assert _describe("date", {"value": value, "detail": detail}) == shown


def test_a_range_of_report_dates_names_one_day_once():
    from storyline.cli.render import _span

    assert [_span("2022-06-18", "2022-06-18"), _span("2022-06-18", "2022-06-20"), _span(None, None)] == [
        "2022-06-18", "2022-06-18..2022-06-20", "undated"]
