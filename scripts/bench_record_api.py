#!/usr/bin/env python
"""Record stage through the HTTP API: an event of 200 articles posted one at a time, against the same 200 in one batch.

    python scripts/bench_record_api.py DATA.jsonl [--articles 200] [--tail 20] [--src src [--src OTHER/src]]
                                       [--set NAME=VALUE ...]

For each ``--src`` (a source tree of storyline: this checkout's by default;
give two to compare two versions side by side in one run), on fresh SQLite
stores: starts ``storyline serve`` on a free local port with a write token,
posts the first ``--articles`` records of DATA.jsonl in ONE request (batch),
then, on another fresh store and server, posts the same records one request
each (arrivals). After each request it reads the run the engine stored
(``runs.summary``: the ingest summary's ``stage_seconds`` and
``stage_cpu_seconds``, kept by :class:`storyline.engine.timing.StageTimer`)
and takes the record stage's seconds. The record stage
(``Storyline.refresh_records``) also holds the comparison (``compare``) and
the digests (``digest``), timed inside it; the report gives the record stage
as timed, without those two, and the comparison alone. An arrival's seconds
are those of every run the server finished since the previous arrival (its
ingest, and an idle refresh of deferred records if one ran between them).
After the last arrival it waits for the server's idle refresh of the records
whose rebuild was deferred (``serve_refresh_idle_s``; the store has no stale
record left) and reports its seconds as the final build. It asserts that every
comparison and record the arrivals stored equals the batch's (the event's
articles the same).

Besides the median of the last ``--tail`` arrivals it reports, over arrivals
101-200 (the event holding 101-200 reports), the amortised ratio (their summed
record seconds per arrival over the batch's per-article seconds), the same with
the final build added, and the worst single arrival. A ``--set`` that a tree's
storyline does not know (main's, for a new setting) is left out for that tree
(``settings`` in its output says what it ran with).

So that the records form one event as in ``bench_record_scale.py``, every
record gets one date and the clusterer joins whatever it is offered
(``clusterer.online.v1``, which has no second pass to split events, with ``event_threshold=0``); the hashing embedder stands in for the model
(``embedder=embedder.hashing.v1``); the entity extractor is the default one
(spaCy). ``--set`` adds or overrides settings. The output is one JSON object:
per source tree, the batch's record seconds per article, the median of the
last ``--tail`` arrivals (their event holding up to ``--articles`` reports),
both as wall and CPU seconds, and their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

SETTINGS = ["embedder=embedder.hashing.v1", "clusterer=clusterer.online.v1", "event_threshold=0", "event_window_days=36500", "progress=false"]
NESTED = ("compare", "digest")
#: the stale records as the store counts them (events whose record or comparison lags behind their articles)
STALE = ("SELECT COUNT(*) FROM events e LEFT JOIN event_records r ON r.event_id = e.id LEFT JOIN event_comparisons c"
         " ON c.event_id = e.id WHERE r.event_id IS NULL OR r.n_articles != e.n_articles OR c.event_id IS NULL"
         " OR c.n_articles != e.n_articles")
#: the arrivals whose record stage is amortised (1-based, inclusive): the event holds 101-200 reports
AMORTISED = (101, 200)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``storyline serve`` on a fresh store, in a child process of its own."""

    def __init__(self, src: Path, db: Path, settings: list[str]) -> None:
        self.port, self.token, self.db = _free_port(), secrets.token_hex(16), db
        env = dict(os.environ, PYTHONPATH=str(src), STORYLINE_TOKEN=self.token)
        sets = [arg for s in settings for arg in ("--set", s)]
        self.process = subprocess.Popen([sys.executable, "-m", "storyline", "--db", str(db), *sets, "serve", "--port", str(self.port)],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait()

    def _wait(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.process.stderr.read().decode()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/stories?limit=1", timeout=5).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise RuntimeError("the server did not answer in time")

    def post(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/articles", data=json.dumps(records).encode(),
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
                                         method="POST")
        with urllib.request.urlopen(request, timeout=3600) as answer:
            return json.loads(answer.read())

    def last_run(self) -> dict[str, Any]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT summary FROM runs WHERE summary IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
        return json.loads(row[0])

    def runs_after(self, seen: int) -> tuple[int, list[dict[str, Any]]]:
        """The finished runs after run ``seen`` (an arrival's ingest and any idle refresh before it), and the last id."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT id, summary FROM runs WHERE id > ? AND summary IS NOT NULL ORDER BY id", (seen,)).fetchall()
        return (rows[-1][0] if rows else seen), [json.loads(r[1]) for r in rows]

    def settled(self) -> bool:
        """No stale record (every deferred rebuild done) and no unfinished run."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            stale = conn.execute(STALE).fetchone()[0]
            running = conn.execute("SELECT COUNT(*) FROM runs WHERE summary IS NULL").fetchone()[0]
        return stale == 0 and running == 0

    def wait_settled(self, timeout: float = 900) -> float:
        """Wait for the server's idle refresh of deferred records; returns the seconds waited."""
        started = time.monotonic()
        while not self.settled():
            if time.monotonic() - started > timeout:
                raise RuntimeError("the deferred records were not rebuilt in time")
            time.sleep(0.25)
        return time.monotonic() - started

    def events(self) -> list[int]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            return [r[0] for r in conn.execute("SELECT COUNT(*) FROM event_articles GROUP BY event_id ORDER BY 1 DESC")]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _record_seconds(*runs: dict[str, Any]) -> dict[str, float]:
    """The record stage's seconds summed over ``runs`` (one arrival's ingest and any idle refresh it followed)."""
    out = dict.fromkeys(("wall", "cpu", "wall_compare", "cpu_compare", "wall_own", "cpu_own"), 0.0)
    for run in runs:
        wall, cpu = run.get("stage_seconds", {}), run.get("stage_cpu_seconds", {})
        out["wall"] += wall.get("record", 0.0)
        out["cpu"] += cpu.get("record", 0.0)
        out["wall_compare"] += wall.get("compare", 0.0)
        out["cpu_compare"] += cpu.get("compare", 0.0)
        out["wall_own"] += wall.get("record", 0.0) - sum(wall.get(s, 0.0) for s in NESTED)
        out["cpu_own"] += cpu.get("record", 0.0) - sum(cpu.get(s, 0.0) for s in NESTED)
    return out


def known_settings(src: Path, settings: list[str]) -> list[str]:
    """The ``NAME=VALUE`` settings that the storyline of ``src`` knows (main's tree may not know a new one)."""
    code = "import json; from storyline.settings import SETTINGS; print(json.dumps([s.name for s in SETTINGS]))"
    names = json.loads(subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(src)),
                                      capture_output=True, text=True, check=True).stdout)
    return [s for s in settings if s.split("=", 1)[0] in names]


def _by_members(db: Path, table: str) -> dict[frozenset[str], dict[str, Any]]:
    """Each stored record (``table`` event_records) or comparison (event_comparisons), without its event id, by the
    articles of its event."""
    sql = {"event_records": "SELECT event_id, record FROM event_records",
           "event_comparisons": "SELECT event_id, comparison FROM event_comparisons"}[table]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        members: dict[str, set[str]] = {}
        for event, article in conn.execute("SELECT event_id, article_id FROM event_articles"):
            members.setdefault(event, set()).add(article)
        rows = conn.execute(sql).fetchall()
    return {frozenset(members.get(e, ())): {k: v for k, v in json.loads(c).items() if k != "event_id"} for e, c in rows}


def stored_records(db: Path) -> dict[frozenset[str], dict[str, Any]]:
    return _by_members(db, "event_records")


def comparisons(db: Path) -> dict[frozenset[str], dict[str, Any]]:
    return _by_members(db, "event_comparisons")


def _arrivals(server: Server, records: list[dict[str, Any]]) -> tuple[list[dict[str, float]], dict[str, float], float]:
    """Post each record alone; each arrival's record seconds (its ingest and any idle refresh since the previous
    one), then the final refresh's (the server's idle refresh of what is still deferred) and the seconds waited."""
    seen, arrivals = 0, []
    for record in records:
        server.post([record])
        seen, runs = server.runs_after(seen)
        arrivals.append(_record_seconds(*runs))
    waited = server.wait_settled()
    seen, runs = server.runs_after(seen)
    return arrivals, _record_seconds(*runs), waited


def one_tree(src: Path, records: list[dict[str, Any]], settings: list[str], tail: int, scratch: Path) -> dict[str, Any]:
    n, settings = len(records), known_settings(src, settings)
    name = f"{src.parent.name}-{abs(hash(str(src))) % 10**6}"
    server = Server(src, scratch / f"batch-{name}.db", settings)
    try:
        server.post(records)
        batch = _record_seconds(server.last_run())
        batch_events = server.events()
    finally:
        server.stop()
    server = Server(src, scratch / f"arrivals-{name}.db", settings)
    try:
        arrivals, final, waited = _arrivals(server, records)
        events = server.events()
    finally:
        server.stop()
    last = arrivals[-tail:]
    batch_comparisons = comparisons(scratch / f"batch-{name}.db")
    # the comparison and the record built one arrival at a time (deferred rebuilds included) are the batch's
    assert comparisons(scratch / f"arrivals-{name}.db") == batch_comparisons, "the comparisons differ"
    assert stored_records(scratch / f"arrivals-{name}.db") == stored_records(scratch / f"batch-{name}.db"), "the records differ"
    out: dict[str, Any] = {"src": str(src), "settings": settings, "articles": n, "batch_event_sizes": batch_events[:3],
                           "arrival_event_sizes": events[:3], "comparisons_identical": True, "records_identical": True,
                           "contested_facts": sum(f["status"] == "contested" for c in batch_comparisons.values() for f in c["facts"]),
                           "final_refresh_waited_s": round(waited, 1)}
    first, end = AMORTISED[0] - 1, min(AMORTISED[1], n)
    span = arrivals[first:end]
    for key in ("wall", "cpu", "wall_own", "cpu_own", "wall_compare", "cpu_compare"):
        per_article = batch[key] / n
        median = statistics.median(a[key] for a in last)
        out[f"batch_{key}_ms_per_article"] = round(1000 * per_article, 2)
        out[f"arrival_{key}_ms_median_last_{tail}"] = round(1000 * median, 2)
        out[f"ratio_{key}"] = round(median / per_article, 2) if per_article else None
        if span and per_article:
            total = sum(a[key] for a in span)
            out[f"amortised_{key}_ratio_{AMORTISED[0]}_{end}"] = round(total / len(span) / per_article, 2)
            out[f"amortised_{key}_ratio_{AMORTISED[0]}_{end}_with_final"] = round((total + final[key]) / len(span) / per_article, 2)
            out[f"worst_{key}_ratio_{AMORTISED[0]}_{end}"] = round(max(a[key] for a in span) / per_article, 2)
            out[f"final_{key}_ms"] = round(1000 * final[key], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--tail", type=int, default=20, help="arrivals whose median is reported (the last ones)")
    parser.add_argument("--src", action="append", type=Path, help="a storyline source tree (default: this checkout's src)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(args.articles), f)]
    day = rows[0].get("date")
    rows = [{k: row[k] for k in ("id", "source", "title", "text", "url") if row.get(k)} | {"date": day} for row in rows]
    trees = args.src or [Path(__file__).resolve().parents[1] / "src"]
    with tempfile.TemporaryDirectory(prefix="bench-record-api-") as scratch:
        results = [one_tree(src.resolve(), rows, SETTINGS + args.set, args.tail, Path(scratch)) for src in trees]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
