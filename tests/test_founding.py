"""The founding example, with the real default models and no fakes."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from click.testing import CliRunner

from storyline.cli import cli

pytestmark = pytest.mark.slow

SEEDS = resources.files("storyline") / "examples" / "seeds"
FOUNDING_TITLE = "Russian troops allied with the Syrian government"


def seed_paths():
    paths = sorted(str(p) for p in SEEDS.iterdir() if p.name.endswith(".txt"))
    assert len(paths) == 2
    return paths


@pytest.fixture
def founding(real_engine):
    summary = real_engine.ingest(seed_paths())
    assert (summary.ingested, summary.rejected) == (2, 0)
    return real_engine


def test_the_two_seed_articles_make_one_story_with_one_event(founding):
    (story,) = founding.stories()
    (event,) = story["events"]

    assert sorted(event["articles"]) == sorted(a["id"] for a in founding.articles())
    assert len(event["articles"]) == 2
    assert story["title"].startswith(FOUNDING_TITLE)


def test_the_founding_event_is_dated_wednesday_2022_06_15_to_the_day(founding):
    (story,) = founding.stories()
    (event,) = story["events"]

    assert (event["date"], event["date_precision"]) == ("2022-06-15", "day")
    assert (story["first_date"], story["last_date"]) == ("2022-06-15", "2022-06-15")
    assert all(a["date"] == "2022-06-18" for a in founding.articles())


def test_section_headings_are_headings_not_sentences(founding):
    first = next(founding.article(a["id"]) for a in founding.articles() if founding.article(a["id"])["headings"])

    assert first["headings"] == ["Troops in Syria", "Direct coinfrontation"]
    assert not any(s.startswith(("Troops in Syria", "Direct coinfrontation")) for s in first["sentences"])
    assert first["sentences"][0].startswith(FOUNDING_TITLE)
    assert any(s.startswith("Around 900 US troops") for s in first["sentences"])


def test_seed_articles_are_english_with_entities(founding):
    for summary in founding.articles():
        article = founding.article(summary["id"])
        assert article["language"] == "en"
        keys = {m["key"] for m in article["mentions"]}
        assert {"russia", "syria", "united states"} <= keys


def test_demo_ends_by_printing_the_stories_with_the_founding_story_among_them(tmp_path):
    db = tmp_path / "demo.db"
    runner = CliRunner()

    result = runner.invoke(cli, ["demo", "--path", str(db)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").splitlines()
    assert lines[0].startswith("ingested 23 new articles (1 duplicates)")
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["id", "dates"])
    table = lines[header + 1 : lines.index("", header)]
    assert len(table) >= 2 and all(row.startswith("S") for row in table)
    assert any("2022-06-15" in row and FOUNDING_TITLE in row for row in table)
    assert lines[-2].startswith(f"Store: {db}")
    assert lines[-1].endswith("then open http://127.0.0.1:8000")  # the demo ends with a URL to open

    stories = json.loads(runner.invoke(cli, ["--db", str(db), "stories", "--json"]).stdout)
    (founding_story,) = [s for s in stories if s["title"].startswith(FOUNDING_TITLE)]
    assert [len(e["articles"]) for e in founding_story["events"]] == [2]
