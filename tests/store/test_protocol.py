"""The store protocol on both backends: the same calls give the same results on SQLite and on PostgreSQL.

Backend-specific behaviour (WAL, file locks, advisory locks, migrations in each
dialect) is tested in test_sqlite.py and test_postgres.py.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pytest

from storyline.errors import Codes
from storyline.model import Article, Place, Rejection, Segment, StoredEvent, StoredStory, StoryFilter
from storyline.store import open_store
from support import both_backends

backend = both_backends

try:
    import psycopg

    INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
except ImportError:
    INTEGRITY_ERRORS = (sqlite3.IntegrityError,)


def article(article_id="a1", **changes):
    fields = dict(id=article_id, text="Alpha beta. Gamma.", source="Wire", published=dt.date(2023, 3, 6), fingerprint="fp-" + article_id,
                  segments=(Segment("sentence", 0, 11, 0), Segment("sentence", 12, 18, 0)), origin="in.jsonl:1", language="en")
    return Article(**fields | changes)


@pytest.fixture
def store(store_location):
    with open_store(store_location) as s:
        yield s


def test_rejection_insert_is_idempotent(store):
    rejection = Rejection("in.jsonl", 3, Codes.BAD_JSON, "not valid JSON", "{oops")

    assert store.add_rejection(rejection) is True
    assert store.add_rejection(rejection) is False
    assert store.add_rejection(Rejection("in.jsonl", 4, Codes.BAD_JSON, "not valid JSON")) is True

    assert store.rejections() == [rejection, Rejection("in.jsonl", 4, Codes.BAD_JSON, "not valid JSON")]


def test_article_round_trips_with_segments(store):
    stored = article(title="Title", url="http://e.x")
    store.add_article(stored)

    got = store.article("a1")
    assert (got.id, got.title, got.published, got.url, got.language) == ("a1", "Title", dt.date(2023, 3, 6), "http://e.x", "en")
    assert store.segments("a1") == list(stored.segments)
    assert store.article_fingerprint("a1") == "fp-a1"
    assert store.article_fingerprint("nope") is None


def test_duplicate_article_id_is_refused(store):
    store.add_article(article())
    with pytest.raises(INTEGRITY_ERRORS):
        store.add_article(article())


def test_original_with_fingerprint_skips_duplicates(store):
    store.add_article(article("copy", fingerprint="same", duplicate_of="orig"))
    assert store.original_with_fingerprint("same") is None
    store.add_article(article("orig", fingerprint="same"))
    assert store.original_with_fingerprint("same") == "orig"


def test_fingerprints_and_originals_are_looked_up_for_many_articles_in_one_call(store):
    store.add_article(article("copy", fingerprint="same", duplicate_of="orig"))
    store.add_article(article("orig", fingerprint="same"))
    store.add_article(article("later", fingerprint="same"))  # a second original with it: the first one is named
    store.add_article(article("other", fingerprint="fp-other"))

    assert store.article_fingerprints(["orig", "nope", "copy", "orig", "odd\x00id"]) == {"orig": "same", "copy": "same"}
    assert store.originals_with_fingerprints(["same", "fp-other", "unknown"]) == {"same": "orig", "fp-other": "other"}
    assert store.originals_with_fingerprints([]) == {} == store.article_fingerprints([])
    for fingerprint in ("same", "fp-other", "unknown"):  # what the one-at-a-time look-up answers
        assert store.originals_with_fingerprints([fingerprint]).get(fingerprint) == store.original_with_fingerprint(fingerprint)


def test_articles_keep_the_requested_order_and_publication_order_by_default(store):
    store.add_article(article("late", published=dt.date(2023, 3, 9)))
    store.add_article(article("undated", published=None))
    store.add_article(article("early", published=dt.date(2023, 3, 1)))

    assert [a.id for a in store.articles()] == ["early", "late", "undated"]
    assert [a.id for a in store.articles(["undated", "late"])] == ["undated", "late"]


def test_meta_upserts(store):
    assert store.get_meta("embedder", "none") == "none"
    store.set_meta("embedder", "x")
    store.set_meta("embedder", "y")
    assert store.get_meta("embedder") == "y"


def test_count_refuses_unknown_tables(store):
    with pytest.raises(ValueError):
        store.count("sqlite_master; DROP TABLE articles")


def test_transaction_rollback_leaves_nothing_on_either_backend(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_article(article())
            store.add_event_article("E1", "a1", 0)
            raise RuntimeError("crash in the middle of a batch")

    assert store.count("articles") == 0
    assert store.segments("a1") == [] and store.event_of_article("a1") is None
    assert store.add_article(article()) == 1  # row numbers as if the rolled-back batch never was


def test_a_committed_write_is_visible_to_a_reader_opened_beside_the_writer(store, store_location):
    with store.transaction():
        store.add_article(article())
    with open_store(store_location, readonly=True) as reader:
        assert [a.id for a in reader.articles()] == ["a1"]
        with store.transaction():
            store.add_article(article("a2"))
            assert [a.id for a in reader.articles()] == ["a1"]  # uncommitted: not seen, and the read did not wait
        assert [a.id for a in reader.articles()] == ["a1", "a2"]


def test_vector_index_searches_inside_the_id_range_nearest_first(store):
    from storyline.store.vectors import day_range, vector_id

    rng = np.random.default_rng(3)
    days = [dt.date(2023, 3, 1) + dt.timedelta(days=d) for d in (0, 1, 2, 30)]
    vectors = rng.normal(size=(4, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with store.transaction():
        for i, (day, v) in enumerate(zip(days, vectors)):
            rowid = store.add_article(article(f"a{i}", published=day))
            store.add_embedding(f"a{i}", "m", vector_id(day, rowid), v)
    index = store.vector_index(16, None)
    near = index.search(vectors[3], 4)
    assert near[0][0] == "a3" and near[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [k for k, _ in near] == [k for k, _ in sorted(near, key=lambda kv: -kv[1])]
    inside = index.search(vectors[3], 4, day_range(dt.date(2023, 3, 2), 1))
    assert {k for k, _ in inside} == {"a0", "a1", "a2"}
    expected = sorted(((f"a{i}", float(vectors[3] @ vectors[i])) for i in range(3)), key=lambda kv: -kv[1])
    assert [k for k, _ in inside] == [k for k, _ in expected]
    assert [s for _, s in inside] == pytest.approx([s for _, s in expected], abs=1e-5)


def test_search_finds_every_word_ignores_case_and_diacritics_and_treats_operators_as_text(store):
    with store.transaction():
        store.add_article(article("a1", title="Café owners protest", text="Owners of the café on Main Street protested."))
        store.add_article(article("a2", title="Council meets", text="The council met on Tuesday about parking."))
    assert [h.id for _, h in store.search("cafe OWNERS", None, 10)] == ["a1"]
    assert [h.id for _, h in store.search("counc", None, 10)] == ["a2"]  # the last word is a prefix
    assert [h.id for _, h in store.search('"council" OR NOT) parking*', None, 10)] == []  # OR, NOT are words here
    assert store.search("!!! &&", None, 10) == []
    (position, hit), = store.search("parking", None, 10)
    assert hit.id == "a2" and any(hit.snippet[a:b].lower() == "parking" for a, b in hit.highlights)
    assert store.search("council", position, 10) == []  # the page after the last hit


def test_story_pages_filter_and_follow_the_list_order(store):
    with store.transaction():
        for n, (last, size) in enumerate([("2023-03-05", 2), ("2023-03-07", 1), (None, 5), ("2023-03-07", 3)], start=1):
            store.save_story(StoredStory(f"S{n}", n, f"story {n}", last, last, 1, size, 1))
    assert [s.id for s in store.stories()] == ["S4", "S2", "S1", "S3"]
    page = store.story_page(StoryFilter(), None, 2)
    assert [s.id for s in page] == ["S4", "S2"]
    from storyline.model import StoryKey
    last = page[-1]
    after = store.story_page(StoryFilter(), StoryKey(last.last_date or "", last.n_articles, last.number), 10)
    assert [s.id for s in after] == ["S1", "S3"]
    assert [s.id for s in store.story_page(StoryFilter(date_from="2023-03-06"), None, 10)] == ["S4", "S2"]


def test_events_of_a_story_come_in_date_order_with_undated_ones_last(store):
    with store.transaction():
        for n, (date, first) in enumerate([("2023-03-09", "2023-03-01"), (None, None), ("2023-03-02", None), (None, "2023-03-05")], 1):
            store.save_event(StoredEvent(f"E{n}", n, "S1", "t", date, "day", first, first, 1, 1, 1), {}, b"\0" * 8)
    assert [e.id for e in store.events(story_id="S1")] == ["E3", "E4", "E1", "E2"]
    assert [e.id for e in store.events(["E4", "E1", "nope"])] == ["E4", "E1"]


def test_what_a_page_lists_is_read_for_many_events_and_articles_at_once(store):
    with store.transaction():
        for n in (1, 2):
            store.save_event(StoredEvent(f"E{n}", n, "S1", "t", "2023-03-0{n}", "day", None, None, 3, 3, 1), {}, b"\0" * 8)
            for k in range(3):
                copy = "a10" if (n, k) == (1, 2) else None
                store.add_article(article(f"a{n}{k}", title=f"T{n}{k}", duplicate_of=copy))
                store.add_event_article(f"E{n}", f"a{n}{k}", 2 - k)  # joined in reverse
        store.save_record("E1", {"fields": {}, "n": 1}, 3, {"relays": [], "n_independent_reports": 3})
        store.save_record("E2", {"fields": {}, "n": 2}, 3)
        store.add_places([Place("a11", 5, 9, "beta", "Beta", 1, 1.5, 2.5, "XX"), Place("a11", 0, 4, "Alph", "Alpha")])
        store.save_digest("event", "E2", {"title": "two"}, 3, 1, "summariser.x")
    assert [(s.id, s.date, s.title, s.duplicate_of) for s in store.article_summaries(["a12", "nope", "a20"])] == [
        ("a12", "2023-03-06", "T12", "a10"), ("a20", "2023-03-06", "T20", None)]
    assert store.members_of(["E2", "E1", "E9"], 2) == {"E2": ["a22", "a21"], "E1": ["a12", "a11"], "E9": []}
    assert store.members_of(["E1"]) == {"E1": ["a12", "a11", "a10"]}
    assert store.derived_of(["E1", "E2", "E9"]) == {"E1": ({"fields": {}, "n": 1}, {"relays": [], "n_independent_reports": 3}),
                                                  "E2": ({"fields": {}, "n": 2}, None)}
    places = store.places_of(["a11", "a10"])
    assert list(places) == ["a11"]
    assert [(p.text, p.name, p.latitude) for p in places["a11"]] == [("Alph", "Alpha", None), ("beta", "Beta", 1.5)]
    digests = store.digests_of("event", ["E1", "E2"])
    assert list(digests) == ["E2"] and (digests["E2"].digest, digests["E2"].built_by) == ({"title": "two"}, "summariser.x")
    assert store.digests_of("story", ["E2"]) == {}


def test_signature_keys_are_the_ids_of_the_originals_signatures_in_the_same_order(store):
    for n, article_id in enumerate(["b", "a", "copy", "c"]):
        store.add_article(article(article_id, duplicate_of="a" if article_id == "copy" else None))
        store.add_signature(article_id, np.full(64, n, dtype=np.uint32))

    assert store.signature_keys() == [k for k, _ in store.signatures()] == ["b", "a", "c"]
