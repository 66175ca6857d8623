"""linker.continuation.v4: v3's score, and a story is no candidate for an event that does not continue its core."""

from __future__ import annotations

import datetime as dt


from storyline.pipeline.cluster.features import EventState
from storyline.pipeline.link import StoryState
from storyline.pipeline.link_v3 import LINK_FEATURES_V3
from storyline.pipeline.link_v4 import LINK_FEATURES_V4, CoreLinker, LinkParamsV4
from support import link_event, vocabulary


def event(id: str, vector, day: int, entities=(), terms=()) -> EventState:
    return link_event(id, vector, day, entities, terms, start=dt.date(2021, 8, 1))


vocab = vocabulary


def linker(**kw) -> CoreLinker:
    return CoreLinker(LinkParamsV4({"cos_max": 10.0}, bias=-5.0, threshold=0.5, **kw), window_days=45)


def drifting_story() -> StoryState:
    """Four events on a hurricane, the latest of which also names masks in schools."""
    hurricane = [event(f"E{i}", [1, 0.1 * i, 0], i, entities=("ida", "louisiana")) for i in range(1, 4)]
    return StoryState("S1", hurricane + [event("E4", [0.6, 0.8, 0], 4, entities=("ida", "masks", "schools"))])


def test_an_event_like_the_latest_but_naming_none_of_the_core_starts_a_story():
    lk = linker()
    story = drifting_story()
    lk.restore([story], 2)
    v = vocab(["ida", "louisiana"], ["ida", "louisiana"], ["ida", "louisiana"], ["ida", "masks", "schools"], ["masks"])
    masks = event("E5", [0.6, 0.8, 0], 5, entities=("masks", "schools"))
    assert lk.core(story, v, vocab()).entities == {"ida", "louisiana"}
    assert lk.link(masks, ["S1"], v, vocab()).action == "new"
    # the same event through v3's rule (no gate) joins: it is the latest event's twin
    ungated = linker(gate_events=0)
    ungated.restore([drifting_story()], 2)
    assert ungated.link(event("E5", [0.6, 0.8, 0], 5, entities=("masks", "schools")), ["S1"], v, vocab()).action == "join"


def test_an_event_continuing_the_core_joins_and_its_decision_reports_the_core():
    lk = linker()
    story = drifting_story()
    lk.restore([story], 2)
    v = vocab(["ida", "louisiana"], ["ida", "louisiana"], ["ida", "louisiana"], ["ida", "masks", "schools"])
    decision = lk.link(event("E5", [1, 0.2, 0], 5, entities=("ida", "louisiana")), ["S1"], v, vocab())
    assert (decision.action, decision.target_id) == ("join", "S1")
    assert decision.features["core_entities"] == 1.0 and decision.features["cos_core"] > 0.99
    assert LINK_FEATURES_V4 == LINK_FEATURES_V3  # the core gates; its measures are not weighed


def test_the_gate_through_the_closest_events_asks_for_a_core_key_they_share():
    story = drifting_story()
    v = vocab(["ida", "louisiana"], ["ida", "louisiana"], ["ida", "louisiana"], ["ida", "masks", "schools"])
    # names "louisiana" (core) but its closest event (E4, masks) does not: through the closest, no candidate
    odd = event("E5", [0.6, 0.8, 0], 5, entities=("louisiana", "masks"))
    assert linker(closest=1).features(odd, story, [], v, vocab()) is None
    assert linker(closest=1, gate_closest=False).features(odd, story, [], v, vocab()) is not None
    # core terms let an event through only with gate_terms
    worded = StoryState("S3", [event(f"T{i}", [1, 0, 0], i, terms=("president",)) for i in range(4)])
    speech = event("T9", [1, 0, 0], 5, terms=("president",))
    assert linker().features(speech, worded, [], vocab(), vocab(["president"])) is None
    assert linker(gate_terms=True).features(speech, worded, [], vocab(), vocab(["president"])) is not None
    # a story smaller than gate_events is not gated
    small = StoryState("S2", story.events[:2])
    assert linker(gate_events=3).features(event("E6", [1, 0, 0], 5, entities=("masks",)), small, [], v, vocab())


def test_the_core_is_computed_again_only_when_the_story_grew_by_a_quarter():
    lk = linker()
    v = vocab(["ida"], ["ida"])
    story = StoryState("S1", [event(f"E{i}", [1, 0, 0], i, entities=("ida",)) for i in range(8)])
    first = lk.core(story, v, vocab())
    story.append(event("E8", [1, 0, 0], 8, entities=("ida", "new")))
    assert lk.core(story, v, vocab()) is first  # 9 events: less than a quarter more
    for i in range(9, 11):
        story.append(event(f"E{i}", [1, 0, 0], i, entities=("ida",)))
    assert lk.core(story, v, vocab()) is not first  # 11 events
    story.drop([lk.core(story, v, vocab()).events[0].id])
    assert all(story.holds(e) for e in lk.core(story, v, vocab()).events)  # a central event left: again
