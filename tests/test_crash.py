"""A killed ingest loses at most the batch in flight; a re-run completes it without loss or doubles."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from processes import FAKE_CLI, run_fake_cli
from support import FAKE_ENTITIES, HASHING, run_cli

pytestmark = pytest.mark.slow

N_ARTICLES = 400
TOWNS = ["Marlow", "Henley", "Reading", "Oxford", "Abingdon", "Wallingford", "Goring", "Pangbourne", "Windsor", "Staines"]
THINGS = ["flood", "fire", "strike", "election", "festival", "storm", "bridge", "market", "school", "hospital"]
WORDS = ("river council police residents road train power water crews mayor budget vote weather rain wind "
         "crowd music court ferry harbour museum library park factory farm").split()


def corpus(path):
    rng = random.Random(400)
    with path.open("w", encoding="utf-8") as fh:
        for n in range(N_ARTICLES):
            town, thing = TOWNS[n % 10], THINGS[(n // 10) % 10]
            day = dt.date(2023, 1, 1) + dt.timedelta(days=n // 4)
            body = " ".join(rng.choice(WORDS) for _ in range(60))
            text = f"The {thing} in {town} was reported on Monday, article number {n}. {body.capitalize()}."
            fh.write(json.dumps({"id": f"c{n:03d}", "date": day.isoformat(), "source": f"Outlet {n % 7}", "title": f"{thing.title()} in {town} {n}", "text": text}) + "\n")
    return path


def committed(db):
    """Articles committed so far, read through a read-only connection (None before the table exists)."""
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.DatabaseError:  # not created, not migrated or not written yet
        return None


def test_killed_ingest_resumes_without_losing_or_doubling_articles(tmp_path):
    data = corpus(tmp_path / "big.jsonl")
    db = tmp_path / "crash.db"
    args = ["--db", str(db), "--set", "batch_size=4", "--set", "embedder=embedder.hashing.v1", "ingest", str(data)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}

    proc = subprocess.Popen([sys.executable, "-m", "storyline", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    seen = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            seen = committed(db)
            if seen:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    at_kill = committed(db)
    assert 0 < seen <= at_kill < N_ARTICLES
    assert at_kill % 4 == 0  # whole batches only

    rerun = run_cli(*args, timeout=600)  # a guard against a hang, not a speed test: ~400 articles, slow on a loaded machine

    assert rerun.returncode == 0, rerun.stderr
    assert f"ingested {N_ARTICLES - at_kill} new articles" in rerun.stdout
    assert f"{at_kill} already stored" in rerun.stdout
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM articles")]
        memberships = conn.execute("SELECT article_id, count(*) FROM event_articles GROUP BY article_id").fetchall()
        orphans = conn.execute("SELECT count(*) FROM event_articles WHERE event_id NOT IN (SELECT id FROM events)").fetchone()[0]
        embeddings = conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]
        duplicates = conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0]
    assert len(ids) == N_ARTICLES == len(set(ids))
    assert set(ids) == {f"c{n:03d}" for n in range(N_ARTICLES)}
    assert dict(memberships) == {i: 1 for i in ids}  # every article in exactly one event
    assert orphans == 0
    assert embeddings == N_ARTICLES - duplicates

    listed = run_cli("--db", str(db), "articles", "--json")
    articles = json.loads(listed.stdout)
    assert len(articles) == N_ARTICLES and len({a["id"] for a in articles}) == N_ARTICLES


def _crashloop_script():
    """``scripts/crashloop.py`` as a module (the script that does the 100 kills of docs/benchmarks.md)."""
    path = Path(__file__).resolve().parents[1] / "scripts" / "crashloop.py"
    spec = importlib.util.spec_from_file_location("crashloop", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["crashloop"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_kills_at_random_points_then_a_resume_end_with_the_store_of_an_uninterrupted_run(tmp_path):
    """Twelve kill -9 at random points (start-up, inside batches, after the last batch), a resume after each:
    every table and every export equal the clean run's, no article lost or doubled."""
    crashloop = _crashloop_script()
    corpus = crashloop.generate(tmp_path / "corpus.jsonl", 96)
    result = crashloop.crash_loop(corpus, tmp_path, kills=12, seed=7, batch_size=8, cli=FAKE_CLI,
                                  sets=[f"embedder={HASHING}", f"entities={FAKE_ENTITIES}"])

    assert result.kills >= 10 and len(set(result.committed_at_kill)) >= 4, result.committed_at_kill
    assert result.monotonic
    assert result.differences == {} and result.lost == [] and result.doubled == []
    assert 8 <= result.events < 24  # 24 happenings, some of a theme merged: the clusterer had decisions to make
    clean = run_fake_cli("--db", str(tmp_path / "clean.db"), "articles", "--json")
    resumed = run_fake_cli("--db", str(tmp_path / "resumed.db"), "articles", "--json")
    assert clean.stdout == resumed.stdout
    assert sorted(a["id"] for a in json.loads(resumed.stdout)) == [f"g{k:04d}" for k in range(96)]
