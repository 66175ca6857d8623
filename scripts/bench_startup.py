"""Start-up on a large store: how long a new process takes before it can ingest the next article.

    python scripts/bench_startup.py --sizes 10000 100000

For each size it takes the web benchmark's synthetic store (``scripts/bench_web.py``, built if missing) and
fills in, on a copy, what an ingest leaves and the web benchmark leaves out: one vector per article (the
default embedder's width, random unit vectors), a near-duplicate signature per article, every event's
running vector sum and term, entity, title and source counts (from its base article's words), the term and
entity vocabularies and the clusterer's memory of the most recent articles. Then, each in a fresh process,
it times importing storyline, and opening a writer (``Storyline._writer()``: every event's state, the
stories, the signatures, the vector index), the models loaded first and outside the timing: once with no
saved faiss index beside the store (it is rebuilt from the stored vectors) and then with it. The first run
saves what the end of an ingest saves (the faiss index and, where the code has one, the near-duplicate index
``<db>.faiss.dedup``); the cold run removes both. ``--dir`` keeps the stores elsewhere than /tmp; a store built
here (no web benchmark store to copy) has no digests, which a writer never reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import bench_web  # noqa: E402

from storyline import Storyline  # noqa: E402
from storyline.store.sqlite import SQLiteStore  # noqa: E402
from storyline.store.vectors import vector_id  # noqa: E402

FILLED = "1"  # meta value marking a copy whose ingest state is filled in
WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")

CHILD = """
import json, sys, time
started = time.perf_counter(), time.process_time()
import storyline
imported = time.perf_counter() - started[0], time.process_time() - started[1]
with storyline.Storyline(sys.argv[1]) as engine:
    engine.components.get("embedder")
    wall, cpu = time.perf_counter(), time.process_time()
    writer = engine._writer()
    print(json.dumps({"import_s": imported[0], "import_cpu_s": imported[1],
                      "writer_s": time.perf_counter() - wall, "writer_cpu_s": time.process_time() - cpu}))
    try:  # the end of an ingest saves the vector index and (since issue 17's second step) the near-duplicate index
        from storyline.engine.state import duplicates_location, save_indexes
    except ImportError:  # an older storyline: the vector index alone
        if not engine.index_path.exists():
            writer.state.index.save(engine.index_path)
    else:
        if not engine.index_path.exists() or not duplicates_location(engine.index_path).exists():
            save_indexes(writer.state, engine.index_path)
"""


def _counts(text: str, title: str) -> dict:
    words = [w.lower() for w in WORD.findall(text)]
    terms = {w: float(n) for w, n in Counter(words).most_common(60)}
    entities = dict(Counter(w.lower() for w in WORD.findall(text) if w[0].isupper()).most_common(15))
    return {"terms": terms, "entities": entities, "title_terms": dict(Counter(w.lower() for w in WORD.findall(title)))}


def fill(path: Path, memory: int = 5000, seed: int = 3) -> None:
    """Give the synthetic store at ``path`` what a real ingest leaves in it (see the module's doc)."""
    rng = np.random.default_rng(seed)
    with Storyline(path) as engine:
        embedder, dedup = engine.components.get("embedder"), engine.components.fresh("dedup")
        name, dim = embedder.name, embedder.dim
    sample = dedup.signature("a sample text of enough words to give a signature of the usual shape " * 4)
    with SQLiteStore(path) as store:
        conn = store.conn
        rows = list(conn.execute("SELECT a.rowid, a.id, a.published, a.title, a.text, a.source, ea.event_id FROM articles a"
                                 " JOIN event_articles ea ON ea.article_id = a.id ORDER BY a.rowid"))
        events: dict[str, dict] = {}
        term_df: Counter = Counter()
        entity_df: Counter = Counter()
        with store.transaction():
            for rowid, article_id, published, title, text, source, event_id in rows:
                vector = rng.standard_normal(dim).astype(np.float32)
                vector /= np.linalg.norm(vector)
                day = dt.date.fromisoformat(published[:10]) if published else None
                store.add_embedding(article_id, name, vector_id(day, rowid), vector)
                store.add_signature(article_id, rng.integers(0, 2**32, size=sample.shape).astype(sample.dtype))
                counts = _counts(text or "", title or "")
                term_df.update(counts["terms"].keys())
                entity_df.update(counts["entities"].keys())
                state = events.setdefault(event_id, {"vector": np.zeros(dim, np.float32), "counts": Counter(),
                                                     "entities": Counter(), "title_terms": Counter(), "sources": Counter(),
                                                     "date_votes": Counter()})
                state["vector"] += vector
                state["counts"].update(counts["terms"])
                state["entities"].update(counts["entities"])
                state["title_terms"].update(counts["title_terms"])
                state["sources"][source] += 1
                if published:
                    state["date_votes"][published[:10]] += 1
            for event_id, state in events.items():
                saved = {"entities": dict(state["entities"]), "terms": dict(state["counts"].most_common(120)),
                         "title_terms": dict(state["title_terms"]), "sources": dict(state["sources"]),
                         "date_votes": dict(state["date_votes"])}
                conn.execute("UPDATE events SET state = ?, vector_sum = ? WHERE id = ?",
                             (json.dumps(saved), state["vector"].tobytes(), event_id))
            for seq, (_, article_id, _, title, text, _, _) in enumerate(rows[-memory:]):
                counts = _counts(text or "", title or "")
                item = {"entities": sorted(counts["entities"]), "title_terms": sorted(counts["title_terms"]),
                        "terms": counts["terms"], "details": [], "source": None, "dates": []}
                conn.execute("INSERT INTO cluster_items (article_id, seq, item) VALUES (?, ?, ?)",
                             (article_id, seq, json.dumps(item)))
            store.add_vocabulary("term", dict(term_df))
            store.add_vocabulary("entity", dict(entity_df))
            store.set_meta("vocabulary_documents", str(len(rows)))
            store.set_meta("embedder", name)
            store.set_meta("startup_filled", FILLED)


def _store(n: int, folder: Path = Path("/tmp")) -> Path:
    source = folder / f"storyline-bench-web-{n}.db"
    path = folder / f"storyline-bench-startup-{n}.db"
    if path.exists():
        with SQLiteStore(path, readonly=True) as store:
            if store.get_meta("startup_filled") == FILLED:
                return path
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    if source.exists():
        shutil.copyfile(source, path)
    else:  # built here, without the digests the web pages read: a writer's start-up does not read them
        bench_web.build(path, n, digests=False)
    started = time.perf_counter()
    fill(path)
    print(f"filled {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def _child(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp"), help="where the synthetic stores are kept")
    args = parser.parse_args()
    print("| articles | events | import s (CPU) | writer, no index file: s (CPU) | writer, index file: s (CPU) |")
    print("|---|---|---|---|---|")
    for n in args.sizes:
        path = _store(n, args.dir)
        with SQLiteStore(path, readonly=True) as store:
            n_articles, n_events = store.count("articles"), store.count("events")
        cold, warm = [], []
        for _ in range(args.repeats):
            for index in path.parent.glob(path.name + ".faiss*"):
                index.unlink()
            cold.append(_child(path))
            warm.append(_child(path))

        def best(runs: list[dict], key: str) -> str:
            run = min(runs, key=lambda r: r[key + "_s"])
            return f"{run[key + '_s']:.2f} ({run[key + '_cpu_s']:.2f})"

        print(f"| {n_articles:,} | {n_events:,} | {best(warm, 'import')} | {best(cold, 'writer')} | {best(warm, 'writer')} |")


if __name__ == "__main__":
    main()
