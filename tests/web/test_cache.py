"""The response cache (web/cache.py): kept answers until the store changes, bounded, with ETags; over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import storyline
from storyline.pipeline.embed import HashingEmbedder
from storyline.web.cache import Kept, ResponseCache
from support import BACKENDS, CapitalisedEntities, options
from webtools import TOKEN, build_web_store, live_server

NEW = {"id": "keepers-1", "date": "2023-06-01", "source": "Harbour Gazette",
       "title": "Lighthouse keepers walk out over pay at Dunmore",
       "text": "Lighthouse keepers at Dunmore walked out on Thursday over pay, leaving the harbour lamp on its "
               "automatic timer. The Dunmore Lighthouse Board said talks would resume on Monday."}

#: an ingest in a process of its own: the commit the server must see comes from another process's connection
INGEST = """
import json, sys
import storyline
from storyline.pipeline.embed import HashingEmbedder
from support import CapitalisedEntities, options
with storyline.Storyline(sys.argv[1], options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as engine:
    engine.ingest_records([json.loads(sys.argv[2])])
"""


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path) -> str | Path:
    """A fresh store (the flood, chess and markup articles) on each backend: the tests here write to it."""
    path = request.getfixturevalue("pg_server").database() if request.param == "postgres" else tmp_path / "web.db"
    build_web_store(path)
    return path


def ingest_in_another_process(db: str | Path, record: dict) -> None:
    src = Path(storyline.__file__).resolve().parents[1]
    tests = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(tests)])}
    done = subprocess.run([sys.executable, "-c", INGEST, str(db), json.dumps(record)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def cached(response: httpx.Response) -> str | None:
    return response.headers.get("x-storyline-cache")


def test_a_kept_answer_is_served_until_another_process_commits_then_the_new_one(store):
    with live_server(store) as url, httpx.Client(base_url=url, timeout=30) as c:
        first_json, first_html = c.get("/api/stories"), c.get("/")
        assert cached(first_json) == cached(first_html) == "miss"
        for _ in range(20):  # on PostgreSQL any transaction on the server moves the snapshot: retry a few times
            again_json, again_html = c.get("/api/stories"), c.get("/")
            if cached(again_json) == cached(again_html) == "hit":
                break
        assert cached(again_json) == cached(again_html) == "hit"  # the cache is in play: the test below can fail
        assert again_json.content == first_json.content and again_html.content == first_html.content
        assert NEW["title"] not in first_html.text

        ingest_in_another_process(store, NEW)

        after_json, after_html = c.get("/api/stories"), c.get("/")
        assert cached(after_json) == cached(after_html) == "miss"
        assert after_json.json()["stories"][0]["title"] == NEW["title"]
        assert len(after_json.json()["stories"]) == len(first_json.json()["stories"]) + 1
        assert NEW["title"] in after_html.text
        story = after_json.json()["stories"][0]["id"]
        assert cached(c.get(f"/api/stories/{story}")) == "miss" and cached(c.get(f"/api/stories/{story}")) == "hit"


def test_a_write_through_the_servers_own_api_changes_the_next_answer(store):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with live_server(store, token=TOKEN) as url, httpx.Client(base_url=url, timeout=60) as c:
        # PostgreSQL's snapshot moves with any transaction on the server (the writer's start-up, autovacuum): retry
        assert "hit" in [cached(c.get("/api/stories")) for _ in range(20)]
        assert c.post("/api/articles", json=NEW, headers=auth).status_code == 200
        after = c.get("/api/stories")
        assert cached(after) == "miss" and after.json()["stories"][0]["title"] == NEW["title"]


def test_an_etag_answers_304_until_a_commit_changes_the_page(store):
    with live_server(store) as url, httpx.Client(base_url=url, timeout=30) as c:
        first = c.get("/")
        etag = first.headers["etag"]
        same = c.get("/", headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
        assert c.get("/", headers={"If-None-Match": '"something-else"'}).status_code == 200
        # a second connection in this process commits (not the server's): the old tag no longer matches
        with storyline.Storyline(store, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as sl:
            sl.ingest_records([NEW])
        changed = c.get("/", headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag and NEW["title"] in changed.text


def test_the_htmx_target_header_is_part_of_the_key(tmp_path):
    build_web_store(tmp_path / "web.db")
    with live_server(tmp_path / "web.db") as url, httpx.Client(base_url=url, timeout=30) as c:
        page = c.get("/")
        rows = c.get("/", headers={"HX-Request": "true", "HX-Target": "more"})
        assert cached(rows) == "miss"  # not the full page kept a moment ago
        assert "<html" in page.text and "<html" not in rows.text


def test_errors_are_not_kept_and_a_zero_budget_keeps_nothing(tmp_path):
    build_web_store(tmp_path / "web.db")
    with live_server(tmp_path / "web.db") as url, httpx.Client(base_url=url, timeout=30) as c:
        for _ in range(2):
            missing = c.get("/api/stories/S999")
            assert missing.status_code == 404 and cached(missing) is None
    with live_server(tmp_path / "web.db", options=options(serve_cache_bytes=0)) as url, httpx.Client(base_url=url) as c:
        assert [cached(c.get("/api/stories")) for _ in range(2)] == [None, None]


def test_an_answer_pushed_out_by_newer_ones_is_computed_again(tmp_path):
    """Over HTTP: a budget of a few answers keeps the most recent ones, not the first."""
    build_web_store(tmp_path / "web.db")
    with live_server(tmp_path / "web.db", options=options(serve_cache_bytes=40_000)) as url, \
            httpx.Client(base_url=url, timeout=30) as c:
        paths = [f"/api/stories?limit={n}" for n in range(1, 201)]  # one answer each, under an eighth of the budget
        c.get(paths[0])
        assert cached(c.get(paths[0])) == "hit"
        assert sum(len(c.get(p).content) for p in paths[1:]) > 40_000  # more than the budget was asked for since
        assert cached(c.get(paths[-1])) == "hit"
        assert cached(c.get(paths[0])) == "miss"


def kept(n: int) -> Kept:
    return Kept(((b"content-type", b"application/json"),), b"x" * n, b'"t"')


def test_the_cache_holds_at_most_its_budget_dropping_the_least_recently_used():
    cache = ResponseCache(20_000)
    assert cache.get(("/p0",), (1,)) is None
    for i in range(100):
        assert cache.put((f"/p{i}",), (1,), kept(500))
        assert cache.get(("/p0",), (1,)) is not None  # used every time: it outlives the others
        assert cache.bytes <= 20_000
    assert cache.bytes == kept(500).size * len(cache) and 10 < len(cache) < 100
    assert cache.get(("/p99",), (1,)) is not None and cache.get(("/p1",), (1,)) is None
    assert not cache.put(("/big",), (1,), kept(20_000 // 8)) and cache.get(("/big",), (1,)) is None


def test_a_newer_tag_drops_that_answer_only_and_an_older_one_never_replaces_a_newer():
    cache = ResponseCache(100_000)
    assert cache.put(("/a",), (1, 5), kept(10)) and cache.put(("/b",), (1, 7), kept(10))
    assert cache.get(("/a",), (1, 5)) is not None
    assert cache.get(("/a",), (1, 6)) is None and len(cache) == 1  # /a's subject changed: gone; /b stays
    assert cache.get(("/b",), (1, 7)) is not None
    assert cache.put(("/a",), (1, 6), kept(10))
    assert cache.get(("/a",), (1, 5)) is None and not cache.put(("/a",), (1, 5), kept(10))  # a late request
    assert cache.get(("/a",), (1, 6)) is not None  # and what the newer tag kept is still there
    assert cache.get(("/a",), (2, 0)) is None and cache.bytes == kept(10).size  # a new connection: newer than all
