"""A fact with several conflicts (comparer.facts.v5 and later) shows every one on the event page, in its
highlights and in the CLI's text, not only the first."""

from __future__ import annotations

import httpx

import storyline
from storyline.cli.render import render_comparison
from storyline.pipeline.embed import HashingEmbedder
from storyline.web.views import fact_highlights
from support import ONE_EVENT, CapitalisedEntities, options
from webtools import live_server

STORM = [
    {"id": "storm-a", "date": "2023-11-09", "source": "Outlet A", "title": "Storm hits Tacloban",
     "text": "The storm killed 12 people in the port city of Tacloban on Tuesday, officials said."},
    {"id": "storm-b", "date": "2023-11-09", "source": "Outlet B", "title": "Storm hits Tacloban",
     "text": "The storm killed 40 people in the port city of Tacloban on Thursday, officials said."},
]


def _store(path):
    opts = options(comparer="comparer.facts.v5", **ONE_EVENT)
    with storyline.Storyline(path, opts, embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as sl:
        sl.ingest_records(STORM)
        event = sl.store.event_of_article("storm-a")
        comparison = sl.comparison(event).to_dict()
    return event, comparison


def _contested(comparison):
    facts = [f for f in comparison["facts"] if f["status"] == "contested"]
    assert len(facts) == 1 and len(facts[0]["conflicts"]) == 2, comparison["facts"]
    return facts[0]


def test_the_event_page_and_the_cli_show_both_the_rival_toll_and_the_rival_day(tmp_path):
    event, comparison = _store(tmp_path / "storm.db")
    fact = _contested(comparison)
    notes = [c["note"] for c in fact["conflicts"]]
    values = [v["value"] for c in fact["conflicts"] for v in c["values"]]
    text = render_comparison(comparison)
    for piece in notes + values:
        assert piece in text, piece
    with live_server(tmp_path / "storm.db", options=options(comparer="comparer.facts.v5", **ONE_EVENT)) as url:
        page = httpx.get(f"{url}/events/{event}", timeout=30).text
    section = page[page.index('id="contested-facts"'):]
    section = section[:section.index("</ul>")]
    for piece in notes + values:
        assert piece.replace("'", "&#39;") in section, piece


def test_a_facts_highlights_cover_the_values_of_every_conflict():
    fact = {"id": "F1", "status": "contested", "supports": [], "values": [], "conflicts": [
        {"kind": "count", "note": "", "values": [
            {"value": "12", "supports": [{"article": "a", "start": 0, "end": 10}]},
            {"value": "40", "supports": [{"article": "b", "start": 0, "end": 10}]}]},
        {"kind": "date", "note": "", "values": [
            {"value": "Tuesday", "supports": [{"article": "a", "start": 20, "end": 30}]},
            {"value": "Thursday", "supports": [{"article": "b", "start": 20, "end": 30}]}]}]}
    marks = fact_highlights({"facts": [fact]}, "F1")
    labels = {a: sorted(s.note for s in spans) for a, (_, spans) in marks.items()}
    assert labels == {"a": ["F1: 12", "F1: Tuesday"], "b": ["F1: 40", "F1: Thursday"]}
    assert marks["a"][0] == {(0, 10): ("support",), (20, 30): ("support",)}
    assert marks["b"][0] == {(0, 10): ("support-alt",), (20, 30): ("support-alt",)}
