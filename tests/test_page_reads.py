"""A story page and an event page are read in a number of queries that does not grow with the story or the
event (no query per listed event or article), and show what the whole story's reads show (issue 20)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import storyline
from storyline.model import Article, Decision, Segment, StoredEvent, StoredStory
from storyline.pipeline.embed import HashingEmbedder
from storyline.web.app import create_app
from support import CapitalisedEntities, options

PLACES = ["Aleppo", "Mosul", "Tripoli", "Sanaa", "Kabul", "Gaza", "Homs", "Basra"]


def _segments(text: str) -> tuple[Segment, ...]:
    return tuple(Segment("sentence", m.start(), m.end(), 0) for m in re.finditer(r"[^.]+\.", text))


def build(path: Path, n_events: int, per_event: int) -> Path:
    """Story S1 of ``n_events`` events a day apart, each of ``per_event`` articles from as many outlets, each
    event stored with a record, relays, a comparison and the decisions that grouped it; story S2 of one event."""
    with storyline.Storyline(path, options(records=False, digests=False), embedder=HashingEmbedder()) as engine:
        store = engine.store
        with store.transaction():
            for n in range(1, n_events + 1):
                event_id, day = f"E{n}", (dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat()
                story_id = "S2" if n == n_events else "S1"
                place = PLACES[n % len(PLACES)]
                for k in range(per_event):
                    aid = f"a{n}-{k}"
                    text = (f"Officials in {place} said {k + 2} people were hurt when bridge {n} fell on Monday. "
                            f"Crews from {place} worked through the night. Outlet {k} counted {k + 2} injured.")
                    store.add_article(Article(aid, text, f"Outlet {k}", title=f"Bridge {n} report {k}",
                                              published=dt.date.fromisoformat(day), segments=_segments(text)))
                    store.add_event_article(event_id, aid, k)
                    store.add_decision(Decision(aid, event_id, "new" if k == 0 else "join", 0.9, 0.5, {},
                                                f"joined {event_id}: cosine 0.9"), "event")
                store.save_event(StoredEvent(event_id, n, story_id, f"Bridge {n}", day, "day", day, day, per_event,
                                             per_event, per_event), {}, b"")
                record = {"event_id": event_id, "fields": {"event_type": {"value": {"value": "accident", "support": []}}}, "summary": f"Bridge {n} fell."}
                relays = {"relays": [{"upstream": "wire", "name": "Wire", "articles": [f"a{n}-0", f"a{n}-1"]}],
                          "n_independent_reports": per_event - 1}
                store.save_record(event_id, record, per_event, relays)
                if n > 1:
                    store.add_decision(Decision(event_id, story_id, "link", 0.8, 0.5, {}, f"{event_id} continues S1"), "story")
            last = (dt.date(2024, 1, 1) + dt.timedelta(days=n_events - 1)).isoformat()
            store.save_story(StoredStory("S1", 1, "Bridges", "2024-01-02", last, n_events - 1, (n_events - 1) * per_event,
                                         per_event))
            store.save_story(StoredStory("S2", 2, "Other", last, last, 1, per_event, per_event))
            for n in range(1, n_events + 1):  # as an ingest stores them
                comparison = engine.records.compare(f"E{n}", store.articles(store.event_members(f"E{n}")))
                store.save_comparison(f"E{n}", comparison.to_dict(), per_event)
    return path


@contextmanager
def counted_queries():
    """Every SQL statement any store connection opened inside runs (a trace callback on each connection)."""
    seen: list[str] = []
    real = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    sqlite3.connect = connect
    try:
        yield seen
    finally:
        sqlite3.connect = real


def _reads(engine, story_id: str, event_id: str, limit: int, articles_limit: int) -> None:
    """What the story page and the event page read through the engine."""
    story = engine.story(story_id, 0, limit, articles_limit=articles_limit)
    engine.timeline_page(story_id, [e.id for e in story.events])
    engine.places([e.articles[0] for e in story.events])
    engine.event(event_id, 0, articles_limit)


def _queries(path: Path, limit: int, articles_limit: int) -> list[str]:
    """The statements of a story page's and an event page's reads (after a first read that fills the caches)."""
    with counted_queries() as seen:
        with storyline.Storyline(path, options(), readonly=True, embedder=HashingEmbedder()) as engine:
            _reads(engine, "S1", "E2", limit, articles_limit)
            seen.clear()
            _reads(engine, "S1", "E2", limit, articles_limit)
    return [q for q in seen if q.lstrip().upper().startswith(("SELECT", "WITH"))]


def _page_queries(path: Path, url: str) -> int:
    """The fewest statements one request of ``url`` runs (of three: the first fills the caches of its reader)."""
    with counted_queries() as seen:
        app = create_app(path, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities())
        with TestClient(app, base_url="http://127.0.0.1") as client:
            counts = []
            for _ in range(3):
                seen.clear()
                assert client.get(url).status_code == 200
                counts.append(len([q for q in seen if q.lstrip().upper().startswith(("SELECT", "WITH"))]))
    return min(counts)


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pagereads")
    return {"small": build(root / "small.db", 8, 4), "long": build(root / "long.db", 60, 4),
            "wide": build(root / "wide.db", 8, 40)}


def test_a_story_page_reads_as_many_queries_whatever_the_size_of_the_story_the_page_or_its_events(stores):
    small = _queries(stores["small"], 5, 3)  # 5 events of 3 listed articles, of a story of 7
    long = _queries(stores["long"], 20, 3)  # 20 events of a story of 59
    wide = _queries(stores["wide"], 20, 30)  # all 7 events, 30 listed articles each
    assert len(small) == len(long) == len(wide), (len(small), len(long), len(wide))
    assert len(small) < 30  # a few per part of the page, none per listed event or article


@pytest.mark.parametrize("url", ["/stories/S1", "/api/stories/S1", "/events/E2", "/api/events/E2"])
def test_a_page_runs_as_many_queries_for_a_long_story_or_a_big_event(stores, url):
    counts = {k: _page_queries(stores[k], url) for k in ("small", "long", "wide")}
    assert counts["small"] == counts["long"] == counts["wide"], counts


def test_the_page_reads_neither_the_text_nor_the_segments_of_a_listed_article(stores):
    with counted_queries() as seen:
        with storyline.Storyline(stores["long"], options(), readonly=True, embedder=HashingEmbedder()) as engine:
            _reads(engine, "S1", "E2", 5, 3)  # fills the digest caches
            seen.clear()
            _reads(engine, "S1", "E2", 5, 3)
    assert not [q for q in seen if "segments" in q or re.search(r"SELECT \* FROM articles|\btext\b", q)]


def test_a_page_of_the_timeline_is_the_whole_timeline_on_those_events(stores):
    path = stores["long"]
    with storyline.Storyline(path, options(), readonly=True, embedder=HashingEmbedder()) as whole_engine:
        whole = whole_engine.timeline("S1")  # every event summarised (nothing stored)
    with storyline.Storyline(path, options(), readonly=True, embedder=HashingEmbedder()) as engine:
        page = engine.story("S1", 20, 5)
        days, summary = engine.timeline_page("S1", [e.id for e in page.events])
    wanted = {e.id for e in page.events}
    assert [d.event_id for d in days] == [d.event_id for d in whole.days if d.event_id in wanted]
    assert days == tuple(d for d in whole.days if d.event_id in wanted)
    assert summary == whole.summary and summary


def test_the_story_page_shows_its_page_of_events_with_totals_records_and_links(stores):
    app = create_app(stores["long"], options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        html = client.get("/stories/S1?offset=20").text
        api = client.get("/api/stories/S1?offset=20&limit=20").json()
    assert "Events 21–40 of 59." in html
    assert 'href="/stories/S1?offset=0" rel="prev"' in html and 'href="/stories/S1?offset=40" rel="next"' in html
    assert [e["id"] for e in api["events"]] == [f"E{n}" for n in range(21, 41)] and api["next_events"] == 40
    assert html.count('class="tl-event"') == 20 and 'href="/events/E21"' in html and 'href="/events/E20"' not in html
    assert api["n_events"] == 59 and api["n_articles"] == 236
    event = api["events"][0]
    assert event["record"]["summary"] == "Bridge 21 fell." and event["n_independent_reports"] == 3
    assert event["relays"][0]["articles"] == ["a21-0", "a21-1"]
    assert [w["article"] for w in event["why"]] == ["a21-0", "a21-1", "a21-2", "a21-3"]
    assert [w["subject_id"] for w in api["why"]] == [f"E{n}" for n in range(21, 41)]
    assert "<dd>accident</dd>" in html  # the type from the record
    assert "4 articles, 3 independent reports" in html and "Bridge 21 report 0" in html
    assert 'class="cite"' in html  # each event's line cites its report


def test_the_event_page_shows_a_page_of_articles_with_the_whole_events_totals(stores):
    app = create_app(stores["wide"], options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        html = client.get("/events/E3?offset=0").text
        api = client.get("/api/events/E3?offset=20&limit=10").json()
    assert api["articles"] == [f"a3-{k}" for k in range(20, 30)] and api["next_articles"] == 30 and api["n_articles"] == 40
    assert sorted(api["articles_by_source"]) == sorted(f"Outlet {k}" for k in range(20, 30))
    assert api["record"]["summary"] == "Bridge 3 fell." and api["n_independent_reports"] == 39
    assert "Bridge 3 fell." in html and "40 articles, 39 independent reports" in html
    assert "Officials in" in html  # the shown reports' text
