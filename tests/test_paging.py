"""Story and event reads come in pages with totals, so their size does not grow with the story or the event."""

from __future__ import annotations

import datetime as dt

import pytest

import storyline
from storyline.errors import InputError
from storyline.model import Article, StoredEvent, StoredStory
from storyline.pipeline.embed import HashingEmbedder
from support import options


@pytest.fixture
def engine(tmp_path):
    """Story S1 of seven events a day apart; its first event E1 has five articles."""
    with storyline.Storyline(tmp_path / "paging.db", options(records=False), embedder=HashingEmbedder()) as engine:
        store = engine.store
        with store.transaction():
            for n in range(1, 8):
                size = 5 if n == 1 else 1
                for k in range(size):
                    store.add_article(Article(f"a{n}-{k}", f"Report {k} of event {n}.", f"Outlet {k}", title=f"T{n}-{k}",
                                              published=dt.date(2024, 1, n)))
                    store.add_event_article(f"E{n}", f"a{n}-{k}", k)
                day = f"2024-01-0{n}"
                store.save_event(StoredEvent(f"E{n}", n, "S1", f"Event {n}", day, "day", day, day, size, size, size),
                                 {}, b"")
            store.save_story(StoredStory("S1", 1, "Story", "2024-01-01", "2024-01-07", 7, 11, 5))
        yield engine


def test_a_story_page_holds_limit_events_with_the_totals_and_the_next_offset(engine):
    first = engine.story("S1", 0, 3, articles_limit=2)
    assert [e.id for e in first.events] == ["E1", "E2", "E3"]
    assert (first.n_events, first.events_offset, first.next_events, first.n_articles) == (7, 0, 3, 11)
    assert first.events[0].articles == ("a1-0", "a1-1") and first.events[0].next_articles == 2
    assert first.events[0].n_articles == 5
    last = engine.story("S1", 6, 3)
    assert [e.id for e in last.events] == ["E7"] and last.next_events is None
    assert len(engine.story("S1").events) == 7 and engine.story("S1").next_events is None


def test_an_event_page_holds_limit_articles_by_source(engine):
    page = engine.event("E1", 2, 2)
    assert page.articles == ("a1-2", "a1-3") and page.next_articles == 4 and page.articles_offset == 2
    assert sorted(page.articles_by_source) == ["Outlet 2", "Outlet 3"]
    tail = engine.event("E1", 4, 2)
    assert tail.articles == ("a1-4",) and tail.next_articles is None and tail.n_articles == 5


@pytest.mark.parametrize("offset, limit", [(-1, None), (0, 0), ("3", None)])
def test_a_bad_page_is_a_clear_error(engine, offset, limit):
    with pytest.raises(InputError, match="offset|limit"):
        engine.story("S1", offset, limit)
