"""Canonical keys: every entity and term key of an analysed article, an unpickled analysis, a stored event and a
stored vocabulary is the process's one string object of its text, so a story's running key tables find a new
event's keys by identity (what keeps the link cost of a big story near a small one's, issue 20)."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections import Counter

import numpy as np

from storyline.engine.state import StoredEventState
from storyline.model import SavedEventState, StoredEvent
from storyline.pipeline.cluster.features import ClusterItem, EventState, canonical_keys
from storyline.pipeline.link import StoryState


def fresh(text: str) -> str:
    """A new string object of ``text`` (never the interned one): what a tokenizer or a JSON decoder hands out."""
    return "".join(list(text))


def item(key: str, entities: list[str], terms: dict[str, float]) -> ClusterItem:
    return ClusterItem(key, dt.date(2024, 1, 1), np.ones(4, dtype=np.float32), frozenset(fresh(e) for e in entities),
                       frozenset(fresh(t) for t in terms), {fresh(t): w for t, w in terms.items()},
                       frozenset({fresh("p:okonkwo")}))


def test_canonical_keys_keeps_type_order_and_values_and_shares_one_object_per_text():
    a, b = fresh("harbour budget"), fresh("harbour budget")
    assert a == b and a is not b
    counts = canonical_keys(Counter({a: 3, "quay": 1}))
    weights = canonical_keys({b: 1.5, "ferry": 2.0})
    assert type(counts) is Counter and counts == Counter({"harbour budget": 3, "quay": 1})
    assert type(weights) is dict and list(weights.items()) == [("harbour budget", 1.5), ("ferry", 2.0)]
    assert next(iter(counts)) is next(iter(weights))
    assert canonical_keys(frozenset({a})) == frozenset({"harbour budget"})
    assert type(canonical_keys({a})) is set and canonical_keys([b, a]) == ["harbour budget"] * 2
    # a key that is not a plain string is kept as it is, the strings beside it still shared
    mixed = canonical_keys([fresh("quay"), 7, None])
    assert mixed[1:] == [7, None] and mixed[0] is canonical_keys([fresh("quay")])[0]
    assert canonical_keys({3: 1.0, fresh("quay"): 2.0}) == {3: 1.0, "quay": 2.0}


def test_items_built_or_unpickled_share_their_key_objects():
    one = item("a1", ["g:reykjavik", "p:okonkwo"], {"chess": 1.0, "open": 1.7})
    two = pickle.loads(pickle.dumps(item("a2", ["p:okonkwo"], {"chess": 2.0})))
    shared = lambda xs, ys: {x for x in xs for y in ys if x == y and x is y}
    assert shared(one.entities, two.entities) == {"p:okonkwo"}
    assert shared(one.terms, two.terms) == {"chess"}
    assert shared(one.title_terms, two.terms) == {"chess"}
    assert shared(one.details, two.details) == {"p:okonkwo"}
    assert two.terms == {"chess": 2.0} and two.key == "a2"


def test_a_stored_event_decodes_to_the_keys_of_an_analysed_article():
    state = {"entities": {fresh("p:okonkwo"): 2}, "terms": {fresh("chess"): 3.4}, "title_terms": {fresh("chess"): 1},
             "sources": {"Board Weekly": 1}, "date_votes": {}, "details": {fresh("y:2024"): 1}}
    row = StoredEvent("E1", 1, "S1", None, None, "day", None, None, 2, 2, 1)
    event = StoredEventState.of(SavedEventState(row, json.dumps(state), np.ones(4, dtype=np.float32).tobytes()),
                                None, None, ["a1", "a2"])
    analysed = item("a3", ["p:okonkwo"], {"chess": 1.0})
    assert event.entities == Counter({"p:okonkwo": 2}) and type(event.terms) is Counter
    assert next(iter(event.entities)) is next(iter(analysed.entities))
    assert next(iter(event.terms)) is next(iter(analysed.terms))
    assert next(iter(event.title_terms)) is next(iter(analysed.terms))


def test_a_story_finds_a_new_events_keys_by_identity():
    story = StoryState("S1")
    for number in range(1, 30):
        event = EventState(f"E{number}", np.ones(4, dtype=np.float32), size=1)
        made = item(f"a{number}", [f"p:person{number % 7}"], {f"term{number % 11}": 1.0, "chess": 1.0})
        event.entities.update(made.entities)
        event.terms.update(made.terms)
        story.append(event)
    new = item("new", ["p:person3"], {"chess": 1.0, "term4": 1.0, "unseen": 1.0})
    totals = story.totals()
    held = {key for key in totals.terms}
    assert {t for t in new.terms if any(t is h for h in held)} == {"chess", "term4"}
    assert {e for e in new.entities if any(e is h for h in totals.entities)} == {"p:person3"}
