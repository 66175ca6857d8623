"""storyline eval extract: bodies scored on word 4-grams as the extraction benchmark does; dates against the stated ones."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storyline.evaluate.extract import evaluate_extraction, shingle_scores, stated_date

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "html"
FLOORS = json.loads(Path(__file__).with_name("extract_floors.json").read_text())


def test_shingles_normalise_each_page_to_one():
    assert shingle_scores("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = shingle_scores("one two three four five", "one two three four six")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert shingle_scores("", "") == (0.0, 0.0, 0.0)


def test_the_stated_date_comes_from_json_ld_or_meta_and_ignores_placeholders():
    assert stated_date('<script type="application/ld+json">{"@graph": [{"datePublished": "2019-11-19T04:58:46Z"}]}</script>') == "2019-11-19"
    assert stated_date('<meta property="article:published_time" content="2023-03-06T09:30:00+00:00">') == "2023-03-06"
    assert stated_date('<meta itemprop="datePublished" content="0001-01-01T00:00:00">') is None
    assert stated_date("<p>no date here</p>") is None


def test_a_folder_of_pages_is_scored_through_the_reader(tmp_path):
    pytest.importorskip("trafilatura")
    from webpages import HOME_PAGE, PARAGRAPHS, article_page

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "good.html.gz").write_bytes(gzip.compress(article_page().encode()))
    (tmp_path / "pages" / "home.html").write_text(HOME_PAGE)
    gold = [{"id": "good", "url": None, "body": "\n\n".join(PARAGRAPHS)}, {"id": "home", "url": None, "body": "Floods in Marlow today"},
            {"id": "absent", "url": None, "body": "x"}]
    (tmp_path / "ground_truth.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold))

    scores = evaluate_extraction(tmp_path)

    assert (scores["n_pages"], scores["n_missing_pages"], scores["n_without_body"]) == (2, 1, 1)
    assert scores["precision"] == 1.0  # only the good page predicted anything, and exactly its body
    assert scores["recall"] == 0.5  # the home page's gold body was missed
    assert scores["f1"] == pytest.approx(2 / 3)
    assert (scores["n_pages_stating_a_date"], scores["date_accuracy"]) == (1, 1.0)


@pytest.mark.slow
def test_extraction_stays_above_its_pinned_floors_on_the_development_pages():
    pytest.importorskip("trafilatura")
    if not DATA.exists():
        pytest.skip(f"development data not found at {DATA}")

    scores = evaluate_extraction(DATA)

    below = {k: (round(scores[k], 4), v) for k, v in FLOORS["floors"].items() if scores[k] < v}
    assert not below, f"below the pinned floors (score, floor): {below}"


def test_the_benchmark_repositorys_own_layout_is_read_too(tmp_path):
    pytest.importorskip("trafilatura")
    from webpages import PARAGRAPHS, article_page

    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(article_page().encode()))
    (tmp_path / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": "\n".join(PARAGRAPHS), "url": "x"}}))

    scores = evaluate_extraction(tmp_path)

    assert (scores["n_pages"], scores["f1"]) == (1, 1.0)
