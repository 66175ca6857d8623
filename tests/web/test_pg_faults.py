"""Faults of the PostgreSQL server, with the real server: restarted in the middle of an ingest, gone during reads.

These restart the session's server, so every other PostgreSQL test's connection is cut too: each test here
waits for the server to be back before it ends."""

from __future__ import annotations

import time
from importlib import resources

import httpx
import pytest

from processes import run_fake_cli, start_cli, stop
from storyline.errors import Codes, StoreUnavailable
from storyline.store.postgres import PostgresStore, redacted
from support import FAKE_SETS
from webtools import build_web_store, live_server

psycopg = pytest.importorskip("psycopg", reason="PostgreSQL tests need the postgres extra (pip install -e '.[postgres]')")

DEMO = str(resources.files("storyline") / "examples" / "demo.jsonl")
#: one article a batch, so that the restart falls between committed batches and inside one
SMALL_BATCHES = ["--set", "batch_size=1"]


def _contents(url: str) -> dict[str, object]:
    """What an ingest leaves: every article's event and story, and the row counts of the tables it writes."""
    with PostgresStore(url, readonly=True) as store:
        counts = {t: store.count(t) for t in ("articles", "events", "stories", "embeddings", "decisions", "mentions")}
        return {"assignments": store.assignments(), "counts": counts, "signatures": len(list(store.signatures()))}


def _wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _articles(url: str) -> int:
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except psycopg.Error:
        return 0


def test_a_server_restarted_in_the_middle_of_an_ingest_fails_it_clearly_and_a_rerun_completes(pg_server):
    clean = pg_server.database()
    done = run_fake_cli("--db", clean, *FAKE_SETS, *SMALL_BATCHES, "ingest", DEMO, timeout=300)
    assert done.returncode == 0, done.stderr
    expected = _contents(clean)
    total = expected["counts"]["articles"]
    assert total >= 10

    url = pg_server.database()
    proc = start_cli("--db", url, *FAKE_SETS, *SMALL_BATCHES, "ingest", DEMO)
    try:
        _wait_for(lambda: _articles(url) >= 3 or proc.poll() is not None)
        assert proc.poll() is None, "the ingest ended before the restart: " + proc.stderr.read()
        pg_server.restart()
        out, err = proc.communicate(timeout=300)
    finally:
        stop(proc)
    stored = _articles(url)
    assert proc.returncode != 0 and 3 <= stored < total, (proc.returncode, stored, err)
    assert "Traceback" not in err
    assert any(f"[{code}]" in err for code in (Codes.STORE_WRITE, Codes.STORE_UNAVAILABLE)), err
    assert "cannot write the store" in err or "cannot read the store" in err, err

    again = run_fake_cli("--db", url, *FAKE_SETS, *SMALL_BATCHES, "ingest", DEMO, timeout=300)
    assert again.returncode == 0, again.stderr
    assert _contents(url) == expected  # nothing lost, nothing doubled, the same events and stories as a clean run


def test_a_reader_whose_connection_was_cut_reads_again_on_a_new_one(pg_server):
    url = pg_server.database()
    build_web_store(url)
    with PostgresStore(url, readonly=True) as reader:
        before = reader.stories()
        with psycopg.connect(pg_server.url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (reader.session.raw.info.backend_pid,))
        assert reader.stories() == before  # the read found its session gone, connected again and read


def test_the_api_answers_503_sl205_while_the_server_is_down_and_the_next_request_succeeds(pg_server):
    url = pg_server.database()
    build_web_store(url)
    with live_server(url) as base, httpx.Client(base_url=base, timeout=60) as client:
        first = client.get("/api/stories")
        assert first.status_code == 200, first.text
        pg_server.stop()
        try:
            down = client.get("/api/stories")
        finally:
            pg_server.start()
        assert down.status_code == 503, down.text
        assert set(down.json()) == {"error"}
        error = down.json()["error"]
        assert error["code"] == Codes.STORE_UNAVAILABLE and error["status"] == 503 and redacted(url) in error["message"]
        assert "Traceback" not in down.text
        for _ in range(8):  # every reader thread of the server reads again on a new connection
            again = client.get("/api/stories")
            assert again.status_code == 200, again.text
            assert again.json() == first.json()
        page = client.get(f"/api/stories/{first.json()['stories'][0]['id']}")
        assert page.status_code == 200, page.text


def test_a_read_while_the_server_is_down_raises_sl205_and_the_next_read_after_it_is_back_succeeds(pg_server):
    url = pg_server.database()
    with PostgresStore(url) as writer:
        writer.set_meta("k", "v")
    with PostgresStore(url, readonly=True) as reader:
        pg_server.stop()
        try:
            with pytest.raises(StoreUnavailable) as info:
                reader.get_meta("k")
            assert info.value.code == Codes.STORE_UNAVAILABLE
        finally:
            pg_server.start()
        assert reader.get_meta("k") == "v"
