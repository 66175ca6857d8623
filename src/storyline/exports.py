"""Exports: event records in the shapes other tools read.

``events-csv`` writes one row per real event in the columns users of ACLED
and PLOVER data know (``event_date``, ``time_precision``, ``event_type``,
``sub_event_type``, ``actor1``, ``actor2``, ``country``, ``admin1``,
``location``, ``latitude``, ``longitude``, ``geo_precision``,
``fatalities``, ``sources``, ``notes``), plus our ids and the PLOVER type.
Earlier events the articles mention only as background get rows of their own
(``event_id`` "E1/b1", ``background_of`` "E1"). ``summary`` is the event's cited summary
(its sentences, as ``storyline summary`` prints them; the citations are in the JSONL export). Precision columns use ACLED's
codes: time 1 = day, 2 = week or a few days, 3 = month or longer; geo 1 = the
place itself, 2 = near it or part of a region, 3 = a region or country.
Empty means unknown; fatalities are empty when no source reports them and 0
only when a source says nobody was killed.
"""

from __future__ import annotations

import csv
from typing import IO, Any, Iterable, Iterator

__all__ = ["EVENTS_CSV_COLUMNS", "events_csv_rows", "write_events_csv"]

EVENTS_CSV_COLUMNS = (
    "event_id", "background_of", "story_id", "event_date", "time_precision", "date_precision",
    "kind", "iptc_topic", "event_type", "sub_event_type", "plover_type", "actor1", "actor2", "country", "admin1", "location",
    "latitude", "longitude", "geo_precision", "place_precision", "fatalities", "injured",
    "n_articles", "sources", "notes", "summary",
)

_TIME_CODES = {"day": 1, "week": 2, "publication": 2, "month": 3, "year": 3, "interval": 3}
_GEO_CODES = {"point": 1, "city": 1, "region": 3, "country": 3, "unresolved": 3}


def _value(record: dict[str, Any], name: str) -> dict[str, Any] | None:
    f = (record.get("fields") or {}).get(name)
    return f.get("value") if f else None


def _note(record: dict[str, Any], name: str) -> str:
    f = (record.get("fields") or {}).get(name)
    return (f or {}).get("note") or ""


def _sources(record: dict[str, Any]) -> list[str]:
    names = set()
    for f in (record.get("fields") or {}).values():
        for v in [f.get("value")] + list(f.get("alternatives") or []):
            for s in (v or {}).get("support") or ():
                names.add(s.get("source") or s.get("article_id"))
    return sorted(n for n in names if n)


def _row(event: dict[str, Any], record: dict[str, Any], event_id: str, background_of: str | None) -> dict[str, Any]:
    etype, date, place = _value(record, "event_type"), _value(record, "date"), _value(record, "place")
    a1, a2 = _value(record, "actor1"), _value(record, "actor2")
    killed, injured = _value(record, "fatalities"), _value(record, "injured")
    date_detail, place_detail, type_detail = (date or {}).get("detail") or {}, (place or {}).get("detail") or {}, (etype or {}).get("detail") or {}
    notes = []
    for name in ("event_type", "actor1", "actor2", "place", "date", "fatalities"):
        f = (record.get("fields") or {}).get(name) or {}
        alternatives = f.get("alternatives") or []
        if alternatives:
            others = "; ".join(f"{alt.get('value')} ({', '.join(sorted({s.get('source') or s.get('article_id') for s in alt.get('support') or []}))})"
                               for alt in alternatives)
            notes.append(f"{name} disputed: {others}")
    kind = _value(record, "kind")
    type_note = _note(record, "event_type")
    if etype is None and type_note and "kind" in (record.get("fields") or {}):
        notes.append(f"event type: {type_note}")
    if date_detail.get("precision") == "publication":
        notes.append(_note(record, "date") or "date: publication date only")
    if record.get("summary"):
        notes.insert(0, record["summary"])
    precision = date_detail.get("precision")
    geo = place_detail.get("precision")
    return {
        "event_id": event_id,
        "background_of": background_of or "",
        "story_id": event.get("story_id") or "",
        "event_date": (date or {}).get("value") or "",
        "time_precision": _TIME_CODES.get(precision, ""),
        "date_precision": precision or "",
        "kind": ((kind or {}).get("detail") or {}).get("label") or "",
        "iptc_topic": ((kind or {}).get("detail") or {}).get("iptc") or "",
        "event_type": type_detail.get("acled_event_type") or "",
        "sub_event_type": type_detail.get("acled_sub_event_type") or "",
        "plover_type": (etype or {}).get("value") or "",
        "actor1": (a1 or {}).get("value") or "",
        "actor2": (a2 or {}).get("value") or "",
        "country": place_detail.get("country") or "",
        "admin1": place_detail.get("admin1") or "",
        "location": (place or {}).get("value") or "",
        "latitude": "" if place_detail.get("latitude") is None else place_detail["latitude"],
        "longitude": "" if place_detail.get("longitude") is None else place_detail["longitude"],
        "geo_precision": _GEO_CODES.get(geo, ""),
        "place_precision": geo or "",
        "fatalities": "" if (killed or {}).get("value") is None else killed["value"],
        "injured": "" if (injured or {}).get("value") is None else injured["value"],
        "n_articles": event.get("n_articles", ""),
        "sources": "; ".join(_sources(record)),
        "notes": " | ".join(n for n in notes if n),
        # the event's cited summary (its sentences; background rows have none)
        "summary": " ".join(s["text"] for s in (event.get("summary") or {}).get("sentences") or ()) if not background_of else "",
    }


def events_csv_rows(events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows for events as returned by :meth:`storyline.Storyline.event` (with a ``record``)."""
    for event in events:
        record = event.get("record")
        if not record:
            continue
        yield _row(event, record, event["id"], None)
        for i, background in enumerate(record.get("background") or (), start=1):
            yield _row(event, background, f"{event['id']}/b{i}", event["id"])


def write_events_csv(events: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write the events as CSV with a header; return the number of rows."""
    writer = csv.DictWriter(out, fieldnames=EVENTS_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in events_csv_rows(events):
        writer.writerow(row)
        n += 1
    return n
