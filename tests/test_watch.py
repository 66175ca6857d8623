"""storyline watch: files landing in folders are ingested once each, complete, and a restart loses or doubles nothing."""

from __future__ import annotations

from storyline.model import plain
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import storyline
from support import CHESS_A, FAKE_SETS, FLOOD_A, FLOOD_B, CapitalisedEntities, options
from storyline.pipeline.embed import HashingEmbedder
from storyline.watch import Ledger, Watcher, parse_every, read_feed_list

pytest.importorskip("watchfiles")


def line(record) -> str:
    return json.dumps(record) + "\n"


def make_watcher(engine, folder, tmp_path, events, settle=0.2):
    return Watcher(lambda paths: engine.ingest(paths), [str(folder)], Ledger(tmp_path / "t.db.watch"), settle=settle,
                   on_event=events.append)


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def start_watching(tmp_path, folders, events, settle=0.2):
    """Run a watcher in a thread of its own, with an engine of its own (SQLite connections stay in their thread)."""
    stop = threading.Event()

    def run():
        engine = storyline.Storyline(tmp_path / "t.db", options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities())
        try:
            Watcher(lambda paths: engine.ingest(paths), [str(f) for f in folders], Ledger(tmp_path / "t.db.watch"),
                    settle=settle, on_event=events.append).run(stop)
        finally:
            engine.close()

    thread = threading.Thread(target=run)
    thread.start()
    return stop, thread


def test_same_content_twice_is_a_no_op_and_new_content_is_read_again(fake_engine, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "a.jsonl"
    path.write_text(line(FLOOD_A))
    engine, events = fake_engine(), []
    watcher = make_watcher(engine, folder, tmp_path, events, settle=0)

    assert watcher.scan() == 1
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # touched, same content
    assert watcher.scan() == 0
    path.write_text(line(FLOOD_A) + line(FLOOD_B))  # re-written with new content
    assert watcher.scan() == 1

    assert [e.summary.ingested for e in events] == [1, 1]
    assert events[1].summary.unchanged == 1
    assert len(plain(engine.articles())) == 2


def test_a_file_still_being_written_is_read_once_it_is_complete(fake_engine, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    engine, events = fake_engine(), []
    watcher = make_watcher(engine, folder, tmp_path, events, settle=0.5)
    path = folder / "a.jsonl"

    with path.open("w") as fh:
        fh.write(line(FLOOD_A))
        fh.flush()
        assert watcher.scan() == 0  # just seen: not yet settled
        time.sleep(0.2)
        fh.write(line(FLOOD_B)[:40])
        fh.flush()
        assert watcher.scan() == 0  # it grew: still being written
        fh.write(line(FLOOD_B)[40:])
    assert watcher.scan() == 0  # complete now, but not yet seen holding still
    time.sleep(0.6)

    assert watcher.scan() == 1
    assert (events[0].summary.ingested, events[0].summary.rejected) == (2, 0)


def test_the_watcher_picks_up_files_dropped_into_a_folder_and_stops_cleanly(fake_engine, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "first.jsonl").write_text(line(FLOOD_A))
    events = []
    stop, thread = start_watching(tmp_path, [folder], events)
    try:
        assert wait_for(lambda: len(events) == 1)
        (folder / "sub").mkdir()
        (folder / "sub" / "second.jsonl").write_text(line(FLOOD_B) + line(CHESS_A))
        assert wait_for(lambda: len(events) == 2)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert sorted(a["id"] for a in plain(fake_engine().articles())) == sorted([FLOOD_A["id"], FLOOD_B["id"], CHESS_A["id"]])


def test_a_vanished_folder_is_reported_and_the_others_still_watched(fake_engine, tmp_path):
    gone, kept = tmp_path / "gone", tmp_path / "kept"
    gone.mkdir()
    kept.mkdir()
    events = []
    stop, thread = start_watching(tmp_path, [gone, kept], events, settle=0.1)
    try:
        time.sleep(0.5)
        gone.rmdir()
        assert wait_for(lambda: any(e.what == "vanished" for e in events))
        (kept / "a.jsonl").write_text(line(FLOOD_A))
        assert wait_for(lambda: any(e.what == "file" for e in events))
    finally:
        stop.set()
        thread.join(10)
    assert [a["id"] for a in plain(fake_engine().articles())] == [FLOOD_A["id"]]


def test_durations_and_feed_lists_are_parsed_strictly(tmp_path):
    assert [parse_every(v) for v in ("30s", "10m", "2h", "45")] == [30, 600, 7200, 45]
    with pytest.raises(ValueError, match="duration"):
        parse_every("soon")
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("# news\nhttps://a.example/rss\n\nhttp://b.example/atom  # wire\n")
    assert read_feed_list(feeds) == ["https://a.example/rss", "http://b.example/atom"]
    feeds.write_text("ftp://c.example/feed\n")
    with pytest.raises(ValueError, match="feeds.txt:1"):
        read_feed_list(feeds)


def _start_watch(tmp_path, folder, log="out.txt"):
    """``storyline watch FOLDER`` in a child process; its standard output goes to ``tmp_path / log``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    return subprocess.Popen(
        # support registers the fake seams in the child too
        [sys.executable, "-c", "import support, storyline.cli; storyline.cli.main()", "--db", str(tmp_path / "w.db"), *FAKE_SETS, "watch", str(folder), "--settle", "0.2"],
        stdout=(tmp_path / log).open("w"), stderr=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).parent,
    )


def _articles(tmp_path) -> int:
    import sqlite3

    if not (tmp_path / "w.db").exists():
        return 0
    try:
        with sqlite3.connect(tmp_path / "w.db") as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


@pytest.mark.slow
def test_the_command_survives_a_kill_and_stops_cleanly_on_ctrl_c(tmp_path):
    """A kill lands after a file's articles are committed and, at times, before its ledger entry is written (the
    entry follows the commit, the records and the index): the next watcher then reads the file again, and that
    read is a no-op (its articles are already stored). Either way nothing is lost or doubled."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(line(FLOOD_A) + line(FLOOD_B))
    first = _start_watch(tmp_path, folder)
    try:
        assert wait_for(lambda: _articles(tmp_path) == 2, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    (folder / "b.jsonl").write_text(line(CHESS_A))
    second = _start_watch(tmp_path, folder, "second.txt")
    try:
        assert wait_for(lambda: "b.jsonl: ingested 1 new" in (tmp_path / "second.txt").read_text(), timeout=60)
    finally:
        second.send_signal(signal.SIGINT)
        _, err = second.communicate(timeout=20)
    assert second.returncode == 0, err
    assert "stopped" in err
    again = [row for row in (tmp_path / "second.txt").read_text().splitlines() if "a.jsonl" in row]
    assert all("ingested 0 new articles" in row and "2 already stored" in row for row in again), again
    assert _articles(tmp_path) == 3


def test_a_file_read_again_after_a_kill_before_its_ledger_entry_is_a_no_op(fake_engine, tmp_path):
    """The ledger entry is written only after the store commit; a kill between the two leaves the file unlisted,
    and reading it again stores nothing new and rejects nothing."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(line(FLOOD_A) + line(FLOOD_B))
    engine = fake_engine()
    engine.ingest([str(folder / "a.jsonl")])  # committed; the watcher was killed before it wrote the ledger entry
    ledger = Ledger(tmp_path / "w.watch")
    events = []
    watcher = Watcher(lambda paths: engine.ingest(list(paths)), [str(folder)], ledger, settle=0, on_event=events.append)

    watcher.scan()
    watcher.scan()

    (event,) = events
    assert event.summary.ingested == 0 and event.summary.unchanged == 2 and event.summary.rejected == 0
    assert len(engine.articles()) == 2 and len(ledger) == 1
    watcher.scan()
    assert len(events) == 1  # listed now: not read a third time


def test_feeds_are_polled_when_the_watch_starts_and_then_every_interval(tmp_path):
    calls = []

    def ingest(paths):
        calls.append(list(paths))
        from storyline.model import IngestSummary

        return IngestSummary()

    watcher = Watcher(ingest, [], Ledger(tmp_path / "l"), feeds=["https://a.example/rss", "https://b.example/atom"], every=0.3)

    watcher.poll_feeds(force=True)
    watcher.poll_feeds()  # not yet due
    time.sleep(0.35)
    watcher.poll_feeds()

    assert calls == [["https://a.example/rss"], ["https://b.example/atom"]] * 2


@pytest.mark.slow
def test_a_kill_in_the_middle_of_a_file_loses_and_doubles_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    records = [{"id": f"n{i}", "date": "2023-03-06", "source": f"Outlet {i % 7}", "title": f"Report {i}",
                "text": f"Report number {i} says the river Thames rose by {i} centimetres at Marlow on Sunday."} for i in range(320)]
    (folder / "many.jsonl").write_text("".join(line(r) for r in records))
    first = _start_watch(tmp_path, folder)
    try:
        assert wait_for(lambda: _articles(tmp_path) > 0, timeout=60)  # the first batches are committed
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    stored_at_kill = _articles(tmp_path)
    second = _start_watch(tmp_path, folder, "second.txt")
    try:
        assert wait_for(lambda: "many.jsonl: ingested" in (tmp_path / "second.txt").read_text(), timeout=120)
    finally:
        second.send_signal(signal.SIGINT)
        second.communicate(timeout=30)
    assert 0 < stored_at_kill < 320, "the kill should land while the file is being ingested"
    # the file was read again, and what was stored before the kill stayed as it was
    assert f"ingested {320 - stored_at_kill} new articles (0 duplicates), {stored_at_kill} already stored" in (tmp_path / "second.txt").read_text()
    assert _articles(tmp_path) == 320


def test_the_ledger_knows_a_file_by_its_absolute_path(tmp_path, monkeypatch):
    path = tmp_path / "a.jsonl"
    path.write_text(line(FLOOD_A))
    ledger = Ledger(tmp_path / "l")
    ledger.remember(str(path), path.stat(), ledger.needs_reading(str(path), path.stat()))
    monkeypatch.chdir(tmp_path)

    assert ledger.needs_reading("a.jsonl", path.stat()) is None
    assert len(ledger) == 1
