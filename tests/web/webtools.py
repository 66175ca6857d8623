"""Helpers for the web tests: stores built through the engine, served by a real uvicorn server.

``live_server`` runs ``uvicorn.Server`` on a free loopback port in a thread of
the test process, so the writer can use the fake seams (hashing embedder,
capitalised-word entities); requests go over real HTTP.
"""

from __future__ import annotations

from storyline.model import plain
import contextlib
import dataclasses
import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import httpx  # noqa: E402
import uvicorn  # noqa: E402

import storyline  # noqa: E402
from storyline.model import FieldValue, Place, RecordField, EventRecord, Support  # noqa: E402
from storyline.pipeline.embed import HashingEmbedder  # noqa: E402
from storyline.web import create_app  # noqa: E402
from support import CHESS_A, CHESS_B, FLOOD_A, FLOOD_B, CapitalisedEntities, options  # noqa: E402

TOKEN = "test-token-3b1f"

XSS = {
    "id": "xss-1", "date": "2023-04-02", "source": "Mallory Post",
    "title": "Council <b>vote</b> <script>alert(1)</script> on the harbour plan",
    "text": (
        "The harbour council voted on Tuesday to approve the new breakwater plan <script>alert(1)</script> "
        "after a long debate about costs.\n\n"
        "Opponents handed out leaflets reading <img src=x onerror=alert(1)> outside the council chamber, "
        "and the mayor said the works would begin in the spring."
    ),
    "url": "javascript:alert(1)",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_server(db: Path, **kwargs: Any) -> Iterator[str]:
    """Serve ``db`` on a free port; yields the base URL; stops the server on exit."""
    kwargs.setdefault("embedder", HashingEmbedder())
    kwargs.setdefault("entity_extractor", CapitalisedEntities())
    app = create_app(db, kwargs.pop("options", None) or options(), **kwargs)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def _sentence_of(article: dict[str, Any], start: int) -> tuple[int, int]:
    seg = next(s for s in article["segments"] if s["kind"] == "sentence" and s["start"] <= start < s["end"])
    return seg["start"], seg["end"]


def support_for(engine: storyline.Storyline, article_id: str, phrase: str) -> Support:
    """Where ``phrase`` first occurs in an article, as a Support span."""
    article = plain(engine.article(article_id))
    start = article["text"].index(phrase)
    s_start, s_end = _sentence_of(article, start)
    return Support(article_id, article["source"], s_start, s_end, start, start + len(phrase), phrase)


def build_web_store(path: Path) -> dict[str, Any]:
    """The flood and chess pairs and an article full of markup, plus a hand-built record and places.

    Returns the ids the tests need. Built through the engine; the record and
    places are written with the store's own methods, so the test does not
    depend on which stage builds them.
    """
    with storyline.Storyline(path, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as sl:
        sl.ingest_records([FLOOD_A, FLOOD_B, CHESS_A, CHESS_B, XSS])
        flood_event = sl.store.event_of_article("flood-1")
        chess_event = sl.store.event_of_article("chess-1")
        marlow = {"latitude": 51.5707, "longitude": -0.7741, "country_code": "GB", "country": "United Kingdom"}
        place = RecordField("place", FieldValue("Marlow", dict(marlow), (
            support_for(sl, "flood-1", "burst its banks at Marlow"), support_for(sl, "flood-2", "residents of Marlow"))),
            note="stated by 2 of 2 sources")
        date = RecordField("date", FieldValue("2023-03-05", {"precision": "day"}, (
            support_for(sl, "flood-1", "on Sunday"), support_for(sl, "flood-2", "on Sunday"))))
        actor = RecordField("actor1", FieldValue("Buckinghamshire emergency crews", {}, (
            support_for(sl, "flood-2", "Buckinghamshire emergency crews"),)),
            alternatives=(FieldValue("Emergency crews from Buckinghamshire", {}, (support_for(sl, "flood-1", "Emergency crews from Buckinghamshire"),)),))
        kind = RecordField("event_type", FieldValue("flood", {}, (support_for(sl, "flood-1", "flooding"),)))
        record = EventRecord(flood_event, {"event_type": kind, "actor1": actor, "place": place, "date": date})
        with sl.store.transaction():
            sl.store.save_record(flood_event, dataclasses.asdict(record), 2)
            for article_id in ("flood-1", "flood-2"):
                text = plain(sl.article(article_id))["text"]
                start = text.index("Marlow")
                sl.store.add_places([Place(article_id, start, start + 6, "Marlow", "Marlow", 2643186, precision="city",
                                           confidence=0.9, **marlow)])
        return {
            "flood_story": sl.store.story(plain(sl.event(flood_event))["story_id"]).id,
            "flood_event": flood_event,
            "chess_event": chess_event,
            "chess_story": plain(sl.event(chess_event))["story_id"],
            "xss_story": plain(sl.event(sl.store.event_of_article("xss-1")))["story_id"],
        }


def founding(url: str) -> dict[str, Any]:
    """The founding articles' story, event and article ids, found by what they say."""
    hits = httpx.get(f"{url}/api/search", params={"q": "al-Tanf"}).json()["articles"]
    assert len(hits) == 2, hits
    assert len({h["event_id"] for h in hits}) == 1 and len({h["story_id"] for h in hits}) == 1
    return {"story": hits[0]["story_id"], "event": hits[0]["event_id"], "articles": sorted(h["id"] for h in hits)}
