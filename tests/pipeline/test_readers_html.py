"""HTML pages: the article with its title, date, outlet and canonical URL; pages without one are rejections."""

from __future__ import annotations

from storyline.model import plain
import gzip

import pytest

from storyline.errors import Codes
from storyline.model import RawRecord, Rejection
from storyline.pipeline.readers import read_path, read_stream
from storyline.pipeline.readers.html import extract_page, outlet_from_url
from webpages import HOME_PAGE, PARAGRAPHS, article_page

pytest.importorskip("trafilatura")


def test_a_page_becomes_one_record_with_its_metadata_and_paragraphs(tmp_path):
    path = tmp_path / "marlow.html"
    path.write_text(article_page(), encoding="utf-8")

    (record,) = list(read_path(str(path)))

    assert isinstance(record, RawRecord) and (record.origin, record.line) == (str(path), 1)
    assert record.fields["title"] == "Thames floods Marlow as river bursts its banks"
    assert record.fields["date"] == "2023-03-06"
    assert record.fields["source"] == "Daily Planet"
    assert record.fields["url"] == "https://planet.example/news/marlow-floods"
    assert record.fields["text"].split("\n\n") == PARAGRAPHS


def test_boilerplate_does_not_reach_the_text(tmp_path):
    path = tmp_path / "marlow.htm"
    path.write_text(article_page(), encoding="utf-8")

    (record,) = list(read_path(str(path)))

    text = record.fields["text"]
    for noise in ("cookies", "Related stories", "centenary", "hope everyone is safe", "All rights reserved", "Weather"):
        assert noise not in text


def test_gzipped_pages_and_other_encodings_are_read(tmp_path):
    page = article_page(title="Cafés in Marlow flooded", charset="iso-8859-1")
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(page.encode("iso-8859-1")))

    (record,) = list(read_path(str(path)))

    assert record.fields["title"] == "Cafés in Marlow flooded"


def test_a_page_without_an_article_is_a_rejection_with_the_reason(tmp_path):
    path = tmp_path / "home.html"
    path.write_text(HOME_PAGE, encoding="utf-8")

    (rejection,) = list(read_path(str(path)))

    assert isinstance(rejection, Rejection)
    assert (rejection.origin, rejection.code) == (str(path), Codes.NO_ARTICLE)
    assert "no article" in rejection.reason


def test_a_truncated_gzipped_page_is_a_rejection(tmp_path):
    packed = gzip.compress(article_page().encode())
    path = tmp_path / "page.html.gz"
    path.write_bytes(packed[: len(packed) - 40])

    (rejection,) = list(read_path(str(path)))

    assert rejection.code == Codes.DAMAGED and rejection.origin == str(path)


def test_the_outlet_falls_back_to_the_domain_and_the_url_to_the_given_one():
    page = article_page().replace('<meta property="og:site_name" content="Daily Planet">', "").replace(
        '<link rel="canonical" href="https://planet.example/news/marlow-floods">', "").replace(" | Daily Planet", "")

    result = extract_page(page, "https://www.planet.example/2023/03/06/marlow")

    assert result.outlet == "planet.example"
    assert result.url == "https://www.planet.example/2023/03/06/marlow"
    assert outlet_from_url("not a url") is None


def test_a_page_sniffed_on_standard_input_is_read_as_html():
    import io

    items = list(read_stream(io.BytesIO(article_page().encode()), "<stdin>"))

    assert [type(i).__name__ for i in items] == ["RawRecord"]


def test_ingesting_a_page_stores_the_article_with_its_outlet_and_date(fake_engine, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "marlow.html").write_text(article_page(), encoding="utf-8")
    (tmp_path / "in" / "home.html").write_text(HOME_PAGE, encoding="utf-8")
    engine = fake_engine()

    summary = engine.ingest([str(tmp_path / "in")])

    assert (summary.ingested, summary.rejected) == (1, 1)
    (article,) = plain(engine.articles())
    assert (article["source"], article["date"], article["title"]) == ("Daily Planet", "2023-03-06", "Thames floods Marlow as river bursts its banks")
    (rejection,) = engine.rejections()
    assert rejection.origin.endswith("home.html") and rejection.code == Codes.NO_ARTICLE


def test_the_outlet_name_appended_to_the_headline_is_left_out_of_the_title():
    page = article_page().replace('<meta property="og:title" content="Thames floods Marlow as river bursts its banks">',
                                  '<meta property="og:title" content="Thames floods Marlow - Daily Planet">')

    assert extract_page(page).title == "Thames floods Marlow"
