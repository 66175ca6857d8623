"""The PostgreSQL store's connection: writes of a transaction sent together, a lost server as a clear error.

Every round trip to the server costs a context switch on both sides, and the
engine writes an article as half a dozen small statements; SQLite pays a
library call for each, PostgreSQL a network exchange. So inside a transaction
the statements whose results nobody reads (inserts, upserts, deletes) are
queued, and the queue is sent in one pipeline (:meth:`Session.flush`) before
the next read and before the commit: a read always sees every earlier write
of its own transaction, a rolled back block drops its queue, and a failing
queued statement fails the transaction it belongs to.

A lost connection (the server restarted, the network gone) raises
:class:`~storyline.errors.StoreError` with ``SL204`` in a write and
:class:`~storyline.errors.StoreUnavailable` (``SL205``) in a read. A read-only
session connects again and retries the read once (:meth:`Session.read`), and
connects again on its next call when the server was still down; a writer does
not (its advisory lock went with the old connection, and its caller's state is
of the transaction that was lost), so its run stops and a re-run resumes.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from ..errors import Codes, StoreError, StoreUnavailable

__all__ = ["ROWS_PER_STATEMENT", "Session", "reason"]

#: rows of one multi-row INSERT (:meth:`Session.write_rows`); PostgreSQL takes at most 65535 parameters a statement
ROWS_PER_STATEMENT = 500
_VALUES = re.compile(r"VALUES (\((?:%s, )*%s\))")


def reason(exc: BaseException) -> str:
    """The first line of a driver error (what a message shows)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Session:
    """One connection (``connect()`` opens it, ``prepare(conn)`` sets it up) with a queue of deferred writes."""

    def __init__(self, psycopg: Any, connect: Callable[[], Any], name: str, *, reconnect: bool) -> None:
        self._pg, self._connect, self.name, self.reconnect = psycopg, connect, name, reconnect
        self.prepare: Callable[[Any], None] = lambda conn: None
        self.raw = connect()
        self._pending: list[tuple[str, Any, bool]] = []
        #: rows for ``COPY ... FROM STDIN`` statements (:meth:`copy_rows`), by statement, sent after the queue
        self._copies: dict[str, list[Sequence[Any]]] = {}
        self._depth = 0

    # ------------------------------------------------------------ the connection
    @property
    def conn(self) -> Any:
        """The connection with every queued write sent (what a read must use); a new one after a lost one (readers)."""
        if self.reconnect and (self.raw.closed or self.raw.broken) and not self._depth:
            with self.guard(write=False):
                self.raw = self._connect()
                self.prepare(self.raw)
        self.flush()
        return self.raw

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def close(self) -> None:
        self._pending.clear()
        self._copies.clear()
        self.raw.close()

    @contextmanager
    def guard(self, *, write: bool) -> Iterator[None]:
        """Driver errors of the server (not of the data) as the store's errors, naming the store."""
        try:
            yield
        except self._pg.OperationalError as exc:
            if write:
                raise StoreError(f"cannot write the store {self.name}: {reason(exc)}", code=Codes.STORE_WRITE) from None
            raise StoreUnavailable(f"cannot read the store {self.name}: {reason(exc)}") from None

    def read(self, run: Callable[[Any], Any]) -> Any:
        """``run(conn)`` for a read. A reader whose connection was lost (the server restarted, an idle session cut)
        connects again and runs it once more; when that fails too (the server is down) it raises SL205."""
        for attempt in (1, 2):
            conn = self.conn
            try:
                return run(conn)
            except self._pg.OperationalError as exc:
                lost = conn.closed or conn.broken
                if attempt == 2 or not (self.reconnect and lost and not self._depth):
                    raise StoreUnavailable(f"cannot read the store {self.name}: {reason(exc)}") from None

    # ------------------------------------------------------------ writes
    def write(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run a statement whose result is not needed: queued inside a transaction, at once outside one."""
        if self._depth:
            self._pending.append((sql, params, False))
        else:
            with self.guard(write=True):
                self.raw.execute(sql, params)

    def write_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self._depth:
            self._pending.append((sql, rows, True))
        else:
            with self.guard(write=True), self.raw.cursor() as cur:
                cur.executemany(sql, rows)

    def write_rows(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """``sql`` (one ``VALUES (%s, ...)`` group) for every row, as multi-row statements of up to
        :data:`ROWS_PER_STATEMENT` rows: the server parses, plans and executes one statement, not one per row."""
        found = _VALUES.search(sql)
        if found is None:
            raise ValueError(f"not an INSERT ... VALUES (%s, ...): {sql[:60]}")
        head, group, tail = sql[: found.start(1)], found.group(1), sql[found.end(1):]
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            part = rows[start : start + ROWS_PER_STATEMENT]
            self.write(head + ", ".join([group] * len(part)) + tail, [v for row in part for v in row])

    def copy_rows(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Rows for ``sql`` (a ``COPY table (columns) FROM STDIN``), sent in one COPY per statement at the next
        flush, after the queued statements: parsing and planning nothing, it costs the server and the driver
        a fraction of any INSERT (``scripts/bench_pg_writes.py``). Only for rows that no other statement of the
        transaction changes or reads before the next read (the child rows of new articles: segments, mentions)."""
        if not rows:
            return
        if self._depth:
            self._copies.setdefault(sql, []).extend(rows)
        else:
            with self.guard(write=True):
                self._copy(sql, rows)

    def _copy(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def flush(self) -> None:
        """Send the queued writes in one pipeline (one exchange with the server, not one per statement), then
        the rows to copy."""
        if not (self._pending or self._copies):
            return
        pending, self._pending = self._pending, []
        copies, self._copies = self._copies, {}
        with self.guard(write=True):
            if pending:
                with self.raw.pipeline(), self.raw.cursor() as cur:
                    for sql, params, many in pending:
                        if many:
                            cur.executemany(sql, params)
                        else:
                            cur.execute(sql, params)
            for sql, rows in copies.items():
                self._copy(sql, rows)

    @contextmanager
    def transaction(self, on_rollback: Callable[[], None]) -> Iterator[None]:
        """All or nothing, nested blocks as savepoints; ``on_rollback`` forgets what the caller cached of the block."""
        self.flush()
        depth = self._depth
        try:
            with self.guard(write=True), self.raw.transaction():
                self._depth += 1
                try:
                    yield
                    self.flush()
                finally:
                    self._depth = depth
        except BaseException:
            self._pending.clear()
            self._copies.clear()
            on_rollback()
            raise
