"""The REST API against a real uvicorn server over HTTP: shapes, filters, paging, errors, writes."""

from __future__ import annotations

from storyline.model import plain
import json
import random
import string
import threading

import httpx
import pytest

import storyline
from storyline.pipeline.embed import HashingEmbedder
from support import BACKENDS, MARK, CapitalisedEntities, options
from webtools import TOKEN, build_web_store, live_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}



@pytest.fixture(scope="module", params=BACKENDS)
def web_store(request, tmp_path_factory):
    """The API's store on SQLite and on PostgreSQL: every test here runs against both."""
    if request.param == "postgres":
        path = request.getfixturevalue("pg_server").database()
    else:
        path = tmp_path_factory.mktemp("web") / "web.db"
    return path, build_web_store(path)


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    """Every error has one shape: {"error": {"code", "status", "message"}}, and a stable code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "status", "message"} <= set(body["error"])
    assert body["error"]["code"] == code
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]


def story_ids(client: httpx.Client, **params) -> list[str]:
    response = client.get("/api/stories", params=params)
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()["stories"]]


# ---------------------------------------------------------------- reads


def test_story_list_is_newest_first_with_counts(client, web_store):
    _, ids = web_store
    body = client.get("/api/stories").json()
    assert [s["id"] for s in body["stories"]] == [ids["xss_story"], ids["chess_story"], ids["flood_story"]]
    flood = body["stories"][2]
    assert flood["n_articles"] == 2 and flood["n_sources"] == 2 and flood["n_events"] == 1
    assert "2023-03-05" <= flood["first_date"] <= flood["last_date"] <= "2023-03-07"
    assert body["next"] is None


def test_story_list_filters_by_text_source_place_and_dates(client, web_store):
    _, ids = web_store
    assert story_ids(client, q="Thames sandbags") == [ids["flood_story"]]
    assert story_ids(client, q="sicil") == [ids["chess_story"]]  # the last word is a prefix
    assert story_ids(client, q="nowhere-to-be-found") == []
    assert story_ids(client, source="Board Weekly") == [ids["chess_story"]]
    assert story_ids(client, place="Marlow") == [ids["flood_story"]]
    assert story_ids(client, **{"from": "2023-03-15", "to": "2023-03-25"}) == [ids["chess_story"]]
    assert story_ids(client, **{"to": "2023-03-06"}) == [ids["flood_story"]]
    assert story_ids(client, q="Marlow", source="Board Weekly") == []


def test_search_text_that_looks_like_fts_syntax_is_only_words(client, web_store):
    _, ids = web_store
    for q in ['"Marlow', "Marlow AND (", "NEAR(Marlow", "Marlow*", "col:Marlow", "'; DROP TABLE articles; --"]:
        response = client.get("/api/stories", params={"q": q})
        assert response.status_code == 200, (q, response.text)
    assert story_ids(client, q='"Marlow AND (') == [ids["flood_story"]]
    assert client.get("/api/stories").json()["stories"]  # the articles table is still there


def test_search_returns_articles_with_highlighted_snippets(client):
    body = client.get("/api/search", params={"q": "Reykjavik"}).json()
    assert {a["id"] for a in body["articles"]} == {"chess-1", "chess-2"}
    hit = body["articles"][0]
    assert "\ue000" not in hit["snippet"] and ["Reykjavik"] == list({hit["snippet"][a:b] for a, b in hit["highlights"]})
    assert hit["story_id"] and hit["event_id"]


def test_one_story_event_and_article(client, web_store):
    _, ids = web_store
    story = client.get(f"/api/stories/{ids['flood_story']}").json()
    assert [e["id"] for e in story["events"]] == [ids["flood_event"]]
    event = client.get(f"/api/events/{ids['flood_event']}").json()
    assert sorted(event["articles_by_source"]) == ["River Times", "Valley Herald"]
    assert event["why"] and all(w["explanation"] for w in event["why"])
    if "record" in event:  # provenance of each field: the sentences that state it
        place = event["record"]["fields"]["place"]["value"]
        assert place["value"] == "Marlow"
        assert {s["article_id"] for s in place["support"]} == {"flood-1", "flood-2"}
    article = client.get("/api/articles/flood-1").json()
    assert article["text"].startswith("The river Thames burst its banks")
    assert article["mentions"] and all({"start", "end", "label"} <= set(m) for m in article["mentions"])
    assert article["event_id"] == ids["flood_event"]
    assert article["origin"] and "/" not in article["origin"]  # the file name, never the server's folders


def test_story_and_event_come_in_pages_with_totals(client, web_store):
    _, ids = web_store
    story = client.get(f"/api/stories/{ids['flood_story']}", params={"limit": 1}).json()
    assert (story["n_events"], story["events_offset"], story["next_events"]) == (1, 0, None)
    first = client.get(f"/api/events/{ids['flood_event']}", params={"limit": 1}).json()
    assert (len(first["articles"]), first["n_articles"], first["next_articles"]) == (1, 2, 1)
    second = client.get(f"/api/events/{ids['flood_event']}", params={"offset": 1, "limit": 1}).json()
    assert second["next_articles"] is None and set(first["articles"]) | set(second["articles"]) == {"flood-1", "flood-2"}
    assert second["record"] == first["record"]  # the record is the whole event's on every page
    assert_error(client.get(f"/api/events/{ids['flood_event']}", params={"offset": -1}), 400, "SL114")


def test_openapi_document_lists_every_route(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["info"]["title"] == "Storyline"
    assert {"/api/stories", "/api/stories/{story_id}", "/api/events/{event_id}", "/api/articles/{article_id}",
            "/api/search", "/api/articles"} <= set(doc["paths"])
    assert "post" in doc["paths"]["/api/articles"]
    assert client.get("/api/docs").status_code == 200
    comparison = doc["paths"]["/api/events/{event_id}/comparison"]["get"]
    schema = comparison["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"event", "facts", "by_source", "upstream"} <= set(doc["components"]["schemas"][schema]["properties"])


def test_an_event_comparison_lists_facts_with_spans_into_the_articles(client, web_store):
    _, ids = web_store
    comparison = client.get(f"/api/events/{ids['flood_event']}/comparison").json()
    assert comparison["event"] == ids["flood_event"]
    assert comparison["facts"] and {f["status"] for f in comparison["facts"]} <= {"agreed", "single", "contested"}
    for fact in comparison["facts"]:
        for s in fact["supports"]:
            text = client.get(f"/api/articles/{s['article']}").json()["text"]
            assert text[s["start"]:s["end"]] == s["text"]
    assert len(comparison["by_source"]) == 2
    assert any(f["status"] == "agreed" for f in comparison["facts"])


# ---------------------------------------------------------------- errors: one shape, never a 500


@pytest.mark.parametrize("path", ["/api/stories/S999", "/api/events/E999", "/api/events/E999/comparison", "/api/articles/nope",
                                  "/api/nothing-here"])
def test_unknown_ids_and_routes_are_404_with_the_error_shape(client, path):
    assert_error(client.get(path), 404, "SL401")


@pytest.mark.parametrize("params", [
    {"limit": -1}, {"limit": 0}, {"limit": "ten"}, {"limit": 100000}, {"cursor": "not-a-cursor"},
    {"cursor": "WzEsMiwzXQ"},  # a valid base64 JSON list of the wrong types
    {"from": "2023-13-45"}, {"to": "yesterday"}, {"q": "x" * 600},
])
def test_bad_story_list_parameters_are_400_sl114(client, params):
    error = assert_error(client.get("/api/stories", params=params), 400, "SL114")
    assert error["message"]


def test_search_needs_words(client):
    assert_error(client.get("/api/search"), 400, "SL114")
    assert client.get("/api/search", params={"q": "!!!"}).json() == {"articles": [], "next": None}


def test_wrong_method_is_405_with_the_error_shape(client):
    assert_error(client.delete("/api/stories"), 405, "SL602")


@pytest.mark.parametrize("path", [
    "/api/stories/%00", "/api/articles/..%2F..%2Fetc%2Fpasswd", "/api/stories/" + "S" * 5000,
    "/api/events/%F0%9F%92%A5", "/api/stories?limit=1e9", "/static/..%2F..%2Fapp.py",
])
def test_odd_requests_never_answer_500(client, path):
    response = client.get(path)
    assert response.status_code < 500, response.text
    if path.startswith("/api/") and response.status_code >= 400:
        assert "error" in response.json()


# ---------------------------------------------------------------- writes


def test_post_without_a_token_is_401(client):
    article = {"id": "t-1", "text": "A story that must not be stored."}
    error = assert_error(client.post("/api/articles", json=article), 401, "SL601")
    assert "token" in error["message"]
    assert_error(client.post("/api/articles", json=article, headers={"Authorization": "Bearer wrong"}), 401, "SL601")
    assert client.post("/api/articles", json=article).headers["www-authenticate"] == "Bearer"
    assert_error(client.get("/api/articles/t-1"), 404, "SL401")


def test_post_with_malformed_json_is_400_sl101(client):
    response = client.post("/api/articles", content=b'{"text": "unterminated', headers={**AUTH, "content-type": "application/json"})
    assert_error(response, 400, "SL101")


@pytest.mark.parametrize("body", ["[]", '"just a string"', "[1, 2]", "null"])
def test_post_with_a_body_that_is_not_articles_is_400_sl114(client, body):
    assert_error(client.post("/api/articles", content=body.encode(), headers=AUTH), 400, "SL114")


def test_oversized_body_is_413_sl107(client):
    big = json.dumps({"text": "word " * 2_000_000})  # 10 MB > the 8 MB default
    assert_error(client.post("/api/articles", content=big.encode(), headers=AUTH), 413, "SL107")


def test_oversized_chunked_body_is_413_sl107(server):
    def chunks():
        for _ in range(100):
            yield b"x" * 100_000  # 10 MB without a content-length

    with httpx.Client(base_url=server, timeout=30) as c:
        assert_error(c.post("/api/articles", content=chunks(), headers=AUTH), 413, "SL107")


def test_post_ingests_articles_and_reports_rejections(client):
    records = [
        {"id": "post-1", "date": "2023-05-01", "source": "Lake Gazette", "title": "Ferry strike halts crossings on Lake Lucerne",
         "text": "Ferry crews on Lake Lucerne walked out on Monday, halting all crossings between Lucerne and Fluelen."},
        # fits the schema but cannot be stored (its id is taken by another text): a rejection, the other is kept
        {"id": "flood-1", "date": "2023-05-01", "source": "Lake Gazette", "text": "Another text under a taken id."},
    ]
    response = client.post("/api/articles", json=records, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ingested"] == 1 and body["rejected"] == 1
    assert body["rejections"][0]["line"] == 2 and body["rejections"][0]["code"].startswith("SL1")
    assert client.get("/api/articles/post-1").json()["source"] == "Lake Gazette"
    again = client.post("/api/articles", json=records[0], headers=AUTH).json()
    assert again["ingested"] == 0 and again["unchanged"] == 1


def test_a_server_started_without_a_token_accepts_no_writes(web_store):
    path, _ = web_store
    with live_server(path) as url:
        response = httpx.post(f"{url}/api/articles", json={"text": "x"}, headers={"Authorization": "Bearer anything"})
    error = assert_error(response, 401, "SL601")
    assert "--token" in error["message"]


def test_security_headers_on_api_pages_static_and_errors(client):
    for path in ("/api/stories", "/", "/static/storyline.css", "/api/stories/S999", "/nope"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


# ---------------------------------------------------------------- paging and concurrent writers


def _distinct_article(i: int, day: int) -> dict:
    # invented words of their own per article: never clustered or linked together
    rng = random.Random(i)
    words = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(9)) for _ in range(12))
    return {"id": f"page-{i}", "date": f"2023-06-{day:02d}", "source": f"outlet {i}", "title": words[:40],
            "text": f"{words}. " * 3}


def test_paging_is_stable_while_stories_are_added(tmp_path):
    db = tmp_path / "paging.db"
    with storyline.Storyline(db, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as sl:
        sl.ingest_records([_distinct_article(i, 1 + i) for i in range(9)])
        before = [s["id"] for s in plain(sl.story_list(limit=100))["stories"]]
    assert len(before) == 9
    with live_server(db, token=TOKEN) as url, httpx.Client(base_url=url, timeout=60) as c:
        first = c.get("/api/stories", params={"limit": 4}).json()
        # newer stories arrive between page 1 and page 2: an offset would repeat the end of page 1
        added = c.post("/api/articles", json=[_distinct_article(100 + i, 20 + i) for i in range(3)], headers=AUTH).json()
        assert added["stories_created"] == 3
        second = c.get("/api/stories", params={"limit": 4, "cursor": first["next"]}).json()
        third = c.get("/api/stories", params={"limit": 4, "cursor": second["next"]}).json()
        fresh = story_ids(c, limit=100)
    seen = [s["id"] for page in (first, second, third) for s in page["stories"]]
    assert seen == before  # every story once, in order, nothing skipped or repeated
    assert third["next"] is None
    assert len(fresh) == 12 and fresh[3:] == before  # a new listing shows the new stories on top


def test_reads_answer_while_another_connection_holds_the_write_lock(web_store):
    path, ids = web_store
    with live_server(path) as url, httpx.Client(base_url=url, timeout=10) as c:
        with storyline.Storyline(path, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as writer:
            mark = MARK["postgres" if isinstance(path, str) else "sqlite"]
            with writer.store.transaction():  # an ingest in progress elsewhere
                writer.store.conn.execute("UPDATE stories SET title = 'renamed mid-ingest' WHERE id = " + mark, (ids["chess_story"],))
                response = c.get(f"/api/stories/{ids['chess_story']}")
                assert response.status_code == 200
                assert response.json()["title"] != "renamed mid-ingest"  # uncommitted work is invisible
                writer.store.conn.execute(f"UPDATE stories SET title = {mark} WHERE id = {mark}", (response.json()["title"], ids["chess_story"]))


def test_concurrent_reads_from_many_threads(client, web_store):
    _, ids = web_store
    statuses: list[int] = []

    def read() -> None:
        for path in ("/api/stories", f"/api/stories/{ids['flood_story']}", "/api/articles/flood-2", "/"):
            statuses.append(client.get(path).status_code)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 32
