"""The record builder: per-field values chosen across independent reports, with their spans."""

from __future__ import annotations

import datetime as dt

from storyline.model import GeoPrecision, Mention, Place, RawRecord
from storyline.pipeline.record.actors import assign_roles, find_actor_phrases, same_actor
from storyline.pipeline.record.eventtype import EventTypeCoding, combine, find_triggers
from storyline.pipeline.normalise import to_article
from storyline.pipeline.record.build import build_record, code_sentence


class KeywordTyper:
    """A fake typer at the seam: "strike" -> Air/drone strike, "protest" -> Peaceful protest, else Armed clash."""

    name = "eventtype.test-keyword.v1"

    def classify(self, texts):
        def sub(t):
            return "Air/drone strike" if "strike" in t.lower() else "Peaceful protest" if "protest" in t.lower() else "Armed clash"
        return [combine(sub(t), 0.8, find_triggers(t)) for t in texts]


def article(id_, text, date="2022-06-18", source=None, duplicate_of=None):
    a = to_article(RawRecord("test", 1, {"id": id_, "text": text, "date": date, "source": source}))
    if duplicate_of:
        from dataclasses import replace
        a = replace(a, duplicate_of=duplicate_of)
    return a


STRIKE_A = ("On Wednesday, Russian troops carried out an airstrike on a base near Tanf, where US soldiers train local forces. "
            "Nobody was hurt, officials said.")
STRIKE_B = "Russia conducted an airstrike at the Tanf garrison on Wednesday, according to US officials."
STRIKE_C = "Russian jets launched an air strike on the base on Tuesday, a monitor said. Two guards were killed."


def place(a, name, precision, cc, lat=None, lon=None):
    start = a.text.index(name)
    return Place(a.id, start, start + len(name), name, name if precision != GeoPrecision.UNRESOLVED else None,
                 1 if lat else None, lat, lon, cc, "Syria", None, None, precision, 0.9 if lat else 0.0)


def test_fields_agreed_by_two_sources_win_and_a_lone_source_is_an_alternative():
    a, b, c = article("a", STRIKE_A, source="One"), article("b", STRIKE_B, source="Two"), article("c", STRIKE_C, source="Three")
    record = build_record("E1", [a, b, c], typer=KeywordTyper())

    assert record.get("event_type") == "ASSAULT"
    assert record.fields["event_type"].value.detail["acled_sub_event_type"] == "Air/drone strike"
    assert record.get("actor1") == "Military forces of Russia"
    date = record.fields["date"]
    assert (date.value.value, date.value.detail["precision"]) == ("2022-06-15", "day")
    assert [alt.value for alt in date.alternatives] == ["2022-06-14"]
    assert date.note.startswith("stated by 2 of 3 independent sources")
    assert {s.article_id for s in date.value.support} == {"a", "b"}
    for s in date.value.support:
        src = {"a": a, "b": b}[s.article_id]
        assert src.text[s.start:s.end] == s.text and s.sentence_start <= s.start < s.end <= s.sentence_end


def test_duplicates_and_articles_of_one_outlet_do_not_outvote_an_independent_source():
    a = article("a", STRIKE_A, source="One")
    b = article("b", STRIKE_C, source="Two")
    copies = [article(f"b{i}", STRIKE_C, source="Two") for i in range(3)]
    dup = article("d", STRIKE_C, source="Three", duplicate_of="b")
    record = build_record("E1", [a, b, *copies, dup], typer=KeywordTyper())
    date = record.fields["date"]
    assert date.note.startswith("stated by 1 of 2 independent sources")
    assert "d" not in {s.article_id for s in date.value.support}


def test_relays_of_one_upstream_report_count_once():
    a, b, c = article("a", STRIKE_A, source="One"), article("b", STRIKE_A, source="Two"), article("c", STRIKE_C, source="Three")
    record = build_record("E1", [c, a, b], typer=KeywordTyper(), groups={"a": "WSJ", "b": "WSJ"})
    assert record.fields["date"].note.startswith("stated by 1 of 2 independent sources")


def test_without_a_stated_date_the_date_is_the_publication_date_and_says_so():
    record = build_record("E1", [article("a", "Rebels clashed with the army near the dam.", date="2022-03-02")], typer=KeywordTyper())
    date = record.fields["date"]
    assert date.value.value == "2022-03-02"
    assert date.value.detail["precision"] == "publication"
    assert "publication date only" in date.note and date.value.support == ()


def test_counts_are_none_when_not_reported_and_zero_only_when_a_text_says_so():
    record = build_record("E1", [article("a", "Rebels clashed with the army near the dam on Friday.")], typer=KeywordTyper())
    assert record.get("fatalities") is None and record.fields["fatalities"].note == "not reported"
    record = build_record("E1", [article("a", "Rebels clashed with the army on Friday. There were no casualties.")], typer=KeywordTyper())
    assert (record.get("fatalities"), record.get("injured")) == (0, 0)
    record = build_record("E1", [article("c", STRIKE_C)], typer=KeywordTyper())
    assert record.get("fatalities") == 2
    assert record.fields["fatalities"].value.support[0].text == "Two guards were killed"


def test_a_scoped_nobody_hurt_is_a_note_not_a_zero():
    text = "Russia conducted an airstrike on the base on Wednesday. It did not cause any casualties among US troops."
    record = build_record("E1", [article("a", text)], typer=KeywordTyper())
    assert record.get("fatalities") is None
    assert "US troops" in record.fields["fatalities"].note


def test_place_prefers_the_more_specific_of_compatible_places_across_reports():
    a, b = article("a", STRIKE_A, source="One"), article("b", "Russia conducted an airstrike in Syria on Wednesday.", source="Two")
    places = {"a": [place(a, "Tanf", GeoPrecision.UNRESOLVED, "SY")], "b": [place(b, "Syria", GeoPrecision.COUNTRY, "SY", 35.0, 38.0)]}
    record = build_record("E1", [a, b], places=places, typer=KeywordTyper())
    field = record.fields["place"]
    assert field.value.value == "Tanf" and field.value.detail["precision"] == "unresolved"
    assert field.value.detail["country_code"] == "SY"
    assert field.note.startswith("stated by 2 of 2")
    assert [alt.value for alt in field.alternatives] == ["Syria"]


def test_actor_roles_active_passive_and_between():
    s = "Unidentified gunmen attacked a police station in the town."
    trig = find_triggers(s)[0]
    a1, a2 = assign_roles(s, find_actor_phrases(s), trig.start, trig.end, trig.plover)
    assert a1.kind == "unidentified armed group" and a2 is None  # "a police station" is a site, not the police

    s = "A journalist was attacked by two unknown attackers in his home."
    trig = find_triggers(s)[0]
    a1, a2 = assign_roles(s, find_actor_phrases(s), trig.start, trig.end, trig.plover)
    assert a1.kind == "unidentified armed group" and a2.kind == "civilians"

    s = "Fighting broke out between Ukrainian forces and Russian forces near the village."
    trig = find_triggers(s)[0]
    a1, a2 = assign_roles(s, find_actor_phrases(s), trig.start, trig.end, trig.plover)
    assert (a1.key, a2.key) == ("military:ukraine", "military:russia")


def test_a_country_acting_with_force_is_its_military_and_a_country_as_a_place_is_no_actor():
    s = "Russia conducted an airstrike near the border with Jordan."
    entities = [(0, 6, "GPE"), (s.index("Jordan"), s.index("Jordan") + 6, "GPE")]
    coding = code_sentence(s, 0, len(s), [Mention("a", st, en, s[st:en], lab, s[st:en].lower()) for st, en, lab in entities])
    assert coding.actor1.key == "military:russia" and coding.actor2 is None


def test_acled_actor_names_match_by_kind_and_country_or_by_name():
    (ukr,) = [a for a in find_actor_phrases("Ukrainian forces shelled the town.")]
    assert same_actor(ukr, "Military Forces of Ukraine (2019-)")
    assert not same_actor(ukr, "Military Forces of Russia (2000-)")
    (prot,) = find_actor_phrases("Protesters gathered in the square.")
    assert same_actor(prot, "Protesters (India)") and not same_actor(prot, "Rioters (India)")
    (named,) = find_actor_phrases("Al Shabaab militants attacked the base.")
    assert same_actor(named, "Al Shabaab") and not same_actor(named, "Taliban")


class ProbabilityTyper(KeywordTyper):
    """A fake typer that also gives probabilities: each text leans to its keyword's type, "bombed" strongly."""

    classes = ["Air/drone strike", "Armed clash"]

    def probabilities(self, texts):
        import numpy as np

        rows = [[0.95, 0.05] if "bombed" in t else [0.6, 0.4] if "strike" in t.lower() else [0.3, 0.7] for t in texts]
        return np.array(rows)


def test_the_event_type_pools_the_sources_probabilities():
    sure = article("a", "Jets bombed the depot in an airstrike on Friday.", source="One")
    unsure = article("b", "Rebels clashed with troops at the depot on Friday.", source="Two")
    record = build_record("E1", [unsure, sure], typer=ProbabilityTyper())
    field = record.fields["event_type"]
    # one source each, but the pooled probabilities favour the strike (0.95 + 0.3 > 0.05 + 0.7)
    assert field.value.detail["acled_sub_event_type"] == "Air/drone strike"
    assert "pooled" in field.note and [a.detail["acled_sub_event_type"] for a in field.alternatives] == ["Armed clash"]


def test_in_a_protest_the_people_who_demonstrate_are_the_actor_and_a_stance_is_not():
    record = build_record("E1", [article("a", "On Friday, INC members staged a protest against an anti-France policy in the town.")],
                          typer=KeywordTyper())
    actor1 = record.fields["actor1"].value
    assert actor1.detail["kind"] == "protesters" and actor1.detail.get("associate") == "INC"
    s = "Hundreds of people held an anti-France demonstration in Bamako."
    assert not any(a.country == "france" for a in find_actor_phrases(s, [(s.index("France"), s.index("France") + 6, "GPE")]))


def test_a_protest_with_no_one_named_still_has_protesters_placed_where_it_happened():
    a = article("a", "On Friday, a protest took place in Nairobi against fuel prices.")
    places = {"a": [place(a, "Nairobi", GeoPrecision.CITY, "KE", -1.28, 36.82)]}
    places["a"] = [Place(p.article_id, p.start, p.end, p.text, p.name, p.geonameid, p.latitude, p.longitude, "KE", "Kenya",
                         None, None, p.precision, p.confidence) for p in places["a"]]
    record = build_record("E1", [a], places=places, typer=KeywordTyper())
    actor1 = record.fields["actor1"].value
    assert (actor1.value, actor1.detail["kind"], actor1.detail["country"]) == ("Protesters (Kenya)", "protesters", "kenya")
    assert actor1.support[0].text == "protest"


class StrikeTyper(KeywordTyper):
    def classify(self, texts):
        return [combine("Remote explosive/landmine/IED", 0.9, find_triggers(t)) for t in texts]


def test_a_bombing_whose_author_no_report_names_is_by_an_unidentified_armed_group():
    record = build_record("E1", [article("a", "On Friday, three civilians were killed when their car hit a roadside bomb.")], typer=StrikeTyper())
    actor1 = record.fields["actor1"].value
    assert actor1.detail["kind"] == "unidentified armed group"
    assert actor1.support[0].text in ("killed", "bomb")
    named = build_record("E1", [article("a", "On Friday, Al Shabaab militants planted a roadside bomb that hit a car.")], typer=StrikeTyper())
    assert named.fields["actor1"].value.detail["kind"] == "armed group"


def _resolved(a, name, precision, cc, country, admin1=None, gid=1):
    start = a.text.index(name)
    return Place(a.id, start, start + len(name), name, name, gid, 10.0, 20.0, cc, country, admin1, None, precision, 0.9)


def test_place_is_the_most_specific_of_the_reports_compatible_places_not_the_enclosing_country():
    a = article("a", "On 31 January 2022, teachers organised by a council in Iran protested in front of the "
                     "Education Department in Abdanan city (Ilam) demanding pay.")
    places = {"a": [_resolved(a, "Iran", GeoPrecision.COUNTRY, "IR", "Iran", gid=1),
                    _resolved(a, "Abdanan", GeoPrecision.CITY, "IR", "Iran", "Ilam", gid=2),
                    _resolved(a, "Ilam", GeoPrecision.REGION, "IR", "Iran", "Ilam", gid=3)]}
    record = build_record("E1", [a], places=places, typer=KeywordTyper())
    value = record.fields["place"].value
    assert value.value == "Abdanan"
    assert (value.detail["country_code"], value.detail["admin1"]) == ("IR", "Ilam")


def test_a_place_name_that_names_a_facility_is_not_the_place_of_the_event():
    a = article("a", "On 29 March 2022, students gathered for a protest at Pomona high school in Arvada (Colorado) "
                     "against budget cuts.")
    places = {"a": [_resolved(a, "Pomona", GeoPrecision.CITY, "US", "United States", "California", gid=1),
                    _resolved(a, "Arvada", GeoPrecision.CITY, "US", "United States", "Colorado", gid=2),
                    _resolved(a, "Colorado", GeoPrecision.REGION, "US", "United States", "Colorado", gid=3)]}
    record = build_record("E1", [a], places=places, typer=KeywordTyper())
    assert record.get("place") == "Arvada"


def test_fighters_of_a_named_group_are_that_group_and_the_side_they_attack_is_the_target():
    # issue 12: the recalled 2018 attack had no actor and the Wagner Group as its target
    from storyline.pipeline.record.build import code_sentence
    from storyline.model import Mention

    text = ("It recalls that when in February 2018 fighters of the Wagner Group (a Kremlin-linked mercenary company) "
            "attacked US forces in eastern Syria, the Americans responded with fire, killing – in the words of the "
            "former CIA chief – “several hundred Russians”.")
    names = (("the Wagner Group", "ORG", "wagner group"), ("US", "GPE", "united states"), ("Syria", "GPE", "syria"),
             ("Americans", "NORP", "united states"), ("CIA", "ORG", "cia"), ("Russians", "NORP", "russia"))
    mentions = [Mention("a", text.index(n), text.index(n) + len(n), n, label, key) for n, label, key in names]
    coded = code_sentence(text, 0, len(text), mentions)
    assert coded.trigger_type in ("ASSAULT", "FIGHT") and text[slice(*coded.trigger_span)] == "attacked"
    assert (coded.actor1.name, coded.actor1.kind) == ("Wagner Group", "armed group")
    assert coded.actor2.detail()["key"] == "military:united states"
    (toll,) = [c for c in coded.counts if c.kind == "killed"]
    assert toll.value == 200 and not toll.exact  # "several hundred": the documented convention, not exact
