"""An event's comparison built one report at a time with a remembered alignment equals the one built from nothing."""

from __future__ import annotations

import dataclasses
import json

import pytest

from support import FLOOD_A, FLOOD_B
from test_compare import article
from test_record_tally import allsides, mentions_of
from storyline.engine.records import RecordBuilder, alignments
from storyline.model import Relay
from storyline.pipeline.compare import FactsComparer, FactsComparerV2, FactsComparerV3, FactsComparerV4
from storyline.pipeline.compare.memory import Alignment
from storyline.pipeline.embed import HashingEmbedder

EMBEDDER = HashingEmbedder()


def grown(comparer, articles, mentions=None, relays=(), memory=None):
    """The comparison after each arrival, built with one alignment, and the alignment."""
    memory = memory or Alignment()
    return [comparer.compare("E1", articles[:n], mentions or {}, relays, EMBEDDER, memory).to_dict()
            for n in range(1, len(articles) + 1)], memory


def batch(comparer, articles, mentions=None, relays=()):
    return comparer.compare("E1", articles, mentions or {}, relays, EMBEDDER).to_dict()


def contested(comparison) -> int:
    return sum(f["status"] == "contested" for f in comparison["facts"])


@pytest.mark.parametrize("version", [FactsComparerV3, FactsComparerV4], ids=["v3", "v4"])
def test_allsides_reports_forced_into_one_event_give_the_batch_comparison_at_every_arrival(version):
    articles, _ = allsides(46)  # past 40 reports a report gives at most 12 claims: the event aligns afresh once
    mentions = {a.id: mentions_of(a) for a in articles}
    comparer = version()
    steps, memory = grown(comparer, articles, mentions)
    for n, step in enumerate(steps, 1):
        assert step == batch(comparer, articles[:n], mentions), n
    assert contested(steps[-1]) >= 1 and len(steps[-1]["facts"]) > 100
    assert memory.recounts == 1  # the cap on claims at 41 reports
    assert memory.relabels >= 1  # a new word changed the compound an earlier word ends with, and was handled in place


def contested_event():
    """Reports of one bombing: tolls that differ, one that agrees, a relayed report, a denial, another fact."""
    return [
        article("a", "Reuters", "Five people were killed in a bombing at the central market of Kabul on Wednesday.",
                "The Taliban claimed responsibility for the attack on the market."),
        article("b", "AP", "Seven people were killed in a bombing at the central market of Kabul on Wednesday.",
                "Police sealed off the area around the central market after the blast."),
        article("c", "Outlet C", "Five people were killed in a bombing at the central market in Kabul on Wednesday, Reuters said.",
                "The Taliban denied responsibility for the attack on the market."),
        article("d", "Outlet D", "Twelve people were wounded in the bombing at the Kabul market on Wednesday.",
                "Police sealed off the area around the market after the explosion on Wednesday."),
        article("e", "Outlet E", "Seven people died when a bomb exploded at the central market of Kabul on Wednesday.",
                "Hospitals in Kabul received the wounded from the market bombing."),
    ]


@pytest.mark.parametrize("version", [FactsComparer, FactsComparerV2, FactsComparerV3, FactsComparerV4],
                         ids=["v1", "v2", "v3", "v4"])
def test_an_event_with_contested_tolls_grown_one_report_at_a_time_equals_its_batch_comparison(version):
    articles = contested_event()
    relays = (Relay("reuters", "Reuters", ("a", "c")),)
    steps, memory = grown(version(), articles, relays=relays)
    for n, step in enumerate(steps, 1):
        assert step == batch(version(), articles[:n], relays=relays), n
    assert contested(steps[-1]) >= 1
    assert memory.recounts == 0


def test_a_report_that_changes_or_leaves_makes_the_event_align_afresh_and_the_comparison_stays_the_batch_one():
    articles = contested_event()
    comparer, memory = FactsComparerV3(), Alignment()
    for n in range(1, 5):
        comparer.compare("E1", articles[:n], {}, (), EMBEDDER, memory)
    changed = [articles[0], dataclasses.replace(articles[1], text=articles[1].text.replace("Seven", "Nine")), *articles[2:4]]
    assert comparer.compare("E1", changed, {}, (), EMBEDDER, memory).to_dict() == batch(comparer, changed)
    assert memory.recounts == 1
    left = [articles[0], *articles[2:]]
    assert comparer.compare("E1", left, {}, (), EMBEDDER, memory).to_dict() == batch(comparer, left)
    assert memory.recounts == 2
    relayed = (Relay("reuters", "Reuters", ("a", "c")),)  # another upstream for a report already aligned
    assert comparer.compare("E1", left, {}, relayed, EMBEDDER, memory).to_dict() == batch(comparer, left, relays=relayed)
    assert memory.recounts == 3
    assert comparer.compare("E1", left, {}, relayed, EMBEDDER, memory).to_dict() == batch(comparer, left, relays=relayed)
    assert memory.recounts == 3  # nothing new: nothing aligned again
    other = FactsComparerV2()  # another comparer aligns afresh
    assert other.compare("E1", left, {}, (), EMBEDDER, memory).to_dict() == batch(other, left)
    assert memory.recounts == 4


def test_a_word_that_changes_an_earlier_words_compound_rescores_its_claims_in_place():
    first = article("a", "Reuters", "The hotline for the families of the miners opened on Monday in the valley town.")
    second = article("b", "AP", "Rescuers said a line for the families of the trapped miners opened on Monday.")
    comparer = FactsComparerV3()
    steps, memory = grown(comparer, [first, second])
    assert memory.relabels == 1 and memory.recounts == 0  # "line" is now the word "hotline" ends with
    assert steps[-1] == batch(comparer, [first, second])


def test_the_engine_keeps_an_alignment_per_event_and_stores_the_comparison_a_build_from_nothing_gives(fake_engine):
    engine = fake_engine()
    later = FLOOD_B | {"id": "flood-later", "source": "Later Post", "text": FLOOD_B["text"].replace("two", "five")}
    for item in (FLOOD_A, FLOOD_B, later):
        engine.ingest_records([item])
    event_id = engine.store.event_of_article(FLOOD_A["id"])
    articles = engine.store.articles(engine.store.event_members(event_id))
    assert len(articles) >= 2
    fresh = RecordBuilder(engine.store, engine.records.components).compare(event_id, articles)
    assert engine.store.comparison(event_id) == json.loads(json.dumps(fresh.to_dict()))
    memory = engine.records.alignments.of(event_id, engine.records.components.get("comparer"))
    assert memory.size == len([a for a in articles if not a.duplicate_of]) and memory.recounts == 0


def test_the_alignments_of_the_events_compared_longest_ago_are_forgotten():
    comparer = FactsComparerV3()
    articles = contested_event()
    probe = Alignment()
    comparer.compare("E0", articles[:2], {}, (), EMBEDDER, probe)
    kept = alignments(limit=2 * probe.cells)  # room for two such events
    for event in ("E1", "E2", "E3"):
        comparer.compare(event, articles[:2], {}, (), EMBEDDER, kept.of(event, comparer))
    kept.of("E4", comparer)
    assert kept.of("E3", comparer).size == 2  # the latest stay
    assert kept.of("E1", comparer).size == 0  # forgotten: aligned afresh next time
