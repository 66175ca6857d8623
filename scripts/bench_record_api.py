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
as timed, without those two, and the comparison alone. It asserts that every
comparison the arrivals stored equals the batch's (the event's articles the same).

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

    def events(self) -> list[int]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            return [r[0] for r in conn.execute("SELECT COUNT(*) FROM event_articles GROUP BY event_id ORDER BY 1 DESC")]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _record_seconds(run: dict[str, Any]) -> dict[str, float]:
    wall, cpu = run.get("stage_seconds", {}), run.get("stage_cpu_seconds", {})
    return {"wall": wall.get("record", 0.0), "cpu": cpu.get("record", 0.0),
            "wall_compare": wall.get("compare", 0.0), "cpu_compare": cpu.get("compare", 0.0),
            "wall_own": wall.get("record", 0.0) - sum(wall.get(s, 0.0) for s in NESTED),
            "cpu_own": cpu.get("record", 0.0) - sum(cpu.get(s, 0.0) for s in NESTED)}


def comparisons(db: Path) -> dict[frozenset[str], dict[str, Any]]:
    """Each stored comparison (without its event id), by the articles of its event."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        members: dict[str, set[str]] = {}
        for event, article in conn.execute("SELECT event_id, article_id FROM event_articles"):
            members.setdefault(event, set()).add(article)
        rows = conn.execute("SELECT event_id, comparison FROM event_comparisons").fetchall()
    return {frozenset(members.get(e, ())): {k: v for k, v in json.loads(c).items() if k != "event_id"} for e, c in rows}


def one_tree(src: Path, records: list[dict[str, Any]], settings: list[str], tail: int, scratch: Path) -> dict[str, Any]:
    n = len(records)
    server = Server(src, scratch / f"batch-{src.parent.name}.db", settings)
    try:
        server.post(records)
        batch = _record_seconds(server.last_run())
        batch_events = server.events()
    finally:
        server.stop()
    server = Server(src, scratch / f"arrivals-{src.parent.name}.db", settings)
    arrivals = []
    try:
        for record in records:
            server.post([record])
            arrivals.append(_record_seconds(server.last_run()))
        events = server.events()
    finally:
        server.stop()
    last = arrivals[-tail:]
    batch_comparisons = comparisons(scratch / f"batch-{src.parent.name}.db")
    # the comparison built one arrival at a time is the one built from all the articles at once
    assert comparisons(scratch / f"arrivals-{src.parent.name}.db") == batch_comparisons, "the comparisons differ"
    out: dict[str, Any] = {"src": str(src), "articles": n, "batch_event_sizes": batch_events[:3], "arrival_event_sizes": events[:3],
                           "comparisons_identical": True,
                           "contested_facts": sum(f["status"] == "contested" for c in batch_comparisons.values() for f in c["facts"])}
    for key in ("wall", "cpu", "wall_own", "cpu_own", "wall_compare", "cpu_compare"):
        per_article = batch[key] / n
        median = statistics.median(a[key] for a in last)
        out[f"batch_{key}_ms_per_article"] = round(1000 * per_article, 2)
        out[f"arrival_{key}_ms_median_last_{tail}"] = round(1000 * median, 2)
        out[f"ratio_{key}"] = round(median / per_article, 2) if per_article else None
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
    records = [{k: row[k] for k in ("id", "source", "title", "text", "url") if row.get(k)} | {"date": day} for row in rows]
    trees = args.src or [Path(__file__).resolve().parents[1] / "src"]
    with tempfile.TemporaryDirectory(prefix="bench-record-api-") as scratch:
        results = [one_tree(src.resolve(), records, SETTINGS + args.set, args.tail, Path(scratch)) for src in trees]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
