"""``storyline eval geoparse``: toponym recognition and resolution against gold.

Input: the geoparsing JSONL format (``../shared/data/README.md``): per line
``{"id", "text", "toponyms": [{"start", "end", "name", "lat", "lon", "geonameid", "type"}]}``.

The articles go through the product's own path: the configured entity
extractor (``entities`` setting) over the text, then the configured geoparser
(``geoparser`` setting) over its spans. Nothing of the gold reaches them.

Scores (fractions in 0..1; distances in km):

* **Recognition** -- a predicted toponym is a (start, end) span. Gold toponyms
  are all annotated toponyms except GeoWebNews' three non-toponym classes
  (``Literal_Expression``, ``Non_Lit_Expression``, ``Non_Toponym``: "city",
  "citizens"), as in a standard geotagging evaluation. ``toponym_*`` use
  exact span matches; ``lenient_*`` count any overlap (each gold and each
  prediction used once). ``literal_*`` score literal names only (GeoWebNews'
  ``Literal``, ``Literal_Modifier``, ``Embedded_Literal``, ``Mixed``,
  ``Coercion``; every TR-News toponym): recall over literal gold spans, and a
  prediction that overlaps only an associative or non-toponym gold span
  ("French" in "French engineer", "Moscow said") is left out of precision --
  it is neither a literal hit nor a false place.
* **Resolution** (Gritta et al. 2018/2019) -- over the gold toponyms that have
  coordinates and that we recognised with the exact span: the great-circle
  error of our coordinates. A toponym we left without coordinates counts as
  the largest possible error (20,039 km, half the Earth's circumference); one
  the gazetteer lacks but that the geoparser placed at the enclosing place its
  article names (precision "unresolved" with coordinates) is measured from
  there, and counted in ``n_placed_by_context``. ``referent_accuracy``: over
  the same toponyms that have a gold GeoNames id, the share we resolved to that
  very id (a diagnostic: it separates choosing the wrong place from choosing
  the right place with coordinates that differ from GeoNames').
  ``acc_161km``: share with error <= 161 km. ``auc``: the area under the
  curve of the sorted errors on a log scale, ``ln(error + 1)``, normalised by
  ``ln(20039)`` and the number of intervals (trapezoidal rule): 0 is perfect,
  1 is every toponym on the far side of the Earth; one toponym alone gives
  ``ln(error + 1) / ln(20039)``.
"""

from __future__ import annotations

import math
import statistics
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

from .. import registry
from ..errors import Codes
from ..model import Place
from ..pipeline.geo.places import haversine_km
from ..settings import Options, load_options
from .files import bad_line, read_objects

__all__ = ["load_geoparsing", "evaluate_geoparsing", "score_geoparsing", "span_scores", "geocoding_scores", "auc",
           "MAX_ERROR_KM", "LITERAL_TYPES", "NON_TOPONYM_TYPES"]

MAX_ERROR_KM = 20039.0
LITERAL_TYPES = frozenset({"Literal", "Literal_Modifier", "Embedded_Literal", "Mixed", "Coercion"})
ASSOCIATIVE_TYPES = frozenset({"Metonymic", "Non_Literal_Modifier", "Embedded_Non_Lit", "Demonym", "Homonym", "Language"})
NON_TOPONYM_TYPES = frozenset({"Literal_Expression", "Non_Lit_Expression", "Non_Toponym"})


def load_geoparsing(path: str | Path) -> list[dict[str, Any]]:
    """Read a geoparsing JSONL file; a bad line raises :class:`InputError` naming it."""
    rows = []
    for number, row in read_objects(path):
        if not isinstance(row.get("text"), str) or not isinstance(row.get("toponyms"), list):
            raise bad_line(path, number, "expected an object with 'text' and a 'toponyms' list")
        for i, t in enumerate(row["toponyms"]):
            if not isinstance(t, dict) or not isinstance(t.get("start"), int) or not isinstance(t.get("end"), int):
                raise bad_line(path, number, f"toponym {i}: 'start' and 'end' must be integers", Codes.BAD_FIELD)
        rows.append(row)
    return rows


# ------------------------------------------------------------ metrics


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> tuple[float, float, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def span_scores(gold: Sequence[Iterable[tuple[int, int]]], predicted: Sequence[Iterable[tuple[int, int]]],
                ignore: Sequence[Iterable[tuple[int, int]]] | None = None) -> dict[str, float]:
    """Exact and overlap P/R/F1 of predicted spans against gold spans, per document.

    Predictions overlapping a span in ``ignore`` (and no gold span) are left
    out of precision. Overlap matching pairs each gold and prediction once.
    """
    tp = tp_lenient = n_gold = n_pred = 0
    for i, (g_doc, p_doc) in enumerate(zip(gold, predicted)):
        g = sorted(set(g_doc))
        ig = list(ignore[i]) if ignore is not None else []
        p = sorted(s for s in set(p_doc) if any(_overlap(s, x) for x in g) or not any(_overlap(s, x) for x in ig))
        n_gold += len(g)
        n_pred += len(p)
        tp += len(set(g) & set(p))
        used: set[int] = set()
        for s in p:
            for j, x in enumerate(g):
                if j not in used and _overlap(s, x):
                    used.add(j)
                    tp_lenient += 1
                    break
    precision, recall, f1 = _prf(tp, n_pred, tp, n_gold)
    lp, lr, lf = _prf(tp_lenient, n_pred, tp_lenient, n_gold)
    return {"precision": precision, "recall": recall, "f1": f1, "lenient_precision": lp, "lenient_recall": lr,
            "lenient_f1": lf, "n_gold": n_gold, "n_predicted": n_pred, "n_exact": tp}


def auc(errors_km: Sequence[float]) -> float | None:
    """Gritta et al.'s AUC of geocoding errors (0 best, 1 worst); None without errors."""
    if not errors_km:
        return None
    logs = sorted(math.log(min(max(e, 0.0), MAX_ERROR_KM) + 1) for e in errors_km)
    if len(logs) == 1:
        return logs[0] / math.log(MAX_ERROR_KM)
    area = sum((a + b) / 2 for a, b in zip(logs, logs[1:]))
    return area / (math.log(MAX_ERROR_KM) * (len(logs) - 1))


def geocoding_scores(errors_km: Sequence[float]) -> dict[str, Any]:
    if not errors_km:
        return {"acc_161km": None, "median_error_km": None, "mean_error_km": None, "auc": None, "n_geocoded": 0}
    return {
        "acc_161km": sum(1 for e in errors_km if e <= 161) / len(errors_km),
        "median_error_km": statistics.median(errors_km),
        "mean_error_km": statistics.fmean(errors_km),
        "auc": auc(errors_km),
        "n_geocoded": len(errors_km),
    }


def score_geoparsing(rows: Sequence[dict[str, Any]], predictions: Sequence[Sequence[Place]]) -> dict[str, Any]:
    """All scores for gold ``rows`` and the places predicted for each."""
    gold, gold_literal, ignore_literal, pred = [], [], [], []
    errors: list[float] = []
    unresolved = placed_by_context = same_id = with_id = 0
    by_type_total: dict[str, int] = {}
    by_type_found: dict[str, int] = {}
    for row, places in zip(rows, predictions):
        toponyms = [t for t in row["toponyms"] if t.get("type") not in NON_TOPONYM_TYPES]
        spans = {(p.start, p.end): p for p in places}
        gold.append([(t["start"], t["end"]) for t in toponyms])
        literal = [t for t in toponyms if t.get("type") is None or t.get("type") in LITERAL_TYPES or
                   (t.get("type") not in ASSOCIATIVE_TYPES)]
        gold_literal.append([(t["start"], t["end"]) for t in literal])
        ignore_literal.append([(t["start"], t["end"]) for t in row["toponyms"] if t not in literal])
        pred.append(list(spans))
        for t in toponyms:
            kind = t.get("type") or "untyped"
            by_type_total[kind] = by_type_total.get(kind, 0) + 1
            place = spans.get((t["start"], t["end"]))
            if place is None:
                continue
            by_type_found[kind] = by_type_found.get(kind, 0) + 1
            if t.get("lat") is None or t.get("lon") is None:
                continue
            if t.get("geonameid"):
                with_id += 1
                same_id += int(str(place.geonameid) == str(t["geonameid"]))
            if place.latitude is None or place.longitude is None:
                unresolved += 1
                errors.append(MAX_ERROR_KM)
            else:
                placed_by_context += int(place.geonameid is None)
                errors.append(haversine_km(place.latitude, place.longitude, float(t["lat"]), float(t["lon"])))
    spans_all = span_scores(gold, pred)
    spans_literal = span_scores(gold_literal, pred, ignore_literal)
    out: dict[str, Any] = {
        "toponym_precision": spans_all["precision"],
        "toponym_recall": spans_all["recall"],
        "toponym_f1": spans_all["f1"],
        "lenient_precision": spans_all["lenient_precision"],
        "lenient_recall": spans_all["lenient_recall"],
        "lenient_f1": spans_all["lenient_f1"],
        "literal_precision": spans_literal["precision"],
        "literal_recall": spans_literal["recall"],
        "literal_f1": spans_literal["f1"],
        "n_articles": len(rows),
        "n_gold_toponyms": spans_all["n_gold"],
        "n_predicted": spans_all["n_predicted"],
        "n_exact_matches": spans_all["n_exact"],
        "n_unresolved_matched": unresolved,
        "n_placed_by_context": placed_by_context,
        "referent_accuracy": same_id / with_id if with_id else None,
    }
    out.update(geocoding_scores(errors))
    out["recall_by_type"] = {k: round(by_type_found.get(k, 0) / n, 4) for k, n in sorted(by_type_total.items())}
    return out


# ------------------------------------------------------------ running the pipeline


def evaluate_geoparsing(path: str | Path, options: Options | None = None, *, extractor: Any = None,
                        geoparser: Any = None) -> dict[str, Any]:
    """Recognise and resolve the toponyms of every article in ``path`` and score them."""
    options = options or load_options()
    rows = load_geoparsing(path)
    extractor = extractor or registry.create(options.entities, options)
    geoparser = geoparser or registry.create(options.geoparser, options)
    # load models and gazetteers before the clock starts
    extractor.extract(["Paris is in France."])
    geoparser.parse("warmup", "Paris is in France.", [(0, 5, "GPE"), (12, 18, "GPE")])
    started = time.perf_counter()
    texts = [row["text"] for row in rows]
    spans = extractor.extract(texts)
    predictions = [geoparser.parse(str(row.get("id", i)), row["text"], s) for i, (row, s) in enumerate(zip(rows, spans))]
    seconds = time.perf_counter() - started
    scores = score_geoparsing(rows, predictions)
    scores["seconds"] = seconds
    scores["articles_per_second"] = len(rows) / seconds if seconds > 0 else None
    scores["entities"] = getattr(extractor, "name", type(extractor).__name__)
    scores["geoparser"] = getattr(geoparser, "name", type(geoparser).__name__)
    return scores
