import datetime as dt

from storyline.model import RawRecord
from storyline.pipeline.record.background import find_background, group_background
from storyline.pipeline.dates import date_mentions
from storyline.pipeline.normalise import to_article


def article(text, date="2022-06-18", id="a1"):
    a = to_article(RawRecord("t.jsonl", 1, {"id": id, "date": date, "text": text}))
    return a, date_mentions(a.id, a.text, a.published)


def test_an_attack_dated_years_earlier_is_a_background_episode_with_its_own_date():
    a, dates = article(
        "On Wednesday, troops struck a base near the border. "
        "In February 2018 fighters of a mercenary group attacked US forces in eastern Syria. "
        "The base has been used since 2016."
    )
    (episode,) = find_background(a, dates, dt.date(2022, 6, 15))
    assert a.text[episode.start:episode.end].startswith("In February 2018 fighters")
    assert episode.date.text.endswith("February 2018") and episode.date.detail["precision"] == "month"
    assert episode.period == ("2018-02-01", "2018-02-28")
    assert episode.trigger == "attacked"


def test_ongoing_states_reduced_clauses_recent_dates_and_undated_sentences_are_not_episodes():
    a, dates = article(
        "The civil war has been going on since 2011. "
        "Allies were trained to stop the group defeated in 2019. "
        "On Wednesday, troops attacked a base. "
        "Troops attacked a convoy last year, but on Wednesday they attacked again. "
        "Rebels once attacked the town."
    )
    assert find_background(a, dates, dt.date(2022, 6, 15)) == []


def test_the_publication_date_is_the_reference_when_no_event_date_is_known():
    a, dates = article("Rebels seized the airport in March 2021.")
    (episode,) = find_background(a, dates)
    assert episode.period == ("2021-03-01", "2021-03-31")
    b, dates_b = article("Rebels seized the airport in May 2022.")
    assert find_background(b, dates_b) == []


def test_adjacent_sentences_about_the_same_period_form_one_episode():
    a, dates = article("In February 2018 fighters attacked US forces. In February 2018 the Americans killed dozens of them.")
    (episode,) = find_background(a, dates, dt.date(2022, 6, 15))
    assert len(episode.sentences) == 2


def test_episodes_of_different_articles_about_the_same_period_are_grouped_and_others_kept_apart():
    a, dates_a = article("In February 2018 fighters attacked US forces.", id="a")
    b, dates_b = article("Back in February 2018, mercenaries attacked an American position.", id="b")
    c, dates_c = article("In 2014 Russia annexed Crimea.", id="c")
    episodes = [e for x, d in ((a, dates_a), (b, dates_b), (c, dates_c)) for e in find_background(x, d, dt.date(2022, 6, 15))]
    groups = group_background(episodes)
    assert sorted(sorted(e.article_id for e in g) for g in groups) == [["a", "b"], ["c"]]
