"""Link: events attach to stories with a looser rule over a longer window."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from storyline.pipeline.cluster import EventState, Vocabulary
from storyline.pipeline.link import StoryLinker, StoryState

DAY = dt.date(2023, 3, 6)


def event(eid, vector, start=DAY, days=0, entities=("marlow", "thames"), terms=("flood", "river")):
    v = np.zeros(4, dtype=np.float32)
    v[: len(vector)] = vector
    return EventState(
        eid, v, size=1, first_date=start, last_date=start + dt.timedelta(days=days),
        entities=Counter(entities), terms=Counter(terms), members=[f"{eid}-a"],
    )


def vocab():
    v = Vocabulary()
    v.add(["marlow", "thames", "reykjavik"])
    return v


def test_event_without_candidates_starts_story_s1():
    linker = StoryLinker()
    first = event("E1", [1])

    decision = linker.link(first, [], vocab(), vocab())

    assert (decision.subject_id, decision.target_id, decision.action) == ("E1", "S1", "new")
    assert first.story_id == "S1" and linker.stories["S1"].events == [first]
    assert "no story with a similar article within 45 days" in decision.explanation


def test_similar_event_joins_the_candidate_story():
    linker = StoryLinker()
    linker.link(event("E1", [1]), [], vocab(), vocab())
    follow_up = event("E2", [1, 0.1], DAY + dt.timedelta(days=10))

    decision = linker.link(follow_up, ["S1", "S1"], vocab(), vocab())

    assert (decision.action, decision.target_id, follow_up.story_id) == ("join", "S1", "S1")
    assert decision.explanation.startswith("joined story S1") and "10 days apart" in decision.explanation
    assert [e.id for e in linker.stories["S1"].events] == ["E1", "E2"]


def test_dissimilar_event_starts_a_new_story_naming_the_best_candidate():
    linker = StoryLinker()
    linker.link(event("E1", [1]), [], vocab(), vocab())

    decision = linker.link(event("E2", [0, 1], entities=("reykjavik",), terms=("chess",)), ["S1"], vocab(), vocab())

    assert (decision.action, decision.target_id) == ("new", "S2")
    assert "best candidate S1" in decision.explanation


def test_story_outside_the_window_is_not_a_candidate():
    linker = StoryLinker(window_days=45)
    linker.link(event("E1", [1]), [], vocab(), vocab())

    decision = linker.link(event("E2", [1], DAY + dt.timedelta(days=46)), ["S1"], vocab(), vocab())

    assert (decision.action, decision.features) == ("new", {})


def test_unknown_story_ids_are_ignored_and_numbering_restores():
    linker = StoryLinker()
    old = event("E4", [1])
    old.story_id = "S4"
    linker.restore([StoryState("S4", [old])], 5)

    assert linker.link(event("E5", [0, 1], entities=(), terms=()), ["S99"], vocab(), vocab()).target_id == "S5"
    assert linker.link(event("E6", [1]), ["S4"], vocab(), vocab()).target_id == "S4"


def test_story_dates_and_centroid_come_live_from_its_events():
    story = StoryState("S1", [event("E1", [1], DAY, 2), event("E2", [0, 1], DAY + dt.timedelta(days=9))])
    assert (story.first_date, story.last_date) == (DAY, DAY + dt.timedelta(days=9))
    assert np.allclose(story.centroid(), np.array([1, 1, 0, 0]) / np.sqrt(2))
    assert story.counter("entities") == Counter({"marlow": 2, "thames": 2})
    assert StoryState("S2").first_date is None


def test_running_totals_follow_events_that_grow_shrink_and_leave():
    from storyline.pipeline.cluster.features import ClusterItem

    first, second = event("E1", [1], DAY), event("E2", [0, 1], DAY + dt.timedelta(days=3), entities=("oslo",))
    story = StoryState("S1", [first, second])
    assert story.totals().entities == Counter({"marlow": 1, "thames": 1, "oslo": 1})
    item = ClusterItem("E2-b", DAY + dt.timedelta(days=20), np.array([0, 0, 1, 0], dtype=np.float32),
                       frozenset({"bergen"}), frozenset(), {"storm": 1.0}, frozenset())
    second.add(item)
    story.refresh(second)
    assert story.last_date == DAY + dt.timedelta(days=20)
    assert "bergen" in story.totals().entities and "storm" in story.totals().terms
    assert np.allclose(story.centroid(), np.array([1, 1, 1, 0]) / np.sqrt(3))
    story.events = [first]
    assert story.totals().entities == Counter({"marlow": 1, "thames": 1})
    story.append(second)
    story.drop(["E2"])
    assert [e.id for e in story.events] == ["E1"] and story.totals().articles == 1
    assert (story.first_date, story.last_date) == (DAY, DAY)
    assert np.allclose(story.centroid(), [1, 0, 0, 0])
    assert story.holds(first) and not story.holds(second)


def test_story_centroid_does_not_depend_on_event_order():
    rng = np.random.default_rng(3)
    events = [event(f"E{i}", rng.normal(size=4).astype(np.float32)) for i in range(50)]
    forward, backward = StoryState("S1", list(events)), StoryState("S1", list(reversed(events)))
    assert forward.centroid().tobytes() == backward.centroid().tobytes()


def test_story_overlap_equals_the_weighted_overlap_for_small_and_big_stories():
    from storyline.pipeline.cluster.features import weighted_overlap
    from storyline.pipeline.link import story_overlap

    v = Vocabulary()
    for doc in (["a", "b"], ["a", "c"], ["d"], ["a"]):
        v.add(doc)
    small, big = Counter({"a": 1, "z": 2}), Counter({f"k{i}": 1 for i in range(30)} | {"a": 1})
    for item in (["a", "b", "c", "d"], ["a"], ["q"]):
        for keys in (small, big):
            assert story_overlap(item, keys, v) == weighted_overlap(item, keys, v)


def _random_vocab(rng, n_keys=300, docs=400):
    v = Vocabulary()
    for _ in range(docs):
        v.add(f"k{int(k)}" for k in rng.integers(0, n_keys, int(rng.integers(1, 30))))
    return v


def test_story_overlap_is_the_very_float_of_weighted_overlap_on_random_items_and_stories():
    from storyline.pipeline.cluster.features import weighted_overlap
    from storyline.pipeline.link import story_overlap

    rng = np.random.default_rng(11)
    v = _random_vocab(rng)
    sides = {"small": 0, "big": 0}
    for _ in range(400):
        keys = [f"k{int(k)}" for k in rng.integers(0, 330, int(rng.integers(1, 40)))]  # some unseen keys
        story = Counter(f"k{int(k)}" for k in rng.integers(0, 330, int(rng.choice([3, 30, 300, 3000]))))
        item = rng.choice(["list", "set", "counter"])
        item = keys if item == "list" else set(keys) if item == "set" else Counter(keys)
        sides["big" if len(story) >= v.total(set(keys)) else "small"] += 1
        assert story_overlap(item, story, v) == weighted_overlap(item, story, v)
    assert min(sides.values()) > 20  # both sides of the shortcut were compared
    assert story_overlap([], Counter({"k1": 1}), v) == 0.0 and story_overlap(["k1"], Counter(), v) == 0.0


def test_linking_a_stream_decides_as_the_plain_weighted_overlap_does(monkeypatch):
    from storyline.pipeline import link
    from storyline.pipeline.cluster.features import weighted_overlap

    class Plain:  # the overlap with the story's keys as a plain Counter, summed key by key
        def __init__(self, item, vocab):
            self.item, self.vocab = list(item), vocab

        def overlap(self, keys):
            return weighted_overlap(self.item, Counter(dict(keys.items())), self.vocab)

    def stream():
        rng = np.random.default_rng(5)
        linker, decisions = StoryLinker(threshold=0.35), []
        entity_vocab, term_vocab = _random_vocab(rng, 60), _random_vocab(rng, 300)
        for i in range(150):
            e = event(f"E{i}", rng.normal(size=4).astype(np.float32), DAY + dt.timedelta(days=int(rng.integers(0, 60))),
                      entities=[f"k{int(k)}" for k in rng.integers(0, 60, 6)],
                      terms=[f"k{int(k)}" for k in rng.integers(0, 300, 25)])
            decisions.append(linker.link(e, list(linker.stories), entity_vocab, term_vocab))
            story = linker.stories[e.story_id]
            if i % 7 == 6 and len(story.events) > 2:  # an event leaves its story now and then
                story.drop([story.events[int(rng.integers(0, len(story.events)))].id])
            for story in linker.stories.values():  # the running key counts: how many events hold each key
                for name in ("entities", "terms"):
                    holding = Counter(k for member in story.events for k in set(getattr(member, name)))
                    assert dict(getattr(story.totals(), name).items()) == holding
        return decisions

    fast = stream()
    monkeypatch.setattr(link, "Weighed", Plain)
    plain = stream()
    assert fast == plain  # the same actions, stories, scores and features, to the last bit
    assert {d.action for d in fast} == {"join", "new"}


def test_linker_refresh_takes_in_the_changes_of_the_events_a_batch_touched():
    linker = StoryLinker()
    first = event("E1", [1])
    linker.link(first, [], vocab(), vocab())
    totals = linker.stories["S1"].totals()
    first.members.append("E1-copy")  # a duplicate joined: no new vector sum
    first.sources["Herald"] += 1
    assert totals.articles == 1
    linker.refresh([first, event("E9", [1])])  # an event of no story is ignored
    assert totals.articles == 2 and "Herald" in totals.sources
