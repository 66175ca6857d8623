"""The cited summariser and the DATEWISE timeliner on hand-built reports."""

from __future__ import annotations

import datetime as dt

from storyline.model import Article
from storyline.pipeline.normalise import segment
from storyline.pipeline.summarise import CitedSummariser, title_from
from storyline.pipeline.timeline import Datewise


def report(id: str, text: str, source: str | None = None, published: dt.date | None = None) -> Article:
    return Article(id, text, source=source, published=published, segments=tuple(segment(text)))


QUAKE_A = ("A strong earthquake struck the coast of Peru on Monday, killing at least 12 people. "
           "Rescue teams searched collapsed buildings in the port city overnight. "
           "The mayor asked for tents and water.")
QUAKE_B = ("A strong earthquake struck the coast of Peru on Monday and killed at least 12 people, officials said. "
           "Schools will stay closed for a week.")
QUAKE_C = "Markets in Lima opened lower after the earthquake. Analysts expect the copper mines to reopen soon."


def test_what_independent_sources_agree_on_leads_and_cites_every_source_sentence():
    articles = [report("a", QUAKE_A, "Reuters"), report("b", QUAKE_B, "AP"), report("c", QUAKE_C, "BBC")]
    digest = CitedSummariser().summarise("E1", articles, {})

    first = digest.sentences[0]
    assert first.kind == "agreed" and first.n_sources == 2
    assert {(c.article_id, c.sentence_index) for c in first.citations} == {("a", 0), ("b", 0)}
    assert all(s.kind == "addition" for s in digest.sentences[1:])
    assert 2 <= len(digest.sentences) <= 5
    assert digest.title == title_from(first.text)


def test_every_sentence_is_a_source_sentence_and_its_citations_point_at_their_spans():
    articles = [report("a", QUAKE_A, "Reuters"), report("b", QUAKE_B, "AP"), report("c", QUAKE_C, "BBC")]
    by_id = {a.id: a for a in articles}
    digest = CitedSummariser().summarise("E1", articles, {})

    for sentence in digest.sentences:
        assert sentence.citations
        own = sentence.citations[0]
        assert by_id[own.article_id].text[own.start : own.end] == own.text == sentence.text
        for c in sentence.citations:
            assert by_id[c.article_id].sentences()[c.sentence_index] == c.text


def test_relays_of_one_upstream_report_count_as_one_source():
    articles = [report("a", QUAKE_A, "Daily One"), report("b", QUAKE_B, "Daily Two")]
    groups = {"a": "relay:reuters", "b": "relay:reuters"}
    digest = CitedSummariser().summarise("E1", articles, groups, upstreams=("Reuters",))

    first = digest.sentences[0]
    assert (first.kind, first.n_sources, first.n_reports) == ("relayed", 1, 2)
    assert digest.n_independent_reports == 1 and digest.upstreams == ("Reuters",)


def test_a_sentence_repeating_a_chosen_one_is_left_out():
    twin = report("b", QUAKE_A, "AP")
    digest = CitedSummariser().summarise("E1", [report("a", QUAKE_A, "Reuters"), twin], {})
    texts = [s.text for s in digest.sentences]
    assert len(texts) == len(set(texts))
    assert digest.sentences[0].n_sources == 2


def test_given_agreement_replaces_the_similarity_estimate():
    articles = [report("a", QUAKE_A, "Reuters"), report("c", QUAKE_C, "BBC")]
    # the comparison says: a's third sentence and c's first state the same fact
    digest = CitedSummariser().summarise("E1", articles, {}, agreed={("a", 2): [("c", 0)]})
    first = digest.sentences[0]
    assert first.text.startswith("The mayor asked") and first.kind == "agreed"
    assert [(c.article_id, c.sentence_index) for c in first.citations] == [("a", 2), ("c", 0)]


def test_long_titles_are_cut_at_a_clause():
    title = title_from("Russian troops allied with the Syrian government have recently carried out a series of attacks "
                       "on US-backed forces in the country, the Wall Street Journal wrote on Friday.")
    assert title == "Russian troops allied with the Syrian government have recently carried out a series of attacks on US-backed forces in the country"


def test_datewise_chooses_the_most_mentioned_dates_and_cites_its_sentences():
    day = dt.date
    articles = [
        report("1", "The dam broke on March 3, flooding the valley. Farmers fled to the hills.", "X", day(2020, 3, 4)),
        report("2", "Since the dam broke on March 3 the valley is under water. Aid arrived on Friday.", "Y", day(2020, 3, 8)),
        report("3", "The dam that broke on March 3 was inspected in 2019. Engineers warned of cracks.", "Z", day(2020, 3, 12)),
        report("4", "A minister visited on March 9 and promised new funds for the valley.", "X", day(2020, 3, 10)),
    ]
    days = Datewise().build(articles, n_dates=2, n_sentences=1)

    assert [d.date for d in days][0] == "2020-03-03"
    assert days[0].n_mentions == 3
    chosen = days[0].sentences[0]
    assert "March 3" in chosen.text
    assert len({c.article_id for c in chosen.citations}) >= 2


def test_counts_the_sources_state_differently_end_the_summary_as_a_contradiction():
    a, b = report("a", QUAKE_A, "Reuters"), report("b", "The quake killed 15 people in the port city, the mayor said.", "AP")

    def support(article, phrase):
        start = article.text.index(phrase)
        s, e = next((s.start, s.end) for s in article.segments if s.start <= start < s.end)
        return {"article_id": article.id, "source": article.source, "sentence_start": s, "sentence_end": e,
                "start": start, "end": start + len(phrase), "text": phrase}

    record = {"fields": {"fatalities": {
        "value": {"value": 12, "detail": {}, "support": [support(a, "at least 12 people")]},
        "alternatives": [{"value": 15, "detail": {}, "support": [support(b, "killed 15 people")]}]}}}
    digest = CitedSummariser().summarise("E1", [a, b], {}, record=record)

    last = digest.sentences[-1]
    assert (last.kind, last.text) == ("contested", "Reuters reports 12 dead; AP reports 15 dead.")
    assert [(c.article_id, c.sentence_index) for c in last.citations] == [("a", 0), ("b", 0)]
    assert 2 <= len(digest.sentences) <= 5 and digest.sentences[0].kind != "contested"
