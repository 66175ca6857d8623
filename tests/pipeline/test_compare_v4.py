"""comparer.facts.v4 on small hand-written events (hashing embedder: no model): what it mends of v3."""

from __future__ import annotations

from storyline.pipeline.compare import FactsComparerV3, FactsComparerV4
from storyline.pipeline.compare.align import _slot_keys
from storyline.pipeline.compare.claims import split_claims
from storyline.pipeline.embed import HashingEmbedder
from test_compare import article


def contested(comparer, *articles: Article) -> list[dict]:
    c = comparer(None).compare("E1", articles, {}, (), HashingEmbedder()).to_dict()
    return [f for f in c["facts"] if f["status"] == "contested"]


def quantities(text: str, rules: int) -> list[tuple[str, float]]:
    (claim,) = split_claims(article("a", "A", text), (), rules=rules)
    return [(q.unit, q.value) for q in claim.quantities]


def test_two_dated_claims_share_the_date_slot_whatever_their_days_in_v4_only():
    a, b = (split_claims(article(k, k, f"The governor signed the budget bill in Albany on {day}."), ())[0]
            for k, day in (("a", "Tuesday"), ("b", "Thursday")))
    assert not _slot_keys(a) & _slot_keys(b)
    assert _slot_keys(a, any_date=True) & _slot_keys(b, any_date=True) == {"date"}


def test_a_number_glued_to_a_name_or_an_address_is_no_amount_in_v4():
    assert quantities("Cheeks was fired as coach of the Philadelphia 76ers after a run of losses.", 3) == [("er", 76.0)]
    assert quantities("Cheeks was fired as coach of the Philadelphia 76ers after a run of losses.", 4) == []
    assert quantities("The deputy was shot outside an apartment in the 12000 block of East Street.", 4) == []
    assert quantities("The deputy counted 12000 ballots outside an apartment of East Street.", 4) == [("ballot", 12000.0)]


def test_a_sum_in_a_coded_currency_is_read_so_its_conversion_contradicts_nothing():
    assert quantities("Damage to the church was estimated at $US1 million ($1.52 million), authorities said.", 4) == [
        ("$", 1e6), ("$", 1.52e6)]
    a = article("a", "Outlet A", "Damage to the Wasilla church was estimated at $US1 million ($1.52 million), authorities said.")
    b = article("b", "Outlet B", "Damage to the Wasilla church was estimated at $1 million, authorities said on Saturday.")
    assert contested(FactsComparerV3, a, b) and not contested(FactsComparerV4, a, b)


def test_a_number_that_is_the_sum_of_the_other_claims_numbers_is_no_rival():
    a = article("a", "Outlet A", "Indian marine commandos seized 12 Somali and 11 Yemeni pirates from the boat on Saturday.")
    b = article("b", "Outlet B", "Indian marine commandos seized 23 pirates from the boat on Saturday, the navy said.")
    assert contested(FactsComparerV3, a, b) and not contested(FactsComparerV4, a, b)


def test_two_claims_with_several_numbers_of_one_unit_compare_the_ones_they_do_not_share():
    a = article("a", "Outlet A", "Bush will finish the year with 811 yards rushing, as well as 52 catches for 440 yards.")
    b = article("b", "Outlet B", "Bush will finish the year with 404 yards rushing, as well as 52 catches for 440 yards.")
    assert not contested(FactsComparerV3, a, b)
    (fact,) = contested(FactsComparerV4, a, b)
    assert fact["kind"] == "count" and {v["value"] for v in fact["values"]} == {"811 yard", "404 yard"}
    same = article("c", "Outlet C", "Bush will finish the year with 811 yards rushing, as well as 52 catches for 440 yards.")
    assert not contested(FactsComparerV4, a, same)


def test_a_denial_governs_the_words_after_as():
    a = article("a", "Outlet A", "Maurice Cheeks is not out as head coach of the Philadelphia team.")
    b = article("b", "Outlet B", "Maurice Cheeks was fired as head coach of the Philadelphia team.")
    assert not contested(FactsComparerV3, a, b)
    (fact,) = contested(FactsComparerV4, a, b)
    assert fact["kind"] == "negation" and {v["value"]: v["sources"] for v in fact["values"]} == {
        "asserted": ["Outlet B"], "denied": ["Outlet A"]}


def test_a_fact_shows_the_conflict_of_its_closest_pair_of_claims():
    a = article("a", "Outlet A", "The Australian climber died after falling 150 metres from the ridge at Mount Cook.")
    b = article("b", "Outlet B", "The Australian climber has not died after falling 150 metres from the ridge at Mount Cook.")
    c = article("c", "Outlet C", "The Australian climber died after slipping and falling 60 metres from a ridge near Mount Cook.")
    (v3,) = contested(FactsComparerV3, a, b, c)
    (v4,) = contested(FactsComparerV4, a, b, c)
    assert len(v4["supports"]) == 3 and v3["kind"] == "count"
    assert v4["kind"] == "negation" and {v["value"] for v in v4["values"]} == {"asserted", "denied"}


def test_two_shares_each_claim_states_beside_a_shared_one_are_not_compared():
    a = article("a", "Outlet A", "Consumer prices in June rose 0.9% from May and 5.4% over the past year, the Labor Department said.")
    b = article("b", "Outlet B", "Consumer prices in June rose 0.9% from May after they rose 0.6% in April, the Labor Department said.")
    assert not contested(FactsComparerV4, a, b)
    yards = [article(k, k, f"Bush will finish the year with {n} yards rushing, as well as 52 catches for 440 yards.")
             for k, n in (("a", 811), ("b", 404))]
    assert contested(FactsComparerV4, *yards)
