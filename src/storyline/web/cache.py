"""The server's response cache: a GET answer kept in this process until what it shows changes.

An answer is kept under its request (method, path, query string, and the
``HX-Request``/``HX-Target`` headers the pages vary on) and a **tag**: what the
store's version was, as this process read it just before computing the answer
(:class:`Watch`). A request is answered from the cache only when the tag it
reads now equals the kept one, so no answer is older than the last commit the
request could see (the tag is read before the answer it tags is computed, so a
kept answer holds every commit made before its tag was read).

What the tag is depends on the page (:func:`page_scope`):

- a story's page (``/stories/S1``, ``/api/stories/S1``, its timeline): that
  story's stamp; an event's page (``/events/E1``, ``/api/events/E1`` and its
  comparison and summary): the event's stamp and its story's; the unfiltered
  story list (``/``, ``/api/stories``, with a cursor, a limit or dates only): the
  list's stamp. Stamps are counters the store's triggers bump in the
  transaction that changes the story, event or list
  (:mod:`storyline.store.stamps`), read in one indexed query, so an ingest that
  touches other stories leaves these pages kept;
- every other page (search, article pages, filtered lists, query timelines):
  the whole store's data version, ``PRAGMA data_version`` on SQLite, the
  server's snapshot on PostgreSQL: any commit moves it.

Tags only grow: an answer kept under an older tag than the one a request reads
is dropped; one computed under an older tag never replaces a newer one.

Only ``200`` answers of HTML or JSON with a length are kept, at most
``max_bytes`` of them (bodies and headers), least recently used dropped first;
one answer larger than an eighth of that is not kept. Each kept answer has an
``ETag`` (a hash of its body); a request whose ``If-None-Match`` names it is
answered ``304`` with no body. ``X-Storyline-Cache`` says ``hit`` or ``miss``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from ..store import is_postgres_url, open_store
from ..store.stamps import LIST

__all__ = ["ResponseCache", "Watch", "CacheMiddleware", "Kept", "page_scope"]

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
    """Answers by key, each with the tag it was computed under, least recently used first out past ``max_bytes``.

    Tags are tuples that only grow for a key (:meth:`Watch.tag`): a kept answer is served for an equal tag,
    dropped for a greater one, and kept for a lesser one (a request that read its tag before another request
    read the next), which is a miss and keeps nothing.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self.max_entry = self.max_bytes // 8
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[tuple, Kept]] = OrderedDict()
        self.bytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: tuple) -> None:
        _, old = self._entries.pop(key)
        self.bytes -= old.size

    def get(self, key: tuple, tag: tuple) -> Kept | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == tag:
                self._entries.move_to_end(key)
                self.hits += 1
                return found[1]
            if found is not None and found[0] < tag:
                self._drop(key)  # what it showed has changed since
            self.misses += 1
            return None

    def put(self, key: tuple, tag: tuple, kept: Kept) -> bool:
        """Keep ``kept`` (computed after ``tag`` was read); False when it is too large or a newer one is kept."""
        size = kept.size
        with self._lock:
            found = self._entries.get(key)
            if size > self.max_entry or (found is not None and found[0] > tag):
                return False
            if found is not None:
                self._drop(key)
            self._entries[key] = (tag, kept)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped.size
            return True


#: the paths whose answers one story's or one event's stamp covers (the id is one path segment)
_STORY_PATHS = re.compile(r"/(?:api/)?stories/([^/]+)|/api/stories/([^/]+)/timeline")
_EVENT_PATHS = re.compile(r"/(?:api/)?events/([^/]+)|/api/events/([^/]+)/(?:comparison|summary)")
_LIST_PATHS = ("/", "/api/stories")
#: the story list's parameters that read only story rows (the others filter on articles, places, text)
_LIST_PARAMS = frozenset({b"cursor", b"limit", b"from", b"to"})


def page_scope(path: str, query: bytes) -> tuple[str, str] | None:
    """What the answer to ``path`` depends on: ("story", id), ("event", id), ("list", LIST), or None (the whole store)."""
    if path in _LIST_PATHS:
        names = {part.split(b"=", 1)[0] for part in query.split(b"&") if part}
        return ("list", LIST) if names <= _LIST_PARAMS else None
    for kind, pattern in (("story", _STORY_PATHS), ("event", _EVENT_PATHS)):
        found = pattern.fullmatch(path)
        if found is not None:
            return kind, found.group(1) or found.group(2)
    return None


class Watch:
    """The store's versions as tags: the whole store's data version, or one story's, event's or the list's stamp.

    Values are read on one read-only connection of this process's own (opened
    on first use): SQLite's ``data_version`` is per connection (it counts the
    commits of every other connection since this one opened), so one connection
    answers for the whole process. A failure (the store gone, its server down)
    closes it and answers None: that request is not cached, and the next one
    opens a new connection, whose tags are all newer than the old one's (the
    number of connections opened leads every tag). A store without stamps
    (not yet migrated) answers the whole store's version for every page.
    """

    def __init__(self, db: str | Path) -> None:
        self.db = db
        self.blocking = is_postgres_url(db)  # a round trip to the server: not on the event loop
        self._store: Any = None
        self._lock = threading.Lock()
        self._value: object = None
        self._number = 0
        self._opened = 0

    def _open(self) -> Any:
        if self._store is None:
            self._store = open_store(self.db, readonly=True)
            self._value = None
            self._opened += 1
        return self._store

    def version(self) -> int | None:
        """The whole store's version, numbered: the number grows by one each time the store's own value changes."""
        with self._lock:
            try:
                value = self._open().data_version()
            except Exception:  # noqa: BLE001  (no version: the request goes uncached and meets the error itself)
                self._close()
                return None
            if value != self._value or self._value is None:
                self._value, self._number = value, self._number + 1
            return self._number

    def tag(self, what: tuple[str, str] | None) -> tuple | None:
        """The tag of a page that depends on ``what`` (:func:`page_scope`); None when the store cannot be read."""
        if what is not None:
            with self._lock:
                try:
                    stamp = self._open().stamp(what[1], event=what[0] == "event")
                    return (self._opened, 1, *stamp)
                except Exception:  # noqa: BLE001  (no stamps table, or the store is gone: the whole store's version)
                    pass
        number = self.version()
        return None if number is None else (self._opened, 0, number)

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
        query = scope.get("query_string", b"")
        what = page_scope(path, query)
        tag = await run_in_threadpool(self.watch.tag, what) if self.watch.blocking else self.watch.tag(what)
        if tag is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        key = (path, query, *(headers.get(h) for h in _VARY))
        kept = self.cache.get(key, tag)
        if kept is not None:
            await _answer(send, kept, headers.get(b"if-none-match"), b"hit")
            return
        await self.app(scope, receive, _Keeper(send, self.cache, key, tag, headers.get(b"if-none-match")))


class _Keeper:
    """The app's ``send``: passes an answer that cannot be kept straight through, gathers and keeps the others."""

    def __init__(self, send: Any, cache: ResponseCache, key: tuple, tag: tuple, if_none_match: bytes | None) -> None:
        self.send, self.cache, self.key, self.tag, self.if_none_match = send, cache, key, tag, if_none_match
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
                self.cache.put(self.key, self.tag, kept)
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
