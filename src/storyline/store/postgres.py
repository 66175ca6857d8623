"""The server store: PostgreSQL with pgvector, behind the same protocol as the SQLite store.

``--db postgresql://USER@HOST:PORT/DB`` selects it. The schema and the named
migrations are those of the SQLite store in PostgreSQL's dialect
(:mod:`.pg_migrations`); vectors live in a pgvector column with an HNSW index
(cosine) and the vector index is a view of that table (:class:`PgVectorIndex`),
so there is no index file; full-text search is PostgreSQL's text search
(:mod:`.pg_browse`). One writer per store holds a session advisory lock
(:class:`storyline.store.lock.AdvisoryLock`); readers open read-only
connections and never wait for it.

Rows are numbered as SQLite numbers them (``max + 1``, under the writer's
lock), so vector ids, positions and cursors are the same on both backends and
a copy between them keeps every id. Every statement uses parameters; the one
identifier that is not fixed text (the vectors' dimension in the column type)
is an integer composed with :mod:`psycopg.sql`.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from ..errors import Codes, StoreError
from ..model import (Article, Decision, Mention, Place, Rejection, SavedEventState, SearchHit, Segment, StoredDecision,
                     StoredEvent, StoredStory, StoryFilter, StoryKey)
from . import pg_browse, stamps
from .browse import split_marks
from .lock import AdvisoryLock, application_name
from .pg_migrations import apply_pg_migrations
from .pg_derived import DerivedRows, now as _now
from .pg_pages import PageRows
from .pg_session import Session, reason
from .values import iso as _iso
from .pgvectors import PgVectorIndex, as_array, index_vectors, set_vector_column

__all__ = ["PostgresStore", "is_postgres_url", "redacted"]

_SCHEMES = ("postgresql://", "postgres://")
#: the HNSW index's search breadth; candidates are few (event_candidates), so a wide beam keeps the search exact in practice
_EF_SEARCH = 200
#: the columns of an Article and of a StoredEvent (fixed text): not the search document, the clusterer's state or
#: the vector sum, which the driver would otherwise decode for every row read
_ARTICLE = "rowid, id, source, url, title, published, text, language, fingerprint, duplicate_of, origin"


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(_SCHEMES)


def redacted(url: str) -> str:
    """``url`` without its password (for messages and logs)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    shown = f"{user}:***" if password else user
    return urlunsplit(parts._replace(netloc=f"{shown}@{hostport}"))




def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError("a postgresql:// store needs the postgres extra: pip install 'storyline[postgres]'",
                         code=Codes.STORE_OPEN) from None
    return psycopg


class PostgresStore(DerivedRows, PageRows):
    """A PostgreSQL store (implements :class:`storyline.store.base.Store`). ``path`` is its URL without the password."""

    def __init__(self, url: str, *, readonly: bool = False, wait: float = 0.0) -> None:
        psycopg = self._pg = _psycopg()
        from psycopg.rows import dict_row

        self.url = url
        self.path = redacted(url)  # type: ignore[assignment]  # what messages name
        self.readonly = readonly
        self.writer_lock: AdvisoryLock | None = None
        options = "-c default_transaction_read_only=on" if readonly else None

        def connect() -> Any:
            return psycopg.connect(url, autocommit=True, row_factory=dict_row, options=options,
                                   application_name=application_name(), connect_timeout=30)

        try:
            self.session = Session(psycopg, connect, self.path, reconnect=readonly)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the store {self.path}: {reason(exc)}", code=Codes.STORE_OPEN) from None
        self._hnsw = self._vectors_added = False
        self._index: PgVectorIndex | None = None
        self._forget()
        try:
            if not readonly:
                self.writer_lock = AdvisoryLock(self.session.raw, self.path).acquire(wait)
                apply_pg_migrations(self.session.raw)
            self._prepare(self.session.raw)
            self.session.prepare = self._prepare
        except psycopg.Error as exc:
            self.close()
            raise StoreError(f"cannot open the store {self.path}: {reason(exc)}", code=Codes.STORE_OPEN) from None
        except BaseException:
            self.close()
            raise

    @property
    def conn(self) -> Any:
        """The connection, with every write queued in this transaction sent (see :mod:`.pg_session`)."""
        return self.session.conn

    def _forget(self) -> None:
        """Drop the numbers cached from the database (after a rollback, or before a transaction)."""
        self._numbers: dict[str, int] = {}

    def _rolled_back(self) -> None:
        """Forget what was cached of a transaction that rolled back: the row numbers, the vectors read into memory."""
        self._forget()
        if self._index is not None:
            self._index.forget()

    def _prepare(self, conn: Any) -> None:
        """Teach a connection pgvector's type and the HNSW search settings."""
        from pgvector.psycopg import register_vector

        if conn.execute("SELECT to_regclass('migrations')").fetchone()["to_regclass"] is None:
            raise StoreError(f"{self.path} is not a Storyline store (no migrations table): open it once as a writer",
                             code=Codes.STORE_OPEN)
        register_vector(conn)
        conn.execute("SELECT set_config('hnsw.ef_search', %s, false)", (str(_EF_SEARCH),))
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
        if version and tuple(int(x) for x in version["extversion"].split(".")[:2]) >= (0, 8):
            # a filtered (time window) search keeps scanning the graph until it has k rows, in distance order
            conn.execute("SELECT set_config('hnsw.iterative_scan', 'strict_order', false)")

    def close(self) -> None:
        if self.writer_lock is not None and not self.session.raw.closed:
            try:
                self.writer_lock.release()
            except self._pg.Error:
                pass  # the connection is gone: the server released the lock with it
        self.session.close()

    def __enter__(self) -> "PostgresStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside (or a lost server, SL204) leaves the store as it was before."""
        self._forget()
        with self.session.transaction(self._rolled_back):
            yield
        if self._vectors_added and not self.session.in_transaction:
            self._vectors_added = False
            self.index_vectors()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        if not sql.startswith("INSERT") and _holds_nul(params):
            return []  # PostgreSQL text cannot hold NUL: no stored value equals one (an odd id from a URL, say)
        if sql.startswith(("INSERT", "UPDATE", "DELETE")):
            conn = self.conn
            with self.session.guard(write=True):
                return conn.execute(sql, params).fetchall()
        return self.session.read(lambda conn: conn.execute(sql, params).fetchall())

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.session.write_many(sql, list(rows))

    def _rows(self, sql: str, rows: Iterable[Sequence[Any]], key: Any = None) -> None:
        """An ``INSERT ... VALUES (%s, ...)`` of many rows as a few multi-row statements (one per
        :data:`~.pg_session.ROWS_PER_STATEMENT` rows). ``key``: the conflict key of an upsert, so that of repeated
        keys the last row wins as it would one statement after the other (one statement cannot touch a row twice)."""
        rows = list(rows) if key is None else list({key(r): r for r in rows}.values())
        self.session.write_rows(sql, rows)

    # ------------------------------------------------------------ meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = %s", (key,))
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.session.write("INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          (key, value))

    def migrations(self) -> list[str]:
        return [r["name"] for r in self._all("SELECT name FROM migrations ORDER BY position")]

    def count(self, table: str) -> int:
        if table not in {"articles", "events", "stories", "rejections", "embeddings", "decisions", "mentions"}:
            raise ValueError(table)
        return int(self._one(f"SELECT count(*) AS n FROM {table}")["n"])  # table name checked above

    def write_mark(self) -> tuple[int, int]:
        """Changes when any writer adds articles or events: (newest article position, number of events)."""
        row = self._one("SELECT (SELECT coalesce(max(rowid), 0) FROM articles) AS a, (SELECT count(*) FROM events) AS e")
        return int(row["a"]), int(row["e"])

    def data_version(self) -> str:
        """The server's current snapshot (``xmin:xmax:in-progress``): any commit anywhere on the server changes it."""
        return str(self._one("SELECT pg_current_snapshot()::text AS s")["s"])

    def stamp(self, subject: str, *, event: bool = False) -> tuple[int, ...] | tuple[int, str, int]:
        """As :meth:`SQLiteStore.stamp <storyline.store.sqlite.SQLiteStore.stamp>` (one indexed query)."""
        p = "%s::text"
        return stamps.event_stamp(self._one, p, subject) if event else (stamps.subject_stamp(self._one, p, subject),)

    # ------------------------------------------------------------ articles
    def article_fingerprint(self, article_id: str) -> str | None:
        row = self._one("SELECT fingerprint FROM articles WHERE id = %s", (article_id,))
        return row["fingerprint"] if row else None

    def original_with_fingerprint(self, fingerprint: str) -> str | None:
        row = self._one("SELECT id FROM articles WHERE fingerprint = %s AND duplicate_of IS NULL ORDER BY rowid LIMIT 1",
                        (fingerprint,))
        return row["id"] if row else None

    def article_fingerprints(self, article_ids: Iterable[str]) -> dict[str, str]:
        ids = [i for i in dict.fromkeys(article_ids) if "\x00" not in i]  # text cannot hold NUL: no stored id has one
        if not ids:
            return {}
        return {r["id"]: r["fingerprint"] for r in self._all("SELECT id, fingerprint FROM articles WHERE id = ANY(%s)", (ids,))}

    def originals_with_fingerprints(self, fingerprints: Iterable[str]) -> dict[str, str]:
        wanted = [f for f in dict.fromkeys(fingerprints) if "\x00" not in f]
        if not wanted:
            return {}
        return {r["fingerprint"]: r["id"] for r in self._all(
            "SELECT DISTINCT ON (fingerprint) fingerprint, id FROM articles WHERE fingerprint = ANY(%s) AND duplicate_of IS NULL"
            " ORDER BY fingerprint, rowid", (wanted,))}

    def add_article(self, article: Article) -> int:
        rowid = self._next_number("articles")
        self.session.write(
            "INSERT INTO articles (rowid, id, source, url, title, published, text, language, fingerprint, duplicate_of,"
            " origin, ingested_at, search) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, to_tsvector('simple', %s))",
            (rowid, article.id, article.source, article.url, article.title, _iso(article.published), article.text,
             article.language, article.fingerprint, article.duplicate_of, article.origin, _now(),
             pg_browse.search_document(article.title, article.text)),
        )
        self.session.copy_rows('COPY segments (article_id, idx, kind, start, "end", paragraph) FROM STDIN',
                               [(article.id, i, s.kind, s.start, s.end, s.paragraph) for i, s in enumerate(article.segments)])
        if article.source:
            self.session.write("INSERT INTO sources (name, language) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                              (article.source, article.language))
        return rowid

    def _next_number(self, table: str) -> int:
        """The next row number of ``table`` (``max + 1``, as SQLite numbers rows), counted here within a transaction:
        the writer's lock keeps every other writer out, and a rollback forgets the count (:meth:`_forget`)."""
        cached = self._numbers.get(table)
        if cached is None or not self.session.in_transaction:
            sql = {"articles": "SELECT coalesce(max(rowid), 0) AS n FROM articles",
                   "decisions": "SELECT coalesce(max(id), 0) AS n FROM decisions"}[table]  # fixed text per table
            cached = int(self._one(sql)["n"])
        self._numbers[table] = cached + 1
        return cached + 1

    def article(self, article_id: str) -> Article | None:
        found = self.articles([article_id])
        return found[0] if found else None

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        """The articles with ``ids`` in that order (missing ones left out), or every article in date order."""
        if ids is None:
            rows = self._all(f"SELECT {_ARTICLE} FROM articles ORDER BY published IS NULL, published, rowid")
        else:
            ids = list(ids)
            order = {a: i for i, a in enumerate(ids)}
            rows = sorted(self._all(f"SELECT {_ARTICLE} FROM articles WHERE id = ANY(%s)", (ids,)), key=lambda r: order[r["id"]])
        segments: dict[str, list[Segment]] = {}
        for r in self._all('SELECT article_id, kind, start, "end", paragraph FROM segments WHERE article_id = ANY(%s)'
                           " ORDER BY article_id, idx", ([r["id"] for r in rows],)):
            segments.setdefault(r["article_id"], []).append(Segment(r["kind"], r["start"], r["end"], r["paragraph"]))
        return [_article(r, segments.get(r["id"], [])) for r in rows]

    def segments(self, article_id: str) -> list[Segment]:
        return [Segment(r["kind"], r["start"], r["end"], r["paragraph"]) for r in self._all(
            'SELECT kind, start, "end", paragraph FROM segments WHERE article_id = %s ORDER BY idx', (article_id,))]

    def add_mentions(self, mentions: Iterable[Mention]) -> None:
        self.session.copy_rows('COPY mentions (article_id, start, "end", label, text, key, detail) FROM STDIN',
                               [(m.article_id, m.start, m.end, m.label, m.text, m.key,
                                 json.dumps(m.detail) if m.detail else None) for m in mentions])

    def mentions(self, article_id: str) -> list[Mention]:
        return [Mention(article_id, r["start"], r["end"], r["text"], r["label"], r["key"],
                        json.loads(r["detail"]) if r["detail"] else {})
                for r in self._all('SELECT * FROM mentions WHERE article_id = %s ORDER BY start, "end", seq', (article_id,))]

    def add_places(self, places: Iterable[Place]) -> None:
        self.session.copy_rows(
            'COPY places (article_id, start, "end", text, name, geonameid, latitude, longitude, country_code,'
            " country, admin1, feature_code, precision, confidence) FROM STDIN",
            [(p.article_id, p.start, p.end, p.text, p.name, p.geonameid, p.latitude, p.longitude, p.country_code,
              p.country, p.admin1, p.feature_code, p.precision, p.confidence) for p in places],
        )

    def places(self, article_id: str) -> list[Place]:
        """The toponyms of an article in text order, as resolved when it was ingested."""
        return [Place(article_id, r["start"], r["end"], r["text"], r["name"], r["geonameid"], r["latitude"], r["longitude"],
                      r["country_code"], r["country"], r["admin1"], r["feature_code"], r["precision"], r["confidence"])
                for r in self._all("SELECT * FROM places WHERE article_id = %s ORDER BY start, seq", (article_id,))]

    # ------------------------------------------------------------ vectors and signatures
    def add_embedding(self, article_id: str, model: str, vector_id: int, vector: np.ndarray) -> None:
        vector = np.asarray(vector, dtype=np.float32)
        self._ensure_vector_column(len(vector))
        self._vectors_added = True
        self.session.write("INSERT INTO embeddings (article_id, model, vector_id, vector) VALUES (%s, %s, %s, %s)",
                          (article_id, model, vector_id, vector))

    def _ensure_vector_column(self, dim: int) -> None:
        """Give the vector column its dimension when the first vector arrives."""
        if getattr(self, "_dim", None) == dim:
            return
        with self.session.guard(write=True):
            set_vector_column(self, dim)
        self._dim = dim

    def index_vectors(self) -> bool:
        """Build the HNSW index once the store holds enough vectors (:func:`.pgvectors.index_vectors`); True when it exists."""
        if not (self._hnsw or self.readonly or self.session.in_transaction):
            self._hnsw = index_vectors(self)
        return self._hnsw

    def embeddings(self) -> Iterator[tuple[str, int, np.ndarray]]:
        for r in self._all("SELECT article_id, vector_id, vector FROM embeddings ORDER BY vector_id"):
            yield r["article_id"], r["vector_id"], as_array(r["vector"])

    def embedding_models(self) -> list[str]:
        return [r["model"] for r in self._all("SELECT DISTINCT model FROM embeddings")]

    def vectors(self, article_ids: Iterable[str]) -> dict[str, np.ndarray]:
        return {r["article_id"]: as_array(r["vector"])
                for r in self._all("SELECT article_id, vector FROM embeddings WHERE article_id = ANY(%s)", (list(article_ids),))}

    def vector_index(self, dim: int, cache: Path | None = None) -> PgVectorIndex:
        """The vector index of this store: its embeddings table (no cache file; ``cache`` is ignored). A writer's
        index answers window searches from memory (:class:`PgVectorIndex`); a reader's asks the server each time."""
        self._index = PgVectorIndex(self, dim, cache=not self.readonly)
        return self._index

    def add_signature(self, article_id: str, signature: np.ndarray) -> None:
        self.session.write("INSERT INTO signatures (article_id, minhash) VALUES (%s, %s)", (article_id, signature.tobytes()))

    def signatures(self) -> Iterator[tuple[str, np.ndarray]]:
        for r in self._all("SELECT s.article_id, s.minhash FROM signatures s JOIN articles a ON a.id = s.article_id"
                           " WHERE a.duplicate_of IS NULL ORDER BY a.rowid"):
            yield r["article_id"], np.frombuffer(r["minhash"], dtype=np.uint32)

    def signature_keys(self) -> list[str]:
        """The ids of :meth:`signatures`, in the same order, without reading a signature."""
        return [r["article_id"] for r in self._all("SELECT s.article_id FROM signatures s JOIN articles a ON a.id = s.article_id"
                                                   " WHERE a.duplicate_of IS NULL ORDER BY a.rowid")]

    def duplicates(self) -> dict[str, str]:
        """Every duplicate article's original."""
        return {r["id"]: r["duplicate_of"] for r in self._all("SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL")}

    # ------------------------------------------------------------ rejections
    def add_rejection(self, rejection: Rejection) -> bool:
        """Store a rejection; False when the same one was stored before."""
        conn = self.conn
        with self.session.guard(write=True):
            cur = conn.execute(
                "INSERT INTO rejections (id, origin, line, code, reason, excerpt, created_at)"
                " SELECT coalesce(max(id), 0) + 1, %s, %s, %s, %s, %s, %s FROM rejections ON CONFLICT (origin, line, code) DO NOTHING",
                (rejection.origin, rejection.line, rejection.code, rejection.reason, rejection.excerpt, _now()),
            )
        return cur.rowcount > 0

    def rejections(self) -> list[Rejection]:
        return [Rejection(r["origin"], r["line"], r["code"], r["reason"], r["excerpt"])
                for r in self._all("SELECT * FROM rejections ORDER BY id")]

    # ------------------------------------------------------------ events and stories
    def save_event(self, event: StoredEvent, state: dict[str, Any], vector_sum: bytes) -> None:
        """Write an event's row and the clusterer's memory of it."""
        self.session.write(
            "INSERT INTO events (id, number, story_id, title, date, date_precision, first_date, last_date, size, n_articles,"
            " n_sources, state, vector_sum) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET story_id = excluded.story_id, title = excluded.title, date = excluded.date,"
            " date_precision = excluded.date_precision, first_date = excluded.first_date, last_date = excluded.last_date,"
            " size = excluded.size, n_articles = excluded.n_articles, n_sources = excluded.n_sources,"
            " state = excluded.state, vector_sum = excluded.vector_sum",
            (event.id, event.number, event.story_id, event.title, event.date, event.date_precision, event.first_date,
             event.last_date, event.size, event.n_articles, event.n_sources, json.dumps(state), bytes(vector_sum)),
        )

    def event_states(self) -> Iterator[SavedEventState]:
        for r in self._all("SELECT * FROM events ORDER BY number"):
            yield SavedEventState(_event(r), r["state"], bytes(r["vector_sum"]))

    def events(self, ids: Iterable[str] | None = None, story_id: str | None = None, offset: int = 0,
               limit: int | None = None) -> list[StoredEvent]:
        """Events by id (in that order), of one story (by event date, then first report; ``offset`` and
        ``limit`` page them), or all (in number order). The clustering state is not read."""
        if story_id is not None:
            rows = self._all(f"SELECT {_EVENT} FROM events WHERE story_id = %s ORDER BY coalesce(date, first_date) IS NULL,"
                             " coalesce(date, first_date), first_date NULLS FIRST, number LIMIT %s OFFSET %s",
                             (story_id, limit, offset))
        elif ids is None:
            rows = self._all(f"SELECT {_EVENT} FROM events ORDER BY number")
        else:
            ids = list(ids)
            found = {r["id"]: r for r in self._all(f"SELECT {_EVENT} FROM events WHERE id = ANY(%s)", (ids,))}
            rows = [found[i] for i in ids if i in found]
        return [_event(r) for r in rows]

    def delete_event(self, event_id: str) -> None:
        """Drop an event merged into another (its articles were moved first; its decisions stay)."""
        self.session.write("DELETE FROM events WHERE id = %s", (event_id,))

    def add_event_article(self, event_id: str, article_id: str, position: int) -> None:
        self.session.write("INSERT INTO event_articles (article_id, event_id, position) VALUES (%s, %s, %s)",
                          (article_id, event_id, position))

    def set_event_members(self, event_id: str, members: Iterable[str]) -> None:
        """Make ``members`` (in order) the articles of an event, taking them from any event they were in."""
        self._rows("INSERT INTO event_articles (article_id, event_id, position) VALUES (%s, %s, %s)"
                   " ON CONFLICT (article_id) DO UPDATE SET event_id = excluded.event_id, position = excluded.position",
                   [(article_id, event_id, i) for i, article_id in enumerate(members)], key=lambda r: r[0])

    def event_members(self, event_id: str, offset: int = 0, limit: int | None = None) -> list[str]:
        """The event's articles in the order they joined (``offset`` and ``limit`` page them)."""
        return [r["article_id"] for r in self._all(
            "SELECT article_id FROM event_articles WHERE event_id = %s ORDER BY position LIMIT %s OFFSET %s",
            (event_id, limit, offset))]

    def all_event_members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self._all('SELECT article_id, event_id FROM event_articles ORDER BY event_id COLLATE "C", position'):
            out.setdefault(r["event_id"], []).append(r["article_id"])
        return out

    def event_of_article(self, article_id: str) -> str | None:
        row = self._one("SELECT event_id FROM event_articles WHERE article_id = %s", (article_id,))
        return row["event_id"] if row else None

    def assignments(self) -> dict[str, tuple[str, str | None]]:
        """Every article's event and story id."""
        return {r["article_id"]: (r["event_id"], r["story_id"]) for r in self._all(
            "SELECT ea.article_id, ea.event_id, e.story_id FROM event_articles ea JOIN events e ON e.id = ea.event_id")}

    def save_story(self, story: StoredStory) -> None:
        self.session.write(
            "INSERT INTO stories (id, number, title, first_date, last_date, n_events, n_articles, n_sources)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
            " first_date = excluded.first_date, last_date = excluded.last_date, n_events = excluded.n_events,"
            " n_articles = excluded.n_articles, n_sources = excluded.n_sources",
            (story.id, story.number, story.title, story.first_date, story.last_date, story.n_events, story.n_articles,
             story.n_sources),
        )

    def delete_story(self, story_id: str) -> None:
        self.session.write("DELETE FROM stories WHERE id = %s", (story_id,))

    def story(self, story_id: str) -> StoredStory | None:
        row = self._one("SELECT * FROM stories WHERE id = %s", (story_id,))
        return _story(row) if row else None

    def stories(self, limit: int | None = None, offset: int = 0) -> list[StoredStory]:
        sql = "SELECT * FROM stories ORDER BY last_date IS NULL, last_date DESC, n_articles DESC, number DESC"
        if limit is not None:
            return [_story(r) for r in self._all(sql + " LIMIT %s OFFSET %s", (limit, offset))]
        return [_story(r) for r in self._all(sql)]

    def add_vocabulary(self, kind: str, counts: dict[str, int]) -> None:
        if not counts:
            return
        # one statement of three arrays (a dict: each key once), not thousands of parameters to parse and plan
        self.session.write("INSERT INTO vocabulary (kind, key, df) SELECT %s, * FROM unnest(%s::text[], %s::int[])"
                           " ON CONFLICT (kind, key) DO UPDATE SET df = vocabulary.df + excluded.df",
                           (kind, list(counts), list(counts.values())))

    def vocabulary(self, kind: str) -> dict[str, int]:
        return {r["key"]: r["df"] for r in self._all('SELECT key, df FROM vocabulary WHERE kind = %s ORDER BY key COLLATE "C"', (kind,))}

    def add_decision(self, decision: Decision, level: str) -> None:
        self.session.write(
            "INSERT INTO decisions (id, subject_id, target_id, level, action, score, threshold, features, explanation, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (self._next_number("decisions"), decision.subject_id, decision.target_id, level, decision.action, decision.score, decision.threshold,
             json.dumps(decision.features, sort_keys=True), decision.explanation, _now()),
        )

    def decisions(self, subject_ids: Iterable[str]) -> list[StoredDecision]:
        subjects = list(dict.fromkeys(subject_ids))
        order = {s: i for i, s in enumerate(subjects)}
        rows = self._all("SELECT * FROM decisions WHERE subject_id = ANY(%s) ORDER BY id", (subjects,))
        return [StoredDecision(r["subject_id"], r["target_id"], r["level"], r["action"], r["score"], r["threshold"],
                               json.loads(r["features"]), r["explanation"])
                for r in sorted(rows, key=lambda r: order[r["subject_id"]])]

    # ------------------------------------------------------------ the clusterer's memory
    def save_cluster_memory(self, items: Iterable[tuple[str, dict[str, Any]]], evicted: Iterable[str],
                            pairs: Iterable[tuple[str, str, float]], clear_pairs: bool = False) -> None:
        """Remember originals (in arrival order), forget evicted ones, add pair scores (after emptying them)."""
        self._many("DELETE FROM cluster_items WHERE article_id = %s", [(k,) for k in evicted])
        start = self._one("SELECT coalesce(max(seq), 0) AS s FROM cluster_items")["s"]
        self._rows("INSERT INTO cluster_items (article_id, seq, item) VALUES (%s, %s, %s)",
                   [(k, start + i, json.dumps(item)) for i, (k, item) in enumerate(items, 1)])
        if clear_pairs:
            self.session.write("DELETE FROM cluster_pairs")
        self._rows("INSERT INTO cluster_pairs (a, b, p) VALUES (%s, %s, %s) ON CONFLICT (a, b) DO UPDATE SET p = excluded.p",
                   pairs, key=lambda r: (r[0], r[1]))

    def cluster_memory(self) -> tuple[list[tuple[str, dict[str, Any]]], dict[tuple[str, str], float]]:
        """The remembered originals in arrival order, and the pair scores."""
        items = [(r["article_id"], json.loads(r["item"])) for r in self._all("SELECT article_id, item FROM cluster_items ORDER BY seq")]
        pairs = {(r["a"], r["b"]): r["p"] for r in self._all('SELECT a, b, p FROM cluster_pairs ORDER BY a COLLATE "C", b COLLATE "C"')}
        return items, pairs

    def set_event_date(self, event_id: str, value: str | None, precision: str) -> None:
        self.session.write("UPDATE events SET date = %s, date_precision = %s WHERE id = %s", (value, precision, event_id))

    def refresh_story_dates(self, event_ids: Iterable[str]) -> None:
        """A story spans its events' dates: recompute it for the stories of ``event_ids``."""
        self._many("UPDATE stories SET first_date = (SELECT min(date) FROM events WHERE story_id = stories.id),"
                   " last_date = (SELECT max(date) FROM events WHERE story_id = stories.id)"
                   " WHERE id = (SELECT story_id FROM events WHERE id = %s)", [(e,) for e in event_ids])

    # ------------------------------------------------------------ browsing
    def story_page(self, where: StoryFilter, after: StoryKey | None, limit: int) -> list[StoredStory]:
        """Up to ``limit`` stories after ``after`` in list order (newest and biggest first), matching ``where``."""
        return [_story(r) for r in self.session.read(lambda conn: pg_browse.story_page(conn, where, after, limit))]

    def search(self, text: str, after: int | None, limit: int) -> list[tuple[int, SearchHit]]:
        """Articles with every word of ``text``, newest stored first, each with its position for the next page."""
        rows = self.session.read(lambda conn: pg_browse.search_articles(conn, text, after, limit))
        return [(r["rowid"], SearchHit(r["id"], r["source"], r["published"], r["title"], r["duplicate_of"],
                                       r["event_id"], r["story_id"], *split_marks(r["snippet"])))
                for r in rows]

    # ------------------------------------------------------------ runs
    def start_run(self, components: dict[str, str], settings: dict[str, Any]) -> int:
        row = self._one("INSERT INTO runs (id, started_at, components, settings) SELECT coalesce(max(id), 0) + 1, %s, %s, %s"
                        " FROM runs RETURNING id",
                        (_now(), json.dumps(components, sort_keys=True), json.dumps(settings, sort_keys=True, default=str)))
        return int(row["id"])

    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        self.session.write("UPDATE runs SET finished_at = %s, summary = %s WHERE id = %s",
                          (_now(), json.dumps(summary, default=str), run_id))

    def components(self) -> dict[str, str] | None:
        row = self._one("SELECT components FROM runs ORDER BY id LIMIT 1")
        return json.loads(row["components"]) if row else None


def _holds_nul(params: Sequence[Any]) -> bool:
    return any(("\x00" in p) if isinstance(p, str) else isinstance(p, list) and _holds_nul(p) for p in params)


def _article(row: dict[str, Any], segments: list[Segment]) -> Article:
    published = dt.date.fromisoformat(row["published"][:10]) if row["published"] else None
    return Article(id=row["id"], text=row["text"], source=row["source"], url=row["url"], title=row["title"],
                   published=published, language=row["language"], fingerprint=row["fingerprint"], origin=row["origin"],
                   segments=tuple(segments), duplicate_of=row["duplicate_of"])


#: the columns of a :class:`StoredEvent` (not the clustering state beside them)
_EVENT = "id, number, story_id, title, date, date_precision, first_date, last_date, size, n_articles, n_sources"


def _event(row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(row["id"], row["number"], row["story_id"], row["title"], row["date"], row["date_precision"],
                       row["first_date"], row["last_date"], row["size"], row["n_articles"], row["n_sources"])


def _story(row: dict[str, Any]) -> StoredStory:
    return StoredStory(row["id"], row["number"], row["title"], row["first_date"], row["last_date"], row["n_events"],
                       row["n_articles"], row["n_sources"])
