"""``storyline fit places``: learn which gazetteer entry a toponym names.

Training groups come from two kinds of development files:

* **geoparsing JSONL** (GeoWebNews, TR-News): a recognised toponym that
  overlaps a gold toponym with coordinates; the positive candidate is the one
  with the gold GeoNames id, else the one nearest the gold coordinates within
  161 km;
* **ACLED event JSONL**: every recognised toponym of a note; the positive is
  the candidate nearest ACLED's coordinates within 25 km, else the
  first-level division ACLED names (same country, same folded name), else
  ACLED's country.

A toponym without a positive candidate, or with one candidate only, teaches
nothing and is left out. The ranker (:mod:`storyline.pipeline.geo.ranker`)
is a conditional logit -- a softmax over each toponym's candidates --
fitted by Newton's method with an L2 penalty; every file weighs the same
however many toponyms it has. The features of the article context depend on
the other toponyms' choices, so fitting runs in rounds: the first reads the
context chosen by simple priors, each later one the context chosen by the
previous round's model.

The output JSON records the files it was fitted on (name, rows, sha256),
each file's training accuracy, the cross-kind accuracies (fitted on the news
files, scored on the event files and the reverse) when both kinds are given,
and the command that made it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .. import registry
from ..pipeline.geo.gazetteer import Gazetteer
from ..pipeline.geo.ranker import RANKER_FEATURES, PlaceRanker
from ..pipeline.geo.spans import SpanModel
from ..pipeline.geo.places import GazetteerGeoparser, haversine_km
from ..settings import Options, load_options
from .files import sha256_of

__all__ = ["PRIOR", "training_groups", "fit_conditional_logit", "fit_place_ranker", "group_accuracy"]

#: The first round's ranker: priors reasoned from place names, only to choose the context of round one.
PRIOR = PlaceRanker({"logpop": 3.0, "k_country": 3.0, "k_cont": 3.0, "k_adm1": 1.6, "k_capital": 1.2, "k_seat": 0.6,
                     "main": 0.7, "folded": -1.2, "stripped": -0.3, "k_site": -0.8, "k_water": -0.5, "k_terrain": -0.5,
                     "q_admin1": 5.0, "q_country": 5.0, "ctx_share_other": 2.5, "ctx_same_sentence": 0.8,
                     "ctx_admin1": 1.5, "ctx_near": 1.2, "fac_label_ap": -0.8, "gpe_label_other": -0.8})

Group = tuple[np.ndarray, int]  # (candidate features, index of the positive)


def _fold(text: str | None) -> str:
    from .events import _fold as fold_admin

    return fold_admin(text)


def _file_kind(path: str | Path) -> str:
    with open(path, encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    return "events" if isinstance(first.get("gold"), dict) else "geoparsing"


def _geoparsing_positive(topo, toponyms: Sequence[dict[str, Any]]) -> int | None:
    gold = next((g for g in toponyms if g.get("lat") is not None and g["start"] < topo.end and topo.start < g["end"]), None)
    if gold is None:
        return None
    if gold.get("geonameid"):
        for i, (entry, _) in enumerate(topo.candidates):
            if str(entry.geonameid) == str(gold["geonameid"]):
                return i
    return _nearest(topo, float(gold["lat"]), float(gold["lon"]), 161.0)


def _nearest(topo, lat: float, lon: float, limit: float) -> int | None:
    best, best_km = None, limit
    for i, (entry, _) in enumerate(topo.candidates):
        km = haversine_km(entry.latitude, entry.longitude, lat, lon)
        if km <= best_km:
            best, best_km = i, km
    return best


def _acled_positive(topo, gold: dict[str, Any], country_code: str | None) -> int | None:
    if gold.get("latitude") is not None:
        found = _nearest(topo, float(gold["latitude"]), float(gold["longitude"]), 25.0)
        if found is not None:
            return found
    admin1 = _fold(gold.get("admin1"))
    for i, (entry, _) in enumerate(topo.candidates):
        if admin1 and entry.feature_code == "ADM1" and entry.country_code == country_code and _fold(entry.name) == admin1:
            return i
    for i, (entry, _) in enumerate(topo.candidates):
        if country_code and entry.feature_code.startswith("PCL") and entry.country_code == country_code:
            return i
    return None


def training_groups(path: str | Path, geoparser: GazetteerGeoparser, spans: Sequence[Sequence[tuple[int, int, str]]] | None,
                    options: Options, extractor: Any = None) -> tuple[list[Group], int, list[Sequence[tuple[int, int, str]]]]:
    """The training groups of one file, its number of rows, and the entity spans used (to reuse in later rounds)."""
    from ..model import RawRecord
    from ..pipeline.normalise import to_article
    from .events import _country_code, load_events
    from .geoparse import load_geoparsing

    if _file_kind(path) == "events":
        rows = [(number, row) for number, row in load_events(path) if isinstance(row.get("gold"), dict)]
        texts = [to_article(RawRecord(str(path), n, {"id": f"row{n}", "date": r.get("date"), "text": r.get("text") or ""})).text
                 for n, r in rows]
        golds = [("events", r["gold"], _country_code(r["gold"].get("country"))) for _, r in rows]
    else:
        geo_rows = load_geoparsing(path)
        texts = [r["text"] for r in geo_rows]
        golds = [("geoparsing", r["toponyms"], None) for r in geo_rows]
    if spans is None:
        extractor = extractor or registry.create(options.entities, options)
        spans = extractor.extract(texts)
    groups: list[Group] = []
    for text, entities, (kind, gold, code) in zip(texts, spans, golds):
        for topo, features in geoparser.ranking_rows(text, entities):
            if len(topo.candidates) < 2:
                continue
            positive = _geoparsing_positive(topo, gold) if kind == "geoparsing" else _acled_positive(topo, gold, code)
            if positive is None:
                continue
            groups.append((np.array([[f[name] for name in RANKER_FEATURES] for f in features]), positive))
    return groups, len(texts), list(spans)


def fit_conditional_logit(files: Sequence[Sequence[Group]], l2: float = 1.0, iterations: int = 40) -> np.ndarray:
    """Weights maximising the penalised likelihood of each group's positive under a softmax; files weigh the same."""
    blocks, weights, positives, starts = [], [], [], []
    n_files = sum(1 for groups in files if groups)
    total = sum(len(groups) for groups in files)
    offset = 0
    for groups in files:
        if not groups:
            continue
        w = total / (n_files * len(groups))
        for x, positive in groups:
            blocks.append(x)
            starts.append(offset)
            positives.append(offset + positive)
            weights.append(w)
            offset += len(x)
    x = np.vstack(blocks)
    starts_a = np.array(starts)
    w = np.array(weights)
    row_w = np.repeat(w, np.diff(np.append(starts_a, len(x))))
    beta = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * l2
    for _ in range(iterations):
        s = x @ beta
        s = s - np.repeat(np.maximum.reduceat(s, starts_a), np.diff(np.append(starts_a, len(x))))
        e = np.exp(s)
        z = np.add.reduceat(e, starts_a)
        p = e / np.repeat(z, np.diff(np.append(starts_a, len(x))))
        mean = np.add.reduceat(p[:, None] * x, starts_a)  # per group expected features
        gradient = (w[:, None] * (x[positives] - mean)).sum(axis=0) - penalty @ beta
        hessian = (x * (row_w * p)[:, None]).T @ x - (mean * w[:, None]).T @ mean + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def group_accuracy(groups: Sequence[Group], beta: np.ndarray) -> float | None:
    """Share of groups whose positive has the highest score."""
    if not groups:
        return None
    return float(np.mean([int(np.argmax(x @ beta)) == positive for x, positive in groups]))


def _ranker(beta: np.ndarray) -> PlaceRanker:
    return PlaceRanker({f: round(float(b), 6) for f, b in zip(RANKER_FEATURES, beta)})


def fit_place_ranker(corpora: Sequence[str | Path], options: Options | None = None, *, rounds: int = 2, l2: float = 1.0,
                     spans: Sequence[Sequence[Sequence[tuple[int, int, str]]]] | None = None,
                     gazetteer: Gazetteer | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fit the place ranker on geoparsing and ACLED files; return the parameter document.

    ``spans`` may hold the entity spans of each file's rows, computed earlier
    by the configured extractor; otherwise it runs here (once).
    """
    options = options or load_options()
    gazetteer = gazetteer or Gazetteer(options.gazetteer or None)
    span_model = SpanModel.load()
    kinds = [_file_kind(p) for p in corpora]
    cached: list[Any] = list(spans) if spans is not None else [None] * len(corpora)
    ranker, extractor, beta = PRIOR, None, None
    per_file: list[list[Group]] = []
    n_rows: list[int] = []
    for round_ in range(rounds):
        geoparser = GazetteerGeoparser(gazetteer, span_model=span_model, ranker=ranker)
        per_file, n_rows = [], []
        for i, path in enumerate(corpora):
            if cached[i] is None and extractor is None:
                extractor = registry.create(options.entities, options)
            groups, n, cached[i] = training_groups(path, geoparser, cached[i], options, extractor)
            per_file.append(groups)
            n_rows.append(n)
        beta = fit_conditional_logit(per_file, l2=l2)
        ranker = _ranker(beta)
        accuracies = ", ".join(f"{Path(p).name} {group_accuracy(g, beta):.4f} ({len(g)})" for p, g in zip(corpora, per_file))
        log(f"round {round_ + 1}: training accuracy among candidates: {accuracies}")
    cross = {}
    if len(set(kinds)) == 2:
        for train_kind, test_kind in (("geoparsing", "events"), ("events", "geoparsing")):
            train = [g for g, k in zip(per_file, kinds) if k == train_kind]
            b = fit_conditional_logit(train, l2=l2)
            for path, groups, kind in zip(corpora, per_file, kinds):
                if kind == test_kind:
                    acc = group_accuracy(groups, b)
                    cross[f"{train_kind} -> {Path(path).name}"] = round(acc, 4) if acc is not None else None
                    log(f"fitted on the {train_kind} files, scored on {Path(path).name}: accuracy among candidates {acc:.4f}")
    assert beta is not None
    return {
        "model": "geoparser.geonames.v3 place ranker (conditional logit over a toponym's candidates)",
        "features": list(RANKER_FEATURES),
        "weights": _ranker(beta).weights,
        "l2": l2,
        "rounds": rounds,
        "training_accuracy": {Path(p).name: round(group_accuracy(g, beta) or 0.0, 4) for p, g in zip(corpora, per_file)},
        "training_groups": {Path(p).name: len(g) for p, g in zip(corpora, per_file)},
        "cross_kind_accuracy": cross,
        "entities": options.entities,
        "fitted_on": [{"file": Path(p).name, "rows": n, "sha256": sha256_of(p)} for p, n in zip(corpora, n_rows)],
        "command": "storyline fit places " + " ".join(Path(p).name for p in corpora),
    }
