"""What makes the clusterer cheaper: IDF totals computed once, weights per batch (v4), a bounded second pass (v4)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from storyline import registry
from storyline.pipeline.cluster import ClusterItem, OnlineClusterer, Params, Vocabulary
from storyline.pipeline.cluster.features import EventState, novel_share, tfidf_cosine, weighted_overlap
from storyline.settings import Options, load_options

DAY = dt.date(2023, 3, 6)
JOIN_ALL = Params({}, bias=10.0)
#: hand-set: similar vectors and no conflicting persons join
SECOND = Params({"cos_centroid": 8.0, "person_conflict": -6.0}, bias=-5.0)


def unit(*values):
    v = np.zeros(8, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def person_item(key, vector, person, terms=("report",)):
    return ClusterItem(key, DAY, vector, frozenset({person, "court"}), frozenset(), {t: 1.0 for t in terms},
                       frozenset({f"p:{person}"}))


def test_a_batched_vocabulary_keeps_its_weights_until_it_is_committed():
    vocab = Vocabulary(batched=True)
    vocab.add(["rare", "common"])
    vocab.commit()
    before = (vocab.documents, vocab.idf("rare"), vocab.idf("common"))
    vocab.add(["common"])
    vocab.add(["common", "new"])
    assert (vocab.documents, vocab.idf("rare"), vocab.idf("common")) == before
    assert vocab.pending_documents == 2 and vocab.pending["common"] == 2

    vocab.commit()

    assert vocab.documents == 3 and vocab.df == {"rare": 1, "common": 3, "new": 1} and not vocab.pending
    assert vocab.idf("rare") > before[1] and vocab.idf("common") < vocab.idf("rare")
    plain = Vocabulary()
    for keys in (["rare", "common"], ["common"], ["common", "new"]):
        plain.add(keys)
    assert all(plain.idf(k) == vocab.idf(k) for k in ("rare", "common", "new"))


def test_features_with_the_items_totals_computed_once_equal_those_of_the_plain_functions():
    clusterer = OnlineClusterer(JOIN_ALL, threshold=0.5, window_days=7)
    for n, keys in enumerate((["a", "b"], ["b", "c"], ["c", "d", "e"])):
        clusterer.entity_vocab.add(keys)
        clusterer.term_vocab.add(keys)
    event = EventState("E1", unit(1, 1))
    event.add(ClusterItem("x", DAY, unit(1), frozenset({"a", "c"}), frozenset(), {"a": 1.0, "c": 1.7}))
    item = ClusterItem("y", DAY, unit(1, 0.5), frozenset({"a", "b", "e"}), frozenset(), {"a": 1.3, "b": 1.0, "e": 2.0})

    for _ in range(2):  # the second time, after the weights changed: the memo must not answer with stale totals
        got = clusterer.features(item, event, 0.5)
        entities, terms = clusterer.entity_vocab, clusterer.term_vocab
        assert got["entities"] == weighted_overlap(item.entities, event.entities, entities)
        assert got["entities_new"] == novel_share(item.entities, event.entities, entities)
        assert got["terms"] == weighted_overlap(item.terms, event.terms, terms)
        assert got["tfidf"] == tfidf_cosine(item.terms, event.terms, terms)
        entities.add(["a", "z"])
        terms.add(["b"])


def test_v4_scores_a_batch_with_the_weights_of_its_start_and_counts_the_batch_at_the_second_pass():
    clusterer = registry.create("clusterer.online.v4", Options({"event_threshold": 0.5, "event_window_days": 7,
                                                                "event_memory": 100}))
    assert clusterer.name == "clusterer.online.v4" and clusterer.memory == 100
    clusterer.assign(person_item("a", unit(1), "reid"), [])
    clusterer.assign(person_item("b", unit(1, 0.1), "reid"), [("a", 0.99)])
    assert clusterer.entity_vocab.documents == 0 and clusterer.entity_vocab.pending_documents == 2

    clusterer.refine()

    assert clusterer.entity_vocab.documents == clusterer.term_vocab.documents == 2
    assert clusterer.entity_vocab.df["reid"] == 2


def test_v3_stays_the_default_clusterer_and_counts_every_article_at_once():
    assert load_options(environ={}).clusterer == "clusterer.online.v3"
    clusterer = registry.create("clusterer.online.v3", Options({"event_threshold": 0.5, "event_window_days": 7,
                                                                "event_memory": 100}))
    clusterer.assign(person_item("a", unit(1), "reid"), [])
    assert clusterer.entity_vocab.documents == 1


class Counting(OnlineClusterer):
    """Counts the features it computes (the work of a pass)."""

    computed = 0

    def features(self, item, event, cos_max):
        self.computed += 1
        return super().features(item, event, cos_max)


def _mixed(bounded: bool) -> Counting:
    """An event of two persons' reports, which the second pass splits."""
    clusterer = Counting(JOIN_ALL, threshold=0.5, window_days=7, memory=100)
    clusterer.bounded_refine = bounded
    clusterer.assign(person_item("a", unit(1), "reid"), [])
    for key, vector, person in (("b", unit(1, 0.1), "reid"), ("c", unit(0, 1), "lohan"), ("d", unit(0.1, 1), "lohan")):
        clusterer.assign(person_item(key, vector, person), [("a", 0.9)])
    clusterer.params = SECOND
    return clusterer


def test_a_bounded_second_pass_splits_as_the_full_one_and_leaves_events_no_article_touched_since():
    everything, bounded = _mixed(False), _mixed(True)
    first = [[(d.action, d.subject_id, d.target_id) for d in c.refine().decisions] for c in (everything, bounded)]
    assert first[0] == first[1] and "split" in [d[0] for d in first[0]]
    assert everything.event_of == bounded.event_of and bounded.event_of["c"] != bounded.event_of["a"]

    everything.computed = bounded.computed = 0
    assert everything.refine().decisions == bounded.refine().decisions == []
    assert everything.computed > 0 and bounded.computed == 0  # nothing new: the bounded pass does no work

    bounded.assign(person_item("e", unit(1, 0.05), "reid"), [("a", 0.95)])
    bounded.computed = 0
    bounded.refine()
    assert bounded.computed > 0 and bounded.event_of["e"] == bounded.event_of["a"]


def test_weights_kept_by_frequency_are_the_very_floats_of_one_log_a_key():
    import math
    import random

    rng = random.Random(3)
    vocab = Vocabulary()
    words = [f"w{i}" for i in range(300)]
    for _ in range(120):
        vocab.add(rng.sample(words, 40))
    terms = {w: 1.0 + math.log(rng.randint(1, 9)) for w in rng.sample(words, 150)} | {"unseen": 2.0}

    def one_log(key):
        return math.log((1 + vocab.documents) / (1 + vocab.df.get(key, 0))) + 1.0

    assert [vocab.idf(k) for k in terms] == [one_log(k) for k in terms]
    assert vocab.total(terms) == math.fsum(one_log(k) for k in terms)
    assert vocab.norm(terms) == math.sqrt(math.fsum((w * one_log(t)) ** 2 for t, w in terms.items()))
    vocab.add(["w1", "new"])  # another number of documents: other weights
    assert vocab.idf("w1") == one_log("w1") and vocab.idf("new") == one_log("new")
