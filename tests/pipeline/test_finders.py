"""The finders the record coding and the claims share: a remembered result is the fresh one, searched once."""

from __future__ import annotations

import datetime as dt

from storyline.pipeline import dates as dates_stage
from storyline.pipeline.record import finders
from storyline.pipeline.record.counts import find_counts
from storyline.pipeline.record.eventtype import find_triggers

SENTENCE = "Gunmen killed at least 12 people and wounded 30 in an attack on a market in Kano on Tuesday, police said."
PUBLISHED = dt.date(2023, 3, 9)


def test_each_finder_gives_what_the_finder_it_remembers_gives():
    assert finders.triggers(SENTENCE) == tuple(find_triggers(SENTENCE)) != ()
    assert finders.counts(SENTENCE) == tuple(find_counts(SENTENCE)) != ()
    assert finders.dates(SENTENCE, PUBLISHED) == tuple(dates_stage.find_dates(SENTENCE, PUBLISHED)) != ()
    assert finders.event_days(SENTENCE, PUBLISHED) == tuple(dates_stage.event_date_candidates([SENTENCE], PUBLISHED)) != ()


def test_the_claims_of_a_coded_report_search_its_lead_sentences_no_more():
    from storyline.model import Article, Segment
    from storyline.pipeline.compare.claims import split_claims
    from storyline.pipeline.record.build import code_article

    class Typer:
        name = "typer.test"

        def classify(self, texts):
            return [None for _ in texts]

    text = SENTENCE + " The market was closed on Wednesday."
    end = len(SENTENCE)
    article = Article("a1", text, "Daily", None, "Attack in Kano", PUBLISHED, "en", "f1",
                      segments=(Segment("sentence", 0, end, 0), Segment("sentence", end + 1, len(text), 0)))
    finders.triggers.cache_clear()
    code_article(article, [], Typer())
    coded = finders.triggers.cache_info()

    claims = split_claims(article, [])

    assert [c.text for c in claims][0] == SENTENCE
    after = finders.triggers.cache_info()
    assert after.hits > coded.hits  # the lead sentence's triggers were read, not searched again


def test_remembered_actor_phrases_equal_a_fresh_search_and_cannot_be_changed_by_a_caller():
    from storyline.pipeline.record.actors import find_actor_phrases

    sentence = "Syrian government forces and Islamic State militants clashed near Palmyra, police said."
    spans = ((30, 42, "ORG"), (66, 73, "GPE"))
    found = finders.actors(sentence, spans)
    assert list(found) == find_actor_phrases(sentence, spans)
    assert found and isinstance(found, tuple)
    assert finders.actors(sentence, spans) is found  # searched once
    assert list(finders.actors(sentence, ())) == find_actor_phrases(sentence, ())
