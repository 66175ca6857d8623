"""The founding example, with the real default models and no fakes."""

from __future__ import annotations

from storyline.model import plain
import csv
import io
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
    (story,) = plain(founding.stories())
    (event,) = story["events"]

    assert sorted(event["articles"]) == sorted(a["id"] for a in plain(founding.articles()))
    assert len(event["articles"]) == 2
    assert story["title"].startswith(FOUNDING_TITLE)


def test_the_founding_event_is_dated_wednesday_2022_06_15_to_the_day(founding):
    (story,) = plain(founding.stories())
    (event,) = story["events"]

    assert (event["date"], event["date_precision"]) == ("2022-06-15", "day")
    assert (story["first_date"], story["last_date"]) == ("2022-06-15", "2022-06-15")
    assert all(a["date"] == "2022-06-18" for a in plain(founding.articles()))


def test_section_headings_are_headings_not_sentences(founding):
    first = next(plain(founding.article(a["id"])) for a in plain(founding.articles()) if plain(founding.article(a["id"]))["headings"])

    assert first["headings"] == ["Troops in Syria", "Direct coinfrontation"]
    assert not any(s.startswith(("Troops in Syria", "Direct coinfrontation")) for s in first["sentences"])
    assert first["sentences"][0].startswith(FOUNDING_TITLE)
    assert any(s.startswith("Around 900 US troops") for s in first["sentences"])


def test_seed_articles_are_english_with_entities(founding):
    for summary in plain(founding.articles()):
        article = plain(founding.article(summary["id"]))
        assert article["language"] == "en"
        keys = {m["key"] for m in article["mentions"]}
        assert {"russia", "syria", "united states"} <= keys


def test_demo_ends_by_printing_the_stories_with_the_founding_story_among_them(tmp_path):
    db = tmp_path / "demo.db"
    runner = CliRunner()

    result = runner.invoke(cli, ["demo", "--path", str(db)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").splitlines()
    assert lines[0].startswith("ingested 23 new articles (1 duplicate)")
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["id", "dates"])
    table = lines[header + 1 : lines.index("", header)]
    assert len(table) >= 2 and all(row.startswith("S") for row in table)
    assert any("2022-06-15" in row and FOUNDING_TITLE in row for row in table)
    assert lines[-2].startswith(f"Store: {db}")
    assert lines[-1].endswith("then open http://127.0.0.1:8000")  # the demo ends with a URL to open

    stories = json.loads(runner.invoke(cli, ["--db", str(db), "stories", "--json"]).stdout)
    (founding_story,) = [s for s in stories if s["title"].startswith(FOUNDING_TITLE)]
    assert [len(e["articles"]) for e in founding_story["events"]] == [2]


def test_the_founding_event_record_with_provenance_and_the_2018_attack_as_an_earlier_event(founding):
    (story,) = plain(founding.stories())
    event = plain(founding.event(story["events"][0]["id"]))
    record = event["record"]
    fields = record["fields"]

    assert fields["event_type"]["value"]["value"] == "ASSAULT"
    assert "russia" in fields["actor1"]["value"]["detail"]["key"]  # Russia or its armed forces
    date = fields["date"]["value"]
    assert (date["value"], date["detail"]["precision"]) == ("2022-06-15", "day")
    assert {s["text"].lower() for s in date["support"]} == {"on wednesday"}
    place = fields["place"]["value"]
    assert place["detail"]["country_code"] == "SY"
    assert fields["fatalities"]["value"] is None  # no death is reported, which is not zero deaths
    supported = {s["article_id"] for f in fields.values() if f["value"] for s in f["value"]["support"]}
    assert supported == set(event["articles"])  # both articles support the record
    for f in fields.values():
        for s in (f["value"] or {}).get("support", ()):
            text = plain(founding.article(s["article_id"]))["text"]
            assert text[s["start"]:s["end"]] and s["sentence_start"] <= s["start"] <= s["end"] <= s["sentence_end"]

    (earlier,) = record["background"]
    e_date = earlier["fields"]["date"]["value"]
    assert (e_date["value"][:7], e_date["detail"]["precision"]) == ("2018-02", "month")
    assert "Wagner" in e_date["support"][0]["text"]
    # issue 12: the Wagner Group attacked, US forces were attacked, in Syria (only the country is known, and the note says so)
    e_fields = earlier["fields"]
    assert e_fields["actor1"]["value"]["value"] == "Wagner Group" and e_fields["actor1"]["value"]["detail"]["kind"] == "armed group"
    assert e_fields["actor2"]["value"]["detail"]["key"] == "military:united states"
    assert e_fields["place"]["value"]["detail"]["country_code"] == "SY"
    if e_fields["place"]["value"]["detail"]["precision"] == "country":
        assert "approximate" in e_fields["place"]["note"]
    assert fields["kind"]["value"]["value"] == "conflict"


def test_both_founding_articles_relay_one_wall_street_journal_report(founding):
    (story,) = plain(founding.stories())
    event = plain(founding.event(story["events"][0]["id"]))
    assert event["relays"] == [{"upstream": "wall street journal", "name": "Wall Street Journal", "articles": sorted(event["articles"], key=event["articles"].index)}]
    assert event["n_independent_reports"] == 1


def test_quotes_keep_their_speaker(founding):
    quotes = [m for a in plain(founding.articles()) for m in plain(founding.article(a["id"]))["mentions"] if m["label"] == "QUOTE"]
    kurilla = [q for q in quotes if q["text"].startswith("We seek to avoid miscalculation")]
    assert kurilla and kurilla[0]["detail"]["speaker"] == "Army Gen. Erik Kurilla"


def test_show_prints_the_record_and_export_writes_one_csv_row_per_real_event(founding, tmp_path):
    db = str(founding.store.path)
    founding.close()
    runner = CliRunner()
    shown = runner.invoke(cli, ["--db", db, "show", "E1"])
    assert shown.exit_code == 0, shown.output
    assert "type     ASSAULT" in shown.output and "earlier event:" in shown.output
    assert "relays of one Wall Street Journal report" in shown.output
    exported = runner.invoke(cli, ["--db", db, "export", "--format", "events-csv"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [(r["event_id"], r["background_of"]) for r in rows] == [("E1", ""), ("E1/b1", "E1")]
    assert (rows[0]["event_date"], rows[0]["time_precision"], rows[0]["country"]) == ("2022-06-15", "1", "Syria")
    assert rows[1]["event_date"].startswith("2018-02") and rows[1]["time_precision"] == "3"


def _fact_with(comparison, *phrases):
    """The fact whose supports, together, contain every phrase."""
    for fact in comparison["facts"]:
        joined = " ".join(s["text"] for s in fact["supports"])
        if all(p in joined for p in phrases):
            return fact
    raise AssertionError(f"no fact states {phrases}")


def test_the_founding_comparison_agrees_on_the_airstrike_and_says_what_each_relay_adds(founding):
    (story,) = plain(founding.stories())
    (event,) = story["events"]
    comparison = founding.comparison(event["id"]).to_dict()
    texts = {a["id"]: plain(founding.article(a["id"]))["text"] for a in plain(founding.articles())}
    first = next(i for i, t in texts.items() if "Around 900 US troops" in t)
    second = next(i for i, t in texts.items() if "Kurilla" in t)

    assert comparison["event"] == event["id"]
    assert [u["source"] for u in comparison["upstream"]] == ["Wall Street Journal"]
    assert sorted(comparison["upstream"][0]["relayed_by"]) == sorted(texts)
    assert not [f for f in comparison["facts"] if f["status"] == "contested"]
    for phrases in (("On Wednesday", "airstrike", "al-Tanf"), ("hotline", "communications line"),
                    ("none of them were hurt", "casualties"), ("significant increase",), ("training local forces", "train and advise")):
        fact = _fact_with(comparison, *phrases)
        assert fact["status"] == "agreed", phrases
        assert fact["independent_sources"] == 1, phrases  # two relays of one WSJ report
    for fact in comparison["facts"]:
        for s in fact["supports"]:
            assert texts[s["article"]][s["start"]:s["end"]] == s["text"]
    adds = {source: {f["id"] for f in comparison["facts"] if f["id"] in parts["adds"]} for source, parts in comparison["by_source"].items()}
    first_adds = [_fact_with(comparison, p)["id"] for p in ("fighter jets", "Around 900 US troops", "telephone line every day",
                                                             "February 2018")]
    second_adds = [_fact_with(comparison, p)["id"] for p in ("We seek to avoid miscalculation", "a combat outpost at the garrison",
                                                              "wasn’t actively targeting American troops")]
    first_source = next(s for s in comparison["by_source"] if s in (first, founding.article(first).source))
    second_source = next(s for s in comparison["by_source"] if s in (second, founding.article(second).source))
    assert set(first_adds) <= adds[first_source]
    assert set(second_adds) <= adds[second_source]


def test_the_founding_summary_leads_with_what_both_reports_state_and_names_the_wsj_as_upstream(founding, tmp_path):
    (story,) = plain(founding.stories())
    event_id = story["events"][0]["id"]
    articles = sorted(story["events"][0]["articles"])
    digest = plain(founding.summary(event_id))

    assert 2 <= len(digest["sentences"]) <= 5
    first = digest["sentences"][0]
    # both reports state it, but both relay the Wall Street Journal: two reports, one independent source
    assert (first["kind"], first["n_reports"], first["n_sources"]) == ("relayed", 2, 1)
    assert sorted({c["article_id"] for c in first["citations"]}) == articles
    assert "Wall Street Journal" in first["text"]
    assert digest["upstreams"] == ["Wall Street Journal"] and digest["n_independent_reports"] == 1
    # every sentence cites at least its own source sentence, verbatim
    texts = {a: plain(founding.article(a))["text"] for a in articles}
    for sentence in digest["sentences"]:
        assert sentence["citations"]
        assert all(texts[c["article_id"]][c["start"] : c["end"]] == c["text"] for c in sentence["citations"])
    kinds = [s["kind"] for s in digest["sentences"]]
    assert kinds == sorted(kinds, key=["agreed", "relayed", "addition", "contested"].index)

    db = str(founding.store.path)
    founding.close()
    shown = CliRunner().invoke(cli, ["--db", db, "summary", event_id])
    assert shown.exit_code == 0, shown.output
    assert "relayed upstream: Wall Street Journal" in shown.output
    assert "stated by 2 reports relaying one upstream report" in shown.output
    assert all(f"[{a}," in shown.output for a in articles)
