"""The embedded store: one SQLite file in WAL mode (one writer, many readers).

Only this module writes SQL. Every statement uses parameters; no value from
an article is ever formatted into SQL text.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
import time
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import quote

import numpy as np

from ..errors import Codes, StoreError
from ..model import (Article, ArticleSummary, Decision, Mention, Place, Rejection, SavedEventState, SearchHit, Segment, StoredDecision,
                     StoredEvent, StoredStory, StoryFilter, StoryKey, StoredDigest)
from . import browse, page_rows, stamps, vector_blocks
from .lock import WriterLock
from .migrations import apply_migrations
from .values import chunks as _chunks, iso as _iso, now as _now
from .vectors import FaissIndex

__all__ = ["SQLiteStore"]


def _set_wal(conn: sqlite3.Connection, attempts: int = 200) -> None:
    """Switch to WAL mode, retrying while another connection is creating the same file.

    Changing the journal mode does not wait on the busy timeout: a second
    process opening a new store at the same moment gets "database is locked".
    """
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


_ORIGINALS_SIGNED = "FROM signatures WHERE article_id NOT IN (SELECT id FROM articles WHERE duplicate_of IS NOT NULL) ORDER BY rowid"


class SQLiteStore:
    """The embedded store (implements :class:`storyline.store.base.Store`). Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path, *, readonly: bool = False, wait: float = 0.0) -> None:
        self.path = Path(path)
        #: the writer role (one writer per store); None for a read-only store. See store/lock.py.
        self.writer_lock: WriterLock | None = None
        try:
            if readonly:
                # quoted, so a "?", "#" or "%" in the path is part of the file name
                uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # a second writer is refused naming the holder (StoreLocked), or waits up to `wait` seconds
                self.writer_lock = WriterLock(self.path).acquire(wait)
                self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                _set_wal(self.conn)
                self.conn.execute("PRAGMA synchronous = NORMAL")
                apply_migrations(self.conn)
        except sqlite3.DatabaseError as exc:
            self._release_writer()
            raise StoreError(f"cannot open the store {self.path}: {exc}", code=Codes.STORE_OPEN) from None
        except OSError as exc:  # e.g. a parent "folder" that is a file
            self._release_writer()
            raise StoreError(f"cannot open the store {self.path}: {exc.strerror or exc}", code=Codes.STORE_OPEN) from None

    def _release_writer(self) -> None:
        if self.writer_lock is not None:
            self.writer_lock.release()

    def close(self) -> None:
        self.conn.close()
        self._release_writer()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a crash inside leaves the store as it was before."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write the store {self.path}: {exc}", code=Codes.STORE_WRITE) from None
        try:
            yield
        except sqlite3.IntegrityError:
            self.conn.execute("ROLLBACK")
            raise
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:  # the store, not the data: disk, I/O, lock
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StoreError(f"cannot write the store {self.path}: {exc}", code=Codes.STORE_WRITE) from None
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write the store {self.path}: {exc}", code=Codes.STORE_WRITE) from None

    # ------------------------------------------------------------ meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM migrations ORDER BY rowid")]

    # ------------------------------------------------------------ articles
    def article_fingerprint(self, article_id: str) -> str | None:
        row = self.conn.execute("SELECT fingerprint FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def original_with_fingerprint(self, fingerprint: str) -> str | None:
        row = self.conn.execute(
            "SELECT id FROM articles WHERE fingerprint = ? AND duplicate_of IS NULL ORDER BY rowid LIMIT 1", (fingerprint,)
        ).fetchone()
        return row[0] if row else None

    def article_fingerprints(self, article_ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in _chunks(list(dict.fromkeys(article_ids))):
            marks = ", ".join("?" * len(part))  # placeholders only; the ids are parameters
            out.update(self.conn.execute(f"SELECT id, fingerprint FROM articles WHERE id IN ({marks})", part).fetchall())
        return out

    def originals_with_fingerprints(self, fingerprints: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in _chunks(list(dict.fromkeys(fingerprints))):
            marks = ", ".join("?" * len(part))
            for fingerprint, article_id in self.conn.execute(
                    f"SELECT fingerprint, id FROM articles WHERE fingerprint IN ({marks}) AND duplicate_of IS NULL ORDER BY rowid", part):
                out.setdefault(fingerprint, article_id)
        return out

    def add_article(self, article: Article) -> int:
        cur = self.conn.execute(
            "INSERT INTO articles (id, source, url, title, published, text, language, fingerprint, duplicate_of, origin, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.source, article.url, article.title, _iso(article.published), article.text,
             article.language, article.fingerprint, article.duplicate_of, article.origin, _now()),
        )
        self.conn.execute("INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", (cur.lastrowid, article.title, article.text))
        self.conn.executemany(
            'INSERT INTO segments (article_id, idx, kind, start, "end", paragraph) VALUES (?, ?, ?, ?, ?, ?)',
            [(article.id, i, s.kind, s.start, s.end, s.paragraph) for i, s in enumerate(article.segments)],
        )
        if article.source:
            self.conn.execute("INSERT OR IGNORE INTO sources (name, language) VALUES (?, ?)", (article.source, article.language))
        return int(cur.lastrowid)

    def add_mentions(self, mentions: Iterable[Mention]) -> None:
        self.conn.executemany(
            'INSERT INTO mentions (article_id, start, "end", label, text, key, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [(m.article_id, m.start, m.end, m.label, m.text, m.key, json.dumps(m.detail) if m.detail else None) for m in mentions],
        )

    def add_places(self, places: Iterable[Place]) -> None:
        self.conn.executemany(
            'INSERT INTO places (article_id, start, "end", text, name, geonameid, latitude, longitude, country_code,'
            ' country, admin1, feature_code, precision, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [(p.article_id, p.start, p.end, p.text, p.name, p.geonameid, p.latitude, p.longitude, p.country_code,
              p.country, p.admin1, p.feature_code, p.precision, p.confidence) for p in places],
        )

    def places(self, article_id: str) -> list[Place]:
        """The toponyms of an article in text order, as resolved when it was ingested."""
        return [
            Place(article_id, r["start"], r["end"], r["text"], r["name"], r["geonameid"], r["latitude"], r["longitude"],
                  r["country_code"], r["country"], r["admin1"], r["feature_code"], r["precision"], r["confidence"])
            for r in self.conn.execute('SELECT * FROM places WHERE article_id = ? ORDER BY start, rowid', (article_id,))
        ]

    def add_embedding(self, article_id: str, model: str, vector_id: int, vector: np.ndarray) -> None:
        vector_blocks.append(self.conn, article_id, model, vector_id, np.asarray(vector, dtype=np.float32).tobytes())

    def add_signature(self, article_id: str, signature: np.ndarray) -> None:
        self.conn.execute("INSERT INTO signatures (article_id, minhash) VALUES (?, ?)", (article_id, signature.tobytes()))

    def signatures(self) -> Iterator[tuple[str, np.ndarray]]:
        for row in self.conn.execute("SELECT article_id, minhash " + _ORIGINALS_SIGNED):  # duplicates by their index
            yield row[0], np.frombuffer(row[1], dtype=np.uint32)

    def signature_keys(self) -> list[str]:  # the ids of signatures(), in order, without reading one
        return [row[0] for row in self.conn.execute("SELECT article_id " + _ORIGINALS_SIGNED)]

    def embeddings(self) -> Iterator[tuple[str, int, np.ndarray]]:
        for article_id, _model, vid, vector in vector_blocks.rows(self.conn):
            yield article_id, vid, np.frombuffer(vector, dtype=np.float32)

    def embedding_rows(self) -> Iterator[tuple[str, str, int, bytes]]:
        """Every embedding as (article_id, model, vector_id, float32 bytes), in vector id order (``db copy``)."""
        return vector_blocks.rows(self.conn)

    def vector_index(self, dim: int, cache: Path | None = None) -> FaissIndex:
        """The faiss index of the stored embeddings: loaded from ``cache`` when it matches them, else rebuilt."""
        return FaissIndex.load_or_build(cache or Path(str(self.path) + ".faiss"), dim, self.embeddings(), self.count("embeddings"),
                                        keys=vector_blocks.keys(self.conn))

    def embedding_models(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT model FROM vector_keys")]

    def count(self, table: str) -> int:
        if table not in {"articles", "events", "stories", "rejections", "embeddings", "decisions", "mentions"}:
            raise ValueError(table)
        if table == "embeddings":
            return vector_blocks.count(self.conn)
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # table name checked above

    def article(self, article_id: str) -> Article | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return self._article(row) if row else None

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        """The articles with ``ids`` in that order (missing ones left out), or every article in date order."""
        if ids is None:
            return [self._article(r) for r in self.conn.execute("SELECT * FROM articles ORDER BY published IS NULL, published, rowid")]
        ids = list(ids)
        rows = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows += self.conn.execute(f"SELECT * FROM articles WHERE id IN ({marks})", chunk).fetchall()  # placeholders only
        order = {a: i for i, a in enumerate(ids)}
        rows.sort(key=lambda r: order[r["id"]])
        segments = page_rows.segments_of(self.conn, [r["id"] for r in rows])  # one query per 500 articles, not one each
        return [self._article(r, segments[r["id"]]) for r in rows]

    def _article(self, row: sqlite3.Row, segments: list[Segment] | None = None) -> Article:
        published = dt.date.fromisoformat(row["published"][:10]) if row["published"] else None
        return Article(id=row["id"], text=row["text"], source=row["source"], url=row["url"], title=row["title"],
                       published=published, language=row["language"], fingerprint=row["fingerprint"], origin=row["origin"],
                       segments=tuple(self.segments(row["id"]) if segments is None else segments), duplicate_of=row["duplicate_of"])

    # ------------------------------------------------------------ what a page lists (page_rows: one query per page)
    def article_summaries(self, ids: Iterable[str]) -> list[ArticleSummary]:
        """The summaries of the articles with ``ids`` (no text, no segments), in that order (missing ones left out)."""
        return page_rows.article_summaries(self.conn, list(ids))

    def members_of(self, event_ids: Iterable[str], limit: int | None = None) -> dict[str, list[str]]:
        """The first ``limit`` articles (all when None) of each event, in the order they joined."""
        return page_rows.members_of(self.conn, list(event_ids), limit)

    def derived_of(self, event_ids: Iterable[str]) -> dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]]:
        """Each event's stored (record, relays); an event without a stored record is left out."""
        return page_rows.derived_of(self.conn, list(event_ids))

    def places_of(self, article_ids: Iterable[str]) -> dict[str, list[Place]]:
        """The toponyms of each article in text order; an article without any is left out."""
        return page_rows.places_of(self.conn, list(article_ids))

    def digests_of(self, kind: str, subject_ids: Iterable[str]) -> dict[str, StoredDigest]:
        """The stored digests of these events (``kind`` "event") or stories ("story")."""
        return page_rows.digests_of(self.conn, kind, list(subject_ids))

    def segments(self, article_id: str) -> list[Segment]:
        return [
            Segment(r["kind"], r["start"], r["end"], r["paragraph"])
            for r in self.conn.execute('SELECT kind, start, "end", paragraph FROM segments WHERE article_id = ? ORDER BY idx', (article_id,))
        ]

    def mentions(self, article_id: str) -> list[Mention]:
        return [
            Mention(article_id, r["start"], r["end"], r["text"], r["label"], r["key"], json.loads(r["detail"]) if r["detail"] else {})
            for r in self.conn.execute('SELECT * FROM mentions WHERE article_id = ? ORDER BY start, "end"', (article_id,))
        ]

    # ------------------------------------------------------------ rejections
    def add_rejection(self, rejection: Rejection) -> bool:
        """Store a rejection; False when the same one was stored before."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO rejections (origin, line, code, reason, excerpt, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (rejection.origin, rejection.line, rejection.code, rejection.reason, rejection.excerpt, _now()),
        )
        return cur.rowcount > 0

    def rejections(self) -> list[Rejection]:
        return [
            Rejection(r["origin"], r["line"], r["code"], r["reason"], r["excerpt"])
            for r in self.conn.execute("SELECT * FROM rejections ORDER BY id")
        ]

    # ------------------------------------------------------------ clustering state
    def save_event(self, event: StoredEvent, state: dict[str, Any], vector_sum: bytes) -> None:
        """Write an event's row and the clusterer's memory of it."""
        self.conn.execute(
            "INSERT INTO events (id, number, story_id, title, date, date_precision, first_date, last_date, size, n_articles,"
            " n_sources, state, vector_sum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET story_id = excluded.story_id, title = excluded.title, date = excluded.date,"
            " date_precision = excluded.date_precision, first_date = excluded.first_date, last_date = excluded.last_date,"
            " size = excluded.size, n_articles = excluded.n_articles, n_sources = excluded.n_sources,"
            " state = excluded.state, vector_sum = excluded.vector_sum",
            (event.id, event.number, event.story_id, event.title, event.date, event.date_precision, event.first_date,
             event.last_date, event.size, event.n_articles, event.n_sources, json.dumps(state), vector_sum),
        )

    def save_story(self, story: StoredStory) -> None:
        self.conn.execute(
            "INSERT INTO stories (id, number, title, first_date, last_date, n_events, n_articles, n_sources)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET title = excluded.title, first_date = excluded.first_date,"
            " last_date = excluded.last_date, n_events = excluded.n_events, n_articles = excluded.n_articles,"
            " n_sources = excluded.n_sources",
            (story.id, story.number, story.title, story.first_date, story.last_date, story.n_events, story.n_articles,
             story.n_sources),
        )

    def add_event_article(self, event_id: str, article_id: str, position: int) -> None:
        self.conn.execute("INSERT INTO event_articles (article_id, event_id, position) VALUES (?, ?, ?)", (article_id, event_id, position))

    def set_event_members(self, event_id: str, members: Iterable[str]) -> None:
        """Make ``members`` (in order) the articles of an event, taking them from any event they were in."""
        self.conn.executemany(
            "INSERT INTO event_articles (article_id, event_id, position) VALUES (?, ?, ?)"
            " ON CONFLICT(article_id) DO UPDATE SET event_id = excluded.event_id, position = excluded.position",
            [(article_id, event_id, i) for i, article_id in enumerate(members)],
        )

    def delete_event(self, event_id: str) -> None:
        """Drop an event merged into another (its articles were moved first; its decisions stay)."""
        self.conn.execute("DELETE FROM events WHERE id = ?", (event_id,))

    def delete_story(self, story_id: str) -> None:
        self.conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))

    def add_decision(self, decision: Decision, level: str) -> None:
        self.conn.execute(
            "INSERT INTO decisions (subject_id, target_id, level, action, score, threshold, features, explanation, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (decision.subject_id, decision.target_id, level, decision.action, decision.score, decision.threshold,
             json.dumps(decision.features, sort_keys=True), decision.explanation, _now()),
        )

    def add_vocabulary(self, kind: str, counts: dict[str, int]) -> None:
        self.conn.executemany(
            "INSERT INTO vocabulary (kind, key, df) VALUES (?, ?, ?) ON CONFLICT(kind, key) DO UPDATE SET df = df + excluded.df",
            [(kind, k, n) for k, n in counts.items()],
        )

    def vocabulary(self, kind: str) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT key, df FROM vocabulary WHERE kind = ?", (kind,))}

    def events(self, ids: Iterable[str] | None = None, story_id: str | None = None, offset: int = 0,
               limit: int | None = None) -> list[StoredEvent]:
        """Events by id (in that order), of one story (by event date, then first report; ``offset`` and
        ``limit`` page them), or all (in number order). The clustering state is not read."""
        if story_id is not None:
            rows = self.conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE story_id = ? ORDER BY coalesce(date, first_date) IS NULL,"
                " coalesce(date, first_date), first_date, number LIMIT ? OFFSET ?",
                (story_id, -1 if limit is None else limit, offset),
            ).fetchall()
        elif ids is None:
            rows = self.conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY number").fetchall()
        else:
            ids = list(ids)
            found = {r["id"]: r for r in page_rows._rows(self.conn, f"SELECT {_EVENT_COLUMNS} FROM events WHERE id IN ({{marks}})", ids)}
            rows = [found[i] for i in ids if i in found]
        return [_event(r) for r in rows]

    def event_states(self) -> Iterator[SavedEventState]:
        for row in self.conn.execute("SELECT * FROM events ORDER BY number"):
            yield SavedEventState(_event(row), row["state"], row["vector_sum"])

    def event_members(self, event_id: str, offset: int = 0, limit: int | None = None) -> list[str]:
        """The event's articles in the order they joined (``offset`` and ``limit`` page them)."""
        return [r[0] for r in self.conn.execute("SELECT article_id FROM event_articles WHERE event_id = ? ORDER BY position"
                                                " LIMIT ? OFFSET ?", (event_id, -1 if limit is None else limit, offset))]

    def all_event_members(self) -> dict[str, list[str]]:
        rows = self.conn.execute("SELECT event_id, article_id FROM event_articles ORDER BY event_id, position")
        return {event_id: [r[1] for r in group] for event_id, group in itertools.groupby(rows, key=itemgetter(0))}

    def event_of_article(self, article_id: str) -> str | None:
        row = self.conn.execute("SELECT event_id FROM event_articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def stories(self, limit: int | None = None, offset: int = 0) -> list[StoredStory]:
        sql = "SELECT * FROM stories ORDER BY last_date IS NULL, last_date DESC, n_articles DESC, number DESC"
        if limit is not None:
            return [_story(r) for r in self.conn.execute(sql + " LIMIT ? OFFSET ?", (limit, offset))]
        return [_story(r) for r in self.conn.execute(sql)]

    def story(self, story_id: str) -> StoredStory | None:
        row = self.conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        return _story(row) if row else None

    def story_page(self, where: StoryFilter, after: StoryKey | None, limit: int) -> list[StoredStory]:
        """Up to ``limit`` stories after ``after`` in list order (newest and biggest first), matching ``where``."""
        return [_story(r) for r in browse.story_page(self.conn, where, after, limit)]

    def search(self, text: str, after: int | None, limit: int) -> list[tuple[int, SearchHit]]:
        """Articles with every word of ``text``, newest stored first, each with its position for the next page."""
        return [
            (r["rowid"], SearchHit(r["id"], r["source"], r["published"], r["title"], r["duplicate_of"],
                                   r["event_id"], r["story_id"], *browse.split_marks(r["snippet"])))
            for r in browse.search_articles(self.conn, text, after, limit)
        ]

    def write_mark(self) -> tuple[int, int]:
        """Changes when any writer adds articles or events: (newest article position, number of events)."""
        return (self.conn.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0],
                self.conn.execute("SELECT count(*) FROM events").fetchone()[0])

    def data_version(self) -> int:  # SQLite's count of other connections' commits, seen on this connection only
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def stamp(self, subject: str, *, event: bool = False) -> tuple[int, ...] | tuple[int, str, int]:
        """The version stamp of a story or :data:`~.stamps.LIST` (``(n,)``), or with ``event`` of an event with its
        story's (``(n, story id, story n)``), in one indexed query (:mod:`.stamps`)."""
        def fetch(sql: str, params: tuple[Any, ...]) -> Any:
            return self.conn.execute(sql, params).fetchone()

        return stamps.event_stamp(fetch, "?", subject) if event else (stamps.subject_stamp(fetch, "?", subject),)

    def assignments(self) -> dict[str, tuple[str, str | None]]:
        """Every article's event and story id."""
        return {r[0]: (r[1], r[2]) for r in self.conn.execute(
            "SELECT ea.article_id, ea.event_id, e.story_id FROM event_articles ea JOIN events e ON e.id = ea.event_id")}

    # ------------------------------------------------------------ the clusterer's memory
    def save_cluster_memory(self, items: Iterable[tuple[str, dict[str, Any]]], evicted: Iterable[str],
                            pairs: Iterable[tuple[str, str, float]], clear_pairs: bool = False) -> None:
        """Remember originals (in arrival order), forget evicted ones, add pair scores (after emptying them)."""
        self.conn.executemany("DELETE FROM cluster_items WHERE article_id = ?", [(k,) for k in evicted])
        start = self.conn.execute("SELECT coalesce(max(seq), 0) FROM cluster_items").fetchone()[0]
        self.conn.executemany("INSERT INTO cluster_items (article_id, seq, item) VALUES (?, ?, ?)",
                              [(k, start + i, json.dumps(item)) for i, (k, item) in enumerate(items, 1)])
        if clear_pairs:
            self.conn.execute("DELETE FROM cluster_pairs")
        self.conn.executemany("INSERT OR REPLACE INTO cluster_pairs (a, b, p) VALUES (?, ?, ?)", list(pairs))

    def cluster_memory(self) -> tuple[list[tuple[str, dict[str, Any]]], dict[tuple[str, str], float]]:
        """The remembered originals in arrival order, and the pair scores."""
        items = [(r[0], json.loads(r[1])) for r in self.conn.execute("SELECT article_id, item FROM cluster_items ORDER BY seq")]
        pairs = {(r[0], r[1]): r[2] for r in self.conn.execute("SELECT a, b, p FROM cluster_pairs")}
        return items, pairs

    def vectors(self, article_ids: Iterable[str]) -> dict[str, np.ndarray]:
        return vector_blocks.lookup(self.conn, article_ids)

    def duplicates(self) -> dict[str, str]:
        """Every duplicate article's original."""
        return dict(self.conn.execute("SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL").fetchall())

    # ------------------------------------------------------------ event records
    def save_record(self, event_id: str, record: dict[str, Any], n_articles: int, relays: dict[str, Any] | None = None) -> None:
        """Store an event's record (and the relays it was built with), built from ``n_articles`` articles."""
        self.conn.execute(
            "INSERT INTO event_records (event_id, record, n_articles, built_at, relays) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(event_id) DO UPDATE SET record = excluded.record, n_articles = excluded.n_articles,"
            " built_at = excluded.built_at, relays = excluded.relays"
            " WHERE (record, n_articles, relays) IS NOT (excluded.record, excluded.n_articles, excluded.relays)",
            (event_id, json.dumps(record, ensure_ascii=False), n_articles, _now(),
             json.dumps(relays, ensure_ascii=False) if relays is not None else None),
        )

    def relays(self, event_id: str) -> dict[str, Any] | None:
        """The relays stored with an event's record, if any."""
        row = self.conn.execute("SELECT relays FROM event_records WHERE event_id = ?", (event_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def stale_records(self) -> list[str]:
        """Events without a record or a comparison, or whose record or comparison was built from a different number of articles."""
        return [r[0] for r in self.conn.execute(
            "SELECT e.id FROM events e LEFT JOIN event_records r ON r.event_id = e.id"
            " LEFT JOIN event_comparisons c ON c.event_id = e.id"
            " WHERE r.event_id IS NULL OR r.n_articles != e.n_articles OR c.event_id IS NULL OR c.n_articles != e.n_articles"
        )]

    def record_counts(self, event_ids: Iterable[str]) -> dict[str, int]:
        """How many articles each event's stored record was built from (an event without a record is left out): a record
        saved with fewer articles than its event holds waits for a rebuild (engine.deferral)."""
        return page_rows.record_counts(self.conn, list(event_ids))

    def drop_orphan_records(self) -> None:
        """Records and comparisons of events merged away."""
        self.conn.execute("DELETE FROM event_records WHERE event_id NOT IN (SELECT id FROM events)")
        self.conn.execute("DELETE FROM event_comparisons WHERE event_id NOT IN (SELECT id FROM events)")
        self.conn.execute("DELETE FROM digests WHERE (kind = 'event' AND subject_id NOT IN (SELECT id FROM events))"
                          " OR (kind = 'story' AND subject_id NOT IN (SELECT id FROM stories))")

    def save_comparison(self, event_id: str, comparison: dict[str, Any], n_articles: int) -> None:
        """Store an event's comparison of its sources, built from ``n_articles`` articles."""
        self.conn.execute(
            "INSERT INTO event_comparisons (event_id, comparison, n_articles, built_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(event_id) DO UPDATE SET comparison = excluded.comparison, n_articles = excluded.n_articles,"
            " built_at = excluded.built_at"
            " WHERE (comparison, n_articles) IS NOT (excluded.comparison, excluded.n_articles)",
            (event_id, json.dumps(comparison, ensure_ascii=False), n_articles, _now()),
        )

    def comparison(self, event_id: str) -> dict[str, Any] | None:
        """The stored comparison of an event's sources, if any."""
        row = self.conn.execute("SELECT comparison FROM event_comparisons WHERE event_id = ?", (event_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def save_digest(self, kind: str, subject_id: str, digest: dict[str, Any], n_articles: int, n_events: int,
                    built_by: str) -> None:
        """Store the digest of an event (``kind`` "event") or a story ("story"), built from these counts."""
        self.conn.execute(
            "INSERT INTO digests (kind, subject_id, digest, n_articles, n_events, built_by, built_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(kind, subject_id) DO UPDATE SET digest = excluded.digest,"
            " n_articles = excluded.n_articles, n_events = excluded.n_events, built_by = excluded.built_by,"
            " built_at = excluded.built_at WHERE (digest, n_articles, n_events, built_by)"
            " IS NOT (excluded.digest, excluded.n_articles, excluded.n_events, excluded.built_by)",
            (kind, subject_id, json.dumps(digest, ensure_ascii=False), n_articles, n_events, built_by, _now()))

    def digest(self, kind: str, subject_id: str) -> StoredDigest | None:
        """The stored digest of an event or a story, if any."""
        sql = "SELECT digest, n_articles, n_events, built_by FROM digests WHERE kind = ? AND subject_id = ?"
        row = self.conn.execute(sql, (kind, subject_id)).fetchone()
        if not row:
            return None
        text, n_articles, n_events, built_by = row[0], row[1], row[2], row[3]
        return StoredDigest(kind, subject_id, json.loads(text), n_articles, n_events, built_by)

    def stale_digests(self, built_by: str) -> tuple[list[str], list[str]]:
        """(events, stories) with no digest, one built from other counts or by another summariser than ``built_by``."""
        sql = ("SELECT e.id, 'event' AS kind FROM events e LEFT JOIN digests d ON d.kind = 'event' AND d.subject_id = e.id"
               " WHERE d.subject_id IS NULL OR d.n_articles != e.n_articles OR d.built_by != ?"
               " UNION ALL SELECT s.id, 'story' AS kind FROM stories s"
               " LEFT JOIN digests d ON d.kind = 'story' AND d.subject_id = s.id WHERE d.subject_id IS NULL"
               " OR d.n_articles != s.n_articles OR d.n_events != s.n_events OR d.built_by != ?")
        rows = list(self.conn.execute(sql, (built_by,) * 2))
        return [r[0] for r in rows if r[1] == "event"], [r[0] for r in rows if r[1] == "story"]

    def set_event_date(self, event_id: str, value: str | None, precision: str) -> None:
        self.conn.execute("UPDATE events SET date = ?, date_precision = ? WHERE id = ?", (value, precision, event_id))

    def refresh_story_dates(self, event_ids: Iterable[str]) -> None:
        """A story spans its events' dates: recompute it for the stories of ``event_ids``."""
        self.conn.executemany(
            "UPDATE stories SET first_date = (SELECT min(date) FROM events WHERE story_id = stories.id),"
            " last_date = (SELECT max(date) FROM events WHERE story_id = stories.id)"
            " WHERE id = (SELECT story_id FROM events WHERE id = ?)",
            [(e,) for e in event_ids],
        )

    def record(self, event_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT record FROM event_records WHERE event_id = ?", (event_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def decisions(self, subject_ids: Iterable[str]) -> list[StoredDecision]:
        """The decisions about each subject (subjects in the order given, each once; each one's in the order made)."""
        return page_rows.decisions_of(self.conn, subject_ids, lambda r: StoredDecision(
            r["subject_id"], r["target_id"], r["level"], r["action"], r["score"], r["threshold"], json.loads(r["features"]),
            r["explanation"]))

    # ------------------------------------------------------------ runs
    def start_run(self, components: dict[str, str], settings: dict[str, Any]) -> int:
        cur = self.conn.execute(
            "INSERT INTO runs (started_at, components, settings) VALUES (?, ?, ?)",
            (_now(), json.dumps(components, sort_keys=True), json.dumps(settings, sort_keys=True, default=str)),
        )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        self.conn.execute("UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?", (_now(), json.dumps(summary, default=str), run_id))

    def components(self) -> dict[str, str] | None:
        row = self.conn.execute("SELECT components FROM runs ORDER BY id LIMIT 1").fetchone()
        return json.loads(row[0]) if row else None


#: the columns of a :class:`StoredEvent` (not the clustering state beside them)
_EVENT_COLUMNS = "id, number, story_id, title, date, date_precision, first_date, last_date, size, n_articles, n_sources"


def _event(row: sqlite3.Row) -> StoredEvent:
    return StoredEvent(row["id"], row["number"], row["story_id"], row["title"], row["date"], row["date_precision"],
                       row["first_date"], row["last_date"], row["size"], row["n_articles"], row["n_sources"])


def _story(row: sqlite3.Row) -> StoredStory:
    return StoredStory(row["id"], row["number"], row["title"], row["first_date"], row["last_date"], row["n_events"],
                       row["n_articles"], row["n_sources"])
