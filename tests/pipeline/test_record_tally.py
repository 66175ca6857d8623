"""An event's ballots kept between builds (record/tally.py): adding each new report's votes gives the batch record."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from pathlib import Path

import pytest

from support import FLOOD_A, FLOOD_B
from storyline.engine.records import ArticleCodings, RecordBuilder, StoredAnalyses, Tallies
from storyline.model import GeoPrecision, Mention, Place, RawRecord
from storyline.pipeline.dates import date_mentions
from storyline.pipeline.normalise import to_article
from storyline.pipeline.record.build import build_record
from storyline.pipeline.record.eventtype import LinearEventTyper, combine, find_triggers
from storyline.pipeline.record.kind import KindCoding, LinearKindTyper
from storyline.pipeline.record.tally import Tally
from storyline.pipeline.recorder import GeneralNewsRecorder

_ROOT = Path(__file__).resolve().parents[2]
#: ../shared/data beside the checkout (or beside the folder of worktrees)
ALLSIDES = next((p / "shared" / "data" / "clustering" / "allsides_dev.jsonl" for p in (_ROOT.parent, _ROOT.parent.parent)
                 if (p / "shared" / "data" / "clustering" / "allsides_dev.jsonl").exists()),
                _ROOT.parent / "shared" / "data" / "clustering" / "allsides_dev.jsonl")
#: countries the hand-made geoparser below resolves (name -> code), and a city in one of them
COUNTRIES = {"Afghanistan": "AF", "Syria": "SY", "Russia": "RU", "Iran": "IR", "Ukraine": "UA", "China": "CN", "Israel": "IL"}
CITIES = {"Kabul": ("AF", "Afghanistan", "13"), "Damascus": ("SY", "Syria", "13"), "Kyiv": ("UA", "Ukraine", "12")}
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)?\b")


def mentions_of(article) -> list[Mention]:
    """Capitalised runs: two words a PERSON, one word a PERSON or an ORG by its length (so names decide labels)."""
    out = []
    for m in _CAPITALISED.finditer(article.text):
        label = "PERSON" if " " in m.group() or len(m.group()) % 2 else "ORG"
        out.append(Mention(article.id, m.start(), m.end(), m.group(), label, m.group().lower()))
    return out


def places_of(article) -> list[Place]:
    out = []
    for name, code in COUNTRIES.items():
        for m in re.finditer(rf"\b{name}\b", article.text):
            out.append(Place(article.id, m.start(), m.end(), name, name, len(name), 10.0, 20.0, code, name, None, "PCLI",
                             GeoPrecision.COUNTRY, 0.9))
    for name, (code, country, admin1) in CITIES.items():
        for m in re.finditer(rf"\b{name}\b", article.text):
            out.append(Place(article.id, m.start(), m.end(), name, name, 100 + len(name), 11.0, 21.0, code, country, admin1,
                             "PPLC", GeoPrecision.CITY, 0.8))
    return out


def allsides(n: int):
    with ALLSIDES.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in itertools.islice(f, n)]
    return [to_article(RawRecord(str(ALLSIDES), i + 1, row)) for i, row in enumerate(rows)], rows


def grown_one_by_one(articles, **kw):
    """The record after each arrival, built with one tally, and the tally."""
    tally = Tally()
    return [build_record("E1", articles[:n], tally=tally, **kw) for n in range(1, len(articles) + 1)], tally


class KeywordTyper:
    name = "eventtype.test-keyword.v1"

    def classify(self, texts):
        return [combine("Air/drone strike" if "strike" in t.lower() else "Armed clash", 0.8, find_triggers(t)) for t in texts]


def article(id_, text, source, title=None):
    return to_article(RawRecord("test", 1, {"id": id_, "text": text, "date": "2022-06-18", "source": source, "title": title}))


needs_allsides = pytest.mark.skipif(not ALLSIDES.exists(), reason="the AllSides dev file is not here")


@needs_allsides
@pytest.mark.parametrize("events", [("5740",), ("5741", "5742"), ("5743", "5744", "5745")])
def test_an_allsides_event_built_one_report_at_a_time_equals_its_batch_record(events):
    articles, rows = allsides(120)
    mine = [a for a, row in zip(articles, rows) if row["event"] in events]
    assert len(mine) >= 3
    mentions = {a.id: mentions_of(a) for a in mine}
    places = {a.id: places_of(a) for a in mine}
    typer, kinds = LinearEventTyper.bundled(), LinearKindTyper.bundled()
    kw = dict(mentions=mentions, places=places, typer=typer, kinds=kinds)
    grown, tally = grown_one_by_one(mine, **kw)
    for n, record in enumerate(grown, start=1):
        assert record == build_record("E1", mine[:n], **kw), f"after {n} reports"
    assert tally.counted == len(mine)


@needs_allsides
def test_forty_allsides_reports_with_mentions_and_places_give_the_batch_record_at_every_arrival():
    articles, _ = allsides(40)
    mentions = {a.id: mentions_of(a) for a in articles}
    places = {a.id: places_of(a) for a in articles}
    codings = ArticleCodings()
    typer, kinds = LinearEventTyper.bundled(), codings.kinds(LinearKindTyper.bundled())
    kw = dict(mentions=mentions, places=places, typer=typer, kinds=kinds, coder=codings.coder("v3"))
    grown, tally = grown_one_by_one(articles, **kw)
    batch = [build_record("E1", articles[:n], mentions, places, typer, kinds=LinearKindTyper.bundled())
             for n in (10, 25, 40)]
    assert [grown[9], grown[24], grown[39]] == batch
    # the hand-made PERSON mentions make new names appear: some arrivals recount, most only add
    assert 0 < tally.recounts < len(articles) - 1


@needs_allsides
def test_without_mentions_every_arrival_only_adds_its_votes():
    articles, _ = allsides(30)
    typer = LinearEventTyper.bundled()
    grown, tally = grown_one_by_one(articles, typer=typer, kinds=LinearKindTyper.bundled())
    assert tally.recounts == 0 and tally.counted == 30
    assert grown[-1] == build_record("E1", articles, typer=typer, kinds=LinearKindTyper.bundled())


def test_a_report_that_changes_or_leaves_makes_the_event_recount_and_the_record_stays_the_batch_one():
    typer = KeywordTyper()
    a = article("a", "On Wednesday, Russian jets carried out an airstrike in Syria. Two guards were killed.", "One")
    b = article("b", "Russia conducted an air strike in Syria on Wednesday, officials said.", "Two")
    c = article("c", "Fighters clashed near Damascus on Tuesday; three people were killed.", "Three")
    tally = Tally()
    places = {x.id: places_of(x) for x in (a, b, c)}
    assert build_record("E1", [a, b, c], places=places, typer=typer, tally=tally) == build_record("E1", [a, b, c], places=places, typer=typer)
    assert tally.recounts == 0
    # b leaves
    assert build_record("E1", [a, c], places=places, typer=typer, tally=tally) == build_record("E1", [a, c], places=places, typer=typer)
    assert tally.recounts == 1
    # a's places change (a toponym resolved later); c is regrouped (it relays One's report)
    moved = {**places, "a": []}
    assert (build_record("E1", [a, c, b], places=moved, typer=typer, tally=tally)
            == build_record("E1", [a, c, b], places=moved, typer=typer))
    assert tally.recounts == 2
    groups = {"c": "One"}
    assert (build_record("E1", [a, c, b], places=moved, typer=typer, groups=groups, tally=tally)
            == build_record("E1", [a, c, b], places=moved, typer=typer, groups=groups))
    assert tally.recounts == 3
    # another typer counts afresh
    other = KeywordTyper()
    assert build_record("E1", [a, c, b], typer=other, tally=tally) == build_record("E1", [a, c, b], typer=other)


class FixedKinds:
    """A kind typer reading "economy" in texts that say "market", "conflict" otherwise."""

    name = "kind.test-fixed.v1"
    classes = ["conflict", "economy"]

    def classify(self, texts):
        out = []
        for t in texts:
            p = {"conflict": 0.1, "economy": 0.9} if "market" in t.lower() else {"conflict": 0.9, "economy": 0.1}
            best = max(p, key=p.get)
            out.append(KindCoding(best, p[best], best, p))
        return out


def test_a_change_of_the_event_kind_recounts_and_a_new_name_that_relabels_an_earlier_report_recounts():
    typer, kinds = KeywordTyper(), FixedKinds()
    a = article("a", "Protesters marched in Kabul on Monday against Moderna.", "One")
    b = article("b", "Crowds protested in Kabul on Monday.", "Two")
    c = article("c", "Stock market traders sold shares of Moderna on Monday.", "Three")
    d = article("d", "Another market fell on Monday, market traders said.", "Four")
    f = article("f", "The market closed lower on Monday.", "Six")
    g = article("g", "Market traders in Kabul sold on Monday.", "Seven")
    e = article("e", "Dr. Moderna spoke at the market on Monday.", "Five")
    order = [a, b, c, d, f, g, e]
    mentions = {x.id: mentions_of(x) for x in order}
    kw = dict(mentions=mentions, typer=typer, kinds=kinds)
    tally, recounts = Tally(), []
    for n in range(1, len(order) + 1):
        assert build_record("E1", order[:n], tally=tally, **kw) == build_record("E1", order[:n], **kw), f"after {n} reports"
        recounts.append(tally.recounts)
    # the fifth report tips the kind from conflict to economy (another scope); the sixth writes no new name and only
    # adds its votes; the seventh writes "Dr. Moderna", which makes the one-word "Moderna" of a and c a person's name
    assert recounts == [0, 0, 0, 0, 1, 1, 2]
    assert [build_record("E1", order[:n], **kw).get("kind") for n in (4, 5)] == ["conflict", "economy"]


def test_the_engine_forgets_the_tallies_of_the_events_built_longest_ago():
    tallies, recorder = Tallies(limit=3), object()
    first = tallies.of("E1", recorder)
    first.members.extend([None, None, None])  # as if built from three reports
    assert tallies.of("E1", recorder) is first
    second = tallies.of("E2", recorder)
    second.members.extend([None, None])
    tallies.of("E3", recorder)  # E1 and E2 hold five reports: E1, built longest ago, is forgotten
    assert tallies.of("E2", recorder) is second
    assert tallies.of("E1", recorder) is not first


def test_each_recorder_has_its_own_tally_of_an_event():
    tallies, one, other = Tallies(), object(), object()
    assert tallies.of("E1", one) is not tallies.of("E1", other)
    assert tallies.of("E1", one) is tallies.of("E1", one)


def test_the_tally_keeps_only_the_votes_cast_when_enclosing_places_agree():
    typer = KeywordTyper()
    a = article("a", "Fighters clashed in Kabul on Monday, killing two.", "One")
    b = article("b", "Fighters clashed in Afghanistan on Monday.", "Two")
    c = article("c", "Fighting broke out in Afghanistan on Monday.", "Three")
    places = {x.id: places_of(x) for x in (a, b, c)}
    tally = Tally()
    for n in (2, 3):
        record = build_record("E1", [a, b, c][:n], places=places, typer=typer, tally=tally)
        assert record == build_record("E1", [a, b, c][:n], places=places, typer=typer)
    # the record: Kabul, in Afghanistan, agrees with the two reports saying Afghanistan and wins as the more specific
    assert record.get("place") == "Kabul" and "stated by 3 of 3" in record.fields["place"].note
    # the ballots still hold what each report voted (the agreement is drawn on copies at each build)
    voted = {c.value: c.groups for c in tally.ballots["place"].candidates.values()}
    assert voted == {"Kabul": {"One"}, "Afghanistan": {"Two", "Three"}}


def test_an_engine_ingesting_one_report_at_a_time_stores_the_record_a_build_from_nothing_gives(fake_engine):
    engine = fake_engine()
    wire = FLOOD_A | {"id": "flood-wire", "source": "Wire Service", "text": "(Wire Service) " + FLOOD_A["text"]}
    later = FLOOD_B | {"id": "flood-later", "source": "Later Post"}
    for item in (FLOOD_A, FLOOD_B, wire, later):
        engine.ingest_records([item])
    event_id = engine.store.event_of_article(FLOOD_A["id"])
    members = engine.store.event_members(event_id)
    assert len(members) >= 3
    articles = engine.store.articles(members)
    fresh = RecordBuilder(engine.store, engine.records.components).build(event_id, articles)
    assert engine.store.record(event_id) == json.loads(json.dumps(dataclasses.asdict(fresh)))
    tally = engine.records.tallies.of(event_id, engine.records.components.get("recorder"))
    assert tally.counted == len([a for a in articles if not a.duplicate_of]) and tally.recounts == 0  # each arrival added its votes


def test_a_background_record_coded_with_remembered_codings_equals_one_coded_afresh():
    text = ("On Wednesday, troops struck a base near the border. "
            "In February 2018 fighters of a mercenary group attacked US forces in eastern Syria. "
            "The base has been used since 2016.")
    a = article("a", text, "One")
    dates = date_mentions(a.id, a.text, a.published)
    recorder, codings, typer = GeneralNewsRecorder(), ArticleCodings(), KeywordTyper()
    args = ("E1", [a], {"a": dates}, {}, {}, typer)
    remembered = recorder.build(*args, coder=codings.coder(recorder.name), tally=Tally())
    assert remembered == recorder.build(*args)
    # the report and its one background episode, each coded once and remembered
    assert len(remembered.background) == 1 and codings.misses == 2
    assert recorder.build(*args, coder=codings.coder(recorder.name), tally=Tally()) == remembered
    assert (codings.misses, codings.hits) == (2, 2)


def test_stored_mentions_and_places_are_read_once_per_article_and_text(fake_engine):
    engine = fake_engine()
    engine.ingest_records([FLOOD_A, FLOOD_B])
    stored, reads = StoredAnalyses(engine.store, limit=1), []
    real = engine.store.mentions
    engine.store.mentions = lambda article_id: reads.append(article_id) or real(article_id)
    (a,) = engine.store.articles([FLOOD_A["id"]])
    first, _ = stored.of([a])
    again, _ = stored.of([a])
    assert reads == [a.id] and again[a.id] is first[a.id] and list(first[a.id]) == real(a.id) and first[a.id]
    stored.of([dataclasses.replace(a, fingerprint="another text")])  # another text under the id: read again
    (b,) = engine.store.articles([FLOOD_B["id"]])
    stored.of([b])  # past the limit the oldest is forgotten
    stored.of([a])
    assert reads == [a.id, a.id, b.id, a.id]
