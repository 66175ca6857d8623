"""`serve` takes the writer role per write: a POST while another process writes answers 503 naming it;
between POSTs a command-line ingest can write; a killed holder frees the server's writes at once."""

from __future__ import annotations

import json
import signal

import httpx

from processes import run_fake_cli, start_holder, stop
from support import CHESS_A, CHESS_B, FAKE_SETS, FLOOD_A, FLOOD_B, write_jsonl
from webtools import TOKEN, build_web_store, live_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _refused(response: httpx.Response, pid: int) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    error = response.json()["error"]
    assert (error["code"], error["status"]) == ("SL203", 503)
    assert f"pid {pid}" in error["message"]


def test_post_while_another_process_writes_answers_503_naming_it_then_succeeds_once_it_is_killed(tmp_path):
    db = tmp_path / "w.db"
    build_web_store(db)
    with live_server(db, token=TOKEN) as url, httpx.Client(base_url=url, timeout=60) as c:
        holder = start_holder(db)
        try:
            refused = c.post("/api/articles", json=[FLOOD_A | {"id": "late-1"}], headers=AUTH)
            read = c.get("/api/stories")  # reads never wait for the writer
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=10)
            accepted = c.post("/api/articles", json=[FLOOD_A | {"id": "late-1"}], headers=AUTH)
        finally:
            stop(holder)
        _refused(refused, holder.pid)
        assert read.status_code == 200 and read.json()["stories"]
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["ingested"] == 1
        assert c.get("/api/articles/late-1").status_code == 200


def test_server_started_while_another_process_writes_accepts_posts_when_it_is_done(tmp_path):
    db = tmp_path / "w.db"
    build_web_store(db)
    holder = start_holder(db)
    try:
        with live_server(db, token=TOKEN) as url, httpx.Client(base_url=url, timeout=60) as c:
            refused = c.post("/api/articles", json=CHESS_A | {"id": "late-2"}, headers=AUTH)
            stop(holder)
            accepted = c.post("/api/articles", json=CHESS_A | {"id": "late-2"}, headers=AUTH)
    finally:
        stop(holder)
    _refused(refused, holder.pid)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["unchanged"] + accepted.json()["ingested"] == 1


def test_a_cli_ingest_runs_between_posts_and_the_server_then_continues_from_what_it_stored(tmp_path):
    db = tmp_path / "w.db"
    build_web_store(db)
    corpus = write_jsonl(tmp_path / "more.jsonl", [FLOOD_B | {"id": "cli-1"}, CHESS_B | {"id": "cli-2"}])
    with live_server(db, token=TOKEN) as url, httpx.Client(base_url=url, timeout=60) as c:
        first = c.post("/api/articles", json=[FLOOD_A | {"id": "post-1"}], headers=AUTH)
        cli = run_fake_cli("--db", str(db), *FAKE_SETS, "ingest", str(corpus))
        second = c.post("/api/articles", json=[CHESS_A | {"id": "post-2"}], headers=AUTH)
        articles = {a: c.get(f"/api/articles/{a}").json() for a in ("post-1", "cli-1", "cli-2", "post-2")}
    assert first.status_code == 200 and second.status_code == 200, (first.text, second.text)
    assert cli.returncode == 0, cli.stderr  # the server held no lock between its writes
    assert "ingested 2 new articles" in cli.stdout
    for article_id, article in articles.items():
        assert article.get("event_id"), (article_id, json.dumps(article)[:300])
