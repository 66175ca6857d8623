"""Records of general news (issue 12, recorder.agreement.v3): the errors seen on real AllSides events, on articles
written for these tests.

* an uncertain kind still let the trigger lexicon give PLOVER types ("released" -> RETREAT, "host" -> AGREE);
* a conflict event's verbal wording still got the ACLED "Peaceful protest" the classifier falls back on;
* a recalled death was counted as the toll ("a year since Floyd was killed" -> killed 1);
* "Moderna" (labelled a person by the extractor) was a person, "People" were "Civilians".
"""

from __future__ import annotations

import datetime as dt

from storyline.model import Mention, RawRecord
from storyline.pipeline.normalise import to_article
from storyline.pipeline.record.actors import person_names, relabelled
from storyline.pipeline.record.build import build_record
from storyline.pipeline.record.counts import find_counts
from storyline.pipeline.record.eventtype import EventTypeCoding, combine, find_triggers
from storyline.pipeline.record.kind import KindCoding, coding_scope
from storyline.pipeline.record.scoping import within_scope


def article(text, title=None, n=1):
    return to_article(RawRecord("test", n, {"id": f"a{n}", "title": title, "text": text, "date": "2021-05-25", "source": f"s{n}"}))


class FixedKind:
    """A kind typer at the seam that always gives one kind (None: abstains)."""

    classes = ["politics", "conflict", "economy", "health", "disaster"]
    abstain_below = 0.5

    def __init__(self, kind, best="politics"):
        self.kind, self.best, self.name = kind, best, "kind.fixed.test"

    def classify(self, texts):
        p = {c: (0.9 if c == (self.kind or "") else 0.05) for c in self.classes}
        if self.kind is None:
            p = {c: (0.4 if c == self.best else 0.2) for c in self.classes}
        return [KindCoding(self.kind, max(p.values()), self.kind or self.best, p) for _ in texts]


class ProtestTyper:
    """An ACLED classifier that falls back on "Peaceful protest", as the fitted one does on news that is no conflict."""

    name = "eventtype.test-protest.v1"

    def classify(self, texts):
        return [combine("Peaceful protest", 0.6, find_triggers(t)) for t in texts]


RELEASED = ("The administration released its budget plan on Friday and said it would host a summit of governors "
            "next month to discuss spending.")


def test_an_uncertain_kind_gives_no_plover_type_and_says_why():
    rec = build_record("E1", [article(RELEASED, "Budget plan released")], typer=ProtestTyper(), kinds=FixedKind(None))
    field = rec.fields["event_type"]
    assert field.value is None  # v2 gave RETREAT ("released") here
    assert "uncertain" in field.note and "PLOVER" in field.note
    old = build_record("E1", [article(RELEASED, "Budget plan released")], typer=ProtestTyper(), kinds=FixedKind(None), revision=2)
    assert old.fields["event_type"].value is not None and old.fields["event_type"].value.value == "RETREAT"


def test_politics_keeps_its_verbal_type_and_no_acled_type():
    rec = build_record("E1", [article(RELEASED, "Budget plan released")], typer=ProtestTyper(), kinds=FixedKind("politics"))
    et = rec.fields["event_type"].value
    assert et is not None and et.value not in ("PROTEST", "ASSAULT", "FIGHT") and et.detail.get("acled_event_type") is None


def test_a_conflict_report_of_an_agreement_is_no_peaceful_protest():
    text = "Israel and Hamas agreed to a cease-fire on Thursday after eleven days of fighting, officials said."
    coding = combine("Peaceful protest", 0.6, find_triggers(text))
    assert coding.plover == "AGREE" and coding.acled_sub_event_type == "Peaceful protest"

    class Coding:  # what within_scope reads of an article's coding
        event_type, type_text, article = coding, None, article(text)

    kept = within_scope(Coding, coding_scope(KindCoding("conflict", 0.9, "conflict", {})))
    assert kept.plover == "AGREE" and kept.acled_sub_event_type is None
    assert within_scope(Coding, coding_scope(KindCoding("conflict", 0.9, "conflict", {}), revision=2)).acled_sub_event_type
    # a real protest keeps its ACLED type
    march = "Thousands of protesters marched through the capital on Sunday demanding the minister resign."
    coding = combine("Peaceful protest", 0.8, find_triggers(march))

    class March:
        event_type, type_text, article = coding, None, article(march)

    assert within_scope(March, coding_scope(KindCoding("conflict", 0.9, "conflict", {}))).acled_sub_event_type == "Peaceful protest"


def test_a_crime_report_with_no_protest_word_is_no_protest():
    et = EventTypeCoding(None, "Protests", "Peaceful protest", 0.4, None, "classifier")

    class Coding:
        event_type, type_text, article = et, None, article("A poll found that concern over crime rose this year.")

    assert within_scope(Coding, coding_scope(KindCoding("crime", 0.9, "crime", {}))).acled_sub_event_type is None


def test_a_recalled_death_is_not_the_toll():
    assert find_counts("Tuesday marks a year since George Floyd was killed by a Minneapolis police officer.") == []
    assert find_counts("It has been two years since three officers were killed in the ambush.") == []
    assert [c.value for c in find_counts("Two people were killed in the attack on Monday.")] == [2]
    text = ("Tuesday marks a year since George Floyd was killed by a Minneapolis police officer. His family met "
            "President Biden at the White House.")
    rec = build_record("E1", [article(text, "Floyd family meets Biden")], typer=ProtestTyper(), kinds=FixedKind(None))
    assert rec.fields["fatalities"].value is None


def mention(text, name, label, n=1):
    start = text.index(name)
    return Mention(f"a{n}", start, start + len(name), name, label, name.lower())


def test_a_company_the_extractor_labels_a_person_is_an_organisation_and_a_disease_no_actor():
    text = "Moderna agreed on Monday to supply more doses against COVID-19 to the government, and Dr. Fauci said they work."
    spans = [(text.index("Moderna"), text.index("Moderna") + 7, "PERSON"), (text.index("Fauci"), text.index("Fauci") + 5, "PERSON")]
    names = person_names([text], [spans])
    assert names == {"fauci"}
    assert relabelled(text, *spans[0], names) == "ORG"
    assert relabelled(text, *spans[1], names) == "PERSON"
    covid = text.index("COVID-19")
    assert relabelled(text, covid, covid + 8, "PERSON", names) is None
    rec = build_record("E1", [article(text, "Moderna vaccine lasts")], {"a1": [mention(text, "Moderna", "PERSON"),
                       mention(text, "COVID-19", "PERSON"), mention(text, "Fauci", "PERSON")]}, typer=ProtestTyper(),
                       kinds=FixedKind("health"))
    actor = rec.fields["actor1"].value
    assert actor is not None and actor.value == "Moderna" and actor.detail["kind"] == "organisation"
    assert all(rec.fields[r].value is None or "COVID" not in rec.fields[r].value.value for r in ("actor1", "actor2"))


def test_people_in_health_news_are_not_civilians():
    text = "People lined up outside the clinic on Monday to receive their second dose of the vaccine."
    rec = build_record("E1", [article(text, "Second doses")], typer=ProtestTyper(), kinds=FixedKind("health"))
    actor = rec.fields["actor1"].value
    assert actor is None or (actor.detail["kind"] != "civilians" and "Civilians" not in actor.value)
    old = build_record("E1", [article(text, "Second doses")], typer=ProtestTyper(), kinds=FixedKind("health"), revision=2)
    assert old.fields["actor1"].value is not None and old.fields["actor1"].value.value == "Civilians"


def test_one_report_s_acled_guess_does_not_outvote_the_others():
    # three outlets on a commander fired for his comments: one reads "missile" and gets an armed clash, two do not
    texts = ["Space Force leaders met on Monday and removed the commander after his remarks in a podcast, officials said.",
             "Officials agreed on Monday to remove the commander after his comments on a podcast, the service said.",
             "The commander, who oversaw missile warning units, fired back at critics and fought the decision."]
    articles = [article(t, "Space Force commander removed", n) for n, t in enumerate(texts, start=1)]

    class ClashForMissile:
        name, classes = "eventtype.test-clash.v1", ["Armed clash", "Peaceful protest"]

        def classify(self, texts):
            return [combine("Armed clash" if "missile" in t else "Peaceful protest", 0.6, find_triggers(t)) for t in texts]

        def probabilities(self, texts):
            import numpy as np
            return [np.array([0.9, 0.1]) if "missile" in t else np.array([0.3, 0.7]) for t in texts]

    rec = build_record("E1", articles, typer=ClashForMissile(), kinds=FixedKind("conflict"))
    et = rec.fields["event_type"].value
    assert et is not None and et.detail.get("acled_event_type") is None, rec.fields["event_type"].note
    assert "no ACLED type" in rec.fields["event_type"].note
    old = build_record("E1", articles, typer=ClashForMissile(), kinds=FixedKind("conflict"), revision=2)
    assert old.fields["event_type"].value.detail.get("acled_sub_event_type") is not None  # v2: every report kept an ACLED guess


def test_a_law_that_is_killed_is_no_death():
    assert find_counts("The Michigan Legislature killed a law the governor used for virus rules.") == []
    assert find_counts("The Senate killed two bills on Tuesday.") == []
    assert [c.value for c in find_counts("The blast killed a man and injured three.") if c.kind == "killed"] == [1]


def test_an_earthquake_has_no_actor_or_target():
    text = ("A powerful earthquake struck western Afghanistan on Saturday, killing at least 2,000 people, the Taliban "
            "government said. Soldiers and residents dug through the rubble of villages near Herat.")
    rec = build_record("E1", [article(text, "Earthquake kills 2,000 in Afghanistan")], typer=ProtestTyper(),
                       kinds=FixedKind("disaster"))
    assert rec.fields["actor1"].value is None and rec.fields["actor2"].value is None
    assert "disaster" in rec.fields["actor1"].note
    assert rec.fields["fatalities"].value.value == 2000
    old = build_record("E1", [article(text, "Earthquake kills 2,000 in Afghanistan")], typer=ProtestTyper(),
                       kinds=FixedKind("disaster"), revision=2)
    assert old.fields["actor1"].value is not None


def test_the_toll_is_the_stated_toll_across_reports_with_the_counts_of_victims_as_alternatives():
    raised = ("Officials in Haiti raised the death toll from a powerful weekend earthquake to 1,941 on Tuesday, as a "
              "tropical storm brought heavy rain.")
    earlier = "A tropical storm dumped heavy rain on the area of Haiti where an earthquake on Saturday killed at least 1,419 people."
    rec = build_record("E1", [article(earlier, "Storm hits quake zone", 1), article(raised, "Haiti toll rises", 2)],
                       typer=ProtestTyper(), kinds=FixedKind("disaster"))
    toll = rec.fields["fatalities"]
    assert toll.value.value == 1941 and [a.value for a in toll.alternatives] == [1419]
    assert find_counts("The toll of the war of 1971 is still disputed.") == []
