"""Article ids may hold "/" (real corpora use "bbc/business/001"), "?", "#" and "%": their pages and API
answer, and every link to them is URL-encoded."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

import httpx
import pytest

import storyline
from storyline.pipeline.embed import HashingEmbedder
from support import FLOOD_A, FLOOD_B, CapitalisedEntities, options
from webtools import live_server

IDS = ["bbc/business/001", "https://e.org/x?id=3#top 100%"]


@pytest.fixture(scope="module")
def odd_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("ids") / "ids.db"
    with storyline.Storyline(db, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as sl:
        sl.ingest_records([FLOOD_A | {"id": IDS[0]}, FLOOD_B | {"id": IDS[1]}])
        event_id = sl.store.event_of_article(IDS[0])
    with live_server(db) as url:
        yield url, event_id


@pytest.mark.parametrize("article_id", IDS)
def test_the_api_and_the_page_of_an_article_with_an_odd_id_answer(odd_server, article_id):
    url, _ = odd_server
    path = quote(article_id, safe="/")  # as a browser or client sends it: ? # % and space encoded
    api = httpx.get(f"{url}/api/articles/{path}")
    assert api.status_code == 200, api.text
    assert api.json()["id"] == article_id
    page = httpx.get(f"{url}/articles/{path}")
    assert page.status_code == 200
    assert "Marlow" in page.text


def test_links_to_articles_are_url_encoded_and_lead_to_them(odd_server):
    url, event_id = odd_server
    page = httpx.get(f"{url}/events/{event_id}").text
    links = set(re.findall(r'href="(/articles/[^"]+)"', page))
    assert {unquote(link[len("/articles/"):]) for link in links} == set(IDS)
    for link in links:
        assert "?" not in link and "#" not in link and " " not in link
        assert httpx.get(url + link).status_code == 200
