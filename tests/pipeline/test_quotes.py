import datetime as dt

from storyline.pipeline import dates, quotes
from storyline.pipeline.quotes import SourceKinds, find_attributions, find_quotes, speech_mentions, upstream


def spans_of(text, *names, label="PERSON"):
    return [(text.index(n), text.index(n) + len(n), label) for n in names]


def test_outlet_attribution_with_acronym_and_pronouns_point_back_at_the_outlet():
    text = (
        "Troops attacked a base, the Wall Street Journal (WSJ) wrote on Friday. "
        "The attack was the third this month, the newspaper notes. "
        "It adds that nobody was hurt. Officials were warned, the WSJ writes."
    )
    found = find_attributions(text)
    assert [(text[a.start:a.end], a.key, a.kind) for a in found] == [
        ("the Wall Street Journal (WSJ) wrote", "wall street journal", SourceKinds.OUTLET),
        ("the newspaper notes", "wall street journal", SourceKinds.OUTLET),
        ("It adds", "wall street journal", SourceKinds.OUTLET),
        ("the WSJ writes", "wall street journal", SourceKinds.OUTLET),
    ]
    assert upstream(found) == [("wall street journal", 4)]
    assert upstream(found, own_source="The Wall Street Journal") == []


def test_according_to_and_citing_name_their_sources_and_kinds():
    text = "According to US military officials, the strike hit a garrison. It was planned, the paper said citing sources in the army."
    found = find_attributions(text)
    by_text = {text[a.start:a.end]: a for a in found}
    assert by_text["According to US military officials"].kind == SourceKinds.OFFICIAL
    assert by_text["According to US military officials"].source == "US military officials"
    assert by_text["citing sources in the army"].kind == SourceKinds.UNNAMED
    # "the paper" with no outlet named before it is no source we can resolve
    assert "the paper said" not in by_text


def test_a_verb_with_an_object_is_not_an_attribution_but_said_with_a_clause_is():
    text = "The military reported the strike to the embassy. A spokesman said the base was empty."
    found = [text[a.start:a.end] for a in find_attributions(text)]
    assert found == ["A spokesman said"]


def test_quote_speaker_is_the_fullest_name_with_title_and_a_quote_paragraph_continues_it():
    text = (
        "Army Gen. Erik Kurilla, the head of the command, spoke on Monday.\n\n"
        "“We seek to avoid miscalculation,” Kurilla said in a statement.\n\n"
        "“However, their recent behavior has been provocative.”\n\n"
        "Critics called it “a mistake”."
    )
    spans = spans_of(text, "Erik Kurilla") + [(text.index("Kurilla said"), text.index("Kurilla said") + 7, "PERSON")]
    found = find_quotes(text, spans)
    assert [q.text for q in found] == [
        "We seek to avoid miscalculation,",
        "However, their recent behavior has been provocative.",
        "a mistake",
    ]
    assert found[0].speaker == "Army Gen. Erik Kurilla" and found[0].speaker_kind == SourceKinds.PERSON
    assert found[1].speaker == "Army Gen. Erik Kurilla" and found[1].extra == {"continues": True}
    assert found[2].speaker is None


def test_scare_quotes_after_what_x_calls_are_attributed_to_x():
    text = "Troops crossed the border in what Moscow calls a “special military operation.”"
    spans = spans_of(text, "Moscow", label="GPE")
    (quote,) = find_quotes(text, spans)
    assert quote.text == "special military operation." and quote.speaker == "Moscow"


def test_speech_mentions_carry_offsets_keys_and_details():
    text = "“It was a mistake,” a police spokesman said."
    mentions = speech_mentions("a1", text)
    labels = {m.label: m for m in mentions}
    assert text[labels["QUOTE"].start:labels["QUOTE"].end] == "It was a mistake,"
    assert labels["QUOTE"].key == "police spokesman" and labels["QUOTE"].detail["speaker_kind"] == SourceKinds.OFFICIAL
    assert labels["ATTRIBUTION"].text == "a police spokesman said"
    assert labels["ATTRIBUTION"].detail["kind"] == SourceKinds.OFFICIAL


def test_date_mentions_resolve_against_the_publication_date_and_flag_reporting_dates():
    text = "On Wednesday, troops struck a base, the newspaper wrote on Friday. Fighting has gone on since 2011."
    found = {m.text: m for m in dates.date_mentions("a1", text, dt.date(2022, 6, 18))}
    assert found["On Wednesday"].key == "2022-06-15" and found["On Wednesday"].detail["precision"] == "day"
    assert found["On Wednesday"].detail["reporting"] is False
    assert found["on Friday"].detail["reporting"] is True
    since = found["since 2011"].detail
    assert (since["precision"], since["start"], since["end"]) == ("interval", "2011-01-01", "2022-06-18")
    assert found["On Wednesday"].detail["anchor"] == "2022-06-18"


def test_module_exports_are_public():
    assert set(quotes.__all__) >= {"find_quotes", "find_attributions", "speech_mentions", "upstream"}


def test_articles_citing_the_same_outlet_are_relays_of_one_report():
    a = "Troops attacked a base, the Wall Street Journal reported. Nobody was hurt, the newspaper said."
    b = "Troops attacked a base, the Wall Street Journal (WSJ) reported on Friday."
    c = "Troops attacked a base, a spokesman said."
    d = "The Wall Street Journal reported that troops attacked a base."
    found = quotes.relays([
        ("a", "Daily Sun", find_attributions(a)),
        ("b", "Evening Post", speech_mentions("b", b)),
        ("c", "Wire", find_attributions(c)),
        ("d", "The Wall Street Journal", find_attributions(d)),  # its own report, not a relay
    ])
    assert found == {"wall street journal": ["a", "b"]}
