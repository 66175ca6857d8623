"""A writer's start-up leaves the states of events outside the clusterer's window as stored (decoded on first
read): an ingest after such a start ends exactly as one after a start that decodes every event."""

from __future__ import annotations

from collections import Counter

import numpy as np

import storyline
from storyline.engine import state as engine_state
from storyline.engine.state import StoredEventState
from storyline.pipeline.cluster import EventState
from storyline.pipeline.embed import HashingEmbedder
from support import CHESS_A, CHESS_B, FLOOD_A, FLOOD_B, CapitalisedEntities, both_backends, options

backend = both_backends

#: a month after the flood and the chess open: both their events fall outside the 7-day window
LATER = {
    "id": "later-1", "date": "2023-04-20", "source": "Daily Planet", "title": "Council approves the new harbour budget",
    "text": ("The harbour council approved a budget of forty million for the northern quay on Thursday after a long "
             "debate. Councillor Imani Beckford said the money would pay for dredging and a new ferry terminal."),
}
#: the chess open's winner a few weeks on: an event of its own, and a link to the chess story
CHESS_LATER = {
    "id": "chess-later", "date": "2023-04-18", "source": "Board Weekly",
    "title": "Okonkwo, Reykjavik chess open winner, joins the national team",
    "text": ("Adaeze Okonkwo, the grandmaster who won the Reykjavik chess open after beating Lars Henriksen with the "
             "black pieces and the Sicilian defence, was named to the national chess team on Tuesday."),
}


class _Eager(EventState):
    """An event state decoded at start-up, field by field from the stored row, as every one was before."""

    decoded = True

    @classmethod
    def of(cls, saved, first_date, last_date, members) -> "_Eager":
        state, row = saved.state, saved.event
        return cls(row.id, np.frombuffer(saved.vector_sum, dtype=np.float32).copy(), row.size, first_date, last_date,
                   Counter(state["entities"]), Counter(state["terms"]), Counter(state["title_terms"]), members,
                   row.story_id, Counter(state["sources"]), Counter(state["date_votes"]), Counter(state.get("details", {})))

    def decode(self) -> None:
        pass


def _engine(db) -> storyline.Storyline:
    return storyline.Storyline(db, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities())


def _outcome(engine: storyline.Storyline) -> dict:
    store = engine.store
    events = store.events()
    records = {}
    for event in events:
        record = store.record(event.id)
        records[event.id] = None if record is None else record.to_dict() if hasattr(record, "to_dict") else record
    return {"assignments": store.assignments(), "events": events, "stories": sorted(store.stories(), key=lambda s: s.id),
            "states": {s.event.id: (s.state, s.vector_sum) for s in store.event_states()}, "records": records}


def _run(db, eager: bool, monkeypatch) -> tuple[dict, set[str]]:
    with _engine(db) as engine:
        engine.ingest_records([FLOOD_A, CHESS_A, LATER])
    with _engine(db) as engine, monkeypatch.context() as patch:
        if eager:
            patch.setattr(engine_state, "StoredEventState", _Eager)
        writer = engine._writer()
        lazy = {e.id for e in writer.state.clusterer.events.values() if not e.decoded}
        # backfills into the old events, and a late report that links to the chess story
        engine.ingest_records([FLOOD_B, CHESS_B, CHESS_LATER])
        return _outcome(engine), lazy


def test_an_ingest_after_a_lazy_start_ends_as_one_after_an_eager_start(new_store, monkeypatch):
    lazy, left = _run(new_store("lazy.db"), False, monkeypatch)
    eager, none_left = _run(new_store("eager.db"), True, monkeypatch)

    assert len(left) == 2 and not none_left  # the flood's and the chess open's events were left as stored
    assert lazy == eager
    assignments = lazy["assignments"]
    assert assignments["flood-2"][0] == assignments["flood-1"][0]  # the backfills joined the old events
    assert assignments["chess-2"][0] == assignments["chess-1"][0]


def test_a_stored_event_state_reads_as_the_decoded_state(store_location):
    with _engine(store_location) as engine:
        engine.ingest_records([FLOOD_A, FLOOD_B, CHESS_A, LATER])
    with _engine(store_location) as engine:
        events = engine._writer().state.clusterer.events
        old = [e for e in events.values() if isinstance(e, StoredEventState) and not e.decoded]
        assert old, "the flood and chess events are outside the window"
        saved = {s.event.id: s for s in engine.store.event_states()}
        for event in old:
            state = saved[event.id].state
            assert dict(event.terms) == state["terms"] and event.decoded  # the first read decoded it
            assert dict(event.entities) == state["entities"] and dict(event.sources) == state["sources"]
            assert event.vector_sum.tobytes() == saved[event.id].vector_sum and event.size == saved[event.id].event.size
