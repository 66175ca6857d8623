"""Article codings remembered by the engine: a record rebuilt from them equals one coded afresh."""

from __future__ import annotations

import dataclasses

import numpy as np

from storyline.engine.records import ArticleCodings
from storyline.pipeline.record import build as record_build
from storyline.pipeline.record import finders
from storyline.pipeline.record.build import build_record

from storyline.model import RawRecord
from storyline.pipeline.normalise import to_article
from storyline.pipeline.record.eventtype import LinearEventTyper, combine, find_triggers
from storyline.pipeline.record.kind import decide

STRIKE_A = ("On Wednesday, Russian troops carried out an airstrike on a base near Tanf, where US soldiers train local forces. "
            "Nobody was hurt, officials said.")
STRIKE_B = "Russia conducted an airstrike at the Tanf garrison on Wednesday, according to US officials."
STRIKE_C = "Russian jets launched an air strike on the base on Tuesday, a monitor said. Two guards were killed."


class KeywordTyper:
    name = "eventtype.test-keyword.v1"

    def classify(self, texts):
        return [combine("Air/drone strike" if "strike" in t.lower() else "Armed clash", 0.8, find_triggers(t)) for t in texts]


def article(id_, text, source=None):
    return to_article(RawRecord("test", 1, {"id": id_, "text": text, "date": "2022-06-18", "source": source}))


def test_a_remembered_coding_gives_the_record_a_fresh_coding_gives_and_codes_each_article_once():
    typer, codings = KeywordTyper(), ArticleCodings()
    coder = codings.coder("recorder.agreement.v2")
    a, b = article("a", STRIKE_A, source="One"), article("b", STRIKE_B, source="Two")
    c = article("c", STRIKE_C, source="Three")
    first = build_record("E1", [a, b], typer=typer, coder=coder)
    assert (codings.misses, codings.hits) == (2, 0)
    grown = build_record("E1", [a, b, c], typer=typer, coder=coder)
    assert (codings.misses, codings.hits) == (3, 2)
    assert grown == build_record("E1", [a, b, c], typer=typer)
    assert first == build_record("E1", [a, b], typer=typer)


def test_an_article_whose_text_changes_or_another_recorder_is_coded_afresh():
    typer, codings = KeywordTyper(), ArticleCodings()
    a = article("a", STRIKE_A, source="One")
    build_record("E1", [a], typer=typer, coder=codings.coder("v1"))
    changed = dataclasses.replace(article("a", STRIKE_C, source="One"))
    assert build_record("E1", [changed], typer=typer, coder=codings.coder("v1")) == build_record("E1", [changed], typer=typer)
    build_record("E1", [a], typer=typer, coder=codings.coder("v2"))
    assert (codings.misses, codings.hits) == (3, 0)


def test_the_oldest_codings_are_forgotten_past_the_limit():
    typer, codings = KeywordTyper(), ArticleCodings(limit=1)
    coder = codings.coder("v1")
    a, b = article("a", STRIKE_A), article("b", STRIKE_B)
    build_record("E1", [a], typer=typer, coder=coder)
    build_record("E2", [b], typer=typer, coder=coder)
    build_record("E1", [a], typer=typer, coder=coder)
    assert (codings.misses, codings.hits) == (3, 0)


def test_lead_sentences_are_searched_for_triggers_once(monkeypatch):
    calls: list[str] = []
    real = finders.find_triggers
    monkeypatch.setattr(finders, "find_triggers", lambda text: calls.append(text) or real(text))
    finders.triggers.cache_clear()  # what an earlier test searched is not searched here
    a = article("a", STRIKE_A + " " + STRIKE_C)
    record_build.code_article(a, [], KeywordTyper())
    assert calls and len(calls) == len(set(calls))


class CountingKinds:
    """A kind typer that counts the texts it classifies (politics when the text names a minister, else conflict)."""

    name, classes, abstain_below = "kind.test-counting.v1", ["conflict", "politics"], 0.5

    def __init__(self):
        self.seen: list[str] = []

    def classify(self, texts):
        self.seen += texts
        return [decide(self.classes, np.array([0.2, 0.8] if "minister" in t else [0.9, 0.1])) for t in texts]


def test_the_kind_of_each_lead_is_read_once_and_the_record_equals_one_read_afresh():
    typer, codings, kinds = KeywordTyper(), ArticleCodings(), CountingKinds()
    remembered = codings.kinds(kinds)
    a, b = article("a", STRIKE_A, source="One"), article("b", STRIKE_B, source="Two")
    c = article("c", "The minister said on Wednesday that the strike was a mistake.", source="Three")
    build_record("E1", [a, b], typer=typer, kinds=remembered, coder=codings.coder("v3"))
    grown = build_record("E1", [a, b, c], typer=typer, kinds=remembered, coder=codings.coder("v3"))
    assert len(kinds.seen) == 3 and len(set(kinds.seen)) == 3
    assert grown == build_record("E1", [a, b, c], typer=typer, kinds=CountingKinds())
    assert grown.fields["kind"].value.value == "conflict"


def test_a_remembered_coding_carries_its_type_probabilities_so_a_rebuild_classifies_nothing():
    class Counting(LinearEventTyper):
        calls = 0

        def probabilities(self, texts):
            Counting.calls += len(texts)
            return super().probabilities(texts)

    typer, codings = Counting(), ArticleCodings()
    coder = codings.coder("v3")
    a, b = article("a", STRIKE_A, source="One"), article("b", STRIKE_B, source="Two")
    first = build_record("E1", [a, b], typer=typer, coder=coder)
    before = Counting.calls
    again = build_record("E1", [a, b], typer=typer, coder=coder)
    assert Counting.calls == before and again == first
    assert first == build_record("E1", [a, b], typer=LinearEventTyper.bundled())
