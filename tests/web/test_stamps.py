"""Per-story and per-event stamps (store/stamps.py) and the cache that keys pages by them, on both backends.

Over real HTTP: a story's and an event's pages stay kept while an ingest in
another process touches another story, and are computed again, with the new
article in them, once an ingest touches their story; ETags follow.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

import storyline
from storyline.model import Place
from storyline.pipeline.embed import HashingEmbedder
from storyline.store import open_store
from storyline.store.stamps import LIST
from storyline.web.cache import page_scope
from support import BACKENDS, CapitalisedEntities, options
from test_cache import NEW, cached, ingest_in_another_process
from webtools import build_web_store, live_server

FLOOD_C = {"id": "flood-3", "date": "2023-03-07", "source": "Thames Courier",
           "title": "Marlow bridge closed as the Thames floods the high street",
           "text": "The Thames burst its banks at Marlow on Sunday and flooded homes along the high street after "
                   "heavy rain. Emergency crews from Buckinghamshire rescued residents by boat near the Marlow "
                   "bridge.\n\nThe Environment Agency kept a severe flood warning in place for Marlow and Bourne End; "
                   "sandbags were handed out at the Marlow town hall."}


@pytest.fixture(params=BACKENDS)
def built(request, tmp_path) -> tuple[str | Path, dict]:
    path = request.getfixturevalue("pg_server").database() if request.param == "postgres" else tmp_path / "web.db"
    return path, build_web_store(path)


def next_second() -> None:
    """Sleep until the wall clock's second changes (stored build times are to the second)."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.05)


def pages_of(ids: dict, story: str, event: str) -> list[str]:
    return [f"/stories/{ids[story]}", f"/api/stories/{ids[story]}", f"/api/stories/{ids[story]}/timeline",
            f"/events/{ids[event]}", f"/api/events/{ids[event]}", f"/api/events/{ids[event]}/summary",
            f"/api/events/{ids[event]}/comparison"]


def test_a_page_stays_kept_through_an_ingest_elsewhere_and_is_renewed_by_one_that_touches_its_story(built):
    db, ids = built
    flood, chess = pages_of(ids, "flood_story", "flood_event"), pages_of(ids, "chess_story", "chess_event")
    with live_server(db) as url, httpx.Client(base_url=url, timeout=60) as c:
        first = {p: c.get(p) for p in flood + chess}
        assert all(r.status_code == 200 and cached(r) == "miss" for r in first.values())
        assert all(cached(c.get(p)) == "hit" for p in flood + chess)
        etag = first[flood[0]].headers["etag"]

        ingest_in_another_process(db, NEW)  # a story of its own: neither the flood's nor the chess story
        with open_store(db, readonly=True) as store:
            assert store.stamp(store.event_of_article(NEW["id"]), event=True)[1] not in (ids["flood_story"], ids["chess_story"])
        assert cached(c.get("/api/stories")) == "miss"  # the list did change
        for p in flood + chess:
            again = c.get(p)
            assert cached(again) == "hit" and again.content == first[p].content, p
        same = c.get(flood[0], headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.headers["etag"] == etag

        ingest_in_another_process(db, FLOOD_C)  # a third report of the Marlow flood
        with open_store(db, readonly=True) as store:
            assert store.event_of_article(FLOOD_C["id"]) == ids["flood_event"]  # the test's premise
        renewed = {p: c.get(p) for p in flood}
        assert all(cached(r) == "miss" and r.status_code == 200 for r in renewed.values())
        assert FLOOD_C["title"] in renewed[flood[0]].text and FLOOD_C["id"] in renewed[flood[1]].text
        assert FLOOD_C["id"] in renewed[flood[4]].text and FLOOD_C["id"] not in first[flood[4]].text
        assert renewed[flood[4]].json()["n_articles"] == first[flood[4]].json()["n_articles"] + 1
        changed = c.get(flood[0], headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        assert all(cached(c.get(p)) == "hit" for p in flood)  # kept again under the new stamps
        for p in chess:  # the chess story was not touched
            assert cached(c.get(p)) == "hit", p


def test_the_stamps_move_with_each_write_to_what_a_page_shows_and_only_then(built):
    db, ids = built
    flood_story, flood_event, chess_story = ids["flood_story"], ids["flood_event"], ids["chess_story"]
    with storyline.Storyline(db, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as sl:
        store = sl.store

        def stamps() -> dict[str, tuple]:
            return {"event": store.stamp(flood_event, event=True)[:2], "story": store.stamp(flood_story),
                    "chess": store.stamp(chess_story), "list": store.stamp(LIST)}

        def moved(write) -> set[str]:
            before = stamps()
            with store.transaction():
                write()
            after = stamps()
            return {k for k in before if after[k] != before[k]}

        assert stamps()["event"][1] == flood_story  # (the event's own stamp, its story)
        record, relays = store.record(flood_event), store.relays(flood_event)
        next_second()  # rows carry the second they were built in; a rebuild of the same row must not move it
        assert moved(lambda: store.save_record(flood_event, record, 2, relays)) == set()  # the same row: no change
        assert moved(lambda: store.save_record(flood_event, {**record, "note": "rebuilt"}, 2)) == {"event", "story"}
        assert moved(lambda: store.save_comparison(flood_event, {"facts": []}, 2)) == {"event", "story"}
        assert moved(lambda: store.save_digest("event", flood_event, {"sentences": []}, 2, 1, "test")) == {"event", "story"}
        assert moved(lambda: store.save_digest("story", flood_story, {"days": []}, 2, 1, "test")) == {"story"}
        next_second()
        assert moved(lambda: store.save_comparison(flood_event, {"facts": []}, 2)) == set()  # rebuilt the same
        assert moved(lambda: store.save_digest("event", flood_event, {"sentences": []}, 2, 1, "test")) == set()
        assert moved(lambda: store.save_digest("story", flood_story, {"days": []}, 2, 1, "test")) == set()
        assert moved(lambda: store.add_places([Place("flood-2", 0, 6, "Thames", "Thames", 1, precision="river",
                                                     confidence=0.5)])) == {"event", "story"}
        story = store.story(chess_story)
        assert moved(lambda: store.save_story(story.__class__(**{**story.__dict__, "title": "Chess, renamed"}))) == {"chess", "list"}
        assert moved(lambda: store.set_event_date(flood_event, "2023-03-04", "day")) == {"event", "story"}


@pytest.mark.parametrize(("path", "query", "expected"), [
    ("/", b"", ("list", LIST)), ("/api/stories", b"cursor=abc&limit=5", ("list", LIST)),
    ("/", b"from=2023-01-01&to=2023-02-01", ("list", LIST)),
    ("/", b"source=Reuters", None), ("/api/stories", b"q=flood", None), ("/", b"place=Marlow", None),
    ("/stories/S3", b"offset=20", ("story", "S3")), ("/api/stories/S3/timeline", b"", ("story", "S3")),
    ("/events/E7", b"field=place", ("event", "E7")), ("/api/events/E7/comparison", b"", ("event", "E7")),
    ("/api/events/E7/summary", b"", ("event", "E7")),
    ("/articles/a/b", b"", None), ("/search", b"q=x", None), ("/timeline", b"q=x", None),
    ("/api/stories/S3/other", b"", None), ("/events/E7/x", b"", None),
])
def test_each_page_is_keyed_by_what_it_shows(path, query, expected):
    assert page_scope(path, query) == expected
