"""Replay a corpus's ingest from cached analyses, to compare story linkers side by side.

    python scripts/story_replay.py analyse CORPUS.jsonl CACHE.pkl
    python scripts/story_replay.py score CORPUS.jsonl CACHE.pkl [--set linker=linker.continuation.v3 ...]

``analyse`` runs the analyse stage (embedder, entities, dates, places: the costly part) once on every
article of the corpus as ``storyline eval cluster`` would see it (opaque ids, no gold labels) and pickles
the analyses. ``score`` ingests the corpus into a fresh store with those analyses
(:meth:`~storyline.engine.Storyline.ingest_prepared`: deduplication, clustering, linking as in any ingest;
records off) and prints the event- and story-level scores, as ``eval cluster --level event|story`` would
(same pipeline, same order; only the models do not run again). Rows without text are left out and
reported (``eval cluster`` rejects such a row and scores it as a story of its own). The cache is written
outside the repository.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import tempfile
import time
from pathlib import Path

from storyline.engine import Storyline
from storyline.errors import InputError
from storyline.evaluate.clustering import load_corpus, pipeline_records
from storyline.evaluate.metrics import score_clustering
from storyline.model import RawRecord
from storyline.pipeline.normalise import to_article
from storyline.settings import load_options


def _articles(path: Path):
    rows = load_corpus(path)
    records = pipeline_records(rows)
    kept, articles = [], []
    for number, (row, record) in enumerate(zip(rows, records), start=1):
        try:
            articles.append(to_article(RawRecord(str(path), number, record)))
        except InputError as exc:
            print(f"line {number} left out: {exc}")
            continue
        kept.append(row)
    return kept, articles


class _Cached:
    """The engine's ``Prepared``: analyses from the cache, MinHash signatures computed as an ingest would."""

    def __init__(self, analyses: dict, dedup) -> None:
        self._analyses, self._dedup = analyses, dedup

    def analyses(self, articles):
        return {a.id: _renamed(self._analyses[a.fingerprint], a.id) for a in articles}

    def signature(self, article):
        return self._dedup.signature(article.text)


def _renamed(found, article_id: str):
    """An analysis cached under another article id (the same text in another corpus), given ``article_id``."""
    if found.item.key == article_id:
        return found
    return dataclasses.replace(
        found, item=dataclasses.replace(found.item, key=article_id),
        mentions=[dataclasses.replace(m, article_id=article_id) for m in found.mentions],
        places=[dataclasses.replace(p, article_id=article_id) for p in found.places])


def analyse(corpus: Path, cache: Path) -> None:
    _rows, articles = _articles(corpus)
    options = load_options().replace(progress=False)
    started = time.process_time()
    with tempfile.TemporaryDirectory() as tmp, Storyline(Path(tmp) / "a.db", options) as engine:
        found = {}
        for start in range(0, len(articles), 64):
            chunk = articles[start : start + 64]
            found.update({a.fingerprint: x for a, x in zip(chunk, engine.analyse(chunk))})
            print(f"{len(found)}/{len(articles)} analysed, {time.process_time() - started:.0f} CPU s", flush=True)
    with open(cache, "wb") as f:
        pickle.dump({"corpus": str(corpus), "options": dict(options), "analyses": found}, f)


def score(corpus: Path, cache: Path, settings: list[str]) -> dict:
    rows, articles = _articles(corpus)
    with open(cache, "rb") as f:
        analyses = pickle.load(f)["analyses"]
    options = load_options().replace(progress=False, records=False)
    for item in settings:
        key, _, value = item.partition("=")
        options = options.replace(**{key: type(options[key])(value) if not isinstance(options[key], bool)
                                     else value.lower() in ("1", "true", "yes")})
    with tempfile.TemporaryDirectory() as tmp, Storyline(Path(tmp) / "r.db", options) as engine:
        missing = [a for a in articles if a.fingerprint not in analyses]  # articles the cache was not made with
        analyses.update({a.fingerprint: x for a, x in zip(missing, engine.analyse(missing))})
        started = time.process_time()
        summary = engine.ingest_prepared(articles, _Cached(analyses, engine.components.fresh("dedup")))
        cpu = time.process_time() - started
        assigned = engine.store.assignments()
        link_cpu = summary.stage_cpu_seconds.get("link", 0.0)
    out = {"linker": options.linker, "n_articles": len(rows), "cpu_s": round(cpu, 2), "link_cpu_s": round(link_cpu, 3)}
    for level in ("event", "story"):
        gold = [row.get(level) for row in rows]
        if any(g is None for g in gold):
            continue
        predicted = []
        for article in articles:
            event, story = assigned.get(article.id, (f"rejected:{article.id}", None))
            predicted.append((story or event) if level == "story" else event)
        scores = score_clustering(gold, predicted).to_dict()
        out[level] = {k: scores[k] for k in ("b3_precision", "b3_recall", "b3_f1", "pairwise_f1", "n_clusters")
                      if k in scores}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("analyse", "score"))
    parser.add_argument("corpus", type=Path)
    parser.add_argument("cache", type=Path)
    parser.add_argument("--set", dest="settings", action="append", default=[], help="NAME=VALUE")
    args = parser.parse_args()
    if args.command == "analyse":
        analyse(args.corpus, args.cache)
    else:
        print(json.dumps(score(args.corpus, args.cache, args.settings)))


if __name__ == "__main__":
    main()
