"""Coalesced rebuilds (engine.deferral): a big event's record waits while articles arrive one at a time with
``defer``, within ``record_defer_growth`` of the articles it was built from; a batch ingest never waits; a refresh
(``refresh_stale``, ``storyline db refresh``) brings every waiting record to the one a batch builds."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import storyline
from storyline.cli import cli
from storyline.pipeline.embed import HashingEmbedder
from storyline.engine import deferral
from support import FAKE_SETS, ONE_EVENT, both_backends, flood_report as report, options

backend = both_backends

class Recording:
    """A summariser that notes each event it summarises."""

    def __init__(self, inner, calls: list) -> None:
        self.inner, self.calls = inner, calls
        self.name, self.uses_comparison = inner.name, getattr(inner, "uses_comparison", False)

    def summarise(self, key, *args, **kwargs):
        self.calls.append(key)
        return self.inner.summarise(key, *args, **kwargs)


def sizes(engine) -> list[tuple[int, int | None]]:
    """(articles, articles its stored record was built from) of each event."""
    rows = engine.store.events()
    built = engine.store.record_counts([e.id for e in rows])
    return [(e.n_articles, built.get(e.id)) for e in rows]


def stored(engine) -> tuple[dict, dict]:
    (event,) = engine.store.events()
    return engine.store.record(event.id), engine.store.comparison(event.id)


def test_one_at_a_time_a_big_event_waits_within_its_growth_and_a_refresh_gives_the_batch_record(fake_engine, new_store,
                                                                                               store_location):
    engine = fake_engine(**ONE_EVENT)
    seen = []
    for i in range(14):
        engine.ingest_records([report(i)], defer=True)
        ((n, built),) = sizes(engine)
        seen.append((n, built))
        if n < 4:
            assert built == n  # small events are rebuilt at once
        else:
            assert built <= n and n - built <= 0.5 * built  # the lag is bounded by the growth allowed
    assert any(built < n for n, built in seen) and any(built == n and n >= 4 for n, built in seen)
    (event,) = engine.store.events()
    waiting = engine.waiting_records()
    assert waiting == [event.id]
    lag = engine.event(event.id).to_dict()
    assert lag["record_articles"] < lag["n_articles"] == 14
    # its digest waits with it, and is the summary read meanwhile (the one of what the record reflects), not a new one
    digest = engine.store.digest("event", event.id)
    assert digest.n_articles == lag["record_articles"]
    reader = storyline.Storyline(store_location, options(**ONE_EVENT), readonly=True, embedder=HashingEmbedder())
    summarised = []
    summariser = reader.components.get("summariser")
    reader.components._built["summariser"] = Recording(summariser, summarised)
    assert reader.summary(event.id).to_dict() == digest.digest and summarised == []
    reader.close()

    built, summary = engine.refresh_stale()
    assert built == 1 and engine.waiting_records() == [] and sizes(engine) == [(14, 14)]
    assert "record" in summary.stage_seconds
    assert engine.store.digest("event", event.id).n_articles == 14
    assert engine.event(event.id).to_dict()["record_articles"] == 14

    batch = fake_engine(new_store("batch.db"), **ONE_EVENT)
    batch.ingest_records([report(i) for i in range(14)])
    assert stored(engine) == stored(batch)


def test_without_defer_every_arrival_rebuilds_its_event(fake_engine):
    engine = fake_engine(**ONE_EVENT)
    for i in range(9):
        engine.ingest_records([report(i)])
        assert sizes(engine) == [(i + 1, i + 1)]
    assert engine.waiting_records() == []


def test_a_regrouped_event_and_one_without_a_record_never_wait(fake_engine):
    engine = fake_engine(**ONE_EVENT)
    engine.ingest_records([report(i) for i in range(6)])
    (event,) = engine.store.events()
    engine.ingest_records([report(6)], defer=True)
    assert engine.waiting_records() == [event.id]  # 7 articles, built from 6: it waits
    assert deferral.waiting(engine.store, engine.options, [event.id]) == {event.id}
    assert deferral.waiting(engine.store, engine.options, [event.id], regrouped=[event.id]) == set()
    opts = engine.options
    assert not deferral.is_waiting(7, None, opts)  # no record yet
    assert not deferral.is_waiting(3, 2, opts)  # smaller than record_defer_reports
    assert not deferral.is_waiting(6, 6, opts) and not deferral.is_waiting(5, 6, opts)  # unchanged count, or shrunk
    assert deferral.is_waiting(9, 6, opts) and not deferral.is_waiting(10, 6, opts)  # 3/6 = 0.5 waits; 4/6 does not


@pytest.mark.parametrize("backend", ["sqlite"])  # the command line on a SQLite file (its engine code is the same)
def test_db_refresh_rebuilds_what_waits(fake_engine, store_location):
    engine = fake_engine(**ONE_EVENT)
    engine.ingest_records([report(i) for i in range(6)])
    engine.ingest_records([report(6)], defer=True)
    engine.ingest_records([report(7)], defer=True)
    assert sizes(engine) == [(8, 6)]
    engine.close()
    sets = FAKE_SETS + [arg for k, v in ONE_EVENT.items() for arg in ("--set", f"{k}={v}")]
    result = CliRunner().invoke(cli, ["--db", str(store_location), *sets, "db", "refresh", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["waiting"] == 1 and answer["records_built"] == 1
    reopened = fake_engine(**ONE_EVENT)
    assert sizes(reopened) == [(8, 8)] and reopened.waiting_records() == []
    reopened.close()  # it holds the writer lock
    again = CliRunner().invoke(cli, ["--db", str(store_location), *sets, "db", "refresh"])
    assert again.exit_code == 0 and "rebuilt 0 of 0 stale records" in again.output


def test_record_counts_reads_the_stored_counts(fake_engine):
    engine = fake_engine(**ONE_EVENT)
    engine.ingest_records([report(i) for i in range(5)])
    (event,) = engine.store.events()
    assert engine.store.record_counts([event.id, "E999"]) == {event.id: 5}
    assert engine.store.record_counts([]) == {}
