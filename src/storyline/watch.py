"""``storyline watch``: keep a store current as files land in folders and feeds change.

:class:`Watcher` ingests every file of the watched folders that its
:class:`Ledger` has not seen with the same content, then waits for changes
(watchfiles) and polls the feeds every ``every`` seconds. A file is read once
it is complete: its size and modification time must hold still for
``settle`` seconds. The ledger (a small SQLite file beside the store,
``<db>.watch``) keeps each file's size, modification time and SHA-256: a file
re-written with new content is read again, the same content twice is a no-op
(an unchanged size and time are not even hashed). A file enters the ledger
only after its articles are committed, and re-ingesting stored articles
changes nothing, so a kill at any moment neither loses nor doubles anything:
the next run re-reads at most the file in flight. A watched folder that
vanishes is reported and watching goes on with the rest.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import DependencyMissing, StorylineError
from .model import IngestSummary, Rejection
from .pipeline.readers import expand_paths

__all__ = ["Ledger", "Watcher", "WatchEvent", "Watching", "watch_in_thread", "parse_every", "read_feed_list"]


def parse_every(text: str) -> float:
    """Seconds in ``30s``, ``10m``, ``2h`` or a plain number of seconds."""
    value = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        seconds = float(value[:-1]) * units[value[-1]] if value and value[-1] in units else float(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a duration such as 30s, 10m or 2h") from None
    if seconds <= 0:
        raise ValueError(f"{text!r}: the interval must be positive")
    return seconds


def read_feed_list(path: str | Path) -> list[str]:
    """The feed URLs of a file: one a line; blank lines and ``#`` comments are skipped."""
    urls = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if not line.lower().startswith(("http://", "https://")):
            raise ValueError(f"{path}:{number}: {line!r} is not an http(s) URL")
        urls.append(line)
    return urls


class Ledger:
    """What the watcher has ingested: per file, its size, modification time and content hash."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS seen (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
                         "sha256 TEXT, ingested_at TEXT)")

    def close(self) -> None:
        self._db.close()

    def _row(self, path: str) -> tuple[int, int, str] | None:
        return self._db.execute("SELECT size, mtime_ns, sha256 FROM seen WHERE path = ?", (os.path.abspath(path),)).fetchone()

    def needs_reading(self, path: str, stat: os.stat_result) -> str | None:
        """The file's content hash when it holds content not yet ingested, else None."""
        row = self._row(path)
        if row is not None and (row[0], row[1]) == (stat.st_size, stat.st_mtime_ns):
            return None
        digest = _sha256(path)
        if row is not None and row[2] == digest:
            self._db.execute("UPDATE seen SET size = ?, mtime_ns = ? WHERE path = ?",
                             (stat.st_size, stat.st_mtime_ns, os.path.abspath(path)))
            return None
        return digest

    def remember(self, path: str, stat: os.stat_result, digest: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?, ?)",
                         (os.path.abspath(path), stat.st_size, stat.st_mtime_ns, digest, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM seen").fetchone()[0]


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class WatchEvent:
    """One thing the watcher did: ingested a file or a feed, or found a folder gone."""

    what: str  # "file" | "feed" | "vanished" | "rejected"
    target: str
    summary: IngestSummary | None = None
    message: str = ""


@dataclass
class Watcher:
    """Ingest what lands in ``folders`` and what ``feeds`` publish, through ``ingest`` (the engine's)."""

    ingest: Callable[[Sequence[str]], IngestSummary]
    folders: list[str]
    ledger: Ledger
    feeds: list[str] = field(default_factory=list)
    every: float = 600.0
    settle: float = 1.0
    on_event: Callable[[WatchEvent], None] = lambda event: None
    _pending: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    _next_poll: float = 0.0

    def scan(self, paths: Iterable[str] | None = None) -> int:
        """Look at ``paths`` (default: every file of the folders); ingest the complete, new ones. Returns files ingested."""
        now = time.monotonic()
        for item in expand_paths(list(paths) if paths is not None else self._live_folders()):
            if isinstance(item, Rejection):
                continue  # vanished since it changed, or not a regular file: nothing to read
            try:
                stat = os.stat(item)
            except OSError:
                self._pending.pop(item, None)
                continue
            seen = self._pending.get(item)
            key = (stat.st_size, stat.st_mtime_ns)
            if seen is None or seen[:2] != key:
                self._pending[item] = (*key, now)
        return self._ingest_settled()

    def _ingest_settled(self) -> int:
        now = time.monotonic()
        done = 0
        for path, (size, mtime, since) in sorted(self._pending.items()):
            try:
                stat = os.stat(path)
            except OSError:
                del self._pending[path]
                continue
            if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
                self._pending[path] = (stat.st_size, stat.st_mtime_ns, now)  # still being written
                continue
            if now - since < self.settle:
                continue
            del self._pending[path]
            digest = self.ledger.needs_reading(path, stat)
            if digest is None:
                continue
            try:
                summary = self.ingest([path])
            except StorylineError as exc:  # the store refused (locked, full disk): try again on the next change
                self.on_event(WatchEvent("error", path, message=str(exc)))
                continue
            self.ledger.remember(path, stat, digest)  # only after its articles are committed
            self.on_event(WatchEvent("file", path, summary))
            done += 1
        return done

    def poll_feeds(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.feeds or (now < self._next_poll and not force):
            return
        self._next_poll = now + self.every
        for url in self.feeds:
            self.on_event(WatchEvent("feed", url, self.ingest([url])))

    def _live_folders(self) -> list[str]:
        alive = []
        for folder in self.folders:
            if Path(folder).is_dir():
                alive.append(folder)
            else:
                self.on_event(WatchEvent("vanished", folder, message="the folder is gone; watching the rest"))
        self.folders = alive
        return alive

    def run(self, stop: threading.Event | None = None) -> None:
        """Scan, then watch until ``stop`` is set (or Ctrl-C)."""
        try:
            import watchfiles
        except ImportError:  # pragma: no cover - depends on the environment
            raise DependencyMissing("watching folders (watchfiles)", "web-input") from None
        stop = stop or threading.Event()
        self.scan()
        self.poll_feeds(force=True)
        tick_ms = int(max(50, min(self.settle, 1.0) * 1000 / 2))
        while not stop.is_set():
            folders = self._live_folders()
            if not folders:
                if not self.feeds:
                    return
                stop.wait(min(self.every, 5.0))
                self.poll_feeds()
                continue
            try:
                for changes in watchfiles.watch(*folders, stop_event=stop, yield_on_timeout=True, rust_timeout=tick_ms,
                                                debounce=tick_ms, step=50, raise_interrupt=True):
                    changed = [path for kind, path in changes if kind != watchfiles.Change.deleted]
                    self.scan(changed)  # also ingests files that have settled since the last tick
                    self.poll_feeds()
                    if any(not Path(f).is_dir() for f in folders):
                        break  # a folder vanished: watch the rest
            except FileNotFoundError:
                continue  # a folder vanished while the watch started


@dataclass
class Watching:
    """A watcher running in a thread of its own (``storyline serve --watch``)."""

    thread: threading.Thread
    stop_event: threading.Event
    ledger: Ledger

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)
        self.ledger.close()


def watch_in_thread(ingest: Callable[[Sequence[str]], IngestSummary], folders: list[str], ledger_path: str, *,
                    settle: float = 1.0, on_event: Callable[[WatchEvent], None] | None = None) -> Watching:
    """Start watching ``folders`` in a daemon thread; ``ingest`` must be safe to call from it."""
    ledger = Ledger(ledger_path)
    watcher = Watcher(ingest, folders, ledger, settle=settle, on_event=on_event or (lambda event: None))
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="storyline-watch", daemon=True)
    thread.start()
    return Watching(thread, stop, ledger)
