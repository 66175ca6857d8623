"""Per-note place errors of the record builder on an ACLED file, with a cause for each (issue 12).

    PYTHONPATH=src python scripts/acled_place_errors.py ../shared/data/events/acled_dev.jsonl \
        --split train --errors /tmp/train_errors.jsonl [--set geoparser=geoparser.geonames.v6] [--limit N]

``--split train`` takes the four fifths ``fit events`` trains on (the rules are developed there), ``heldout``
the fifth it holds out. The entity spans are cached beside the errors file (``FILE.spans.json``) so a second
run with another geoparser skips spaCy. Each line of the errors file is one note whose country is wrong or
whose place is more than 25 km from ACLED's point, with the places found and a cause:

- ``no_place``: the geoparser found no place at all;
- ``none_chosen``: places were found but the record chose none of them;
- ``gap``: the record's place is a name the gazetteer lacks, placed at an enclosing place or the article's country;
- ``no_position``: such a name with no country at all;
- ``absent``: no place found is in the gold country (country errors) or within 25 km (distance errors);
- ``homonym``: a place found has ACLED's location (or admin2) name but was resolved elsewhere;
- ``other_chosen``: a place found is right (country, or within 25 km) but the record chose another;
- ``coarse``: the record's place is the right division or country, but no town within 25 km was found.

The summary (counts per cause and the eval's location scores) goes to stdout as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def _spans(path: Path, texts: list[str], options) -> list[list[tuple[int, int, str]]]:
    from storyline import registry

    if path.exists():
        cached = json.loads(path.read_text())
        if len(cached) == len(texts):
            return [[tuple(s) for s in found] for found in cached]
    found = registry.create(options.entities, options).extract(texts)
    path.write_text(json.dumps([[list(s) for s in f] for f in found]))
    return found


def _fold(text) -> str:
    from storyline.evaluate.events import _fold as fold

    return fold(text)


def classify(gold: dict, chosen: dict, places: list, code: str | None) -> tuple[bool, bool, str | None]:
    """(country wrong, beyond 25 km, cause) of one note."""
    from storyline.pipeline.geo.places import haversine_km

    def km(p) -> float:
        if p.get("latitude") is None or gold["latitude"] is None:
            return 20039.0
        return haversine_km(p["latitude"], p["longitude"], gold["latitude"], gold["longitude"])

    wrong_country = chosen.get("country_code") != code
    far = km(chosen) > 25
    if not (wrong_country or far):
        return False, False, None
    if not places:
        return wrong_country, far, "no_place"
    good = [p for p in places if (p.get("country_code") == code if wrong_country else km(p) <= 25)]
    if good:
        return wrong_country, far, "other_chosen"
    if not chosen:
        return wrong_country, far, "none_chosen"
    if chosen.get("precision") == "unresolved":
        return wrong_country, far, "gap" if chosen.get("country_code") else "no_position"
    named = {_fold(gold.get("location")), _fold(gold.get("admin2"))}
    if any(_fold(p.get("text")) in named and p.get("precision") != "unresolved" for p in places):
        return wrong_country, far, "homonym"
    if not wrong_country and chosen.get("precision") in ("region", "country", "unresolved"):
        return wrong_country, far, "coarse"
    return wrong_country, far, "absent"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--split", choices=("train", "heldout", "all"), default="train")
    parser.add_argument("--errors", required=True, help="JSONL file for the per-note errors")
    parser.add_argument("--set", action="append", default=[], help="option override, as storyline --set")
    parser.add_argument("--limit", type=int, default=0, help="only the first N notes of the split")
    args = parser.parse_args(argv)

    from storyline import registry
    from storyline.settings import load_options
    from storyline.evaluate.events import _country_code, load_events
    from storyline.evaluate.fit_kinds import is_heldout
    from storyline.model import RawRecord
    from storyline.model import Mention
    from storyline.pipeline import entities as entities_stage
    from storyline.pipeline.geo.places import haversine_km
    from storyline.pipeline.normalise import to_article
    from storyline.pipeline.record.build import build_record
    from storyline.pipeline.record.where import place_detail

    overrides = dict(s.split("=", 1) for s in args.set)
    options = load_options(None, overrides)
    rows = [(n, r) for n, r in load_events(args.corpus)
            if args.split == "all" or is_heldout(r) == (args.split == "heldout")]
    rows = rows[: args.limit] if args.limit else rows
    articles = [to_article(RawRecord(args.corpus, n, {"id": f"row{n}", "date": r["date"], "text": r["text"]})) for n, r in rows]
    cache = Path(f"{args.errors}.{args.split}.{len(rows)}.spans.json")
    spans = _spans(cache, [a.text for a in articles], options)
    geoparser = registry.create(options.geoparser, options)
    typer = registry.create("eventtype.linear.v1", options)
    recorder = registry.create(options.recorder, options)
    kinds = registry.create(options.kind_typer, options) if getattr(recorder, "uses_kinds", False) else None
    revision = getattr(recorder, "revision", 3)
    causes: dict[str, Counter] = {"country": Counter(), "km25": Counter()}
    hits = Counter()
    with open(args.errors, "w", encoding="utf-8") as out:
        for article, found, (number, row) in zip(articles, spans, rows):
            mentions = [Mention(article.id, s, e, article.text[s:e], label, key) for s, e, label in found
                        for key in [entities_stage.normalise(article.text[s:e], label)] if key]
            places = geoparser.parse(article.id, article.text, found)
            record = build_record(f"E{number}", [article], {article.id: mentions}, {article.id: places}, typer=typer,
                                  kinds=kinds, revision=revision)
            f = record.fields.get("place")
            chosen = f.value.detail if f and f.value else {}
            gold, code = row["gold"], _country_code(row["gold"]["country"])
            details = [place_detail(p) | {"name": p.name, "start": p.start} for p in places]
            wrong_country, far, cause = classify(gold, chosen, details, code)
            hits["n"] += 1
            hits["country"] += not wrong_country
            hits["km25"] += not far
            hits["admin1"] += bool(chosen.get("admin1")) and _fold(chosen.get("admin1")) == _fold(gold["admin1"])
            if chosen.get("latitude") is not None:
                hits["km161"] += haversine_km(chosen["latitude"], chosen["longitude"], gold["latitude"], gold["longitude"]) <= 161
            if cause is None:
                continue
            if wrong_country:
                causes["country"][cause] += 1
            if far:
                causes["km25"][cause] += 1
            out.write(json.dumps({"id": row["id"], "wrong_country": wrong_country, "far": far, "cause": cause,
                                  "gold": {k: gold[k] for k in ("country", "admin1", "admin2", "location", "latitude", "longitude")},
                                  "chosen": chosen, "places": details, "text": row["text"]}, ensure_ascii=False) + "\n")
    n = hits["n"]
    json.dump({"n": n, "geoparser": geoparser.name, "split": args.split,
               "country_accuracy": hits["country"] / n, "location_25km": hits["km25"] / n,
               "location_161km": hits["km161"] / n, "admin1_accuracy": hits["admin1"] / n,
               "causes": {k: dict(v.most_common()) for k, v in causes.items()}}, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
