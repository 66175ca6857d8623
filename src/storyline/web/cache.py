"""The server's response cache: a GET answer kept in this process until the store changes.

An answer is kept under its request (method, path, query string, and the
``HX-Request``/``HX-Target`` headers the pages vary on) and the store's data
version as this process last read it (:class:`Watch`): ``PRAGMA data_version``
on SQLite, the server's snapshot on PostgreSQL. Every request reads the version
first; an answer kept under another version is never served, so no answer is
older than the last commit the request could see (the version is read before
the answer it tags is computed, so a kept answer holds every commit made before
its version was read). A version that changes drops every kept answer: a commit
can change any page (the story list, a story's events, an article's event).

Only ``200`` answers of HTML or JSON with a length are kept, at most
``max_bytes`` of them (bodies and headers), least recently used dropped first;
one answer larger than an eighth of that is not kept. Each kept answer has an
``ETag`` (a hash of its body); a request whose ``If-None-Match`` names it is
answered ``304`` with no body. ``X-Storyline-Cache`` says ``hit`` or ``miss``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from ..store import is_postgres_url, open_store

__all__ = ["ResponseCache", "Watch", "CacheMiddleware", "Kept"]

#: bytes counted for an answer besides its body and headers (the key, the record)
_OVERHEAD = 256
_KEPT_TYPES = (b"text/html", b"application/json")
_SKIPPED = ("/static/", "/api/docs")
_VARY = (b"hx-request", b"hx-target")


@dataclass(frozen=True)
class Kept:
    """One kept answer: its status line's headers (without ``content-length``), body and ETag."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + _OVERHEAD


class ResponseCache:
    """Answers by key, all of one data version, least recently used first out past ``max_bytes``.

    Versions are :meth:`Watch.version` numbers: a greater one drops every kept answer, a lesser one (a request
    that read it before another request read the next) is a miss and keeps nothing.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self.max_entry = self.max_bytes // 8
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, Kept] = OrderedDict()
        self._version = -1
        self.bytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _at(self, version: int) -> bool:
        """Forget everything kept under an older version (called with the lock held); False for an older ``version``."""
        if version > self._version:
            self._entries.clear()
            self.bytes = 0
            self._version = version
        return version == self._version

    def get(self, key: tuple, version: int) -> Kept | None:
        with self._lock:
            kept = self._entries.get(key) if self._at(version) else None
            if kept is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return kept

    def put(self, key: tuple, version: int, kept: Kept) -> bool:
        """Keep ``kept`` (computed after ``version`` was read); False when it is too large or the version moved on."""
        size = kept.size
        with self._lock:
            if size > self.max_entry or version != self._version:
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._entries[key] = kept
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= dropped.size
            return True


class Watch:
    """The store's data version, numbered: the number grows by one each time the store's own value changes.

    The value is read on one read-only connection of this process's own (opened
    on first use): SQLite's ``data_version`` is per connection (it counts the
    commits of every other connection since this one opened), so one connection
    answers for the whole process. A failure (the store gone, its server down)
    closes it and answers None: that request is not cached, and the next one
    opens a new connection, whose first value counts as a change.
    """

    def __init__(self, db: str | Path) -> None:
        self.db = db
        self.blocking = is_postgres_url(db)  # a round trip to the server: not on the event loop
        self._store: Any = None
        self._lock = threading.Lock()
        self._value: object = None
        self._number = 0

    def version(self) -> int | None:
        with self._lock:
            try:
                if self._store is None:
                    self._store = open_store(self.db, readonly=True)
                    self._value = None
                value = self._store.data_version()
            except Exception:  # noqa: BLE001  (no version: the request goes uncached and meets the error itself)
                self._close()
                return None
            if value != self._value or self._value is None:
                self._value, self._number = value, self._number + 1
            return self._number

    def _close(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except Exception:  # noqa: BLE001  (a connection already lost)
                pass
            self._store = None

    def close(self) -> None:
        with self._lock:
            self._close()


def _etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(b",")]
    return b"*" in tags or etag in tags or b"W/" + etag in tags


class CacheMiddleware:
    """ASGI middleware: answers a GET from the cache when the store has not changed, else keeps what the app answers."""

    def __init__(self, app: Any, cache: ResponseCache, watch: Watch) -> None:
        self.app, self.cache, self.watch = app, cache, watch

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or scope.get("method") != "GET" or not self.cache.max_bytes
                or path.startswith(_SKIPPED)):
            await self.app(scope, receive, send)
            return
        version = await run_in_threadpool(self.watch.version) if self.watch.blocking else self.watch.version()
        if version is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        key = (path, scope.get("query_string", b""), *(headers.get(h) for h in _VARY))
        kept = self.cache.get(key, version)
        if kept is not None:
            await _answer(send, kept, headers.get(b"if-none-match"), b"hit")
            return
        await self.app(scope, receive, _Keeper(send, self.cache, key, version, headers.get(b"if-none-match")))


class _Keeper:
    """The app's ``send``: passes an answer that cannot be kept straight through, gathers and keeps the others."""

    def __init__(self, send: Any, cache: ResponseCache, key: tuple, version: int, if_none_match: bytes | None) -> None:
        self.send, self.cache, self.key, self.version, self.if_none_match = send, cache, key, version, if_none_match
        self.start: dict | None = None
        self.through = False
        self.chunks: list[bytes] = []

    async def __call__(self, message: dict) -> None:
        if self.through:
            await self.send(message)
        elif message["type"] == "http.response.start":
            names = dict((k.lower(), v) for k, v in message.get("headers", []))
            length = names.get(b"content-length", b"")
            kind = names.get(b"content-type", b"")
            if (message["status"] != 200 or b"set-cookie" in names or not length.isdigit()
                    or int(length) > self.cache.max_entry or not kind.startswith(_KEPT_TYPES)):
                self.through = True
                await self.send(message)
            else:
                self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(self.chunks)
                assert self.start is not None
                headers = tuple((k, v) for k, v in self.start.get("headers", []) if k.lower() != b"content-length")
                kept = Kept(headers, body, _etag(body))
                self.cache.put(self.key, self.version, kept)
                await _answer(self.send, kept, self.if_none_match, b"miss")
        else:
            await self.send(message)


async def _answer(send: Any, kept: Kept, if_none_match: bytes | None, state: bytes) -> None:
    extra = [(b"etag", kept.etag), (b"cache-control", b"no-cache"), (b"x-storyline-cache", state)]
    if _matches(if_none_match, kept.etag):
        headers = [(k, v) for k, v in kept.headers if k.lower() in (b"vary",)]
        await send({"type": "http.response.start", "status": 304, "headers": [*headers, *extra]})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [*kept.headers, (b"content-length", str(len(kept.body)).encode()), *extra]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": kept.body})
