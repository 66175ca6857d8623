"""A per-article time budget: an article whose analysis takes too long is rejected (SL131) with the stage that
went over, the rest of its batch is stored, and nothing is left running (no thread, no signal)."""

from __future__ import annotations

import re
import threading
import time

from storyline.engine.analyse import PIECE_CHARS, pieces
from storyline.errors import Codes
from support import CHESS_A, FLOOD_A, FLOOD_B, CapitalisedEntities, write_jsonl

SLOW = {"id": "slow", "date": "2023-03-06", "source": "Slow Post",
        "text": "SLOWLY the inspectors of Kennet village walked the river bank on Monday."}


def _spin(seconds):
    """Spend ``seconds`` of this thread's CPU (the budget counts CPU time: a sleep costs none)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def _slow_quotes(engine, seconds):
    """The quotes stage takes ``seconds`` on an article saying SLOWLY."""
    quotes = engine.components.get("quotes")
    original = quotes.mentions

    def mentions(article_id, text, spans, sentences):
        if "SLOWLY" in text:
            _spin(seconds)
        return original(article_id, text, spans, sentences)

    quotes.mentions = mentions


def test_an_article_over_its_time_budget_is_rejected_with_the_stage_and_the_rest_of_its_batch_is_stored(fake_engine, tmp_path):
    engine = fake_engine(article_time_budget_s=0.3)
    _slow_quotes(engine, 0.5)
    threads = threading.active_count()
    corpus = write_jsonl(tmp_path / "in.jsonl", [FLOOD_A, SLOW, FLOOD_B, CHESS_A])

    summary = engine.ingest([str(corpus)])

    assert {a.id for a in engine.articles()} == {"flood-1", "flood-2", "chess-1"}
    (rejection,) = engine.rejections()
    assert rejection.code == Codes.OVER_BUDGET == "SL131"
    assert rejection.origin == str(corpus) and rejection.line == 2
    assert "quotes stage" in rejection.reason and "article_time_budget_s" in rejection.reason and "0.3 s" in rejection.reason
    assert summary.ingested == 3 and summary.rejected == 1
    assert threading.active_count() == threads  # the budget runs no watchdog thread


def test_within_its_budget_a_slow_article_is_stored(fake_engine):
    engine = fake_engine(article_time_budget_s=5)
    _slow_quotes(engine, 0.2)

    engine.ingest_records([FLOOD_A, SLOW])

    assert {a.id for a in engine.articles()} == {"flood-1", "slow"} and engine.rejections() == []


def test_a_batch_retried_without_a_slow_article_gives_the_events_of_a_run_without_it(fake_engine, tmp_path):
    slow = fake_engine(tmp_path / "slow.db", article_time_budget_s=0.3)
    _slow_quotes(slow, 0.5)
    slow.ingest_records([FLOOD_A, SLOW, FLOOD_B, CHESS_A])
    plain_run = fake_engine(tmp_path / "plain.db")
    plain_run.ingest_records([FLOOD_A, FLOOD_B, CHESS_A])

    assert slow.store.assignments() == plain_run.store.assignments()


def test_a_long_text_is_read_by_the_entity_extractor_in_pieces_with_the_same_spans(fake_engine):
    text = " ".join(f"Crews from Marlow met the Mayor of Henley on day {n}." for n in range(3000))
    assert len(text) > 2 * PIECE_CHARS
    cut = pieces(text)
    assert "".join(p for _, p in cut) == text and all(len(p) <= PIECE_CHARS for _, p in cut)
    assert all(text[o - 1] in " \n" for o, _ in cut[1:])  # cut after a space, never inside a word
    engine = fake_engine()
    calls = []
    extractor = engine.entity_extractor
    original = extractor.extract
    extractor.extract = lambda texts: calls.append([len(t) for t in texts]) or original(texts)

    (found,) = engine.analyse([_article("long", text)])

    assert all(sum(call) <= PIECE_CHARS for call in calls) and len(calls) >= 3
    whole = [m for m in found.mentions if m.label == "ORG"]
    expected = [(m.start(), m.end()) for m in CapitalisedEntities._WORD.finditer(text)]
    assert [(m.start, m.end) for m in whole] == expected
    assert all(text[m.start:m.end] == m.text for m in whole)


def test_an_article_over_its_budget_in_the_entity_stage_is_read_no_further(fake_engine):
    engine = fake_engine(article_time_budget_s=0.2)
    extractor = engine.entity_extractor
    original = extractor.extract
    calls = []

    def slow_on_long(texts):
        calls.append(len(texts))
        if any(len(t) > PIECE_CHARS // 2 for t in texts):  # a piece of the long text
            _spin(0.3)
        return original(texts)

    extractor.extract = slow_on_long
    long_text = " ".join(f"Crews from Marlow worked on day {n}." for n in range(10_000))
    summary = engine.ingest_records([FLOOD_A, {"id": "long", "date": "2023-03-06", "text": long_text}])

    (rejection,) = engine.rejections()
    assert rejection.code == Codes.OVER_BUDGET and "entities stage" in rejection.reason
    assert len(calls) <= 3  # the first piece went over: the other pieces of the article were never read
    assert summary.ingested == 1 and {a.id for a in engine.articles()} == {"flood-1"}


def _article(article_id, text):
    from storyline.model import RawRecord
    from storyline.pipeline.normalise import to_article
    return to_article(RawRecord("t", 1, {"id": article_id, "date": "2023-03-06", "text": text}))


def test_the_pieces_and_the_bound_of_the_entity_extractor_are_settings(fake_engine, tmp_path):
    text = " ".join(f"Crews from Marlow met the Mayor of Henley on day {n}." for n in range(300))
    engine = fake_engine(ner_piece_chars=1000)
    calls = []
    extractor = engine.entity_extractor
    original = extractor.extract
    extractor.extract = lambda texts: calls.append([len(t) for t in texts]) or original(texts)
    (found,) = engine.analyse([_article("long", text)])
    assert all(sum(call) <= 1000 for call in calls) and len(calls) >= len(text) // 1000
    assert len([m for m in found.mentions if m.label == "ORG"]) == len(CapitalisedEntities._WORD.findall(text))

    bounded = fake_engine(tmp_path / "bounded.db", ner_max_chars=2000)
    (cut,) = bounded.analyse([_article("long", text)])
    ends = [m.end for m in cut.mentions if m.label == "ORG"]
    assert ends and max(ends) <= 2000 < len(text)
    kept = [m for m in found.mentions if m.label == "ORG" and m.end <= 1990]
    assert [(m.start, m.end) for m in kept] == [(m.start, m.end) for m in cut.mentions if m.label == "ORG"][: len(kept)]
