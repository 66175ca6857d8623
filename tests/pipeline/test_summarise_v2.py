"""summariser.cited.v2: no cut-off or dangling sentences, the comparison's agreed facts first, a short title."""

from __future__ import annotations

import datetime as dt

from storyline.model import Article
from storyline.pipeline.normalise import segment
from storyline.pipeline.summarise_v2 import (CitedSummariserV2, agreed_from_comparison, contested_from_comparison,
                                             is_cut_off, short_title, stands_alone)


def report(id: str, text: str, source: str | None = None, published: dt.date | None = None) -> Article:
    return Article(id, text, source=source, published=published, segments=tuple(segment(text)))


QUAKE_A = ("A strong earthquake struck the coast of Peru on Monday, killing at least 12 people. "
           "Rescue teams searched collapsed buildings in the port city overnight. "
           "The mayor asked for tents and water.")
QUAKE_B = ("A strong earthquake struck the coast of Peru on Monday and killed at least 12 people, officials said. "
           "Schools will stay closed for a week.")
QUAKE_C = "Markets in Lima opened lower after the earthquake. Analysts expect the copper mines to reopen soon."


def support(article: str, sentence: int, text: str, source: str = "X") -> dict:
    return {"article": article, "source": source, "sentence": sentence, "start": 0, "end": len(text), "text": text,
            "attribution": None}


def test_an_excerpt_cut_off_with_an_ellipsis_is_never_picked():
    cut = ("A strong earthquake struck the coast of Peru on Monday, killing at least 12 people and leaving "
           "thousands of families in the port city without ...")
    articles = [report("a", QUAKE_A + " " + cut, "Reuters"), report("b", cut, "AP"), report("c", QUAKE_C, "BBC")]
    digest = CitedSummariserV2().summarise("E1", articles, {})
    assert digest.sentences and all(not s.text.endswith("...") for s in digest.sentences)
    assert is_cut_off("The senate voted on the bill late on ...") and is_cut_off("The senate voted on the bill late…")
    assert is_cut_off("The senate voted on the bill late on", at_end=True)
    assert not is_cut_off("The senate voted on the bill.", at_end=True) and not is_cut_off("It rained \"all day.\"", True)


def test_reports_that_are_one_cut_off_sentence_give_its_last_complete_clause_citing_just_that_span():
    texts = ["The judge delayed the sentencing of Michael Flynn, the former national security adviser, after warning "
             "him that he could face prison for lying to",
             "A federal judge postponed the sentencing of Michael Flynn on Tuesday, and said he could"]
    articles = [report("a", texts[0], "Times"), report("b", texts[1], "Post")]
    digest = CitedSummariserV2().summarise("E1", articles, {})
    assert [s.text for s in digest.sentences] == [
        "The judge delayed the sentencing of Michael Flynn, the former national security adviser",
        "A federal judge postponed the sentencing of Michael Flynn on Tuesday"][: len(digest.sentences)]
    assert digest.sentences
    for s in digest.sentences:
        own = s.citations[0]
        assert articles[0 if own.article_id == "a" else 1].text[own.start : own.end] == own.text == s.text


def test_a_sentence_that_leans_on_the_one_before_is_not_first_and_only_fills_up():
    assert not stands_alone("He said the talks would resume.") and not stands_alone("But the mayor disagreed.")
    assert not stands_alone("The move angered the opposition.") and stands_alone("Heavy rain fell in Lima.")
    assert not stands_alone("In turn, misunderstandings in Syria could lead to a direct conflict.")
    assert stands_alone("Investigators in Turin found the car.") and stands_alone("Thessaloniki voted on Sunday.")
    lead = "He said the earthquake struck the coast of Peru on Monday, killing at least 12 people."
    articles = [report("a", lead + " " + QUAKE_A, "Reuters"), report("b", QUAKE_B, "AP"), report("c", QUAKE_C, "BBC")]
    digest = CitedSummariserV2().summarise("E1", articles, {})
    texts = [s.text for s in digest.sentences]
    assert not texts[0].startswith("He ") and lead not in texts[:2]


def test_the_comparisons_agreed_fact_leads_and_cites_both_reports():
    articles = [report("a", QUAKE_A, "Reuters"), report("b", QUAKE_B, "AP"), report("c", QUAKE_C, "BBC")]
    mayor, markets = articles[0].sentences()[2], articles[2].sentences()[0]
    comparison = {"facts": [
        {"status": "agreed", "supports": [support("a", 2, mayor, "Reuters"), support("c", 0, markets, "BBC")]},
        {"status": "single", "supports": [support("b", 1, articles[1].sentences()[1], "AP")]},
    ]}
    assert agreed_from_comparison(comparison) == {("a", 2): [("c", 0)], ("c", 0): [("a", 2)]}
    digest = CitedSummariserV2().summarise("E1", articles, {}, comparison=comparison)
    first = digest.sentences[0]
    assert first.kind == "agreed" and {(c.article_id, c.sentence_index) for c in first.citations} >= {("a", 2), ("c", 0)}
    # the similarity-found agreement (the quake itself, stated by a and b) comes next, additions after
    assert digest.sentences[1].text.startswith("A strong earthquake") and digest.sentences[1].n_sources == 2
    assert [s.kind for s in digest.sentences[2:]] == ["addition"] * (len(digest.sentences) - 2)


def test_a_contested_fact_ends_the_summary_stated_as_such_with_its_citations():
    articles = [report("a", QUAKE_A, "Reuters"), report("b", QUAKE_B, "AP")]
    a0, b0 = articles[0].sentences()[0], articles[1].sentences()[0]
    comparison = {"facts": [{"status": "contested", "supports": [], "values": [
        {"value": "12 killed", "sources": ["Reuters"], "supports": [support("a", 0, a0, "Reuters")]},
        {"value": "15 killed", "sources": ["AP"], "supports": [support("b", 0, b0, "AP")]},
    ]}]}
    contested = contested_from_comparison(comparison)
    assert [s.text for s in contested] == ["Reuters reports 12 killed; AP reports 15 killed."]
    digest = CitedSummariserV2().summarise("E1", articles, {}, comparison=comparison)
    last = digest.sentences[-1]
    assert last.kind == "contested" and {c.article_id for c in last.citations} == {"a", "b"}
    assert digest.sentences[0].kind != "contested"


def test_the_title_is_a_short_clause_of_the_first_sentence():
    long = ("Russian troops allied with the Syrian government have recently carried out a series of attacks "
            "on US-backed forces in the country, the Wall Street Journal wrote on Friday.")
    title = short_title(long)
    assert title == "Russian troops allied with the Syrian government have recently carried out a series of attacks"
    assert short_title("Heavy rain fell in Lima on Monday.") == "Heavy rain fell in Lima on Monday"
    cut = short_title("The senate passed the spending bill on Thursday after a week of talks between the leaders "
                      "of both parties and the White House.")
    assert cut == "The senate passed the spending bill on Thursday"
    articles = [report("a", QUAKE_A, "Reuters"), report("b", QUAKE_B, "AP")]
    digest = CitedSummariserV2().summarise("E1", articles, {})
    assert digest.title == short_title(digest.sentences[0].text) and len(digest.title) <= 100
