"""One writer per store, with real processes: a second writer is refused naming the holder, or waits;
readers never wait; a writer killed with SIGKILL releases the store at once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

import storyline
from storyline.errors import Codes, StoreLocked
from storyline.pipeline.embed import HashingEmbedder
from storyline.store.lock import WriterLock, lock_path
from storyline.store.sqlite import SQLiteStore as Store
from processes import run_fake_cli, start_cli, start_holder, stop
from support import CHESS_A, FAKE_SETS, FLOOD_A, FLOOD_B, CapitalisedEntities, options, run_cli, write_jsonl

def test_a_second_writer_is_refused_with_sl203_naming_the_holder(tmp_path):
    db = tmp_path / "s.db"
    holder = start_holder(db)
    try:
        started = time.monotonic()
        with pytest.raises(StoreLocked) as info:
            Store(db)
        assert time.monotonic() - started < 5  # refused at once, not after a timeout
    finally:
        stop(holder)
    assert info.value.code == Codes.STORE_LOCKED == "SL203"
    message = str(info.value)
    assert f"pid {holder.pid}" in message and str(db) in message and "--wait" in message
    assert "-c" in message  # the holder's command line ("python -c ...")


def test_a_writer_killed_with_sigkill_releases_the_store_at_once(tmp_path):
    db = tmp_path / "s.db"
    holder = start_holder(db)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)

    with Store(db) as store:  # no stale lock: the kernel dropped it with the process
        assert store.writer_lock is not None and store.writer_lock.held
        holder_info = store.writer_lock.holder()
    assert holder_info is not None and holder_info.pid == os.getpid()
    assert lock_path(db).read_text() == ""  # a closed writer leaves no name behind
    stop(holder)


def test_a_waiting_writer_gets_the_store_when_the_holder_finishes(tmp_path):
    db = tmp_path / "s.db"
    holder = start_holder(db, hold=1.5)
    try:
        started = time.monotonic()
        with Store(db, wait=60) as store:
            waited = time.monotonic() - started
            assert store.writer_lock.held
    finally:
        stop(holder)
    assert 0.5 < waited < 30


def test_a_bounded_wait_gives_up_with_sl203(tmp_path):
    db = tmp_path / "s.db"
    holder = start_holder(db)
    try:
        started = time.monotonic()
        with pytest.raises(StoreLocked) as info:
            Store(db, wait=0.5)
        waited = time.monotonic() - started
    finally:
        stop(holder)
    assert 0.4 < waited < 5
    assert "after waiting 0.5 s" in str(info.value)


def test_a_second_writer_in_the_same_process_is_refused_until_the_first_closes(tmp_path):
    db = tmp_path / "s.db"
    first = storyline.Storyline(db, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities())
    with pytest.raises(StoreLocked, match="this process"):
        storyline.Storyline(db, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities())
    reader = storyline.Storyline(db, options(), readonly=True)  # readers never take the lock
    assert reader.stories() == []
    reader.close()
    first.close()
    storyline.Storyline(db, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()).close()


def test_the_lock_file_is_never_removed_and_a_stale_name_is_not_a_lock(tmp_path):
    db = tmp_path / "s.db"
    lock_path(db).write_text(json.dumps({"pid": 999999, "command": "storyline ingest", "host": "h", "since": "x"}))
    lock = WriterLock(db).acquire()  # the name of a dead holder does not block
    assert lock.held and lock.holder().pid == os.getpid()
    lock.release()
    assert lock_path(db).exists() and not lock.held


def test_cli_writer_is_refused_while_another_holds_the_store_and_reads_still_answer(tmp_path):
    db = tmp_path / "s.db"
    corpus = write_jsonl(tmp_path / "in.jsonl", [FLOOD_A, FLOOD_B])
    assert run_fake_cli("--db", str(db), *FAKE_SETS, "ingest", str(corpus)).returncode == 0
    holder = start_holder(db)
    try:
        refused = run_fake_cli("--db", str(db), *FAKE_SETS, "ingest", str(write_jsonl(tmp_path / "b.jsonl", [CHESS_A])))
        listed = run_cli("--db", str(db), "articles", "--json")
        shown = run_cli("--db", str(db), "stories")
    finally:
        stop(holder)
    assert refused.returncode == 1
    assert "[SL203]" in refused.stderr and f"pid {holder.pid}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert listed.returncode == 0, listed.stderr
    assert sorted(a["id"] for a in json.loads(listed.stdout)) == ["flood-1", "flood-2"]
    assert shown.returncode == 0 and "Marlow" in shown.stdout


def _corpus(path: Path, prefix: str, n: int) -> Path:
    records = []
    for i in range(n):
        word = f"{prefix}{i}"
        records.append({"id": f"{prefix}-{i}", "date": f"2023-05-{1 + i % 28:02d}", "source": f"Outlet {i % 5}",
                        "title": f"Report {word} on the Harbour {prefix.title()}",
                        "text": f"The {word} report from Harbour {prefix.title()} said crews met on Monday. " * 6})
    return write_jsonl(path, records)


def _consistent(db: Path) -> tuple[list[str], int]:
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM articles")]
        orphans = conn.execute("SELECT count(*) FROM event_articles WHERE event_id NOT IN (SELECT id FROM events)").fetchone()[0]
        wrong = conn.execute(
            "SELECT count(*) FROM events e WHERE n_articles != (SELECT count(*) FROM event_articles x WHERE x.event_id = e.id)"
        ).fetchone()[0]
        unassigned = conn.execute("SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM event_articles)").fetchone()[0]
    return ids, orphans + wrong + unassigned


def test_two_cli_ingests_on_one_store_one_refuses_then_waits_and_nothing_is_corrupted(tmp_path):
    db = tmp_path / "s.db"
    first_file, second_file = _corpus(tmp_path / "a.jsonl", "alpha", 240), _corpus(tmp_path / "b.jsonl", "beta", 60)
    first = start_cli("--db", str(db), *FAKE_SETS, "--set", "batch_size=2", "ingest", str(first_file))
    try:
        deadline = time.monotonic() + 60
        while not (lock_path(db).exists() and lock_path(db).read_text()):  # the first ingest has the store
            assert first.poll() is None and time.monotonic() < deadline, first.stderr.read() if first.poll() is not None else "timeout"
            time.sleep(0.01)
        refused = run_fake_cli("--db", str(db), *FAKE_SETS, "ingest", str(second_file))
        first_still_running = first.poll() is None
        waited = run_fake_cli("--db", str(db), *FAKE_SETS, "--wait", "ingest", str(second_file), timeout=900)
        out, err = first.communicate(timeout=900)
    finally:
        stop(first)
    assert first_still_running, "the first ingest finished before the second could try"
    assert refused.returncode == 1 and "[SL203]" in refused.stderr and f"pid {first.pid}" in refused.stderr
    assert first.returncode == 0, err
    assert waited.returncode == 0, waited.stderr
    assert "ingested 60 new articles" in waited.stdout
    ids, problems = _consistent(db)
    assert len(ids) == len(set(ids)) == 300
    assert problems == 0


def test_bare_wait_before_the_command_means_wait_without_limit(tmp_path):
    db = tmp_path / "s.db"
    holder = start_holder(db, hold=1.0)
    try:
        result = run_fake_cli("--db", str(db), "--wait", *FAKE_SETS, "ingest",
                              str(write_jsonl(tmp_path / "in.jsonl", [FLOOD_A])))
    finally:
        stop(holder)
    assert result.returncode == 0, result.stderr
    assert "ingested 1 new article " in result.stdout
