"""``storyline eval cluster``: every required key, gold never seen, dates spread on request."""

from __future__ import annotations

import json

from click.testing import CliRunner

from storyline.cli import cli
from storyline.evaluate.clustering import spread_dates
from support import FAKE_SETS, write_jsonl

REQUIRED = ("b3_precision b3_recall b3_f1 pairwise_precision pairwise_recall pairwise_f1 ari ami n_clusters n_gold "
            "articles_per_second peak_memory_mb").split()


def corpus(tmp_path):
    rows = []
    for n, (event, story, title) in enumerate([
        ("flood", "weather", "River Thames floods homes in Marlow"),
        ("flood", "weather", "Thames flooding hits Marlow homes"),
        ("chess", "games", "Carlsen wins the Norway Chess tournament"),
        ("chess", "games", "Norway Chess: Carlsen takes the title"),
    ]):
        rows.append({"id": f"{event}-{n}", "date": "2024-05-0%d" % (1 + n % 2), "source": f"outlet{n}", "title": title,
                     "text": f"{title}. " * 3, "event": event, "story": story})
    return write_jsonl(tmp_path / "corpus.jsonl", rows)


def test_eval_cluster_prints_every_required_key_for_both_levels(tmp_path):
    path = corpus(tmp_path)
    for level in ("event", "story"):
        result = CliRunner().invoke(cli, [*FAKE_SETS, "eval", "cluster", str(path), "--level", level, "--json"])
        assert result.exit_code == 0, result.output
        scores = json.loads(result.stdout)
        assert all(key in scores for key in REQUIRED), [k for k in REQUIRED if k not in scores]
        assert scores["n_gold"] == 2 and scores["level"] == level and scores["spread_days"] == 0
        assert 0.0 <= scores["b3_f1"] <= 1.0 and scores["articles_per_second"] > 0


def test_spread_days_moves_dates_later_within_the_range_and_keeps_the_rest(tmp_path):
    records = [{"id": str(i), "date": "2024-05-01"} for i in range(200)] + [
        {"id": "undated", "date": None}, {"id": "timed", "date": "2024-05-01T10:30:00+00:00"}]
    spread = spread_dates(records, 3)
    days = [int(r["date"][8:10]) - 1 for r in spread[:200]]
    assert set(days) == {0, 1, 2, 3}
    assert spread[200]["date"] is None and spread[201]["date"][10:] == "T10:30:00+00:00"
    assert spread_dates(records, 3) == spread  # seeded
    assert spread_dates(records, 0) == records and records[0]["date"] == "2024-05-01"  # input untouched


def test_eval_cluster_with_spread_dates_reports_it(tmp_path):
    result = CliRunner().invoke(cli, [*FAKE_SETS, "eval", "cluster", str(corpus(tmp_path)), "--spread-days", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["spread_days"] == 2
    bad = CliRunner().invoke(cli, ["eval", "cluster", str(corpus(tmp_path)), "--spread-days", "-1"])
    assert bad.exit_code != 0 and "--spread-days" in bad.output
