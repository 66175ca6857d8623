"""The comparison stage on small hand-written events (hashing embedder: no model)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storyline.model import Article, Relay, Segment
import numpy as np

from storyline.model import Mention
from storyline.pipeline.compare import FactsComparer, FactsComparerV2, FactsComparerV3, FactsComparerV4
from storyline.pipeline.compare.align import AlignParams, _matches, _mutual_best
from storyline.pipeline.compare.framing import Lexicons
from storyline.pipeline.embed import HashingEmbedder

_ROOT = Path(__file__).resolve().parents[2]
#: ../shared/data beside the checkout (or beside the folder of worktrees)
LEXICONS = next((p / "shared" / "data" / "lexicons" for p in (_ROOT.parent, _ROOT.parent.parent)
                 if (p / "shared" / "data" / "lexicons").exists()), _ROOT.parent / "shared" / "data" / "lexicons")
DAY = dt.date(2022, 6, 18)


def article(aid: str, source: str, *sentences: str) -> Article:
    text, segments = "", []
    for k, s in enumerate(sentences):
        start = len(text)
        text += s + " "
        segments.append(Segment("sentence", start, start + len(s), k))
    return Article(aid, text, source=source, published=DAY, segments=tuple(segments))


COMPARER = [FactsComparer]


@pytest.fixture(autouse=True, params=[FactsComparer, FactsComparerV2, FactsComparerV3, FactsComparerV4], ids=["v1", "v2", "v3", "v4"])
def version(request):
    """Every behaviour below holds for every version of the comparer."""
    COMPARER[0] = request.param
    yield request.param
    COMPARER[0] = FactsComparer


def compare(*articles: Article, relays=(), lexicons=None, mentions=None):
    return COMPARER[0](lexicons).compare("E1", articles, mentions or {}, relays, HashingEmbedder()).to_dict()


def test_v2_matches_one_to_one_strongest_first_where_v1_keeps_only_mutual_best_pairs():
    block = np.array([[0.9, 0.5], [0.8, 0.45]])
    assert [(i, j) for _, i, j in _mutual_best(block, [0, 1], [2, 3], 0.42)] == [(0, 2)]
    assert [(i, j) for _, i, j in _matches(block, [0, 1], [2, 3], 0.42)] == [(0, 2), (1, 3)]
    assert _matches(block, [0, 1], [2, 3], 0.95) == []
    with pytest.raises(ValueError, match="matching"):
        AlignParams(matching="best")


def _entity(article: Article, phrase: str, key: str) -> Mention:
    start = article.text.index(phrase)
    return Mention(article.id, start, start + len(phrase), phrase, "ORG", key)


def test_v2_aligns_two_wordings_of_one_mission_through_the_entity_they_both_name(version):
    a = article("a", "Outlet A", "Russian jets struck the garrison near the Jordanian border on Wednesday morning.",
                "US troops there train local forces who fight the remnants of the Islamic State in the desert.")
    b = article("b", "Outlet B", "Russian jets struck the garrison near the Jordanian border on Wednesday morning.",
                "The troops run a mission to train and advise local fighters against ISIS in the desert.")
    mentions = {"a": [_entity(a, "the Islamic State", "islamic state")], "b": [_entity(b, "ISIS", "islamic state")]}
    c = compare(a, b, mentions=mentions)
    mission = next(f for f in c["facts"] if any("train" in s["text"] for s in f["supports"]))
    assert len(mission["supports"]) == (1 if version is FactsComparer else 2)
    assert not [f for f in c["facts"] if f["status"] == "contested"]


def test_one_report_has_only_single_facts_and_says_so():
    c = compare(article("a", "Reuters", "Five people were killed in a bombing in the market of Kabul on Wednesday.",
                        "The police said the attacker was arrested near the market."))
    assert c["facts"] and {f["status"] for f in c["facts"]} == {"single"}
    assert "one source only" in c["note"]
    assert c["by_source"]["Reuters"]["adds"] == [f["id"] for f in c["facts"]]


def test_different_death_tolls_for_one_bombing_are_contested_with_both_values_and_spans():
    a = article("a", "Reuters", "Five people were killed in a bombing at the central market of Kabul on Wednesday.")
    b = article("b", "AP", "Seven people were killed in a bombing at the central market of Kabul on Wednesday.")
    c = compare(a, b)
    (fact,) = [f for f in c["facts"] if f["status"] == "contested"]
    assert fact["kind"] == "count"
    assert {v["value"]: v["sources"] for v in fact["values"]} == {"5 killed": ["Reuters"], "7 killed": ["AP"]}
    texts = {"a": a.text, "b": b.text}
    assert all(texts[s["article"]][s["start"]:s["end"]] == s["text"] for v in fact["values"] for s in v["supports"])
    assert c["by_source"]["AP"]["contradicts"] == [fact["id"]] and c["by_source"]["Reuters"]["contradicts"] == [fact["id"]]


def test_the_same_toll_stated_twice_is_agreed_and_two_relays_of_one_upstream_count_once():
    a = article("a", "Outlet A", "Five people were killed in a bombing at the central market of Kabul on Wednesday, Reuters reported.")
    b = article("b", "Outlet B", "Five people were killed in a bombing at the central market in Kabul on Wednesday, Reuters said.")
    c = compare(a, b, relays=(Relay("reuters", "Reuters", ("a", "b")),))
    (fact,) = [f for f in c["facts"] if len(f["sources"]) == 2]
    assert (fact["status"], fact["independent_sources"]) == ("agreed", 1)
    assert c["upstream"] == [{"source": "Reuters", "relayed_by": ["Outlet A", "Outlet B"]}]


def test_a_different_fact_of_the_same_event_is_not_aligned_with_the_toll():
    a = article("a", "Reuters", "Five people were killed in a bombing at the central market of Kabul on Wednesday.",
                "The Taliban government promised to rebuild the roads of the northern provinces.")
    b = article("b", "AP", "Seven people were killed in a bombing at the central market of Kabul on Wednesday.")
    c = compare(a, b)
    roads = next(f for f in c["facts"] if "roads" in f["text"])
    assert roads["status"] == "single" and roads["sources"] == ["Reuters"]
    assert roads["id"] in c["by_source"]["Reuters"]["adds"]


def test_swapped_attacker_and_target_and_none_hurt_against_a_count_are_contested():
    a = article("a", "Reuters", "Russian forces attacked Ukrainian troops near the town of Izium on Tuesday morning.")
    b = article("b", "AP", "Ukrainian troops attacked Russian forces near the town of Izium on Tuesday morning.")
    kinds = {f["kind"] for f in compare(a, b)["facts"] if f["status"] == "contested"}
    assert kinds == {"actors"}
    a = article("a", "Reuters", "The rocket hit the school in Kharkiv on Tuesday and no one was injured, officials said.")
    b = article("b", "AP", "The rocket hit the school in Kharkiv on Tuesday and five people were injured, officials said.")
    (fact,) = [f for f in compare(a, b)["facts"] if f["status"] == "contested"]
    assert {v["value"] for v in fact["values"]} == {"0 injured", "5 injured"}


@pytest.mark.skipif(not LEXICONS.exists(), reason=f"the lexicons are not at {LEXICONS}")
def test_framing_lists_the_loaded_words_one_outlet_uses_where_the_other_does_not():
    a = article("a", "Outlet A", "Militants stormed the village of Tarin Kot on Monday, killing the elders, officials said.")
    b = article("b", "Outlet B", "Fighters entered the village of Tarin Kot on Monday, killing the elders, officials said.")
    c = compare(a, b, lexicons=Lexicons.load(LEXICONS))
    terms = {t["term"].lower() for t in c["by_source"]["Outlet A"]["framing"]}
    assert "militants" in terms or "stormed" in terms
    assert not {t["term"].lower() for t in c["by_source"]["Outlet B"]["framing"]} & terms


def _claims(rules: int, *texts: str):
    from storyline.pipeline.compare.claims import split_claims

    return [c for k, t in enumerate(texts) for c in split_claims(article(f"a{k}", f"Outlet {k}", t), (), None, rules)]


def test_v2_reads_no_quantity_in_a_name_or_a_tally():
    from storyline.pipeline.compare.claims import split_claims

    text = "The troops got the COVID-19 vaccine after a 67-32 vote of the senators, and 900 soldiers waited."
    units = {1: [], 2: []}
    for rules in units:
        (claim,) = split_claims(article("a", "A", text), (), None, rules)
        units[rules] = [(q.unit, q.value) for q in claim.quantities]
    assert ("soldier", 900.0) in units[1] and ("vaccine", 19.0) in units[1]
    assert units[2] == [("soldier", 900.0)]



def test_v2_reads_short_multipliers_and_no_unit_in_a_function_word():
    from storyline.pipeline.compare.claims import split_claims

    text = "The US will share up to 60m doses, and claims rose by 37,000 to 412,000 last week in the states."
    (claim,) = split_claims(article("a", "A", text), (), None, 2)
    assert [(q.unit, q.value) for q in claim.quantities] == [("dose", 60e6)]
    (old,) = split_claims(article("a", "A", text), (), None, 1)
    assert ("dose", 60.0) in [(q.unit, q.value) for q in old.quantities]


def test_v2_denial_must_govern_what_the_other_asserts_and_not_be_a_passive_refusal():
    from storyline.pipeline.compare.conflicts import find_conflict

    echo = _claims(2, "Fauci said that the country is going in the wrong direction as cases surge across the country.",
                   "Fauci said it is not going to be good and the country is going in the wrong direction as cases surge.")
    assert find_conflict(echo, 1) is not None and find_conflict(echo, 2) is None
    refused = ("Diners in the city will have to show proof of vaccination to eat indoors at restaurants.",
               "Diners in the city will have to show proof of vaccination or be denied entry to restaurants.")
    assert find_conflict(_claims(1, *refused), 1) is not None and find_conflict(_claims(2, *refused), 2) is None
    denial = _claims(2, "Russian forces attacked the convoy of aid trucks near the border town on the main road.",
                     "Russian forces did not attack the convoy of aid trucks near the border town on the main road.")
    conflict = find_conflict(denial, 2)
    assert conflict is not None and conflict.kind == "negation"


def test_content_words_stems_and_drops_stop_words_the_same_way_when_remembered():
    from storyline.pipeline.compare.claims import content_words

    first = content_words("The troops attacked the villages; Russia's forces were shelling.")
    assert {"troop", "attack", "villag", "russia", "forc", "shell"} <= first
    assert "the" not in first and "were" not in first
    assert content_words("The troops attacked the villages; Russia's forces were shelling.") == first
    assert content_words("TROOPS attacked") == {"troop", "attack"}
