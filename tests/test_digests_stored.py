"""Digests stored at ingest (migration 0008): read as stored, rebuilt when their event or story changes."""

from __future__ import annotations

from collections import Counter

import storyline
from support import FLOOD_A, FLOOD_B, CHESS_A, CHESS_B, CapitalisedEntities, both_backends, options
from storyline.model import EventDigest, Timeline
from storyline.pipeline.embed import HashingEmbedder

backend = both_backends

#: a third report of the flood, a day later: the flood event grows
FLOOD_C = FLOOD_B | {
    "id": "flood-c", "date": "2023-03-07", "source": "Valley Post", "title": "Marlow counts the cost of the flood",
    "text": ("The Thames burst its banks in Marlow, flooding homes on the high street after days of heavy rain. "
             "Shop owners in Marlow began clearing mud from the high street on Tuesday."),
}


class Counting:
    """The summariser of an engine, counting its calls."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, 0
        self.name, self.uses_comparison = inner.name, getattr(inner, "uses_comparison", False)

    def summarise(self, *args, **kwargs):
        self.calls += 1
        return self.inner.summarise(*args, **kwargs)


def test_ingest_stores_every_event_digest_and_story_timeline_and_pages_read_them_as_stored(fake_engine):
    engine = fake_engine()
    engine.ingest_records([FLOOD_A, FLOOD_B, CHESS_A, CHESS_B])
    events = engine.store.events()
    for event in events:
        stored = engine.store.digest("event", event.id)
        assert stored is not None and stored.n_articles == event.n_articles and stored.built_by == "summariser.cited.v2"
        assert EventDigest.from_dict(stored.digest).to_dict() == stored.digest
    for story_id in {e.story_id for e in events}:
        stored = engine.store.digest("story", story_id)
        assert stored is not None and Timeline.from_dict(stored.digest).days
        assert Timeline.from_dict(stored.digest).to_dict() == stored.digest

    expected = {e.id: engine.store.digest("event", e.id).digest for e in events}
    engine.close()
    reader = fake_engine()  # a new engine: nothing in memory
    counting = Counting(reader.components.get("summariser"))
    reader.components._built["summariser"] = counting
    flood = next(e for e in events if e.n_articles == 2)
    digest = reader.summary(flood.id)
    timeline = reader.timeline(flood.story_id)
    assert counting.calls == 0  # both read from the store
    assert digest.to_dict() == expected[flood.id]
    assert timeline.days[0].event_id == flood.id and timeline.days[0].title == digest.title


def test_a_grown_event_and_its_story_get_new_digests_and_a_changed_summariser_is_not_read(fake_engine):
    engine = fake_engine()
    engine.ingest_records([FLOOD_A, FLOOD_B, CHESS_A, CHESS_B])
    flood = next(e for e in engine.store.events() if e.n_articles == 2)
    before = engine.store.digest("story", flood.story_id)
    before_event = engine.store.digest("event", flood.id)
    engine.ingest_records([FLOOD_C])
    grown = engine.store.events([flood.id])[0]
    assert grown.n_articles == 3
    stored = engine.store.digest("event", flood.id)
    assert stored.n_articles == 3
    assert before_event.n_articles == 2 and stored.digest != before_event.digest
    story = engine.store.digest("story", flood.story_id)
    assert story.n_articles == engine.store.story(flood.story_id).n_articles != before.n_articles
    assert engine.store.stale_digests("summariser.cited.v2") == ([], [])

    engine.close()
    v1 = fake_engine(summariser="summariser.cited.v1")
    assert v1.summary(flood.id).summariser == "summariser.cited.v1"  # computed: the stored one is v2's
    assert sorted(v1.store.stale_digests("summariser.cited.v1")[0]) == sorted(e.id for e in v1.store.events())


def test_without_the_digests_setting_nothing_is_stored_and_pages_compute_them(fake_engine):
    engine = fake_engine(digests=False)
    engine.ingest_records([FLOOD_A, FLOOD_B])
    event = engine.store.events()[0]
    assert engine.store.digest("event", event.id) is None
    assert engine.summary(event.id).sentences


def test_exports_carry_each_events_summary_and_each_storys_timeline(fake_engine):
    import csv
    import io

    from storyline.exports import write_events_csv

    engine = fake_engine()
    engine.ingest_records([FLOOD_A, FLOOD_B, CHESS_A, CHESS_B])
    exported = list(engine.export())
    assert len(exported) == 2
    for event in exported:
        assert event["summary"] == engine.store.digest("event", event["id"]).digest
        assert event["summary"]["sentences"] and all(s["citations"] for s in event["summary"]["sentences"])
        assert event["story_timeline"]["id"] == event["story_id"]
    out = io.StringIO()
    write_events_csv(exported, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    by_id = {e["id"]: e for e in exported}
    for row in rows:
        assert row["summary"] == " ".join(s["text"] for s in by_id[row["event_id"]]["summary"]["sentences"])


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, keeping every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += list(texts)
        return super().embed(texts)


def test_the_comparison_and_the_digests_share_one_sentence_cache_so_no_text_is_embedded_twice(store_location):
    embedder = CountingEmbedder()
    with storyline.Storyline(store_location, options(), embedder=embedder, entity_extractor=CapitalisedEntities()) as engine:
        summary = engine.ingest_records([FLOOD_A, FLOOD_B, FLOOD_C, CHESS_A, CHESS_B])
        sentences = engine.components.sentences()

        assert engine.store.count("events") == 2 and summary.stage_cpu_seconds.get("embed", 0) > 0
        twice = [t for t, n in Counter(embedder.texts).items() if n > 1]
        assert twice == []
        assert sentences.hits > 0  # the digests read vectors the comparison made
        assert sentences.timer is None  # a page read after the run adds nothing to the run's stages
