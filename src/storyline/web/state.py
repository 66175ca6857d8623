"""What a server holds: read-only engines per worker thread and one writer engine.

Reads run in the server's worker threads, each on its own read-only
connection to the store (readers never wait for a writer). Writes go through
one engine on one thread and need the server's token.
"""

from __future__ import annotations

import hmac
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..engine import Storyline
from ..errors import AccessError, Codes, StoreError, StoreLocked, StoreUnavailable
from ..model import RawRecord
from ..pipeline.normalise import field_limits, to_article
from ..settings import Options, load_options
from ..store import store_location
from .views import public_origin

__all__ = ["ServerState"]


class _Lazy:
    """An embedder built on its first use (a reader that never summarises never loads the model)."""

    def __init__(self, make: Any) -> None:
        self._make = make

    @property
    def name(self) -> str:
        return self._make().name

    @property
    def dim(self) -> int:
        return self._make().dim

    def embed(self, texts: Any) -> Any:
        return self._make().embed(texts)


class ServerState:
    """The store a server reads and writes: read-only engines per thread, one writer.

    ``embedder``/``entity_extractor`` are the writer's seams (tests pass fakes);
    by default the writer loads the configured models on its first write.
    """

    def __init__(self, db: str | Path, options: Options | None = None, *, token: str | None = None,
                 embedder: Any | None = None, entity_extractor: Any | None = None) -> None:
        self.db = store_location(db)  # a SQLite file or a postgresql:// URL
        self.options = options or load_options()
        self.token = token or None
        self._seams = {"embedder": embedder, "entity_extractor": entity_extractor}
        # One writer thread owns the read-write connection (SQLite connections stay in their thread).
        # Opening it applies pending migrations and keeps the WAL files in place, so read-only
        # connections can always open beside it.
        self._write_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyline-writer")
        self._writer: Storyline | None = None
        self._written_mark: tuple[int, int] | None = None
        self._in_writer(self._start_writer)
        self._local = threading.local()
        self._readers: list[Storyline] = []
        self._readers_lock = threading.Lock()
        #: the idle refresh of deferred records (engine.deferral): restarted by every ingest, run once none arrives
        self._idle_timer: threading.Timer | None = None
        self._idle_lock = threading.Lock()
        self._ingests = 0  # ingests so far: an idle refresh started before the last one gives way
        self._closed = False

    def _in_writer(self, fn: Any, *args: Any) -> Any:
        return self._write_thread.submit(fn, *args).result()

    def _start_writer(self) -> None:
        """Create or migrate the store, then let the writer role go: it is taken per write (one writer per store)."""
        try:
            self._open_writer()
        except StoreLocked:
            return  # another process is writing (it created the store); POSTs answer 503 until it is done
        assert self._writer is not None and self._writer.store.writer_lock is not None
        self._writer.store.writer_lock.release()

    def _drop_writer(self) -> None:
        if self._writer is not None:
            # keep the loaded models; drop the clustering state another process may have changed
            self._seams = self._writer.components.built()
            self._writer.close()
            self._writer = None

    def _open_writer(self) -> None:
        """(Re)open the writer engine from what is stored now; it holds the writer lock (StoreLocked if another has it)."""
        self._drop_writer()
        self._writer = Storyline(self.db, self.options.replace(writer_wait=0), components=self._seams)
        self._written_mark = self._store_mark()

    def _reader_embedder(self) -> Any:
        """One embedder for every reader thread (summaries embed sentences): the writer's seam when given."""
        with self._readers_lock:
            if self._seams.get("embedder") is None:
                from .. import registry

                self._seams["embedder"] = registry.create(self.options.embedder, self.options)
            return self._seams["embedder"]

    def reader(self) -> Storyline:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            try:
                engine = Storyline(self.db, self.options, readonly=True, embedder=_Lazy(self._reader_embedder))
            except StoreError as exc:  # the store opened when the server started: now its server is gone (503, retry)
                if exc.code != Codes.STORE_OPEN:
                    raise
                raise StoreUnavailable(exc.message) from None
            self._local.engine = engine
            with self._readers_lock:
                self._readers.append(engine)
        return engine

    def article(self, article_id: str) -> dict[str, Any]:
        """One article as this server shows it: its origin without the server's folders."""
        article = self.reader().article(article_id).to_dict()
        return article | {"origin": public_origin(article["origin"])}

    def _store_mark(self) -> tuple[int, int]:
        assert self._writer is not None
        return self._writer.store.write_mark()

    def check_token(self, given: str | None) -> None:
        if self.token is None:
            raise AccessError("this server accepts no writes: start it with --token or STORYLINE_TOKEN")
        if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
            raise AccessError("a write needs the header 'Authorization: Bearer <token>' with the server's token")

    def ingest(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Ingest records on the writer thread; one request at a time."""
        return self._in_writer(self._ingest, records)

    def _ingest(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        self._ingests += 1
        try:
            summary = self._as_writer(lambda writer: writer.ingest_records(records, defer=True))
        finally:
            self._schedule_refresh()
        return {
            "articles": self._stored_ids(records, {r.line for r in summary.rejections}),
            "ingested": summary.ingested, "duplicates": summary.duplicates, "unchanged": summary.unchanged,
            "rejected": summary.rejected, "events_created": summary.events_created,
            "stories_created": summary.stories_created, "seconds": round(summary.seconds, 3),
            "rejections": [{"line": r.line, "code": r.code, "reason": r.reason} for r in summary.rejections],
        }

    def ingest_paths(self, paths: list[str]) -> Any:
        """Ingest files on the writer thread (``storyline serve --watch``): the one writer POST /api/articles uses."""
        return self._in_writer(lambda: self._as_writer(lambda writer: writer.ingest(list(paths))))

    def _schedule_refresh(self) -> None:
        """(Re)start the idle timer: ``serve_refresh_idle_s`` after the last ingest, deferred records are rebuilt."""
        with self._idle_lock:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
            if self._closed:
                return
            self._idle_timer = threading.Timer(float(self.options.serve_refresh_idle_s), self._idle_refresh, (self._ingests,))
            self._idle_timer.daemon = True
            self._idle_timer.start()

    def _idle_refresh(self, ingests: int) -> None:
        try:
            self._write_thread.submit(self._refresh_if_idle, ingests)
        except RuntimeError:  # the server is closing: its writer thread takes no more work
            pass

    def _refresh_if_idle(self, ingests: int) -> None:
        """On the writer thread: rebuild what waits, unless an ingest came after the timer started (its own
        timer will) or another process holds the writer lock (it rebuilds stale records itself)."""
        if ingests != self._ingests or self._closed:
            return
        try:
            self._as_writer(lambda writer: writer.refresh_stale() if writer.waiting_records() else None)
        except StoreLocked:
            pass
        except Exception as exc:  # noqa: BLE001  (a background rebuild must not stop the server: say why, go on)
            print(f"storyline serve: the idle refresh of deferred records failed: {type(exc).__name__}: {exc}", file=sys.stderr)

    def _as_writer(self, work: Any) -> Any:
        """Run ``work(writer)`` holding the writer role for this request only, so a CLI ingest can run between
        requests (StoreLocked -> 503 while another process writes)."""
        if self._writer is None:
            self._open_writer()
        else:
            assert self._writer.store.writer_lock is not None
            self._writer.store.writer_lock.acquire()
            if self._store_mark() != self._written_mark:
                self._open_writer()  # another process ingested since our last write: start from what is stored now
        assert self._writer is not None and self._writer.store.writer_lock is not None
        try:
            result = work(self._writer)
            self._written_mark = self._store_mark()
        except BaseException:
            self._drop_writer()  # its in-memory state may hold what the failed transaction rolled back
            raise
        finally:
            if self._writer is not None:
                self._writer.store.writer_lock.release()
        return result

    def _stored_ids(self, records: list[dict[str, Any]], rejected: set[int]) -> list[str]:
        """The ids of the records that are in the store now (not rejected), in request order."""
        out = []
        for line, record in enumerate(records, 1):
            if line in rejected:
                continue
            given = record.get("id")
            if isinstance(given, str) and given.strip():
                out.append(given.strip())
            else:  # a content id: the one normalising gives it
                out.append(to_article(RawRecord("<api>", line, record), limits=field_limits(self.options)).id)
        return out

    def close(self) -> None:
        with self._idle_lock:
            self._closed = True
            if self._idle_timer is not None:
                self._idle_timer.cancel()
        with self._readers_lock:
            for engine in self._readers:
                engine.close()
            self._readers.clear()
        if self._writer is not None:
            self._in_writer(self._writer.close)
            self._writer = None
        self._write_thread.shutdown()
