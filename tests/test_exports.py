import csv
import dataclasses
import io

from storyline.exports import EVENTS_CSV_COLUMNS, write_events_csv
from storyline.model import EventRecord, FieldValue, RecordField, Support


def support(article_id, source, text="Troops struck the base on Wednesday."):
    return Support(article_id, source, 0, len(text), 0, len(text), text)


def record(event_id="E1", **fields):
    return EventRecord(event_id, {name: RecordField(name, value, alternatives) for name, (value, alternatives) in fields.items()})


MAIN = record(
    event_type=(FieldValue("ASSAULT", {"acled_event_type": "Explosions/Remote violence", "acled_sub_event_type": "Air/drone strike"},
                           (support("a1", "Daily"), support("a2", "Wire"))), ()),
    actor1=(FieldValue("Russia", {"key": "russia"}, (support("a1", "Daily"),)), ()),
    place=(FieldValue("al-Tanf", {"country": "Syria", "admin1": "Homs", "latitude": 33.5, "longitude": 38.6, "precision": "point"},
                      (support("a1", "Daily"),)), ()),
    date=(FieldValue("2022-06-15", {"precision": "day", "start": "2022-06-15", "end": "2022-06-15"}, (support("a1", "Daily"),)),
          (FieldValue("2022-06-14", {"precision": "day"}, (support("a2", "Wire"),)),)),
    fatalities=(None, ()),
)


def rows_for(events):
    out = io.StringIO()
    n = write_events_csv(events, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == n
    return rows


def test_one_row_per_event_in_acled_style_columns_with_disagreements_in_notes():
    event = {"id": "E1", "story_id": "S1", "n_articles": 2, "record": dataclasses.asdict(MAIN)}
    (row,) = rows_for([event])
    assert tuple(row) == EVENTS_CSV_COLUMNS
    assert row["event_date"] == "2022-06-15" and row["time_precision"] == "1"
    assert (row["event_type"], row["sub_event_type"], row["plover_type"]) == ("Explosions/Remote violence", "Air/drone strike", "ASSAULT")
    assert (row["location"], row["country"], row["admin1"], row["geo_precision"]) == ("al-Tanf", "Syria", "Homs", "1")
    assert float(row["latitude"]) == 33.5 and row["actor1"] == "Russia" and row["actor2"] == ""
    assert row["fatalities"] == ""  # not reported is not zero
    assert row["sources"] == "Daily; Wire"
    assert "date disputed: 2022-06-14 (Wire)" in row["notes"]


def test_background_events_get_rows_of_their_own_and_events_without_records_none():
    earlier = record("E1/b1", date=(FieldValue("2018-02-01", {"precision": "month"}, (support("a1", "Daily"),)), ()),
                     fatalities=(FieldValue(0, {}, (support("a1", "Daily"),)), ()))
    main = dataclasses.replace(MAIN, background=(earlier,))
    rows = rows_for([{"id": "E1", "record": dataclasses.asdict(main)}, {"id": "E2", "record": None}])
    assert [(r["event_id"], r["background_of"]) for r in rows] == [("E1", ""), ("E1/b1", "E1")]
    assert rows[1]["time_precision"] == "3" and rows[1]["fatalities"] == "0"
