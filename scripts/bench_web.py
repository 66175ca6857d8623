#!/usr/bin/env python
"""Web benchmark: response times of the story list and story pages on a large store.

    python scripts/bench_web.py --articles 100000 [--db /tmp/bench-web.db] [--requests 300]

Builds (once; reused when it exists with the same size) a store of N articles
made by replicating the bundled demo corpus with varied outlets, dates and
words, written with bulk inserts straight into the store (the NLP pipeline is
not what is measured here); groups them into events of 1-8 articles and
stories of 1-4 events, and adds one story of 1,000 events (1-3 articles each)
and one event of 500 articles. So that pages do the work real ones do, the demo
corpus is first run through the real pipeline once: every replicated article
carries its original's mentions (entities, dates, quotes, attributions) and
places, and every event a copy of its original event's record. Then starts ``storyline serve`` on a free loopback port
and measures, one request at a time, the median and p95 of the story list
(HTML ``/`` and ``/api/stories``), a deep page of it (cursor), a text search
filter, story pages (HTML and JSON) of random stories, and the big story's
and the big event's pages (with the largest response's size); then requests per
second with 8 concurrent clients for a few seconds. Prints a Markdown table; its CPU column is the server
process's CPU seconds per request (from ``/proc``), which a loaded machine inflates far less than the times.
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

BENCH_VERSION = "5"  # 5: digests and timelines stored, as a real ingest stores them

WORDS = ("harbour council northern valley border ministry talks ceasefire storm flood election court ruling "
         "protest strike market rally convoy airport bridge refinery pipeline summit vaccine drought").split()


def _corpus() -> list[dict]:
    root = resources.files("storyline") / "examples"
    rows = [json.loads(line) for line in (root / "demo.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("text")]


def _real_analysis(corpus: list[dict]) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]], dict[str, tuple]]:
    """Mentions and places per demo article, and each demo article's event record and comparison (JSON), from a real run."""
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
                row = conn.execute("SELECT r.record, c.comparison FROM event_records r LEFT JOIN event_comparisons c"
                                   " ON c.event_id = r.event_id WHERE r.event_id = ?", (event_id,)).fetchone()
                if row:
                    records[r["id"]] = (row[0], row[1])
    return mentions, places, records


class _Builder:
    """Writes replicated demo articles, events and stories straight into the store (bulk inserts)."""

    def __init__(self, conn, seed: int = 7) -> None:
        self.conn, self.rng = conn, random.Random(seed)
        self.corpus = _corpus()
        self.mentions, self.places, self.records = _real_analysis(self.corpus)
        self.place_columns: list[str] | None = None
        self.sources = [f"Outlet {i:02d}" for i in range(60)]
        self.article_no = self.event_no = self.story_no = 0

    def article(self, base: dict, event_id: str, position: int, day: int) -> tuple[str, str]:
        """One replicated article of ``base`` in ``event_id``; returns its publication date and source."""
        conn, rng = self.conn, self.rng
        self.article_no += 1
        aid = f"b{self.article_no:07d}"
        extra = " ".join(rng.choice(WORDS) for _ in range(8))
        text = f"{base['text']}\n\nReporters noted the {extra}."
        source = rng.choice(self.sources)
        published = _iso(day + rng.randrange(0, 3))
        cur = conn.execute(
            "INSERT INTO articles (id, source, url, title, published, text, language, fingerprint, duplicate_of, origin, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'en', ?, NULL, 'bench', '2024-01-01T00:00:00+00:00')",
            (aid, source, None, f"{base.get('title') or 'Report'} ({extra.split()[0]})", published, text, f"fp{self.article_no}"),
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
                         [(aid, *m) for m in self.mentions.get(base["id"], ())])
        if self.places.get(base["id"]):
            self.place_columns = self.place_columns or [r[1] for r in conn.execute("PRAGMA table_info(places)")]
            marks = ", ".join("?" * len(self.place_columns))
            conn.executemany(f"INSERT INTO places ({', '.join(self.place_columns)}) VALUES ({marks})",  # column names from the schema
                             [(aid, *pl) for pl in self.places[base["id"]]])
        conn.execute("INSERT INTO event_articles (article_id, event_id, position) VALUES (?, ?, ?)", (aid, event_id, position))
        action = "new" if position == 0 else "join"
        conn.execute(
            "INSERT INTO decisions (subject_id, target_id, level, action, score, threshold, features, explanation, created_at)"
            " VALUES (?, ?, 'event', ?, 0.9, 0.5, '{}', ?, '2024-01-01T00:00:00+00:00')",
            (aid, event_id, action, f"{action} {event_id}: benchmark grouping"),
        )
        return published, source

    def event(self, story_id: str, day: int, size: int, limit: int | None = None) -> tuple[int, set[str], str] | None:
        """An event of ``size`` articles (fewer when ``limit`` articles are reached); its size, sources and title."""
        self.event_no += 1
        event_id = f"E{self.event_no}"
        base = self.rng.choice(self.corpus)
        members, event_sources = [], set()
        for position in range(size):
            if limit is not None and self.article_no >= limit:
                break
            published, source = self.article(base, event_id, position, day)
            members.append(published)
            event_sources.add(source)
        if not members:
            return None
        self.conn.execute(
            "INSERT INTO events (id, number, story_id, title, date, date_precision, first_date, last_date, size, n_articles,"
            " n_sources, state, vector_sum) VALUES (?, ?, ?, ?, ?, 'day', ?, ?, ?, ?, ?, ?, ?)",
            (event_id, self.event_no, story_id, base.get("title") or "Event", _iso(day), min(members), max(members), len(members),
             len(members), len(event_sources), json.dumps({"entities": {}, "terms": {}, "title_terms": {}, "sources": {}, "date_votes": {}}), b""),
        )
        if base["id"] in self.records:  # stored as an ingest stores them: with the relays (none) and the comparison
            record, comparison = self.records[base["id"]]
            relays = json.dumps({"relays": [], "n_independent_reports": len(members)})
            self.conn.execute("INSERT INTO event_records (event_id, record, n_articles, built_at, relays) VALUES (?, ?, ?, '2024-01-01', ?)",
                              (event_id, record.replace('"event_id": "', f'"event_id": "{event_id}~', 1), len(members), relays))
            if comparison:
                self.conn.execute("INSERT INTO event_comparisons (event_id, comparison, n_articles, built_at) VALUES (?, ?, ?, '2024-01-01')",
                                  (event_id, comparison, len(members)))
        return len(members), event_sources, base.get("title") or "Story"

    def story(self, day: int, sizes: list[int], limit: int | None = None, span: int = 20) -> str:
        """A story of events of ``sizes`` articles within ``span`` days of ``day``; returns its id."""
        self.story_no += 1
        story_id = f"S{self.story_no}"
        story_events, story_articles, story_sources, dates, title = 0, 0, set(), [], "Story"
        for size in sizes:
            if limit is not None and self.article_no >= limit:
                break
            event_day = day + self.rng.randrange(0, span)
            made = self.event(story_id, event_day, size, limit)
            if made is None:
                break
            story_events += 1
            story_articles += made[0]
            story_sources |= made[1]
            title = made[2]
            dates.append(_iso(event_day))
        self.conn.execute(
            "INSERT INTO stories (id, number, title, first_date, last_date, n_events, n_articles, n_sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (story_id, self.story_no, title, min(dates), max(dates), story_events, story_articles, len(story_sources)),
        )
        return story_id


def build(path: Path, n_articles: int, seed: int = 7, digests: bool = True) -> None:
    """Stories of 1-4 events of 1-8 articles, then (``bench_big``) a story of 1,000 events and an event of 500 articles;
    ``digests``: every event's summary and story's timeline stored (what the pages read; a writer does not)."""
    start = time.perf_counter()
    with Store(path) as store:
        conn = store.conn
        conn.execute("PRAGMA synchronous = OFF")
        builder = _Builder(conn, seed)
        rng = builder.rng
        with store.transaction():
            day0 = 738000  # proleptic ordinal around 2021-08
            while builder.article_no < n_articles:
                story_day = day0 + rng.randrange(0, 730)
                builder.story(story_day, [rng.randint(1, 8) for _ in range(rng.randint(1, 4))], n_articles)
            big_story = builder.story(day0, [rng.randint(1, 3) for _ in range(1000)], span=700)
            big_event = builder.story(day0 + 100, [500])
            store.set_meta("bench_big", f"{big_story} {big_event} E{builder.event_no}")
            store.set_meta("bench_articles", str(n_articles))
            store.set_meta("bench_version", BENCH_VERSION)
        conn.execute("ANALYZE")
    if digests:
        _store_digests(path)
    print(f"built {path}: {builder.article_no} articles, {builder.event_no} events, {builder.story_no} stories"
          f" in {time.perf_counter() - start:.0f}s", file=sys.stderr)


def _store_digests(path: Path) -> None:
    """Store every event's summary and every story's timeline, as ingest does (the ``digests`` setting), so a
    page reads them instead of building them on its first request."""
    from storyline import Storyline

    start = time.perf_counter()
    with Storyline(str(path)) as engine:
        events, stories = engine.digests.refresh(())
    print(f"stored {events} event digests and {stories} story timelines in {time.perf_counter() - start:.0f}s",
          file=sys.stderr)


def _iso(ordinal: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(ordinal).isoformat()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _times(client: httpx.Client, paths: list[str], sizes: list[int] | None = None) -> list[float]:
    """Milliseconds per request (and each response's bytes in ``sizes``)."""
    out = []
    for path in paths:
        t = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{path}: HTTP {r.status_code} {r.text[:200]}")
        if sizes is not None:
            sizes.append(len(r.content))
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its threads so far (Linux ``/proc``; 0.0 elsewhere)."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
            if store.get_meta("bench_articles") != str(args.articles) or store.get_meta("bench_version") != BENCH_VERSION:
                raise SystemExit(f"{db} exists and is not a {args.articles}-article benchmark store; remove it")
    else:
        build(db, args.articles)
    with Store(db) as store:
        n_stories = store.count("stories") - 2  # the two big ones apart
        n_articles = store.count("articles")
        big_story, big_event_story, big_event = store.get_meta("bench_big").split()
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
        with httpx.Client(base_url=base, timeout=300) as c:
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
            n_big = max(30, args.requests // 5)
            cases |= {
                "1,000-event story, HTML": [f"/stories/{big_story}"] * n_big,
                "1,000-event story, JSON": [f"/api/stories/{big_story}"] * n_big,
                "500-article event, HTML": [f"/events/{big_event}"] * n_big,
                "500-article event, JSON": [f"/api/events/{big_event}"] * n_big,
            }
            _times(c, ["/", "/api/stories", story_paths[0]] * 5)  # warm up
            cold = {path: _times(c, [path])[0] for path in (f"/stories/{big_story}", f"/events/{big_event}")}
            rows = []
            for name, paths in cases.items():
                sizes: list[int] = []
                cpu = _cpu_seconds(proc.pid)
                ms = _times(c, paths, sizes)
                cpu = (_cpu_seconds(proc.pid) - cpu) * 1000 / len(ms)  # the server's CPU per request: not the machine's load
                ms.sort()
                rows.append((name, len(ms), statistics.median(ms), ms[int(0.95 * (len(ms) - 1))], cpu, max(sizes) / 1000))
        rps_list = _throughput(base, ["/"])
        rps_story = _throughput(base, story_paths)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"store: {n_articles} articles, {n_stories} stories ({db})\n")
    print("| request | n | median ms | p95 ms | server CPU ms / request | largest kB |")
    print("|---|---|---|---|---|---|")
    for name, n, median, p95, cpu, kb in rows:
        print(f"| {name} | {n} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {kb:.0f} |")
    print("\nfirst request (the story's timeline and the event's summary are computed, then cached): "
          + ", ".join(f"{path} {ms:.0f} ms" for path, ms in cold.items()))
    print(f"\nrequests/s with 8 concurrent clients: story list (HTML) {rps_list:.0f}, story pages (HTML) {rps_story:.0f}")


if __name__ == "__main__":
    main()
