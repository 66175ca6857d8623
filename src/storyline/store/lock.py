"""One writer per store: an operating-system lock on a file beside the database.

A writing store holds an exclusive ``flock`` on ``<db>.lock`` from the moment
it opens until it closes. The kernel releases the lock when the holding
process ends, however it ends, so a writer killed with SIGKILL never blocks
the next one and there is no stale lock to clean up. While it holds the lock
the writer keeps its description in the file (pid, command, host, since), so a
second writer is refused with a message naming the holder, or waits for it.

The lock file is never deleted: removing it while another process waits on it
would let two writers lock two different files.

Readers (read-only stores) never take the lock: SQLite's WAL mode lets them
read while the writer writes.

A PostgreSQL store has no file to lock: :class:`AdvisoryLock` takes a
session-level advisory lock on the writer's connection instead (released by
the server when that connection ends, however it ends), with the same
interface and the same refusal. Its holder is read from ``pg_locks`` and
``pg_stat_activity``: the writer names itself in its connection's
``application_name``.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import Codes, StoreError, StoreLocked

__all__ = ["Holder", "WriterLock", "AdvisoryLock", "lock_path", "refusal"]

#: how often a waiting writer retries, in seconds
_POLL = 0.1
#: bytes of the holder's command line kept in the lock file
_COMMAND_CHARS = 300


def lock_path(db: str | Path) -> Path:
    """The lock file of the store ``db``: ``<db>.lock`` beside it."""
    db = Path(db)
    return db.with_name(db.name + ".lock")


@dataclass(frozen=True)
class Holder:
    """Who holds a store's writer lock, as the holder wrote it."""

    pid: int
    command: str
    host: str
    since: str

    def describe(self) -> str:
        here = self.host == socket.gethostname()
        who = "this process" if here and self.pid == os.getpid() else f"pid {self.pid}"
        where = "" if here else f" on {self.host}"
        return f"{who}{where} ({_printable(self.command)}) since {self.since}"

    @classmethod
    def parse(cls, text: str) -> "Holder | None":
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["command"]), str(data["host"]), str(data["since"]))
        except (ValueError, TypeError, KeyError):
            return None  # empty (the holder is between locking and writing its name) or not ours


def _printable(text: str) -> str:
    """The holder's command line with control characters shown as escapes (it came from argv)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def refusal(store: object, holder: Holder | None, wait: float) -> str:
    """The message of a writer refused (SL203): who holds the store, and how to wait for it."""
    who = holder.describe() if holder else "another process (it has not written its name yet)"
    waited = f" after waiting {wait:g} s" if wait > 0 else ""
    return (f"the store {store} has another writer{waited}: {who}. One writer per store: let it finish, "
            f"or wait for it with `storyline --wait [SECONDS] ...` (setting writer_wait)")


def _me() -> Holder:
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("python")
    name = program.parent.name if program.name == "__main__.py" else program.name  # python -m storyline: "storyline"
    command = " ".join([name, *sys.argv[1:]])
    return Holder(os.getpid(), command[:_COMMAND_CHARS], socket.gethostname(),
                  dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))


class WriterLock:
    """The writer role of one store. :meth:`acquire` it, :meth:`release` it; the OS releases it at exit."""

    def __init__(self, db: str | Path) -> None:
        self.db = Path(db)
        self.path = lock_path(db)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self, wait: float = 0.0) -> "WriterLock":
        """Take the lock, waiting up to ``wait`` seconds (``inf``: as long as it takes).

        Raises :class:`StoreLocked` (SL203) naming the holder when the lock
        stays taken, :class:`StoreError` (SL201) when the lock file cannot be
        opened. Acquiring a lock already held is a no-op.
        """
        if self._fd is not None:
            return self
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes
        except OSError as exc:
            raise StoreError(f"cannot open the store's lock file {self.path}: {exc.strerror or exc}", code=Codes.STORE_OPEN) from None
        deadline = time.monotonic() + wait if wait > 0 else None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise StoreError(f"cannot lock {self.path}: {exc.strerror or exc}", code=Codes.STORE_OPEN) from None
            if deadline is None or time.monotonic() >= deadline:
                os.close(fd)
                raise StoreLocked(self._refusal(wait))
            time.sleep(min(_POLL, max(0.0, deadline - time.monotonic())))
        data = json.dumps(_me().__dict__).encode("utf-8")
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock up (a no-op when not held). The file stays, emptied."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # no stale name for the next reader
        except OSError:
            pass
        os.close(fd)  # closing the last descriptor releases the flock

    def holder(self) -> Holder | None:
        """The current holder as written in the lock file (None when unknown or not locked)."""
        try:
            with open(self.path, "rb") as fh:
                text = fh.read(4096).decode("utf-8", "replace")
        except OSError:
            return None
        return Holder.parse(text)

    def _refusal(self, wait: float) -> str:
        return refusal(self.db, self.holder(), wait)

    def __enter__(self) -> "WriterLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:  # an abandoned lock object must not keep its descriptor open
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass


#: the advisory lock key of the writer role (one per database: PostgreSQL scopes advisory locks to a database)
WRITER_KEY = 0x5354_4F52_5957  # "STORYW"


def application_name() -> str:
    """How a PostgreSQL connection of this process names itself: ``storyline <pid> <command>`` (63 bytes at most)."""
    me = _me()
    return f"storyline {me.pid} {me.command}".encode("utf-8")[:63].decode("utf-8", "ignore")


class AdvisoryLock:
    """The writer role of a PostgreSQL store: ``pg_try_advisory_lock`` on the writer's own connection.

    Same interface as :class:`WriterLock`. The lock belongs to the connection's
    session: the server releases it when the connection closes or the process
    dies. Readers never take it and never wait for it (MVCC).
    """

    def __init__(self, conn: object, store: str) -> None:
        """``conn``: the writer's psycopg connection (autocommit, rows as dicts); ``store``: its name in messages."""
        self.conn, self.db = conn, store
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def acquire(self, wait: float = 0.0) -> "AdvisoryLock":
        """Take the lock, waiting up to ``wait`` seconds; :class:`StoreLocked` (SL203) naming the holder if it stays taken."""
        if self._held:
            return self
        deadline = time.monotonic() + wait if wait > 0 else None
        while not self.conn.execute("SELECT pg_try_advisory_lock(%s) AS locked", (WRITER_KEY,)).fetchone()["locked"]:  # type: ignore[attr-defined]
            if deadline is None or time.monotonic() >= deadline:
                raise StoreLocked(refusal(self.db, self.holder(), wait))
            time.sleep(min(_POLL, max(0.0, deadline - time.monotonic())))
        self._held = True
        return self

    def release(self) -> None:
        """Give the lock up (a no-op when not held)."""
        if self._held:
            self._held = False
            if not self.conn.closed:  # type: ignore[attr-defined]
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (WRITER_KEY,))  # type: ignore[attr-defined]

    def holder(self) -> Holder | None:
        """The session holding the lock, as its ``application_name`` names it (None when nobody holds it)."""
        row = self.conn.execute(  # type: ignore[attr-defined]
            "SELECT a.application_name AS name, host(a.client_addr) AS host, a.backend_start AS since FROM pg_locks l"
            " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND ((l.classid::bigint << 32) | l.objid::bigint) = %s AND l.objsubid = 1 LIMIT 1", (WRITER_KEY,)
        ).fetchone()
        if row is None:
            return None
        name, host, since = row["name"], row["host"], row["since"]
        parts = (name or "").split(" ", 2)
        pid = int(parts[1]) if len(parts) > 1 and parts[0] == "storyline" and parts[1].isdigit() else 0
        command = parts[2] if pid and len(parts) > 2 else (name or "?")
        return Holder(pid, command, host or socket.gethostname(), since.isoformat(timespec="seconds") if since else "?")

    def __enter__(self) -> "AdvisoryLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
