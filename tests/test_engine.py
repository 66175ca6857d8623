"""The engine end to end, on hand-built articles, with the fake embedder and entity extractor."""

from __future__ import annotations

from storyline.model import plain
import dataclasses
import json
import re

import numpy as np
import pytest

from support import CHESS_A, CHESS_B, FLOOD_A, FLOOD_B, MARK, both_backends, write_jsonl, write_txt
from storyline.errors import Codes, NotFoundError, StoreError
from storyline.pipeline.embed import HashingEmbedder

#: every test here runs on SQLite and on PostgreSQL: a difference in behaviour fails a test
backend = both_backends

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CORPUS = [FLOOD_A, FLOOD_B, CHESS_A, CHESS_B]

#: Reported a day before FLOOD_A, in other words: a backfill that belongs to the flood event.
FLOOD_EARLY = {
    "id": "flood-0", "date": "2023-03-05", "source": "Thames Courier",
    "title": "Thames bursts its banks in Marlow after days of rain",
    "text": (
        "The Thames burst its banks in Marlow on Sunday, flooding homes on the high street after three days "
        "of heavy rain. Buckinghamshire crews launched boats near the Marlow bridge to reach residents.\n\n"
        "The Environment Agency put a severe flood warning in place for Marlow and Bourne End."
    ),
}
#: A wire reprint of FLOOD_A: new headline and outlet, a wire tag, one sentence trimmed.
FLOOD_WIRE = FLOOD_A | {
    "id": "flood-wire", "source": "Wire Service", "title": "Thames floods Marlow high street",
    "text": "(Wire Service) " + FLOOD_A["text"].replace(" Sandbags were handed out at the Marlow town hall.", ""),
}


def table_counts(engine):
    tables = ("articles", "events", "stories", "decisions", "embeddings", "mentions", "rejections")
    return {t: engine.store.count(t) for t in tables}


def event_of(engine, article_id):
    return plain(engine.article(article_id))["event_id"]


# ---------------------------------------------------------------- clustering


def test_articles_about_the_same_happening_share_an_event_and_others_do_not(fake_engine):
    engine = fake_engine()

    summary = engine.ingest_records(CORPUS)

    assert (summary.ingested, summary.duplicates, summary.rejected, summary.events_created, summary.stories_created) == (4, 0, 0, 2, 2)
    assert event_of(engine, "flood-1") == event_of(engine, "flood-2") != event_of(engine, "chess-1") == event_of(engine, "chess-2")


def test_ingest_twice_is_a_no_op(fake_engine, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", CORPUS + ["{broken"])
    engine = fake_engine()
    engine.ingest([str(path)])
    before, stories = table_counts(engine), plain(engine.stories())
    calls = engine.entity_extractor.calls

    again = engine.ingest([str(path)])
    after_again = table_counts(engine), plain(engine.stories())
    engine.close()  # one writer per store: the later run opens it again
    reopened = fake_engine()
    third = reopened.ingest([str(path)])

    for summary in (again, third):
        assert (summary.ingested, summary.unchanged, summary.events_created, summary.stories_created) == (0, 4, 0, 0)
    assert after_again == (before, stories)
    assert table_counts(reopened) == before
    assert plain(reopened.stories()) == stories
    assert engine.entity_extractor.calls == calls and reopened.entity_extractor.calls == 0  # nothing analysed again


def test_same_article_twice_under_two_file_names_is_stored_once(fake_engine, tmp_path):
    text = FLOOD_A["title"] + "\n\n" + FLOOD_A["text"]
    first = write_txt(tmp_path / "one.txt", "2023-03-06", text)
    second = write_txt(tmp_path / "copy of one.txt", "2023-03-06", text)
    engine = fake_engine()

    summary = engine.ingest([str(first), str(second)])
    later = engine.ingest([str(second)])

    assert (summary.ingested, summary.unchanged, summary.rejected) == (1, 1, 0)
    assert (later.ingested, later.unchanged) == (0, 1)
    assert len(plain(engine.articles())) == 1
    assert engine.rejections() == []


def test_exact_copy_under_another_id_is_a_duplicate_of_the_first(fake_engine):
    engine = fake_engine()
    engine.ingest_records([FLOOD_A, FLOOD_A | {"id": "flood-again", "source": "Other"}])

    assert plain(engine.article("flood-again"))["duplicate_of"] == "flood-1"
    assert event_of(engine, "flood-again") == event_of(engine, "flood-1")


@pytest.mark.parametrize("separate_runs", [False, True])
def test_near_duplicate_wire_copy_gets_duplicate_of_and_joins_the_originals_event(fake_engine, separate_runs):
    engine = fake_engine()
    if separate_runs:  # the later run restores the signatures from the store
        engine.ingest_records(CORPUS)
        engine.close()  # one writer per store
        engine = fake_engine()
        summary = engine.ingest_records([FLOOD_WIRE])
    else:
        summary = engine.ingest_records(CORPUS + [FLOOD_WIRE])

    assert summary.duplicates == 1
    wire = plain(engine.article("flood-wire"))
    assert wire["duplicate_of"] == "flood-1"
    assert wire["event_id"] == event_of(engine, "flood-1")
    event = plain(engine.event(wire["event_id"]))
    assert (event["n_articles"], event["n_reports"], event["n_independent_reports"]) == (3, 2, 2)  # the copy adds no independent report
    (why,) = [w for w in event["why"] if w["article"] == "flood-wire"]
    assert why["action"] == "duplicate" and "duplicate of flood-1" in why["explanation"]
    assert "flood-wire" not in {key for key, _, _ in engine.store.embeddings()}


def test_out_of_order_backfill_article_joins_the_right_event(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)
    flood_event, chess_event = event_of(engine, "flood-1"), event_of(engine, "chess-1")
    engine.close()  # one writer per store
    engine = fake_engine()

    summary = engine.ingest_records([FLOOD_EARLY])  # a later run, an earlier date

    assert (summary.ingested, summary.events_created, summary.duplicates) == (1, 0, 0)
    assert event_of(engine, "flood-0") == flood_event != chess_event
    event = plain(engine.event(flood_event))
    assert (event["first_date"], event["last_date"]) == ("2023-03-05", "2023-03-07")
    assert plain(engine.articles())[0]["id"] == "flood-0"  # listed in publication order


def test_batch_size_does_not_change_the_outcome(fake_engine, new_store):
    records = CORPUS + [FLOOD_WIRE, FLOOD_EARLY]
    whole = fake_engine(new_store("whole.db"), batch_size=64)
    one_by_one = fake_engine(new_store("single.db"), batch_size=1)
    whole.ingest_records(records)
    one_by_one.ingest_records(records)

    assert plain(one_by_one.stories()) == plain(whole.stories())
    assert plain(one_by_one.articles()) == plain(whole.articles())


def test_event_ids_are_stable_across_a_rerun(fake_engine, tmp_path, new_store):
    path = write_jsonl(tmp_path / "in.jsonl", CORPUS + [FLOOD_WIRE])
    first = fake_engine(new_store("first.db"))
    first.ingest([str(path)])
    ids = {a["id"]: event_of(first, a["id"]) for a in plain(first.articles())}

    rerun = fake_engine(new_store("rerun.db"))
    rerun.ingest([str(path)])
    first.ingest([str(path)])

    assert {a: event_of(rerun, a) for a in ids} == ids == {a: event_of(first, a) for a in ids}
    assert plain(rerun.stories()) == plain(first.stories())
    assert sorted(set(ids.values())) == ["E1", "E2"]


# ---------------------------------------------------------------- reading


def test_stories_and_articles_follow_the_json_contract(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS + [FLOOD_WIRE])

    stories, articles = plain(engine.stories()), plain(engine.articles())

    json.dumps(stories), json.dumps(articles)  # JSON-ready
    assert {"id", "title", "first_date", "last_date", "events"} <= set(stories[0])
    for story in stories:
        for event in story["events"]:
            assert set(event) == {"id", "title", "date", "date_precision", "articles"}
            assert ISO_DAY.match(event["date"]) and event["date_precision"] == "day"
            assert all(isinstance(a, str) for a in event["articles"])
        assert ISO_DAY.match(story["first_date"]) and ISO_DAY.match(story["last_date"])
    assert [s["id"] for s in stories] == ["S2", "S1"]  # newest first
    assert {a for s in stories for e in s["events"] for a in e["articles"]} == {a["id"] for a in articles}
    for article in articles:
        assert set(article) == {"id", "source", "date", "title", "duplicate_of"}
        assert ISO_DAY.match(article["date"])
    assert [a["id"] for a in articles] == ["flood-1", "flood-wire", "flood-2", "chess-1", "chess-2"]


def test_dates_with_a_time_of_day_are_listed_as_iso_days(fake_engine):
    engine = fake_engine()
    engine.ingest_records([FLOOD_A | {"date": "2023-03-06T23:30:00+01:00"}])

    assert plain(engine.articles())[0]["date"] == "2023-03-06"


def test_event_date_is_the_reported_day_resolved_from_the_text(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)

    flood = plain(engine.event(event_of(engine, "flood-1")))

    assert (flood["date"], flood["date_precision"]) == ("2023-03-05", "day")  # "on Sunday" in a Monday article


def test_event_without_a_date_in_its_text_is_dated_by_publication_or_unknown(fake_engine):
    engine = fake_engine()
    text = "Volunteers planted four hundred oak trees along the Kennet canal towpath to restore the hedgerow habitat."
    engine.ingest_records([{"id": "trees", "date": "2023-04-02", "text": text}, {"id": "undated", "text": "Nobody knows when this quiet report about a lost cat was written."}])

    assert (plain(engine.event(event_of(engine, "trees")))["date"], plain(engine.event(event_of(engine, "trees")))["date_precision"]) == ("2023-04-02", "publication")
    undated = plain(engine.event(event_of(engine, "undated")))
    assert (undated["date"], undated["date_precision"], undated["first_date"]) == (None, "unknown", None)


def test_decisions_are_stored_with_their_explanation(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)

    story = plain(engine.story(story_id := engine.stories()[-1].id))
    (event,) = story["events"]
    event_why = {w["article"]: w for w in event["why"]}
    (stored,) = engine.store.decisions(["flood-2"])

    assert event_why["flood-1"]["action"] == "new"
    joined = event_why["flood-2"]
    assert joined["action"] == "join" and joined["score"] >= joined["threshold"] == 0.5
    assert joined["explanation"].startswith(f"joined {event['id']}: cosine")
    assert (stored.level, stored.target_id) == ("event", event["id"])
    assert set(stored.features) >= {"cos_centroid", "entities", "gap"}
    (story_why,) = story["why"]
    assert (story_why["level"], story_why["subject_id"], story_why["target_id"]) == ("story", event["id"], story_id)
    assert story_why["explanation"].startswith("new story")


def test_article_keeps_its_segments_mentions_and_origin(fake_engine, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [FLOOD_A])
    engine = fake_engine()
    engine.ingest([str(path)])

    article = plain(engine.article("flood-1"))

    assert article["origin"] == f"{path}:1"
    assert article["sentences"][0].startswith("The river Thames burst its banks")
    assert article["language"] == "en"
    marlow = [m for m in article["mentions"] if m["key"] == "marlow"]
    assert marlow and all(article["text"][m["start"] : m["end"]] == "Marlow" for m in marlow)


def test_show_finds_stories_events_and_articles_and_reports_missing_ids(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)

    assert [plain(engine.show(i))[0] for i in ("S1", "E1", "flood-1")] == ["story", "event", "article"]
    with pytest.raises(NotFoundError) as info:
        plain(engine.show("nope"))
    assert info.value.code == Codes.NOT_FOUND and "nope" in str(info.value)


def test_export_yields_one_record_per_event(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)

    records = list(engine.export())

    assert [r["id"] for r in records] == ["E1", "E2"]
    assert all(r["story_id"] and "why" not in r for r in records)


# ---------------------------------------------------------------- inputs and errors


def test_same_id_with_another_text_is_rejected_and_the_first_kept(fake_engine):
    engine = fake_engine()
    engine.ingest_records([FLOOD_A])

    summary = engine.ingest_records([FLOOD_A | {"text": "Entirely different words in this version of the article."}])

    assert summary.rejected == 1
    (rejection,) = engine.rejections()
    assert rejection.code == Codes.ID_CONFLICT and "flood-1" in rejection.reason
    assert plain(engine.article("flood-1"))["text"] == FLOOD_A["text"]


def test_plain_dict_records_are_validated_and_rejected_with_their_position(fake_engine):
    engine = fake_engine()

    summary = engine.ingest_records([FLOOD_A, {"id": "x", "date": "yesterday", "text": "Some words here."}])

    assert (summary.ingested, summary.rejected) == (1, 1)
    (rejection,) = engine.rejections()
    assert (rejection.origin, rejection.line, rejection.code) == ("<api>", 2, Codes.BAD_DATE)


def test_store_made_by_another_embedder_is_refused_with_sl202(fake_engine, tmp_path):
    first = fake_engine()
    first.ingest_records([FLOOD_A])
    first.close()  # one writer per store

    class OtherEmbedder(HashingEmbedder):
        name = "embedder.other.v1"

    other = fake_engine()
    other.components._built["embedder"] = OtherEmbedder()
    with pytest.raises(StoreError) as info:
        other.ingest_records([FLOOD_B])
    assert info.value.code == Codes.STORE_SCHEMA
    assert "embedder.hashing.v1" in str(info.value)


def test_progress_reports_zero_then_done_and_total_as_batches_are_analysed(fake_engine):
    seen = []
    fake_engine(batch_size=3).ingest_records(CORPUS + [FLOOD_EARLY], progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 5), (3, 5), (5, 5)]


def test_runs_record_components_and_summary(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)

    row = engine.store.conn.execute("SELECT components, settings, summary, finished_at FROM runs").fetchone()

    assert json.loads(row["components"])["embedder"] == "embedder.hashing.v1"
    assert json.loads(row["settings"])["batch_size"] == 64
    assert json.loads(row["summary"])["ingested"] == 4 and row["finished_at"]


def test_stored_vectors_match_the_index(fake_engine, backend):
    engine = fake_engine()
    engine.ingest_records(CORPUS)
    engine.close()

    reopened = fake_engine()
    reopened.ingest_records([])  # loads the state, including the index file

    assert len(reopened.index) == 4
    if backend == "sqlite":
        assert engine.index_path.exists()  # the faiss index file beside the store
    else:
        assert engine.index_path is None and type(reopened.index).__name__ == "PgVectorIndex"  # indexed in the database
    stored = {k: v for k, _, v in reopened.store.embeddings()}
    assert np.allclose(stored["flood-1"], HashingEmbedder().embed([FLOOD_A["title"] + "\n\n" + FLOOD_A["text"]])[0])


def test_second_pass_merge_is_written_through_and_the_merged_id_never_returns(fake_engine, new_store):
    from storyline.pipeline.cluster import Params

    db = new_store("merge.db")
    engine = fake_engine(db)
    engine.ingest_records([FLOOD_A, CHESS_A | {"date": FLOOD_A["date"]}])
    flood, chess = event_of(engine, "flood-1"), event_of(engine, "chess-1")
    assert flood != chess
    # a model that joins everything: the second pass after the next batch merges the two events
    engine.clusterer.params = engine.clusterer.event_params = Params({}, bias=10.0)
    engine.clusterer.merge_threshold = 0.5

    engine.ingest_records([FLOOD_B])

    older = min(flood, chess, key=lambda e: int(e[1:]))
    assert {event_of(engine, a) for a in ("flood-1", "flood-2", "chess-1")} == {older}
    assert [e["id"] for e in engine.export()] == [older]
    [merge] = [d for d in engine.store.decisions([flood, chess]) if d.action == "merge"]
    assert (merge.subject_id, merge.target_id) == (({flood, chess} - {older}).pop(), older)
    assert sum(s["n_articles"] for s in plain(engine.stories())) == 3
    engine.close()

    reopened = fake_engine(db)
    reopened.ingest_records([{"id": "other", "title": "Volcano erupts", "text": "Lava from Etna reached the sea on Monday.", "date": "2023-03-06"}])
    numbers = [int(e["id"][1:]) for e in reopened.export()]
    assert max(numbers) > max(int(flood[1:]), int(chess[1:]))


def test_every_event_gets_a_record_and_a_missing_or_stale_record_is_rebuilt_by_the_next_run(fake_engine, backend):
    engine = fake_engine()
    engine.ingest_records(CORPUS)
    events = [e.id for e in engine.store.events()]
    assert events and all(plain(engine.event(e))["record"] for e in events)

    flood = event_of(engine, "flood-1")
    engine.store.conn.execute("DELETE FROM event_records WHERE event_id = " + MARK[backend], (flood,))  # as if a crash came between
    assert plain(engine.event(flood))["record"] is None
    summary = engine.ingest_records(CORPUS)  # nothing new to ingest
    assert summary.unchanged == len(CORPUS)
    assert plain(engine.event(flood))["record"]["event_id"] == flood
    assert engine.store.stale_records() == []


def test_a_story_spans_the_dates_of_its_events_records(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)
    for story in plain(engine.stories()):
        dates = [e["date"] for e in story["events"] if e["date"]]
        assert (story["first_date"], story["last_date"]) == (min(dates), max(dates))


def test_when_a_record_redates_an_event_its_story_follows(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)
    flood = event_of(engine, "flood-1")
    story_id = plain(engine.event(flood))["story_id"]
    with engine.store.transaction():
        engine.store.set_event_date(flood, "2023-02-27", "week")
        engine.store.refresh_story_dates([flood])
    assert plain(engine.story(story_id))["first_date"] == "2023-02-27"


def test_merged_events_are_not_counted_as_new_and_the_why_explains_the_merge(fake_engine):
    from storyline.pipeline.cluster import Params

    engine = fake_engine()
    engine.clusterer.params = Params({}, bias=-10.0)  # nothing joins on arrival: three new events...
    engine.clusterer.event_params = Params({}, bias=10.0)  # ...that the second pass merges into one
    engine.clusterer.merge_threshold = 0.5

    summary = engine.ingest_records([FLOOD_A, FLOOD_B, CHESS_A | {"date": FLOOD_A["date"]}])

    assert len(engine.store.events()) == 1
    assert summary.events_created == 1 and "1 new event," in summary.line()
    (event,) = engine.store.events()
    why = plain(engine.event(event.id))["why"]
    merges = [w for w in why if w["action"] == "merge"]
    assert len(merges) == 2 and all(f"into {event.id}" in w["explanation"] for w in merges)


def test_a_storys_events_are_listed_in_the_order_of_their_dates(fake_engine):
    engine = fake_engine()
    engine.ingest_records(CORPUS)
    flood = event_of(engine, "flood-1")
    story_id = plain(engine.event(flood))["story_id"]
    with engine.store.transaction():
        engine.store.save_story(dataclasses.replace(engine.store.story(story_id), n_events=2))
        other = engine.store.events([event_of(engine, "chess-1")])[0]
        state = next(s for s in engine.store.event_states() if s.event.id == other.id)
        engine.store.save_event(dataclasses.replace(other, story_id=story_id, date="2023-03-01"), state.state, state.vector_sum)

    dates = [e.date for e in engine.story(story_id).events]

    assert dates == sorted(dates) and dates[0] == "2023-03-01"


def test_an_article_that_breaks_a_stage_is_rejected_alone_and_the_rest_of_its_batch_is_stored(fake_engine):
    engine = fake_engine()
    extractor = engine.entity_extractor
    original = extractor.extract

    def breaks_on_poison(texts):
        if any("POISON" in t for t in texts):
            raise RuntimeError("the extractor fell over")
        return original(texts)

    extractor.extract = breaks_on_poison
    poison = {"id": "poison", "date": "2023-03-06", "text": "POISON in the well of Kennet village was found by inspectors on Monday."}

    summary = engine.ingest_records([FLOOD_A, poison, FLOOD_B, CHESS_A])

    assert {a.id for a in engine.articles()} == {"flood-1", "flood-2", "chess-1"}
    (rejection,) = engine.rejections()
    assert rejection.code == Codes.STAGE_FAILED and "the extractor fell over" in rejection.reason
    assert summary.ingested == 3 and summary.rejected == 1
    assert event_of(engine, "flood-1") == event_of(engine, "flood-2")  # the state was rebuilt, not left half-done
    assert any("failed on a batch of 4 articles" in n and "retried in halves" in n for n in summary.notes)


def test_a_batch_that_fails_once_and_then_goes_through_in_halves_says_so(fake_engine):
    engine = fake_engine()
    extractor = engine.entity_extractor
    original = extractor.extract
    calls = []

    def fails_the_first_time(texts):
        calls.append(len(texts))
        if len(calls) == 1:
            raise IndexError("a state-dependent bug")
        return original(texts)

    extractor.extract = fails_the_first_time

    summary = engine.ingest_records([FLOOD_A, FLOOD_B, CHESS_A])

    assert {a.id for a in engine.articles()} == {"flood-1", "flood-2", "chess-1"} and summary.rejected == 0
    (note,) = [n for n in summary.notes if "retried in halves" in n]
    assert "IndexError: a state-dependent bug" in note and "batch of 3 articles" in note
