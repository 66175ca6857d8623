"""Through a real HTTP server: a big event's record waits while its articles are posted one at a time, the event
says which part of its articles its record reflects, and the server rebuilds it once no ingest has arrived for
``serve_refresh_idle_s``."""

from __future__ import annotations

import json
import sqlite3
import time

import httpx

from support import ONE_EVENT, flood_report as report, options
from webtools import TOKEN, live_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
IDLE = 3.0


def _event(c: httpx.Client) -> dict:
    return c.get("/api/events/E1").raise_for_status().json()


def test_a_deferred_record_is_shown_as_lagging_then_rebuilt_once_the_server_is_idle(tmp_path):
    with live_server(tmp_path / "t.db", token=TOKEN, options=options(**ONE_EVENT, serve_refresh_idle_s=IDLE)) as url, \
            httpx.Client(base_url=url, timeout=60) as c:
        assert c.post("/api/articles", json=[report(i) for i in range(6)], headers=AUTH).status_code == 200
        assert _event(c)["record_articles"] == 6  # a batch of one request is built at once
        for i in (6, 7):
            assert c.post("/api/articles", json=[report(i)], headers=AUTH).status_code == 200
        lagging = _event(c)
        assert lagging["n_articles"] == 8 and lagging["record_articles"] in (6, 7)  # waits: within half its size
        page = c.get("/events/E1").text
        assert f'reflects {lagging["record_articles"]} of 8 articles' in page
        posted = time.monotonic()

        deadline = posted + IDLE + 30
        while _event(c)["record_articles"] != 8:
            assert time.monotonic() < deadline, "the idle refresh did not rebuild the record"
            time.sleep(0.2)
        assert time.monotonic() - posted >= IDLE - 0.5  # not before the server was idle
        assert "reflects" not in c.get("/events/E1").text
    # the rebuild is recorded as a run of its own that ingested nothing, with its record stage timed
    with sqlite3.connect(tmp_path / "t.db") as conn:
        runs = [json.loads(r[0]) for r in conn.execute("SELECT summary FROM runs ORDER BY id")]
    assert runs[0]["ingested"] == 6 and sum(r["ingested"] for r in runs) == 8
    assert runs[-1]["ingested"] == 0 and runs[-1]["stage_seconds"]["record"] > 0


def test_a_batch_posted_at_once_never_lags(tmp_path):
    with live_server(tmp_path / "t.db", token=TOKEN, options=options(**ONE_EVENT, serve_refresh_idle_s=IDLE)) as url, \
            httpx.Client(base_url=url, timeout=60) as c:
        assert c.post("/api/articles", json=[report(i) for i in range(10)], headers=AUTH).status_code == 200
        event = _event(c)
        assert event["record_articles"] == event["n_articles"] == 10
        assert "reflects" not in c.get("/events/E1").text
