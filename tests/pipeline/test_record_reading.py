"""recorder.agreement.v4 (issue 12, third pass): words read with what they govern, on articles written for these tests.

Errors read by eye in AllSides records of v3:

* "released a report / a statement" typed RETREAT, "thanks to" and "thanked" typed SUPPORT;
* bare "force", "unit" (the task force, a special unit) and "People" as actors;
* a Senate vote placed at a city named in passing; a place after "at" dropped because the actor finder also took it.
"""

from __future__ import annotations

from storyline.model import Mention, Place, RawRecord
from storyline.model import GeoPrecision as G
from storyline.pipeline.normalise import to_article
from storyline.pipeline.record.build import build_record
from storyline.pipeline.record.eventtype import find_triggers
from storyline.pipeline.record.reading import event_triggers

from test_record_general import FixedKind, ProtestTyper


def article(text, title=None, n=1):
    return to_article(RawRecord("test", n, {"id": f"a{n}", "title": title, "text": text, "date": "2021-05-25", "source": f"s{n}"}))


def plover(record):
    value = record.fields["event_type"].value
    return value.value if value is not None else None


def actors(record):
    return {record.get("actor1"), record.get("actor2")}


def test_a_released_report_is_no_retreat_but_released_hostages_are():
    text = "The State Department released a report on Monday that criticised the government's human rights record."
    a = article(text, "Report released")
    assert plover(build_record("E1", [a], typer=ProtestTyper(), kinds=FixedKind("politics"), revision=3)) == "RETREAT"
    assert plover(build_record("E1", [a], typer=ProtestTyper(), kinds=FixedKind("politics"), revision=4)) == "DISAPPROVE"
    hostages = article("Hamas released three hostages to the Red Cross on Sunday, officials said.", "Hostages freed")
    assert plover(build_record("E2", [hostages], typer=ProtestTyper(), kinds=FixedKind("politics"), revision=4)) == "RETREAT"


def test_the_thing_released_may_come_first_or_be_a_press_release():
    assert [t.plover for t in find_triggers("The video was released by the group on Friday.")] == ["RETREAT"]
    assert event_triggers("The video was released by the group on Friday.", 4) == []
    assert event_triggers("In a press release, the company said sales rose.", 4) == []
    assert [t.plover for t in event_triggers("The journalist was released after two weeks in custody.", 4)] == ["RETREAT"]


def test_thanks_to_and_thanked_are_no_support():
    text = "Thanks to the new law, the governor thanked voters on Tuesday for their patience."
    a = article(text, "Governor thanks voters")
    assert plover(build_record("E1", [a], typer=ProtestTyper(), kinds=FixedKind("politics"), revision=3)) == "SUPPORT"
    assert plover(build_record("E1", [a], typer=ProtestTyper(), kinds=FixedKind("politics"), revision=4)) is None


def test_a_bare_force_or_unit_is_no_actor():
    text = "The task force criticised the plan on Monday, and a special unit condemned the city council."
    a = article(text, "Task force criticises plan")
    old = build_record("E1", [a], typer=ProtestTyper(), kinds=FixedKind("politics"), revision=3)
    assert "Military forces" in actors(old)  # the error
    new = build_record("E1", [a], typer=ProtestTyper(), kinds=FixedKind("politics"), revision=4)
    assert "Military forces" not in actors(new)
    # a force with a side is still one
    side = article("A Russian unit condemned the plan on Monday.", "Plan condemned")
    assert build_record("E2", [side], typer=ProtestTyper(), kinds=FixedKind("politics"), revision=4).get("actor1") == "Military forces of Russia"


def test_people_in_general_news_are_no_actor_but_stay_civilians_in_conflict():
    text = "People criticised the new vaccine rules on Monday, and the health ministry defended them."
    a = article(text, "Vaccine rules criticised")
    old = build_record("E1", [a], typer=ProtestTyper(), kinds=FixedKind("health"), revision=3)
    assert "People" in actors(old)  # the error
    assert "People" not in actors(build_record("E1", [a], typer=ProtestTyper(), kinds=FixedKind("health"), revision=4))
    shot = article("Soldiers shot people at a market in the town on Monday.", "Shooting")
    assert build_record("E2", [shot], typer=ProtestTyper(), kinds=FixedKind("conflict"), revision=4).get("actor2") == "Civilians"


def _place(a, text, name, code, precision=G.CITY):
    start = a.text.index(text)
    return Place(a.id, start, start + len(text), text, name=name, geonameid=hash(name) % 10**6, latitude=1.0, longitude=2.0,
                 country_code=code, country=code, admin1=name, precision=precision, confidence=0.9)


def test_a_senate_vote_is_not_placed_at_a_city_named_in_passing():
    text = ("The Senate voted 50-49 on Tuesday to pass the spending bill. Sen. Rob Portman, the Ohio Republican who "
            "represents Cincinnati, said the vote was close.")
    a = article(text, "Senate passes bill")
    places = {a.id: [_place(a, "Ohio", "Ohio", "US", G.REGION), _place(a, "Cincinnati", "Cincinnati", "US")]}
    mentions = {a.id: [Mention(a.id, a.text.index("Rob Portman"), a.text.index("Rob Portman") + 11, "Rob Portman", "PERSON", "rob portman")]}
    old = build_record("E1", [a], mentions, places, typer=ProtestTyper(), kinds=FixedKind("politics"), revision=3)
    assert old.get("place") == "Cincinnati"  # the error
    new = build_record("E1", [a], mentions, places, typer=ProtestTyper(), kinds=FixedKind("politics"), revision=4)
    assert new.get("place") is None


def test_a_place_after_a_locative_word_is_where_even_when_taken_for_an_actor():
    text = "On 22 January 2022, more than 100 students staged a protest at Nilkhet intersection, Dhaka city, against the exams."
    a = article(text, None)
    start = a.text.index("Dhaka")
    mentions = {a.id: [Mention(a.id, start, start + 5, "Dhaka", "GPE", "dhaka")]}
    places = {a.id: [_place(a, "Dhaka", "Dhaka", "BD")]}
    old = build_record("E1", [a], mentions, places, typer=ProtestTyper(), kinds=FixedKind("conflict"), revision=3)
    assert old.get("place") is None  # the error: "Dhaka" was the protest's target, so not its place
    assert build_record("E1", [a], mentions, places, typer=ProtestTyper(), kinds=FixedKind("conflict"), revision=4).get("place") == "Dhaka"


def test_an_actors_origin_is_not_where_it_acted():
    text = "On 30 June 2022, an armed group from Nigeria abducted a man in the village of Dogon Tapki, Dosso."
    a = article(text, None)
    places = {a.id: [_place(a, "Nigeria", "Nigeria", "NG", G.COUNTRY), _place(a, "Dosso", "Dosso", "NE", G.REGION)]}
    rec = build_record("E1", [a], {}, places, typer=ProtestTyper(), kinds=FixedKind("conflict"), revision=4)
    assert rec.get("place") == "Dosso"


def test_a_release_that_names_no_event_leaves_no_type_to_the_classifier_alone():
    text = "Almost half of Americans disapprove of how the mayor handles crime, according to a poll released on Monday."
    a = article(text, "Poll on crime")
    crime = FixedKind("crime")
    crime.classes = FixedKind.classes + ["crime"]
    assert plover(build_record("E1", [a], typer=ProtestTyper(), kinds=crime, revision=3)) == "RETREAT"
    record = build_record("E1", [a], typer=ProtestTyper(), kinds=crime, revision=4)
    assert plover(record) is None and record.fields["event_type"].value is None


def test_a_crime_report_whose_words_name_no_event_gets_no_protest_from_the_classifier_alone():
    from storyline.pipeline.record.eventtype import EventTypeCoding

    class Untriggered:
        """The fitted classifier's reading of a poll on crime: "Peaceful protest", sure enough to name PLOVER PROTEST."""

        name = "eventtype.test-untriggered.v1"

        def classify(self, texts):
            return [EventTypeCoding("PROTEST", "Protests", "Peaceful protest", 0.74, None, "classifier") for _ in texts]

    a = article("Almost half of Americans are unhappy with how the mayor handles crime, according to a new poll.", "Poll")
    crime = FixedKind("crime")
    crime.classes = FixedKind.classes + ["crime"]
    assert plover(build_record("E1", [a], typer=Untriggered(), kinds=crime, revision=3)) == "PROTEST"  # the error
    assert build_record("E1", [a], typer=Untriggered(), kinds=crime, revision=4).fields["event_type"].value is None
