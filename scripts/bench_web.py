#!/usr/bin/env python
"""Web benchmark: response times of the story list and story pages on a large store.

    python scripts/bench_web.py --articles 100000 [--db /tmp/bench-web.db] [--requests 300]

Builds (once; reused when it exists with the same size) a store of N articles
made by replicating the bundled demo corpus with varied outlets, dates and
words, written with bulk inserts straight into the store (the NLP pipeline is
not what is measured here); groups them into events of 1-8 articles and
stories of 1-4 events. So that pages do the work real ones do, the demo
corpus is first run through the real pipeline once: every replicated article
carries its original's mentions (entities, dates, quotes, attributions) and
places, and every event a copy of its original event's record. Then starts ``storyline serve`` on a free loopback port
and measures, one request at a time, the median and p95 of the story list
(HTML ``/`` and ``/api/stories``), a deep page of it (cursor), a text search
filter, and story pages (HTML and JSON) of random stories; then requests per
second with 8 concurrent clients for a few seconds. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import httpx

from storyline.store.sqlite import SQLiteStore as Store

WORDS = ("harbour council northern valley border ministry talks ceasefire storm flood election court ruling "
         "protest strike market rally convoy airport bridge refinery pipeline summit vaccine drought").split()


def _corpus() -> list[dict]:
    root = resources.files("storyline") / "examples"
    rows = [json.loads(line) for line in (root / "demo.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("text")]


def _real_analysis(corpus: list[dict]) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]], dict[str, str]]:
    """Mentions and places per demo article, and each demo article's event record (JSON), from a real run."""
    from storyline import Storyline

    with tempfile.TemporaryDirectory() as tmp:
        with Storyline(Path(tmp) / "real.db") as engine:
            engine.ingest_records(corpus)
            conn = engine.store.conn
            mentions = {r["id"]: [tuple(m)[1:] for m in conn.execute(
                'SELECT article_id, start, "end", label, text, key, detail FROM mentions WHERE article_id = ?', (r["id"],))]
                for r in corpus}
            places = {r["id"]: [tuple(m)[1:] for m in conn.execute("SELECT * FROM places WHERE article_id = ?", (r["id"],))]
                      for r in corpus}
            records = {}
            for r in corpus:
                event_id = engine.store.event_of_article(r["id"])
                row = conn.execute("SELECT record FROM event_records WHERE event_id = ?", (event_id,)).fetchone()
                if row:
                    records[r["id"]] = row[0]
    return mentions, places, records


def build(path: Path, n_articles: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    corpus = _corpus()
    mentions, places, records = _real_analysis(corpus)
    place_columns = None
    sources = [f"Outlet {i:02d}" for i in range(60)]
    start = time.perf_counter()
    with Store(path) as store:
        conn = store.conn
        conn.execute("PRAGMA synchronous = OFF")
        with store.transaction():
            article_no = event_no = story_no = 0
            day0 = 738000  # proleptic ordinal around 2021-08
            while article_no < n_articles:
                story_no += 1
                story_id = f"S{story_no}"
                story_day = day0 + rng.randrange(0, 730)
                story_events, story_articles, story_sources, dates = 0, 0, set(), []
                for _ in range(rng.randint(1, 4)):
                    if article_no >= n_articles:
                        break
                    event_no += 1
                    event_id = f"E{event_no}"
                    base = rng.choice(corpus)
                    day = story_day + rng.randrange(0, 20)
                    members, event_sources = [], set()
                    for position in range(rng.randint(1, 8)):
                        if article_no >= n_articles:
                            break
                        article_no += 1
                        aid = f"b{article_no:07d}"
                        extra = " ".join(rng.choice(WORDS) for _ in range(8))
                        text = f"{base['text']}\n\nReporters noted the {extra}."
                        source = rng.choice(sources)
                        published = _iso(day + rng.randrange(0, 3))
                        cur = conn.execute(
                            "INSERT INTO articles (id, source, url, title, published, text, language, fingerprint, duplicate_of, origin, ingested_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, 'en', ?, NULL, 'bench', '2024-01-01T00:00:00+00:00')",
                            (aid, source, None, f"{base.get('title') or 'Report'} ({extra.split()[0]})", published, text, f"fp{article_no}"),
                        )
                        conn.execute("INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", (cur.lastrowid, base.get("title"), text))
                        segs, paragraph = [], 0
                        for para in re.finditer(r"[^\n]+", text):
                            for sent in re.finditer(r"[^.!?]+[.!?]?", para.group()):
                                if sent.group().strip():
                                    segs.append((aid, len(segs), "sentence", para.start() + sent.start(), para.start() + sent.end(), paragraph))
                            paragraph += 1
                        conn.executemany('INSERT INTO segments (article_id, idx, kind, start, "end", paragraph) VALUES (?, ?, ?, ?, ?, ?)', segs)
                        conn.executemany('INSERT INTO mentions (article_id, start, "end", label, text, key, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
                                         [(aid, *m) for m in mentions.get(base["id"], ())])
                        if places.get(base["id"]):
                            place_columns = place_columns or [r[1] for r in conn.execute("PRAGMA table_info(places)")]
                            marks = ", ".join("?" * len(place_columns))
                            conn.executemany(f"INSERT INTO places ({', '.join(place_columns)}) VALUES ({marks})",  # column names from the schema
                                             [(aid, *pl) for pl in places[base["id"]]])
                        conn.execute("INSERT INTO event_articles (article_id, event_id, position) VALUES (?, ?, ?)", (aid, event_id, position))
                        action = "new" if position == 0 else "join"
                        conn.execute(
                            "INSERT INTO decisions (subject_id, target_id, level, action, score, threshold, features, explanation, created_at)"
                            " VALUES (?, ?, 'event', ?, 0.9, 0.5, '{}', ?, '2024-01-01T00:00:00+00:00')",
                            (aid, event_id, action, f"{action} {event_id}: benchmark grouping"),
                        )
                        members.append(published)
                        event_sources.add(source)
                    if not members:
                        break
                    conn.execute(
                        "INSERT INTO events (id, number, story_id, title, date, date_precision, first_date, last_date, size, n_articles,"
                        " n_sources, state, vector_sum) VALUES (?, ?, ?, ?, ?, 'day', ?, ?, ?, ?, ?, ?, ?)",
                        (event_id, event_no, story_id, base.get("title") or "Event", _iso(day), min(members), max(members), len(members),
                         len(members), len(event_sources), json.dumps({"entities": {}, "terms": {}, "title_terms": {}, "sources": {}, "date_votes": {}}), b""),
                    )
                    if base["id"] in records:
                        conn.execute("INSERT INTO event_records (event_id, record, n_articles, built_at) VALUES (?, ?, ?, '2024-01-01')",
                                     (event_id, records[base["id"]].replace(f'"event_id": "', f'"event_id": "{event_id}~', 1), len(members)))
                    story_events += 1
                    story_articles += len(members)
                    story_sources |= event_sources
                    dates.append(_iso(day))
                conn.execute(
                    "INSERT INTO stories (id, number, title, first_date, last_date, n_events, n_articles, n_sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (story_id, story_no, base.get("title") or "Story", min(dates), max(dates), story_events, story_articles, len(story_sources)),
                )
            store.set_meta("bench_articles", str(n_articles))
            store.set_meta("bench_version", "2")
        conn.execute("ANALYZE")
    print(f"built {path}: {n_articles} articles, {event_no} events, {story_no} stories in {time.perf_counter() - start:.0f}s", file=sys.stderr)


def _iso(ordinal: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(ordinal).isoformat()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _times(client: httpx.Client, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        t = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{path}: HTTP {r.status_code} {r.text[:200]}")
    return out


def _throughput(base: str, paths: list[str], clients: int = 8, seconds: float = 5.0) -> float:
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        rng = random.Random(i)
        with httpx.Client(base_url=base, timeout=30) as c:
            while time.perf_counter() < stop:
                c.get(rng.choice(paths)).raise_for_status()
                done[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    db = args.db or Path(f"/tmp/storyline-bench-web-{args.articles}.db")
    if db.exists():
        with Store(db) as store:
            if store.get_meta("bench_articles") != str(args.articles) or store.get_meta("bench_version") != "2":
                raise SystemExit(f"{db} exists and is not a {args.articles}-article benchmark store; remove it")
    else:
        build(db, args.articles)
    with Store(db) as store:
        n_stories = store.count("stories")
        n_articles = store.count("articles")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/stories", timeout=5)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start: " + (proc.stderr.read() if proc.stderr else ""))
                time.sleep(0.2)
        rng = random.Random(1)
        story_paths = [f"/stories/S{rng.randint(1, n_stories)}" for _ in range(args.requests)]
        with httpx.Client(base_url=base, timeout=30) as c:
            deep, pages = "/api/stories", min(50, n_stories // 20 - 1)
            for _ in range(pages):  # page 51 (of 20 stories) through cursors
                deep = "/api/stories?cursor=" + c.get(deep).json()["next"]
            cases = {
                "story list, HTML (`/`)": ["/"] * args.requests,
                "story list, JSON (`/api/stories`)": ["/api/stories"] * args.requests,
                f"story list, page {pages + 1} by cursor": [deep] * args.requests,
                "story list filtered by text (`?q=earthquake`)": ["/api/stories?q=earthquake"] * max(30, args.requests // 5),
                "story page, HTML (`/stories/{id}`)": story_paths,
                "story page, JSON (`/api/stories/{id}`)": [p.replace("/stories/", "/api/stories/") for p in story_paths],
            }
            _times(c, ["/", "/api/stories", story_paths[0]] * 5)  # warm up
            rows = []
            for name, paths in cases.items():
                ms = _times(c, paths)
                ms.sort()
                rows.append((name, len(ms), statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]))
        rps_list = _throughput(base, ["/"])
        rps_story = _throughput(base, story_paths)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"store: {n_articles} articles, {n_stories} stories ({db})\n")
    print("| request | n | median ms | p95 ms |")
    print("|---|---|---|---|")
    for name, n, median, p95 in rows:
        print(f"| {name} | {n} | {median:.1f} | {p95:.1f} |")
    print(f"\nrequests/s with 8 concurrent clients: story list (HTML) {rps_list:.0f}, story pages (HTML) {rps_story:.0f}")


if __name__ == "__main__":
    main()
