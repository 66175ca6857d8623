"""comparer.facts.v6 on small hand-written events (hashing embedder: no model): slot pairs must be about one act."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest

from storyline import registry
from storyline.pipeline.compare import FactsComparerV4, FactsComparerV5, FactsComparerV6
from storyline.pipeline.compare.rules_v6 import PARAMS_FILE_V6, RulesV6
from storyline.pipeline.embed import HashingEmbedder
from storyline.settings import load_options
from test_compare import article


def contested(comparer, *articles) -> list[dict]:
    c = comparer.compare("E1", articles, {}, (), HashingEmbedder()).to_dict()
    return [f for f in c["facts"] if f["status"] == "contested"]


def test_two_acts_on_two_days_are_a_slot_pair_in_v5_and_no_conflict_in_v6():
    # "will meet ... on Thursday" and "reached an agreement ... on Wednesday": two acts of one story, not one act
    a = article("a", "Outlet A", "Senators said they will meet with President Biden on Thursday to brief him on the infrastructure framework.")
    b = article("b", "Outlet B", "A bipartisan group of senators reached an agreement on the infrastructure framework with the White House on Wednesday.")
    v5 = contested(FactsComparerV5(None), a, b)
    assert [f["kind"] for f in v5] == ["date"]  # v5 took them for one act
    assert contested(FactsComparerV6(None), a, b) == []


def test_one_act_on_two_days_is_still_contested_in_v6():
    # "signed the budget on Tuesday" / "signed it on Friday": the words before the two days share "signed"
    a = article("a", "Outlet A", "The governor signed the budget on Tuesday, aides said.", "Schools will get more money.")
    b = article("b", "Outlet B", "After weeks of bitter wrangling with lawmakers over school funding, the governor signed it on Friday.")
    # the hashing embedder scores the two wordings 0.3 - 0.35: the slot-pair threshold is set to 0.3 for this test
    v6 = contested(FactsComparerV6(None, rules=replace(RulesV6.bundled(), slot_pairs=0.3)), a, b)
    assert len(v6) == 1 and v6[0]["kind"] == "date"
    assert {v["value"] for v in v6[0]["values"]} == {"2022-06-14", "2022-06-17"}
    assert {s["article"] for v in v6[0]["values"] for s in v["supports"]} == {"a", "b"}
    assert contested(FactsComparerV4(None), a, b) == []  # the two wordings are two facts: only a slot pair finds it


def test_a_forecast_is_no_rival_of_the_figure():
    a = article("a", "Outlet A", "Analysts surveyed by Refinitiv were expecting 870,000 jobs gained and the unemployment rate to fall.",
                "The storm hit the coast.")
    b = article("b", "Outlet B", "The US economy added 943,000 jobs in July and the unemployment rate fell to 5.4%, the Bureau of Labor "
                                 "Statistics reported Friday.")
    v5 = contested(FactsComparerV5(None), a, b)
    assert [sorted(v["value"] for v in f["values"]) for f in v5] == [["870,000 job", "943,000 job"]]
    assert contested(FactsComparerV6(None), a, b) == []
    # without the forecast rule and the context rule, v6 finds what v5 finds
    loose = FactsComparerV6(None, rules=replace(RulesV6.bundled(), no_forecasts=False, context_words=0,
                                                slot_pairs=0.3))
    assert [f["values"] for f in contested(loose, a, b)] == [f["values"] for f in v5]


def test_within_a_fact_v6_finds_what_v5_finds():
    a = article("a", "Outlet A", "The storm killed 12 people in the port city of Tacloban on Tuesday, officials said.")
    b = article("b", "Outlet B", "The storm killed 40 people in the port city of Tacloban on Thursday, officials said.")
    v5, v6 = contested(FactsComparerV5(None), a, b), contested(FactsComparerV6(None), a, b)
    assert v6 == v5 and {c["kind"] for c in v6[0]["conflicts"]} == {"count", "date"}


def test_a_lower_share_overlap_lets_two_sums_of_one_fact_conflict():
    a = article("a", "Outlet A", "The Senate passed a $3.5 trillion budget blueprint early Wednesday, clearing the way for Democrats.")
    b = article("b", "Outlet B", "Democrats pushed a $10 trillion budget framework through the Senate early Wednesday, a win for Biden.")
    strict = FactsComparerV6(None, rules=replace(RulesV6.bundled(), share_overlap=0.9))
    loose = FactsComparerV6(None, rules=replace(RulesV6.bundled(), share_overlap=0.1))
    assert contested(strict, a, b) == []
    found = contested(loose, a, b)
    assert [sorted(v["value"] for v in f["values"]) for f in found] == [["$10 trillion", "$3.5 trillion"]]


def test_settings_are_the_bundled_data_and_unknown_ones_are_refused():
    data = json.loads((resources.files("storyline.pipeline") / "params" / PARAMS_FILE_V6).read_text(encoding="utf-8"))
    rules = RulesV6.bundled()
    assert rules == RulesV6.from_dict(data["rules"])
    assert FactsComparerV6(None).params.slot_pairs == rules.slot_pairs
    with pytest.raises(ValueError):
        RulesV6.from_dict({**data["rules"], "slot_pair": 0.5})


def test_v6_is_registered_with_its_params_file():
    comparer = registry.create("comparer.facts.v6", load_options(environ={}))
    assert isinstance(comparer, FactsComparerV6) and comparer.name == "comparer.facts.v6"
    assert PARAMS_FILE_V6 in registry.registration("comparer.facts.v6").params


def test_a_denial_left_out_of_the_fact_is_found_as_a_slot_pair():
    # report b's first sentence is a closer match for a's, so the one-to-one matching leaves b's denial in a fact of
    # its own; v5 never compares the two, v6 does (negation_pairs)
    a = article("a", "Outlet A", "President Biden will unveil a budget proposal on Friday that would push federal spending to "
                                 "its highest levels since World War II.")
    b = article("b", "Outlet B", "President Biden will unveil a budget proposal on Friday that would push federal spending to "
                                 "its highest levels.",
                "Biden's plan would not push federal spending to its highest levels since World War II, critics said.")
    assert contested(FactsComparerV5(None), a, b) == []
    (fact,) = contested(FactsComparerV6(None), a, b)
    assert fact["kind"] == "negation"
    by_value = {v["value"]: {s["article"] for s in v["supports"]} for v in fact["values"]}
    assert by_value == {"asserted": {"a"}, "denied": {"b"}}
    off = FactsComparerV6(None, rules=replace(RulesV6.bundled(), negation_pairs=False))
    assert contested(off, a, b) == []
