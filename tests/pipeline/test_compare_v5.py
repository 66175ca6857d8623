"""comparer.facts.v5 on small hand-written events (hashing embedder: no model): several conflicts, slot pairs."""

from __future__ import annotations

from storyline.comparison import Comparison
from storyline.pipeline.compare import FactsComparerV4, FactsComparerV5
from storyline.pipeline.embed import HashingEmbedder
from test_compare import article


def contested(comparer, *articles) -> list[dict]:
    c = comparer(None).compare("E1", articles, {}, (), HashingEmbedder()).to_dict()
    return [f for f in c["facts"] if f["status"] == "contested"]


def test_a_fact_shows_a_rival_day_and_a_rival_toll_in_v5_where_v4_shows_one():
    a = article("a", "Outlet A", "The storm killed 12 people in the port city of Tacloban on Tuesday, officials said.")
    b = article("b", "Outlet B", "The storm killed 40 people in the port city of Tacloban on Thursday, officials said.")
    v4, v5 = contested(FactsComparerV4, a, b), contested(FactsComparerV5, a, b)
    assert len(v4) == 1 and not v4[0]["conflicts"]
    assert len(v5) == 1
    kinds = {c["kind"] for c in v5[0]["conflicts"]}
    assert kinds == {"count", "date"}
    assert v5[0]["kind"] == v4[0]["kind"] and v5[0]["values"] == v4[0]["values"]  # the first conflict is v4's


def test_conflicts_survive_the_stored_json():
    a = article("a", "Outlet A", "The storm killed 12 people in the port city of Tacloban on Tuesday, officials said.")
    b = article("b", "Outlet B", "The storm killed 40 people in the port city of Tacloban on Thursday, officials said.")
    c = FactsComparerV5(None).compare("E1", (a, b), {}, (), HashingEmbedder())
    assert Comparison.from_dict(c.to_dict()) == c


def test_an_agreeing_event_stays_uncontested_in_v5():
    a = article("a", "Outlet A", "The storm killed 12 people in the port city of Tacloban on Tuesday, officials said.")
    b = article("b", "Outlet B", "Officials said the storm killed 12 people in Tacloban, a port city, on Tuesday.")
    assert contested(FactsComparerV5, a, b) == []
