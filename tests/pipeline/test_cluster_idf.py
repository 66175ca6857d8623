"""The kept IDF sums (pipeline/cluster/idf.py) give the floats the key-by-key sums give."""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest

from storyline.pipeline.cluster.features import (EventState, Vocabulary, novel_share, tfidf_cosine,
                                                 weighted_overlap)
from storyline.pipeline.cluster.idf import FrequencyMirror, IdfProfile, kept_profile, mirror_of, overlaps

WORDS = [f"w{i}" for i in range(2500)]


def _event(rng: random.Random) -> EventState:
    event = EventState("E1", np.zeros(2))
    event.terms = Counter({w: 1.0 + rng.random() * 4 for w in rng.sample(WORDS, rng.randint(0, 700))})
    event.entities = Counter({w: rng.randint(1, 3) for w in rng.sample(WORDS, rng.randint(0, 60))})
    return event


@pytest.mark.parametrize("batched", [False, True])
def test_kept_totals_and_norms_are_the_key_by_key_floats_as_the_frequencies_move(batched):
    rng = random.Random(7 + batched)
    vocab = Vocabulary(batched)
    vocab.df.update({w: rng.randint(0, 4) for w in WORDS[:400]})  # loaded from a store, before first use
    vocab.documents = 30
    events: list[EventState] = []
    for step in range(250):
        vocab.add(rng.sample(WORDS[: rng.choice([500, 2500])], rng.randint(0, 90)))
        if batched and step % 9 == 0:
            vocab.commit()
        if step % 8 == 0:
            events.append(_event(rng))
        for event in rng.sample(events, min(6, len(events))):
            assert kept_profile(event, "entities", vocab).total() == vocab.total(event.entities)
            terms = kept_profile(event, "terms", vocab, True)
            assert terms.total() == vocab.total(event.terms)
            assert terms.norm() == vocab.norm(event.terms)
    mirror = vocab.mirror
    assert all(mirror.counts[mirror.ids[k]] == vocab.df.get(k, 0) for k in mirror.ids)
    assert len(mirror.ids) > 1024  # the array grew while counting


def test_a_frequency_beyond_the_weight_table_gets_its_own_weight(monkeypatch):
    monkeypatch.setattr(FrequencyMirror, "TABLE", 64)
    vocab = Vocabulary()
    vocab.df.update({f"k{i}": 3 * i for i in range(300)})
    vocab.documents = 1000
    weights = vocab.weights()
    mirror = mirror_of(vocab)
    at = mirror.index([f"k{i}" for i in (299, 0, 5, 21, 22, 150, 7)] + ["unseen"])
    assert mirror.weights_at(vocab, at).tolist() == [weights[d] for d in (897, 0, 15, 63, 66, 450, 21, 0)]
    profile = IdfProfile(vocab, {f"k{i}": 1.5 + i % 4 for i in range(300)}, True)
    assert profile.total() == vocab.total(f"k{i}" for i in range(300))
    assert profile.norm() == vocab.norm({f"k{i}": 1.5 + i % 4 for i in range(300)})


def test_an_event_that_gains_a_report_gets_a_profile_of_its_new_keys():
    vocab = Vocabulary()
    vocab.add(["a", "b", "c"])
    event = EventState("E1", np.zeros(2))
    event.terms = Counter({"a": 1.0})
    assert kept_profile(event, "terms", vocab, True).total() == vocab.total(["a"])
    from storyline.pipeline.cluster.features import ClusterItem
    event.add(ClusterItem("x", None, np.ones(2), terms={"b": 2.0, "c": 1.0}))
    vocab.add(["b"])
    assert kept_profile(event, "terms", vocab, True).total() == vocab.total(["a", "b", "c"])
    assert kept_profile(event, "terms", vocab, True).norm() == vocab.norm(event.terms)


def test_the_four_overlaps_are_the_floats_of_the_four_feature_functions():
    rng = random.Random(11)
    entity_vocab, term_vocab = Vocabulary(), Vocabulary()
    for _ in range(120):
        entity_vocab.add(rng.sample(WORDS[:300], rng.randint(0, 20)))
        term_vocab.add(rng.sample(WORDS, rng.randint(0, 150)))
    seen_nonzero = Counter()
    for case in range(300):
        event = _event(rng)
        if case % 10 == 0:
            event.terms = Counter()
        pool = WORDS[:300] if case % 3 else list(event.entities) + WORDS[:50]
        item_entities = frozenset(rng.sample(pool, min(len(pool), rng.randint(0, 12))))
        item_terms = {w: 1.0 + math.log(rng.randint(1, 6)) for w in rng.sample(WORDS[:900], rng.randint(0, 200))}
        entities = IdfProfile(entity_vocab, set(item_entities), False)
        terms = IdfProfile(term_vocab, item_terms, True)
        totals = (entities.total(), terms.total(), terms.norm())
        event_totals = (entity_vocab.total(event.entities), term_vocab.total(event.terms), term_vocab.norm(event.terms))
        got = overlaps(entities, terms, item_terms, event, totals, event_totals)
        want = (weighted_overlap(item_entities, event.entities, entity_vocab, event_totals[0], totals[0]),
                novel_share(item_entities, event.entities, entity_vocab, totals[0]),
                weighted_overlap(item_terms, event.terms, term_vocab, event_totals[1], totals[1]),
                tfidf_cosine(item_terms, event.terms, term_vocab, event_totals[2], totals[2]))
        assert got == want, case
        seen_nonzero.update(i for i, v in enumerate(want) if v)
        if case % 7 == 0:  # the frequencies move between cases
            term_vocab.add(rng.sample(WORDS, 40))
    assert all(seen_nonzero[i] > 50 for i in range(4))  # every feature was compared on real overlaps


def test_the_change_counter_and_the_mirror_follow_adds_and_commits():
    vocab = Vocabulary(batched=True)
    mirror = mirror_of(vocab)
    vocab.add(["a", "b"])
    vocab.add(["a"])
    assert vocab.version == 0 and mirror.counts[mirror.index(["a"])].tolist() == [0]  # waits for the commit
    vocab.commit()
    assert vocab.version == 1 and vocab.documents == 2
    assert mirror.counts[mirror.index(["a", "b", "c"])].tolist() == [2, 1, 0]
    vocab.commit()  # nothing pending: no change
    assert vocab.version == 1


def test_the_second_pass_keeps_a_view_of_the_same_reports_and_makes_one_of_changed_reports():
    from storyline.pipeline.cluster.features import ClusterItem
    from storyline.pipeline.cluster.online import OnlineClustererV3
    from storyline.pipeline.cluster.scoring import Logistic

    clusterer = OnlineClustererV3(Logistic({}, 0.0), memory=10)
    for key in ("a", "b", "c"):
        clusterer.items[key] = ClusterItem(key, None, np.ones(2), terms={key: 1.0})
    first = clusterer._view(["a", "b"])
    clusterer._views_before, clusterer._views = clusterer._views, {}  # the next pass
    assert clusterer._view(["a", "b"]) is first
    assert clusterer._view(["a", "c"]) is not first
    clusterer._views_before, clusterer._views = clusterer._views, {}
    clusterer.items["b"] = ClusterItem("b", None, np.ones(2), terms={"z": 1.0})  # a report remembered again
    again = clusterer._view(["a", "b"])
    assert again is not first and set(again.terms) == {"a", "z"}
