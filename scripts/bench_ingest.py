#!/usr/bin/env python
"""Ingest benchmark: throughput, CPU per stage, peak memory and store size on streams of 1k..100k articles.

    python scripts/bench_ingest.py run --sizes 1000,10000 [--fast] [--set clusterer=clusterer.online.v3]
    python scripts/bench_ingest.py stream --n 10000 --out /tmp/stream.jsonl      # write a stream, to look at
    python scripts/bench_ingest.py dense --out /tmp/dense.jsonl [--n 6000]       # headlines of three days
    python scripts/bench_ingest.py duplicates --n 20000     # near-duplicates found in the base vs in its copies

A stream of N articles is made from the development corpora in ../shared/data (AllSides, ECB+, the
NeuS articles): the base corpus in date order (undated articles get a seeded date in the AllSides span),
then copies of it, copy k moved k spans later (span = the base's days + the event window, so copies
never share a window) with every fourth word of title and text (a different fourth per copy) replaced
by a seeded word of the corpus, so that the near-duplicate detector (word 4-grams) does not collapse a
copy into its original: the report counts the duplicates found in the stream beside those of the base.

``run`` ingests each size into a fresh store in its own process (so peak RSS is that size's), in chunks
of ``--chunk`` records as a feed would deliver them, and reports articles per CPU-second, CPU seconds
per article by stage, the non-model CPU per article (everything but the embed and entities stages) of
the first and the last chunk, peak RSS, store size per article, the start-up of a writer on the full
store (a fresh process), and the model-only floor: the embedder and the entity extractor alone on
the first ``--floor`` articles of the same stream, measured in the same process.

``--fast`` swaps the models for stand-ins (``embedder.hashing.v1`` and a regular expression marking
capitalised words as entities): the scaling runs of the non-model part, where the models would take
hours on a shared 2-core machine. Their "model" stages are then the stand-ins, not the real floor.

``dense`` writes a corpus JSONL of NeuS headlines (gold event = the NeuS story) dated over three days:
the dense stream for ``storyline eval cluster``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
ALLSIDES = DATA / "clustering" / "allsides_dev.jsonl"
ECBPLUS = DATA / "clustering" / "ecbplus_dev.jsonl"
NEUS = DATA / "summaries" / "neus_dev.jsonl"
MODEL_STAGES = ("embed", "entities")


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _neus() -> list[dict[str, Any]]:
    out = []
    for row in _rows(NEUS):
        for article in row.get("articles", []):
            if article.get("text"):
                out.append(article | {"event": row["id"]})
    return out


def base_corpus(seed: int = 0) -> list[dict[str, Any]]:
    """The development articles in date order, every one dated (undated: a seeded day of the AllSides span)."""
    rng = random.Random(seed)
    allsides = _rows(ALLSIDES)
    days = sorted(dt.date.fromisoformat(r["date"][:10]) for r in allsides if r.get("date"))
    first, span = days[0], (days[-1] - days[0]).days
    rows = []
    for r in allsides + _rows(ECBPLUS) + _neus():
        date = r.get("date") or (first + dt.timedelta(days=rng.randint(0, span))).isoformat()
        rows.append({"id": r["id"], "date": date[:10], "source": r.get("source"), "title": r.get("title"),
                     "text": r["text"]})
    rows.sort(key=lambda r: (r["date"], r["id"]))
    return rows


_WORD = re.compile(r"\w+")


def _vary(text: str | None, copy: int, words: Sequence[str], rng: random.Random) -> str | None:
    """``text`` with every fourth word (from offset ``copy % 4``) replaced by a word drawn from ``words``."""
    if not text or copy == 0:
        return text
    n = [0]

    def swap(match: re.Match) -> str:
        n[0] += 1
        return rng.choice(words) if n[0] % 4 == copy % 4 else match.group(0)

    return _WORD.sub(swap, text)


def stream(n: int, window_days: int = 7, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``n`` articles: the base corpus, then varied copies of it moved later (see the module docstring)."""
    base = base_corpus(seed)
    first = dt.date.fromisoformat(base[0]["date"])
    span = (dt.date.fromisoformat(base[-1]["date"]) - first).days + window_days + 1
    words = sorted({w for r in base[:2000] for w in _WORD.findall(r["text"]) if w.isalpha() and len(w) > 3})
    for i in range(n):
        copy, row = divmod(i, len(base))
        r = base[row]
        rng = random.Random(f"{seed}:{copy}:{row}")
        date = dt.date.fromisoformat(r["date"]) + dt.timedelta(days=copy * span)
        yield {"id": f"{r['id']}~{copy}", "date": date.isoformat(), "source": r["source"],
               "title": _vary(r["title"], copy, words, rng), "text": _vary(r["text"], copy, words, rng)}


def dense(n: int, days: int = 3, seed: int = 0) -> list[dict[str, Any]]:
    """NeuS headlines of whole stories, up to ``n``, dated over ``days`` days (a story's reports on one day or
    the next)."""
    rng = random.Random(seed)
    start = dt.date(2021, 6, 1)
    out: list[dict[str, Any]] = []
    for row in _rows(NEUS):
        titles = [a for a in row.get("articles", []) if a.get("title")]
        if len(out) + len(titles) > n:
            break
        day = rng.randint(0, days - 1)
        for a in titles:
            date = start + dt.timedelta(days=min(days - 1, day + rng.randint(0, 1)))
            out.append({"id": a["id"], "date": date.isoformat(), "source": a.get("source"), "title": a["title"],
                        "text": a["title"], "url": None, "lang": "en", "event": row["id"], "story": None})
    return out


class _CapitalisedEntities:
    """The fast stand-in for the entity extractor: every capitalised word is an ORG."""

    name = "entities.bench-capitalised"
    _PATTERN = re.compile(r"\b[A-Z][a-z]+\b")

    def extract(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        return [[(m.start(), m.end(), "ORG") for m in self._PATTERN.finditer(t)] for t in texts]


def _engine(db: Path, settings: list[str], fast: bool):
    from storyline import Storyline
    from storyline.settings import load_options

    overrides: dict[str, Any] = dict(s.split("=", 1) for s in settings)
    if fast:
        overrides.setdefault("embedder", "embedder.hashing.v1")
    options = load_options(overrides=overrides).replace(progress=False)
    return Storyline(db, options, entity_extractor=_CapitalisedEntities() if fast else None)


def _floor(engine, rows: list[dict[str, Any]]) -> float:
    """CPU seconds per article of the embedder and the entity extractor alone, on the analyse stage's inputs."""
    from storyline.engine.analyse import _document, lead_text, pieces
    from storyline.model import RawRecord
    from storyline.pipeline.normalise import to_article

    articles = [to_article(RawRecord("bench", i + 1, r)) for i, r in enumerate(rows)]
    embedder, extractor = engine.components.get("embedder"), engine.components.get("entity_extractor")
    chars = engine.options.embed_chars
    started = time.process_time()
    for start in range(0, len(articles), 32):
        chunk = articles[start : start + 32]
        embedder.embed([lead_text(a, chars) for a in chunk])
        extractor.extract([piece for a in chunk for _, piece in pieces(_document(a))])
    return (time.process_time() - started) / max(1, len(articles))


def corpus_rows(path: Path) -> list[dict[str, Any]]:
    """A corpus JSONL file as the pipeline may see it (no gold labels, opaque ids), as ``eval cluster`` feeds it."""
    from storyline.evaluate.clustering import load_corpus, pipeline_records

    return pipeline_records(load_corpus(path))


def one(n: int, db: Path, settings: list[str], fast: bool, chunk: int, floor: int,
        corpus: Path | None = None) -> dict[str, Any]:
    """Ingest a stream of ``n`` (or the first ``n`` of ``corpus``) into ``db`` (this process) and measure it."""
    rows = corpus_rows(corpus)[:n] if corpus else list(stream(n))
    n = len(rows)
    cpu: dict[str, float] = {}
    marginal = []
    ingested = duplicates = 0
    with _engine(db, settings, fast) as engine:
        engine._writer()  # start-up of an empty store, outside the measured ingest
        started, wall = time.process_time(), time.perf_counter()
        for start in range(0, n, chunk):
            part = rows[start : start + chunk]
            before = time.process_time()
            summary = engine.ingest_records(part)
            spent = time.process_time() - before
            models = sum(summary.stage_cpu_seconds.get(s, 0.0) for s in MODEL_STAGES)
            marginal.append((spent - models) / max(1, len(part)))
            for stage, seconds in summary.stage_cpu_seconds.items():
                cpu[stage] = cpu.get(stage, 0.0) + seconds
            ingested += summary.ingested
            duplicates += summary.duplicates
        total, wall = time.process_time() - started, time.perf_counter() - wall
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        floor_per_article = _floor(engine, rows[:floor]) if floor else None
        embedder = engine.components.get("embedder").name
    size = sum(p.stat().st_size for p in db.parent.iterdir() if p.name.startswith(db.name))
    models = sum(cpu.get(s, 0.0) for s in MODEL_STAGES)
    return {"n": n, "corpus": str(corpus) if corpus else "stream", "ingested": ingested, "duplicates": duplicates, "embedder": embedder, "fast": fast,
            "cpu_seconds": total, "wall_seconds": wall, "articles_per_cpu_second": n / total,
            "cpu_ms_per_article": {k: 1000 * v / n for k, v in sorted(cpu.items())},
            "non_model_ms_per_article": 1000 * (total - models) / n, "model_ms_per_article": 1000 * models / n,
            "non_model_ms_first_chunk": 1000 * marginal[0], "non_model_ms_last_chunk": 1000 * marginal[-1],
            "peak_rss_mb": peak, "store_bytes_per_article": size / n,
            "floor_ms_per_article": None if floor_per_article is None else 1000 * floor_per_article}


def startup(db: Path, settings: list[str], fast: bool) -> dict[str, float]:
    """Seconds (wall and CPU) to load a writer's state from the store, in this (fresh) process, models loaded."""
    with _engine(db, settings, fast) as engine:
        engine.components.get("embedder")
        wall, cpu = time.perf_counter(), time.process_time()
        engine._writer()
        return {"startup_seconds": time.perf_counter() - wall, "startup_cpu_seconds": time.process_time() - cpu}


def duplicates(n: int) -> dict[str, Any]:
    """Near-duplicates the deduplicator finds in a stream of ``n``: within the base corpus and in the copies."""
    from storyline.registry import create
    from storyline.settings import load_options

    dedup = create(load_options().dedup, load_options())
    base = len(base_corpus())
    found = [0, 0]
    for i, row in enumerate(stream(n)):
        signature = dedup.signature(row["text"])
        if signature is None:
            continue
        if dedup.find(signature) is not None:
            found[i >= base] += 1
        else:
            dedup.add(row["id"], signature)
    return {"n": n, "base": base, "duplicates_in_base": found[0], "duplicates_in_copies": found[1],
            "copies": max(0, n - base)}


def _child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         env=os.environ | {"OMP_NUM_THREADS": "1"})
    if out.returncode:
        raise SystemExit(f"{args[0]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="ingest streams of each size (each in a fresh process) and report")
    run.add_argument("--sizes", default="1000,10000")
    for p in (run, sub.add_parser("one", help=argparse.SUPPRESS), sub.add_parser("startup", help=argparse.SUPPRESS)):
        p.add_argument("--fast", action="store_true", help="hashing embedder and regex entities (non-model scaling)")
        p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a setting")
        p.add_argument("--chunk", type=int, default=1000, help="records per ingest call")
        p.add_argument("--floor", type=int, default=500, help="articles of the model-only floor (0: none)")
        p.add_argument("--db", type=Path)
        p.add_argument("--n", type=int, default=1000)
        p.add_argument("--corpus", type=Path, help="ingest this corpus JSONL (its first --n records) instead of a stream")
    sub.add_parser("duplicates", help="near-duplicates found in a stream (base vs copies)").add_argument(
        "--n", type=int, default=20000)
    for name in ("stream", "dense"):
        p = sub.add_parser(name)
        p.add_argument("--n", type=int, default=6000 if name == "dense" else 10000)
        p.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command in ("stream", "dense"):
        rows = stream(args.n) if args.command == "stream" else dense(args.n)
        with args.out.open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        return 0
    if args.command == "duplicates":
        print(json.dumps(duplicates(args.n)))
        return 0
    if args.command == "one":
        print(json.dumps(one(args.n, args.db, args.set, args.fast, args.chunk, args.floor, args.corpus)))
        return 0
    if args.command == "startup":
        print(json.dumps(startup(args.db, args.set, args.fast)))
        return 0
    common = [*(["--fast"] if args.fast else []), *(f"--set={s}" for s in args.set), f"--chunk={args.chunk}",
              f"--floor={args.floor}", *([f"--corpus={args.corpus}"] if args.corpus else [])]
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            db = Path(tmp) / f"s{n}.db"
            result = _child(["one", f"--n={n}", f"--db={db}", *common])
            result |= _child(["startup", f"--db={db}", *common])
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
