#!/usr/bin/env python3
"""Ten thousand malformed or hostile inputs mixed with good ones, through the command line and the REST API.

    python scripts/malformed.py --bad 10000 --good 500 --json

Writes a folder of inputs in every reader format (jsonl, csv, txt, html, feed, warc; gzipped too), each bad
input one thing a user or an attacker may send (broken JSON, a lone surrogate, a 5,000-digit number, JSON
nested 2,000 deep, dates of year 1, blank or control-character ids, fields over their limits, NUL bytes,
binary and non-UTF-8 files, unbalanced CSV quotes, truncated gzip, pages without an article, feeds that are
not feeds, damaged WARC records), runs ``storyline ingest`` on the folder in a real process, then starts
``storyline serve`` and POSTs a share of the bad inputs (and some good articles) to ``/api/articles``.

Checks: no traceback anywhere, every bad input is a stored rejection at its file and line with a code and a
reason (the API answers 4xx with an error code, never 500), every good article is stored, and the wall
time and the peak memory of the ingest. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
import os
import random
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

STORYLINE = (sys.executable, "-m", "storyline")
TOKEN = "malformed-run"
WORDS = ("river council police residents road train power water crews mayor budget vote weather rain wind "
         "crowd music court ferry harbour museum library park factory farm").split()


def _good(rng: random.Random, n: int) -> dict:
    body = " ".join(rng.choice(WORDS) for _ in range(60))
    return {"id": f"good-{n}", "date": f"2024-0{1 + n % 9}-1{n % 10}", "source": f"Outlet {n % 7}",
            "title": f"Report {n} on the {rng.choice(WORDS)}", "text": f"The {rng.choice(WORDS)} of Town{n} met on Monday. {body.capitalize()}."}


#: bad JSON lines: each a reason a line cannot be used (the line is written as it is). Odd but usable values are
#: not among them: a javascript: url is stored and never made a link, a NUL inside a JSON string is removed
def _bad_lines(rng: random.Random, n: int) -> list[str]:
    good = _good(rng, n)
    return [
        '{"id": "x", "date": "2024-01-01", "text": "unterminated',
        json.dumps({**good, "id": f"bad-{n}", "text": ""}),
        json.dumps({**good, "id": f"bad-{n}", "date": "2024-13-45"}),
        json.dumps({**good, "id": f"bad-{n}", "date": "0001-01-01"}),
        json.dumps({**good, "id": f"bad-{n}"}).replace('"title": "', '"title": "\\ud800', 1),
        '{"id": "bad-%d", "date": "2024-01-01", "text": "big", "n": %s}' % (n, "9" * 5000),
        "[" * 2000 + "]" * 2000,
        json.dumps({**good, "id": "   "}),
        json.dumps({**good, "id": f"bad\x1b[31m{n}"}),
        json.dumps({**good, "id": f"S{n}"}),
        json.dumps({**good, "id": f"bad-{n}", "title": "t" * 1001}),
        json.dumps({**good, "id": f"bad-{n}", "text": ["not", "a", "string"]}),
        json.dumps({"id": f"bad-{n}", "date": "2024-01-01"}),
        json.dumps([1, 2, 3]),
        "null",
    ]


def _csv_rows(rng: random.Random, n: int) -> list[str]:
    return [f'bad-{n},2024-13-01,Outlet,Title,"some text"', f"bad-{n},2024-01-01,Outlet,Title,",
            f'bad-{n},0001-01-01,Outlet,Title,"text"', f'"   ",2024-01-01,Outlet,Title,"text"']


class Corpus:
    """The generated inputs and what each should become."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root, self.rng = root, random.Random(seed)
        self.bad: list[tuple[str, int]] = []  # (file, line or 0)
        self.good: list[str] = []
        self.api_bad: list[bytes] = []
        self.api_good: list[dict] = []
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def write(self, name: str, data: bytes) -> str:
        path = self.root / name
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return str(path)

    def jsonl(self, bad: int, good: int, gz: bool = False) -> None:
        lines, marks = [], []
        kinds = _bad_lines(self.rng, 0)
        for k in range(bad + good):
            n = self._next()
            if k % max(1, (bad + good) // max(good, 1)) == 0 and good > 0 and len([m for m in marks if m]) < good:
                record = _good(self.rng, n)
                lines.append(json.dumps(record))
                marks.append(record["id"])
            else:
                lines.append(_bad_lines(self.rng, n)[k % len(kinds)])
                marks.append(None)
        path = self.write(f"part{self._n}.jsonl" + (".gz" if gz else ""), ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
        for line, mark in enumerate(marks, start=1):
            if mark:
                self.good.append(mark)
            else:
                self.bad.append((path, line))

    def csv(self, bad: int, good: int) -> None:
        rows, marks = ["id,date,source,title,text"], []
        for k in range(bad + good):
            n = self._next()
            if k < good:
                g = _good(self.rng, n)
                rows.append(f'{g["id"]},{g["date"]},{g["source"]},{g["title"]},"{g["text"]}"')
                marks.append(g["id"])
            else:
                rows.append(_csv_rows(self.rng, n)[k % 4])
                marks.append(None)
        path = self.write(f"table{self._n}.csv", ("\n".join(rows) + "\n").encode())
        for line, mark in enumerate(marks, start=2):
            (self.good.append(mark) if mark else self.bad.append((path, line)))

    def file(self, name: str, data: bytes, good_id: str | None = None) -> None:
        path = self.write(name, data)
        (self.good.append(good_id) if good_id else self.bad.append((path, 0)))


def build(root: Path, bad: int, good: int, seed: int = 13) -> Corpus:
    """Write about ``bad`` malformed inputs (files and lines, plus API bodies) and ``good`` good articles."""
    c = Corpus(root, seed)
    shares = {"jsonl": 0.40, "csv": 0.10, "txt": 0.12, "html": 0.10, "feed": 0.06, "warc": 0.04, "gz": 0.03, "api": 0.15}
    per_file = 100
    goods = collections.Counter({"jsonl": int(good * 0.5), "csv": int(good * 0.1), "txt": int(good * 0.15),
                                 "api": good - int(good * 0.5) - int(good * 0.1) - int(good * 0.15)})
    n_jsonl = int(bad * shares["jsonl"]) // per_file
    for k in range(n_jsonl):
        c.jsonl(per_file, goods["jsonl"] // n_jsonl + (1 if k < goods["jsonl"] % n_jsonl else 0))
    n_csv = max(1, int(bad * shares["csv"]) // per_file)
    for k in range(n_csv):
        c.csv(per_file, goods["csv"] // n_csv + (1 if k < goods["csv"] % n_csv else 0))
    txt_bad = [b"", b"no date line here\nbut text", b"date 2024-99-01\ntext", b"date 0001-01-01\ntext",
               b"\x00\x01\x02binary" * 50, "date 2024-01-01\n\udcff".encode("utf-8", "surrogateescape") + b"\xff\xfe",
               b"date 2024-01-01\n", b"date 2024-01-01\n\x00" + b"x" * 100]
    for k in range(int(bad * shares["txt"])):
        c.file(f"note{c._next()}.txt", txt_bad[k % len(txt_bad)])
    for k in range(goods["txt"]):
        g = _good(c.rng, c._next())
        c.file(f"{g['id']}.txt", f"date {g['date']}\n{g['text']}\n".encode(), str(c.root / f"{g['id']}.txt") + ":1")
    html_bad = [b"", b"<html><body></body></html>", b"<html><head><title>x</title></head><body><nav>menu</nav></body></html>",
                b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, b"<html>" + b"<div>" * 5000 + b"</html>"]
    for k in range(int(bad * shares["html"])):
        c.file(f"page{c._next()}.html", html_bad[k % len(html_bad)])
    feed_bad = [b"<rss><channel></channel>", b"not a feed at all", b"<?xml version='1.0'?><html></html>", b"\xff\xfe\x00<"]
    for k in range(int(bad * shares["feed"])):
        c.file(f"news{c._next()}.rss", feed_bad[k % len(feed_bad)])
    warc_bad = [b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999999\r\n\r\nshort", b"not a warc", gzip.compress(b"WARC/1.0\r\n")[:15]]
    for k in range(int(bad * shares["warc"])):
        c.file(f"crawl{c._next()}.warc" + (".gz" if k % 3 == 2 else ""), warc_bad[k % len(warc_bad)])
    for k in range(int(bad * shares["gz"])):
        c.file(f"packed{c._next()}.jsonl.gz", gzip.compress(b'{"id": "z", "text": "x"}\n' * 50)[: 20 + k % 30])
    for k in range(bad - len(c.bad)):
        n = c._next()
        body = _bad_lines(c.rng, n)[k % 15]
        c.api_bad.append(body.encode("utf-8", "surrogatepass"))
    for k in range(goods["api"]):
        c.api_good.append(_good(c.rng, c._next()) | {"id": f"api-good-{k}"})
    return c


def _ingest(folder: Path, db: Path, sets: Sequence[str]) -> tuple[subprocess.CompletedProcess, float, int]:
    flags = [f for s in sets for f in ("--set", s)]
    started = time.monotonic()
    done = subprocess.run([*STORYLINE, "--db", str(db), *flags, "ingest", "--no-progress", "--json", str(folder)],
                          capture_output=True, text=True, env=_env())
    seconds = time.monotonic() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return done, seconds, peak_kb


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    env["OMP_NUM_THREADS"] = "1"
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post_all(db: Path, corpus: Corpus, sets: Sequence[str]) -> dict:
    import httpx

    port = _free_port()
    flags = [f for s in sets for f in ("--set", s)]
    server = subprocess.Popen([*STORYLINE, "--db", str(db), *flags, "serve", "--port", str(port), "--token", TOKEN],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    answers: collections.Counter = collections.Counter()
    codes: collections.Counter = collections.Counter()
    failures: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {TOKEN}",
                                                              "Content-Type": "application/json"}) as client:
            for _ in range(600):
                try:
                    client.get("/api/stories")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for body in corpus.api_bad:
                answer = client.post("/api/articles", content=body)
                answers[answer.status_code] += 1
                code = ((answer.json() or {}).get("error") or {}).get("code") if answer.headers.get("content-type", "").startswith("application/json") else None
                codes[code or "none"] += 1
                if answer.status_code >= 500 or answer.status_code < 400 or not code:
                    failures.append(f"{answer.status_code} {code} for {body[:80]!r}")
            for start in range(0, len(corpus.api_good), 50):
                answer = client.post("/api/articles", json=corpus.api_good[start : start + 50])
                answers[answer.status_code] += 1
                if answer.status_code != 200:
                    failures.append(f"good articles answered {answer.status_code}: {answer.text[:200]}")
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    if "Traceback" in err:
        failures.append("the server printed a traceback: " + err[err.index("Traceback"):][:500])
    return {"status": dict(answers), "codes": dict(codes), "failures": failures}


def run(workdir: Path, bad: int, good: int, sets: Sequence[str]) -> dict:
    folder = workdir / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    corpus = build(folder, bad, good)
    db = workdir / "malformed.db"
    done, seconds, peak_kb = _ingest(folder, db, sets)
    failures = []
    if "Traceback" in done.stderr or "Traceback" in done.stdout:
        failures.append("ingest printed a traceback: " + done.stderr[done.stderr.find("Traceback"):][:800])
    if done.returncode != 1:
        failures.append(f"ingest exited {done.returncode} (1 expected: some inputs were rejected): {done.stderr[-500:]}")
    rejections = json.loads(subprocess.run([*STORYLINE, "--db", str(db), "rejections", "--json"], capture_output=True,
                                           text=True, env=_env()).stdout or "[]")
    at = {(r["origin"], r["line"]) for r in rejections}
    files = {r["origin"] for r in rejections}
    missing = [(f, line) for f, line in corpus.bad if ((f, line) not in at if line else f not in files)]
    unexplained = [r for r in rejections if not r.get("code") or not r.get("reason") or not r.get("origin")]
    listed = json.loads(subprocess.run([*STORYLINE, "--db", str(db), "articles", "--json"], capture_output=True,
                                       text=True, env=_env()).stdout or "[]")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:  # a text file's article has a content id
        origins = {row[0] for row in conn.execute("SELECT origin FROM articles")}
    stored = {a["id"] for a in listed} | origins
    lost = sorted(set(corpus.good) - stored)
    api = _post_all(db, corpus, sets)
    stored_after = {a["id"] for a in json.loads(subprocess.run([*STORYLINE, "--db", str(db), "articles", "--json"],
                                                               capture_output=True, text=True, env=_env()).stdout or "[]")}
    lost += sorted(a["id"] for a in corpus.api_good if a["id"] not in stored_after)
    failures += [f"no rejection for {f}:{line}" for f, line in missing[:20]]
    failures += [f"a rejection without its reason: {r}" for r in unexplained[:20]]
    failures += [f"good article lost: {i}" for i in lost[:20]] + api["failures"][:20]
    return {
        "bad_inputs": len(corpus.bad) + len(corpus.api_bad), "bad_files_and_lines": len(corpus.bad),
        "bad_api_requests": len(corpus.api_bad), "good": len(corpus.good) + len(corpus.api_good),
        "rejections": len(rejections), "by_code": dict(sorted(collections.Counter(r["code"] for r in rejections).items())),
        "missing_rejections": len(missing), "lost_good": len(lost), "api": {k: v for k, v in api.items() if k != "failures"},
        "ingest_seconds": round(seconds, 1), "ingest_peak_mb": round(peak_kb / 1024), "exit": done.returncode,
        "summary": ({k: v for k, v in json.loads(done.stdout).items() if k != "rejections"}
                    if done.stdout.strip().startswith("{") else done.stdout[-300:]),
        "failures": failures,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bad", type=int, default=10_000)
    parser.add_argument("--good", type=int, default=500)
    parser.add_argument("--set", dest="sets", action="append", default=None, metavar="NAME=VALUE",
                        help="a setting for ingest and serve (default: embedder=embedder.hashing.v1)")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--max-mb", type=float, default=1024)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sets = args.sets if args.sets is not None else ["embedder=embedder.hashing.v1"]
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.workdir or Path(tmp), args.bad, args.good, sets)
    if result["ingest_seconds"] > args.max_seconds:
        result["failures"].append(f"ingest took {result['ingest_seconds']} s (bound {args.max_seconds})")
    if result["ingest_peak_mb"] > args.max_mb:
        result["failures"].append(f"ingest peaked at {result['ingest_peak_mb']} MB (bound {args.max_mb})")
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
