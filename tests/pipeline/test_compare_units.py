"""Each report's claims split once per process (compare/units.py): the comparisons are the ones main's code gave.

``tests/fixtures/compare_golden.json.gz`` holds the comparisons of :func:`comparisons` as main's code at 6a41e90
(before the claims were remembered and split_claims read its mentions once) wrote them:
``PYTHONPATH=<main's src>:tests/pipeline:tests python tests/pipeline/test_compare_units.py``.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from support import FLOOD_A, FLOOD_B  # noqa: F401  (the fixtures' module, imported as the other compare tests do)
from test_compare import article
from test_compare_memory import contested_event
from test_record_tally import ALLSIDES, allsides, mentions_of
from storyline.model import Mention, Relay
from storyline.pipeline import compare as C
from storyline.pipeline.compare.claims import split_claims
from storyline.pipeline.compare.memory import Alignment
from storyline.pipeline.embed import HashingEmbedder

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "compare_golden.json.gz"
EMBEDDER = HashingEmbedder()
VERSIONS = ("FactsComparer", "FactsComparerV2", "FactsComparerV3", "FactsComparerV4", "FactsComparerV5", "FactsComparerV6")
RELAYS = (Relay("reuters", "Reuters", ("a", "c")),)


def comparisons(with_allsides: bool = True) -> dict[str, dict]:
    """Each comparer's comparison of the contested event (with a relay), batch and grown one report at a time, and of
    46 AllSides reports as one event (the v4 and v5 comparers)."""
    out = {}
    event = contested_event()
    for name in VERSIONS:
        comparer = getattr(C, name)()
        out[f"{name}/contested"] = comparer.compare("E1", event, {}, RELAYS, EMBEDDER).to_dict()
        memory = Alignment()
        for n in range(1, len(event) + 1):
            out[f"{name}/grown/{n}"] = comparer.compare("E1", event[:n], {}, RELAYS, EMBEDDER, memory).to_dict()
    if with_allsides and ALLSIDES.exists():
        articles, _ = allsides(46)
        mentions = {a.id: mentions_of(a) for a in articles}
        for name in ("FactsComparerV4", "FactsComparerV5"):
            out[f"{name}/allsides"] = getattr(C, name)().compare("E1", articles, mentions, (), EMBEDDER).to_dict()
    return out


def test_the_comparisons_are_main_s():
    golden = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    found = comparisons()
    if not ALLSIDES.exists():
        golden = {k: v for k, v in golden.items() if not k.endswith("/allsides")}
    assert set(found) == set(golden)
    for key in golden:
        assert found[key] == golden[key], key
    assert any(f["status"] == "contested" for f in found["FactsComparerV4/contested"]["facts"])


def test_a_comparer_compares_a_report_again_without_splitting_it_again():
    event = contested_event()
    comparer = C.FactsComparerV4()
    first = comparer.compare("E1", event, {}, RELAYS, EMBEDDER).to_dict()
    assert (comparer.units.hits, comparer.units.misses) == (0, 5)
    again = comparer.compare("E2", event[1:], {}, (), EMBEDDER).to_dict()  # another event holding four of them
    assert (comparer.units.hits, comparer.units.misses) == (4, 5)
    assert again == C.FactsComparerV4().compare("E2", event[1:], {}, (), EMBEDDER).to_dict()
    assert comparer.compare("E1", event, {}, RELAYS, EMBEDDER).to_dict() == first


@pytest.mark.parametrize("rules", [1, 2, 3, 4, 5])
def test_remembered_claims_equal_split_claims_with_or_without_an_upstream(rules):
    from storyline.pipeline.compare.units import ArticleClaims

    units = ArticleClaims()
    cited = article("x", "Outlet X", "Seven people were killed in Kabul on Wednesday, Reuters said.",
                    "Police sealed off the area around the central market after the blast.")
    attribution = Mention("x", 48, 55, "Reuters", "ATTRIBUTION", "reuters",
                          {"kind": "outlet", "source": "Reuters", "sentence_start": 0, "sentence_end": 61})
    for a, mentions in [(e, ()) for e in contested_event()] + [(cited, (attribution,))]:
        for upstream in (None, "relay:ap", None, "relay:ap"):
            assert units.of(a, mentions, upstream, rules) == split_claims(a, mentions, upstream, rules)
    claims = units.of(cited, (attribution,), "relay:ap", rules)
    assert claims[0].upstream == "reuters" and claims[1].upstream == "relay:ap"  # a claim keeps the outlet it cites
    assert units.misses == 6 and units.hits == 19


def test_other_mentions_or_another_text_under_one_id_are_split_again():
    from storyline.pipeline.compare.units import ArticleClaims

    units = ArticleClaims()
    a = contested_event()[0]
    plain = units.of(a, (), None, 4)
    named = (Mention("a", 62, 67, "Kabul", "GPE", "kabul"),)
    assert units.of(a, named, None, 4)[0].entities == frozenset({"kabul"}) and plain[0].entities == frozenset()
    b = article("a", "Reuters", "Nine people were killed in a bombing at the central market of Kabul on Wednesday.")
    assert units.of(b, named, None, 4)[0].text.startswith("Nine")
    assert units.misses == 3


def test_the_articles_used_longest_ago_are_forgotten():
    from storyline.pipeline.compare.units import ArticleClaims

    units = ArticleClaims(limit=2)
    event = contested_event()
    for a in event[:3]:
        units.of(a, (), None, 4)
    units.of(event[2], (), None, 4)
    units.of(event[0], (), None, 4)  # forgotten: split again
    assert (units.hits, units.misses) == (1, 4)


if __name__ == "__main__":
    GOLDEN.write_bytes(gzip.compress(json.dumps(comparisons(), sort_keys=True).encode("utf-8"), mtime=0))
    sys.exit(0)
