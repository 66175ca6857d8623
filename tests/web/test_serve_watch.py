"""storyline serve --watch: files dropped into a watched folder show up in the running server."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from support import FLOOD_A, FLOOD_B
from webtools import live_server

pytest.importorskip("watchfiles")


def test_a_file_dropped_into_the_watched_folder_is_served(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "first.jsonl").write_text(json.dumps(FLOOD_A) + "\n")
    events = []

    with live_server(tmp_path / "w.db", watch=[str(inbox)], on_watch=events.append) as url:
        deadline = time.monotonic() + 20
        while not any(e.what == "file" for e in events) and time.monotonic() < deadline:
            time.sleep(0.1)
        (inbox / "second.jsonl").write_text(json.dumps(FLOOD_B) + "\n")
        while sum(e.what == "file" for e in events) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        answer = httpx.get(f"{url}/api/articles/{FLOOD_B['id']}", timeout=10)

    assert [e.target.rsplit("/", 1)[-1] for e in events if e.what == "file"] == ["first.jsonl", "second.jsonl"]
    assert answer.status_code == 200 and answer.json()["id"] == FLOOD_B["id"]
    assert (tmp_path / "w.db.watch").exists()
