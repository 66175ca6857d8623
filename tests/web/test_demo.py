"""The README's promise: after `storyline demo`, the founding story, event and both articles read in the server."""

from __future__ import annotations

import re

import httpx
import pytest

from webtools import founding

pytestmark = pytest.mark.slow  # loads the real models


def test_the_founding_story_event_and_both_articles_are_readable(demo_server):
    ids = founding(demo_server)
    with httpx.Client(base_url=demo_server, timeout=30) as c:
        story = c.get(f"/api/stories/{ids['story']}").json()
        assert [e["id"] for e in story["events"]] == [ids["event"]]
        event = c.get(f"/api/events/{ids['event']}").json()
        assert sorted(event["articles"]) == ids["articles"]
        assert event["date"] == "2022-06-15"
        for path in ("/", f"/stories/{ids['story']}", f"/events/{ids['event']}", *(f"/articles/{a}" for a in ids["articles"])):
            page = c.get(path)
            assert page.status_code == 200, path
            assert page.headers["content-type"].startswith("text/html")
        text = re.sub(r"<[^>]+>", "", c.get(f"/articles/{ids['articles'][0]}").text)
        assert "al-Tanf" in text and "Wednesday" in text
        # both founding articles relay one WSJ report: one independent report, said on the event page
        page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c.get(f"/events/{ids['event']}").text))
        assert event["n_independent_reports"] == 1
        assert "2 articles, 1 independent report (2 relay Wall Street Journal)" in page
        assert event["relays"][0]["name"] == "Wall Street Journal"


def test_storyline_serve_answers_on_the_port_it_prints(demo_store):
    import subprocess
    import sys
    import time

    from webtools import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", str(demo_store), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first_line = proc.stdout.readline()
        assert f"open http://127.0.0.1:{port}" in first_line
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/stories", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "storyline serve did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["stories"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
