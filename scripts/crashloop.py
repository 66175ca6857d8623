#!/usr/bin/env python3
"""Kill -9 an ingest at random points many times, resume each time, and compare with an uninterrupted run.

    python scripts/crashloop.py ../shared/data/clustering/allsides_dev.jsonl --limit 300 --kills 100
    python scripts/crashloop.py --generate 240 --kills 20 --json

Two stores are filled from one corpus with the real command line in a real
process (``python -m storyline``): one by a single clean ``ingest``, the other
by ``ingest`` runs that are killed with SIGKILL and started again, ``--kills``
times, then run once more to the end. Kill points are spread over the corpus:
each cycle draws a number of committed articles to wait for (sorted, uniform
over the corpus, so the last kills land after the last batch: in the record
building, the index save, the run summary) and then a random extra delay
(inside a batch's analysis or its transaction, or during start-up).

The stores are then compared: the command line's exports (``export`` JSON
lines, ``articles --json``, ``stories --json``, ``rejections --json``) and
every table of the store except the ones that hold wall-clock times and run
bookkeeping (timestamps are left out of the rows). The script prints what
differs and exits 1 when anything does; ``--json`` prints the result as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

#: the command line as a user runs it
STORYLINE = (sys.executable, "-m", "storyline")
#: tables compared row by row, each with the columns left out (wall-clock times); runs and migrations hold only
#: bookkeeping (one row per started run, when each migration was applied) and are not compared
TABLES = {
    "meta": (), "sources": (), "articles": ("ingested_at",), "segments": (), "mentions": (), "embeddings": (),
    "signatures": (), "events": (), "event_articles": (), "stories": (), "decisions": ("created_at",),
    "rejections": ("created_at",), "vocabulary": (), "places": (), "event_records": ("built_at",),
    "cluster_items": (), "cluster_pairs": (),
}
#: the command line's exports, each a read a user (or a program) relies on
EXPORTS = (("export",), ("articles", "--json"), ("stories", "--json"), ("rejections", "--json"))


@dataclass
class CrashLoop:
    """What one crash loop did and found."""

    articles: int
    kills: int = 0
    #: cycles whose ingest finished before its kill point (it was then run again, with nothing left to do)
    finished_early: int = 0
    #: committed articles seen at each kill (they never go down: nothing committed is lost)
    committed_at_kill: list[int] = field(default_factory=list)
    clean_seconds: float = 0.0
    loop_seconds: float = 0.0
    #: what differs between the two stores: table or export -> a short description (empty: identical)
    differences: dict[str, str] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    events: int = 0
    stories: int = 0

    @property
    def monotonic(self) -> bool:
        """No kill undid a commit: the committed count never went down from one kill to the next."""
        return all(a <= b for a, b in zip(self.committed_at_kill, self.committed_at_kill[1:]))

    @property
    def identical(self) -> bool:
        return not self.differences and not self.lost and not self.doubled and self.monotonic


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randrange(2, 5)))


def generate(path: Path, n: int, seed: int = 13) -> Path:
    """A corpus of ``n`` articles about ``n // 4`` happenings (four outlets each, a few a day) in made-up words.

    Happenings come in threes that share a place and half their words, so the clusterer has real decisions to
    make (and its second pass work to do); a resume that forgot any of its state ends with other events."""
    rng = random.Random(seed)
    themes = [([_word(rng) for _ in range(6)], _word(rng).title()) for _ in range(n // 12 + 1)]
    topics = [(themes[t // 3][0] + [_word(rng) for _ in range(6)], themes[t // 3][1]) for t in range(n // 4 + 1)]
    with path.open("w", encoding="utf-8") as fh:
        for k in range(n):
            words, place = topics[k // 4]
            body = " ".join(rng.choice(words) for _ in range(80))
            day = dt.date(2024, 1, 1) + dt.timedelta(days=k // 12)
            text = f"Officials in {place} said on Monday that the {words[6]} affected the {words[7]}. {body.capitalize()}."
            fh.write(json.dumps({"id": f"g{k:04d}", "date": day.isoformat(), "source": f"Outlet {k % 4}",
                                 "title": f"{words[6].title()} {words[8]} in {place}", "text": text}) + "\n")
    return path


def committed(db: Path) -> int | None:
    """Articles committed so far, read through a read-only connection (None before the table exists)."""
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.DatabaseError:  # not created, not migrated or not written yet
        return None


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _ingest_args(db: Path, corpus: Path, sets: Sequence[str]) -> list[str]:
    flags = [f for s in sets for f in ("--set", s)]
    return ["--db", str(db), *flags, "ingest", "--no-progress", str(corpus)]


def _run(cli: Sequence[str], args: Sequence[str], timeout: float = 3600) -> subprocess.CompletedProcess:
    done = subprocess.run([*cli, *args], capture_output=True, text=True, timeout=timeout, env=_env())
    if done.returncode not in (0, 1):  # 1: some inputs were rejected (they are compared like everything else)
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return done


def _timed_run(cli: Sequence[str], args: Sequence[str], db: Path) -> tuple[float, float]:
    """Run an ingest to its end, watching its commits: (seconds to the first commit, seconds per commit after it)."""
    started = time.monotonic()
    proc = subprocess.Popen([*cli, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env())
    first = last = None
    seen = 0
    while proc.poll() is None:
        now = committed(db) or 0
        if now > seen:
            first, last, seen = first or time.monotonic(), time.monotonic(), now
        time.sleep(0.01)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"the clean ingest exited {proc.returncode}: {proc.stderr.read()[-2000:]}")
    if first is None:
        first = last = time.monotonic()
    commits = max(1, committed(db) or 0)
    return first - started, (last - first) / commits


def _kill_at(proc: subprocess.Popen, db: Path, target: int | None, delay: float) -> int | None:
    """SIGKILL ``delay`` seconds after ``target`` articles are committed (``None``: after the start); the committed
    count at the kill, or None when the process finished first."""
    while target is not None and proc.poll() is None and (committed(db) or 0) < target:
        time.sleep(0.005)
    end = time.monotonic() + delay
    # a start-up kill lands in this run's start-up, however much shorter it is than the clean run's
    before = committed(db) or 0 if target is None else None
    while proc.poll() is None and time.monotonic() < end:
        if before is not None and (committed(db) or 0) > before:
            break
        time.sleep(0.002)
    if proc.poll() is not None:
        return None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return committed(db) or 0


def _canonical(value: object) -> object:
    """A JSON text with its keys sorted (object keys keep no meaningful order); any other value as it is."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return value


def _rows(db: Path) -> dict[str, list[tuple]]:
    out = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        for table, skipped in TABLES.items():
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skipped]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = (tuple(map(_canonical, row)) for row in conn.execute(f"SELECT {quoted} FROM {table}"))
            out[table] = sorted(rows, key=repr)
    return out


def snapshot(cli: Sequence[str], db: Path) -> dict[str, object]:
    """Everything the comparison looks at: the store's tables (without timestamps) and the command line's exports."""
    shot: dict[str, object] = dict(_rows(db))
    for args in EXPORTS:
        shot[" ".join(args)] = _run(cli, ["--db", str(db), *args]).stdout
    return shot


def _differences(clean: dict[str, object], resumed: dict[str, object]) -> dict[str, str]:
    out = {}
    for name, want in clean.items():
        got = resumed.get(name)
        if got == want:
            continue
        if isinstance(want, list) and isinstance(got, list):
            extra, missing = set(map(repr, got)) - set(map(repr, want)), set(map(repr, want)) - set(map(repr, got))
            out[name] = f"{len(want)} rows vs {len(got)}; {len(missing)} missing, {len(extra)} extra; e.g. " + (
                next(iter(missing), "") or next(iter(extra), ""))[:300]
        else:
            out[name] = f"output differs ({len(str(want))} vs {len(str(got))} characters)"
    return out


def crash_loop(corpus: Path, workdir: Path, *, kills: int = 100, seed: int = 13, batch_size: int = 8,
               sets: Sequence[str] = ("embedder=embedder.hashing.v1",), cli: Sequence[str] = STORYLINE,
               startup_share: float = 0.15) -> CrashLoop:
    """Fill ``workdir/clean.db`` in one run and ``workdir/resumed.db`` through ``kills`` killed runs and a last
    one; compare them.

    A share ``startup_share`` of the kills land at a random time of the start-up (opening and migrating the store,
    loading the models and the clustering state, reading the corpus); the others at a random time within a batch
    after a drawn number of committed articles (targets uniform over the corpus, in order)."""
    sets = [f"batch_size={batch_size}", "progress=false", *sets]
    n = sum(1 for line in corpus.open(encoding="utf-8") if line.strip())
    result = CrashLoop(articles=n)
    clean, resumed = workdir / "clean.db", workdir / "resumed.db"
    started = time.monotonic()
    startup, per_batch = _timed_run(cli, _ingest_args(clean, corpus, sets), clean)
    result.clean_seconds = time.monotonic() - started

    rng = random.Random(seed)
    targets = sorted(min(n, rng.randrange(0, n + batch_size + 1)) for _ in range(kills))
    started = time.monotonic()
    for target in targets:
        proc = subprocess.Popen([*cli, *_ingest_args(resumed, corpus, sets)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=_env())
        try:
            if rng.random() < startup_share:
                at = _kill_at(proc, resumed, None, rng.uniform(0, startup))
            else:
                at = _kill_at(proc, resumed, target, rng.uniform(0, 1.5 * per_batch))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if at is None:
            result.finished_early += 1
        else:
            result.kills += 1
            result.committed_at_kill.append(at)
    _run(cli, _ingest_args(resumed, corpus, sets))
    result.loop_seconds = time.monotonic() - started

    want, got = snapshot(cli, clean), snapshot(cli, resumed)
    result.differences = _differences(want, got)
    ids = [a["id"] for a in json.loads(got["articles --json"])]
    expected = {json.loads(line)["id"] for line in corpus.open(encoding="utf-8") if line.strip()}
    result.lost = sorted(expected - set(ids))
    result.doubled = sorted({i for i in ids if ids.count(i) > 1})
    result.events, result.stories = len(got["events"]), len(got["stories"])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="?", help="a JSON lines corpus (id, date, source, title, text)")
    parser.add_argument("--generate", type=int, metavar="N", help="use a generated corpus of N articles instead")
    parser.add_argument("--limit", type=int, help="only the first LIMIT lines of the corpus")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--set", dest="sets", action="append", default=None, metavar="NAME=VALUE",
                        help="a setting for every ingest (default: embedder=embedder.hashing.v1)")
    parser.add_argument("--workdir", type=Path, help="keep the stores here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.generate:
            corpus = generate(workdir / "generated.jsonl", args.generate, args.seed)
        elif args.corpus:
            corpus = workdir / "corpus.jsonl"
            lines = [line for line in args.corpus.open(encoding="utf-8") if line.strip()]
            corpus.write_text("".join(lines[: args.limit] if args.limit else lines), encoding="utf-8")
        else:
            parser.error("name a corpus or --generate N")
        sets = args.sets if args.sets is not None else ["embedder=embedder.hashing.v1"]
        result = crash_loop(corpus, workdir, kills=args.kills, seed=args.seed, batch_size=args.batch_size, sets=sets)
    report = {**asdict(result), "monotonic": result.monotonic, "identical": result.identical}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        at = result.committed_at_kill
        print(f"{result.articles} articles, {result.kills} kills (+{result.finished_early} runs that finished first), "
              f"kill points {min(at, default=0)}..{max(at, default=0)} committed articles, {len(set(at))} distinct; "
              f"clean run {result.clean_seconds:.1f} s, crash loop {result.loop_seconds:.1f} s")
        print(f"{result.events} events, {result.stories} stories; lost {len(result.lost)}, doubled {len(result.doubled)}; "
              + ("identical to the uninterrupted run" if result.identical else "DIFFERENT:"))
        for name, what in result.differences.items():
            print(f"  {name}: {what}")
    return 0 if result.identical else 1


if __name__ == "__main__":
    sys.exit(main())
