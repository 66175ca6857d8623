"""The page-building functions: text layout with overlapping marks, field highlights, safe links and queries."""

from __future__ import annotations

from storyline.store.browse import fts_query
from storyline.web import views
from storyline.model import SearchHit
from storyline.store.browse import split_marks
from storyline.web.views import Span, field_highlights, layout, record_fields, safe_url

TEXT = "Russia struck al-Tanf on Wednesday. No US troops were hurt."
SEGMENTS = [{"kind": "sentence", "start": 0, "end": 35, "paragraph": 0}, {"kind": "sentence", "start": 36, "end": 59, "paragraph": 0}]


def test_overlapping_spans_become_flat_pieces_that_keep_every_class():
    spans = [Span(0, 35, "quote"), Span(0, 6, "actor", "actor"), Span(14, 21, "place", "place: al-Tanf")]
    (block,) = layout(TEXT, SEGMENTS, spans)
    first = block.sentences[0]
    assert "".join(p.text for p in first.pieces) == TEXT[:35]
    assert first.pieces[0].text == "Russia" and set(first.pieces[0].classes) == {"quote", "actor"}
    place = next(p for p in first.pieces if p.text == "al-Tanf")
    assert set(place.classes) == {"quote", "place"} and place.note == "place: al-Tanf"
    assert [p.classes for p in block.sentences[1].pieces] == [()]


def test_field_highlights_mark_the_supporting_sentence_and_span_of_each_article():
    support = {"article_id": "a1", "source": "X", "sentence_start": 36, "sentence_end": 59, "start": 39, "end": 48, "text": "US troops"}
    alt = {"article_id": "a2", "source": "Y", "sentence_start": 0, "sentence_end": 10, "start": 0, "end": 4, "text": "Some"}
    record = {"fields": {"injured": {"name": "injured", "value": {"value": 0, "detail": {}, "support": [support]},
                                     "alternatives": [{"value": 3, "detail": {}, "support": [alt]}], "note": ""}}}
    marks = field_highlights(record, "injured")
    sentences, spans = marks["a1"]
    (block,) = layout(TEXT, SEGMENTS, spans, sentences)
    assert [s.classes for s in block.sentences] == [(), ("support",)]
    assert [p.text for p in block.sentences[1].pieces if "support-span" in p.classes] == ["US troops"]
    assert marks["a2"][0] == {(0, 10): ("support-alt",)}
    assert field_highlights(record, "date") == {} and field_highlights(None, "injured") == {}


def test_only_http_links_are_links():
    assert safe_url("https://example.org/a") == "https://example.org/a"
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>", "//evil", None, ""):
        assert safe_url(url) is None


def test_search_text_becomes_quoted_words_never_fts_syntax():
    assert fts_query('al-Tanf "garrison') == '"al" "Tanf" "garrison"*'
    assert fts_query("NEAR(a b) OR c*") == '"NEAR" "a" "b" "OR" "c"*'
    assert fts_query("!!! ---") is None


def test_snippet_marks_become_plain_text_and_offsets_and_unbalanced_marks_are_harmless():
    assert split_marks("a \ue000b\ue001 c") == ("a b c", ((2, 3),))
    assert split_marks("x\ue001y\ue000") == ("xy", ())
    hit = SearchHit("a1", None, None, None, None, snippet="a b c", highlights=((2, 3),))
    assert hit.parts() == [("a ", False), ("b", True), (" c", False)]
    assert SearchHit("a1", None, None, None, None, snippet="ab", highlights=((1, 9),)).parts() == [("ab", False)]


def test_the_record_card_words_details_for_people_and_hides_internal_scores():
    place = {"value": "al-Tanf", "support": [], "detail": {
        "specificity": 3, "latitude": 33.5, "longitude": 38.6667, "country": "Syria", "country_code": "SY",
        "admin1": "Homs Governorate", "precision": "city", "confidence": 0.8123, "geonameid": 123, "text": "al-Tanf"}}
    kind = {"value": "ASSAULT", "support": [], "detail": {
        "acled_event_type": "Explosions/Remote violence", "acled_sub_event_type": "Air/drone strike",
        "confidence": 0.71, "method": "linear", "trigger": "strike"}}
    day = {"value": "2022-06-15", "support": [], "detail": {
        "precision": "day", "start": "2022-06-15", "end": "2022-06-15", "text": "on Wednesday", "anchor": "2022-06-18"}}
    fields = {f.name: f for f in record_fields({"fields": {"place": {"value": place}, "event_type": {"value": kind},
                                                          "date": {"value": day}}})}
    assert fields["place"].detail == "Homs Governorate · Syria · precision city · as written al-Tanf · 33.50, 38.67"
    assert fields["event_type"].detail == "ACLED Explosions/Remote violence · Air/drone strike · trigger strike"
    assert fields["date"].detail == "precision day · as written on Wednesday · read against 2022-06-18"
    for hidden in ("specificity", "confidence", "geonameid", "SY", "0.81", "linear"):
        assert all(hidden not in f.detail for f in fields.values())


def test_columns_of_unnamed_outlets_say_which_report_they_relay():
    by_source = {"(unknown)": [{"id": "a4dc18493307cd4e"}, {"id": "b1"}], "Daily Planet": [{"id": "c1"}]}
    relays = [{"upstream": "wall street journal", "name": "Wall Street Journal", "articles": ["a4dc18493307cd4e"]}]

    headings = [heading for heading, _ in views.source_columns(by_source, relays)]

    assert "Unnamed outlet relaying the Wall Street Journal (a4dc1849)" in headings
    assert "Unnamed outlet (b1)" in headings and "Daily Planet" in headings
    assert not any("Unknown source" in h for h in headings)


def test_public_origin_keeps_the_file_name_and_line_but_never_the_servers_folders():
    assert views.public_origin("/srv/news/2023/feed.jsonl:3") == "feed.jsonl:3"
    assert views.public_origin("C:\\news\\feed.csv:9") == "feed.csv:9"
    assert views.public_origin("<api>:1") == "<api>:1" and views.public_origin(None) is None


def test_an_articles_places_are_listed_once_each_and_nationality_words_are_not_places():
    article = {
        "mentions": [{"start": 0, "end": 7, "label": "NORP"}],
        "places": [
            {"start": 0, "end": 7, "text": "Russian", "name": "Russia", "country": "Russia", "precision": "country", "geonameid": 2017370},
            {"start": 20, "end": 25, "text": "Syria", "name": "Syria", "country": "Syria", "precision": "country", "geonameid": 163843},
            {"start": 40, "end": 45, "text": "Syria", "name": "Syria", "country": "Syria", "precision": "country", "geonameid": 163843},
            {"start": 60, "end": 67, "text": "Syrian", "name": "Syria", "country": "Syria", "precision": "country", "geonameid": 163843},
        ],
    }

    groups = views.place_groups(article)

    assert [(g.name, g.count, g.surfaces) for g in groups] == [("Syria", 3, ("Syria", "Syrian"))]
    assert all(s.kind != "place" or s.start != 0 for s in views.mention_spans(article))


def _event_at(event_id, name, lat, lon, precision):
    place = {"value": name, "detail": {"latitude": lat, "longitude": lon, "precision": precision, "country_code": "US"}}
    return {"id": event_id, "title": name, "record": {"fields": {"place": {"value": place}}}}


def test_story_map_spreads_events_at_one_place_zooms_to_them_and_marks_approximate_positions():
    events = [_event_at("E1", "Lahaina", 20.87, -156.68, "city"), _event_at("E2", "Lahaina", 20.87, -156.68, "city"),
              _event_at("E3", "United States", 39.8, -98.5, "country")]

    drawn = views.story_map(events[:2])
    (x1, y1, m1), (x2, y2, m2) = drawn.markers
    assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= 18  # two markers, both visible
    assert all(name != "Russia" for name, _, _ in drawn.countries)  # zoomed to Hawaii, not the whole world
    assert not m1.approximate

    marks = {m.label: m for _, _, m in views.story_map(events).markers}
    assert marks["3"].approximate and "approximate" in marks["3"].title and not marks["1"].approximate
