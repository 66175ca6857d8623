"""The SQLite store: migrations, WAL, transactions and idempotent rejections."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from storyline.errors import Codes, StoreError
from storyline.model import Article, Rejection, Segment
from storyline.store import migrations
from storyline.store.sqlite import SQLiteStore as Store


def article(article_id="a1", **changes):
    fields = dict(id=article_id, text="Alpha beta. Gamma.", source="Wire", published=dt.date(2023, 3, 6), fingerprint="fp-" + article_id,
                  segments=(Segment("sentence", 0, 11, 0), Segment("sentence", 12, 18, 0)), origin="in.jsonl:1", language="en")
    return Article(**fields | changes)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.db") as s:
        yield s


def test_migrations_are_recorded_and_applied_once(tmp_path):
    with Store(tmp_path / "s.db") as first:
        names = [name for name, _ in migrations.MIGRATIONS]
        assert first.migrations() == names and names[0] == "0001_initial"
    with Store(tmp_path / "s.db") as again:
        assert migrations.apply_migrations(again.conn) == []
        assert again.migrations() == names


def test_a_store_from_an_older_version_is_brought_up_to_date(tmp_path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        with Store(tmp_path / "s.db") as old:
            assert old.migrations() == ["0001_initial"]
    with Store(tmp_path / "s.db") as new:
        assert new.migrations() == [name for name, _ in migrations.MIGRATIONS]
        columns = {r[1] for r in new.conn.execute("PRAGMA table_info(mentions)")}
        assert "detail" in columns


def test_failing_migration_leaves_no_trace(tmp_path, monkeypatch):
    with Store(tmp_path / "s.db") as store:
        before = store.migrations()
        monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + (("9999_broken", "CREATE TABLE half (x); CREATE TABLEX nope"),))
        with pytest.raises(sqlite3.OperationalError):
            migrations.apply_migrations(store.conn)
        assert store.migrations() == before
        assert store.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0] == 0


def test_store_is_in_wal_mode(store, tmp_path):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with sqlite3.connect(tmp_path / "s.db") as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persisted in the file


def test_transaction_rollback_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_article(article())
            store.add_event_article("E1", "a1", 0)
            raise RuntimeError("crash in the middle of a batch")

    assert store.count("articles") == 0
    assert store.conn.execute("SELECT count(*) FROM segments").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM event_articles").fetchone()[0] == 0


def test_committed_transaction_is_visible_to_another_connection(store, tmp_path):
    with store.transaction():
        store.add_article(article())
    with sqlite3.connect(f"file:{tmp_path / 's.db'}?mode=ro", uri=True) as reader:
        assert reader.execute("SELECT id FROM articles").fetchall() == [("a1",)]


def test_file_that_is_not_a_database_fails_with_sl201(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is not a database " * 100)
    with pytest.raises(StoreError) as info:
        Store(path)
    assert info.value.code == Codes.STORE_OPEN
    assert str(path) in str(info.value)


def test_store_creates_missing_parent_folders(tmp_path):
    with Store(tmp_path / "deep" / "er" / "s.db") as store:
        assert store.count("articles") == 0


def test_read_only_store_opens_paths_with_uri_characters_and_refuses_writes(tmp_path):
    path = tmp_path / "odd #1 ?name%20" / "s.db"
    with Store(path) as writer:
        writer.add_article(article())

    with Store(path, readonly=True) as reader:
        assert reader.count("articles") == 1
        with pytest.raises(sqlite3.OperationalError):
            reader.add_article(article("a2"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odd #1 ?name%20"]


def test_read_only_store_of_a_missing_file_fails_with_sl201(tmp_path):
    with pytest.raises(StoreError) as info:
        Store(tmp_path / "absent.db", readonly=True)
    assert info.value.code == Codes.STORE_OPEN
    assert not (tmp_path / "absent.db").exists()


def test_connections_opening_a_new_store_at_once_all_succeed_and_migrate_once(tmp_path):
    # e.g. the web server and an ingest started together on a new database: one writer at a time, each waits its turn
    for trial in range(10):
        path = tmp_path / f"race{trial}.db"
        barrier = threading.Barrier(6)
        errors: list[Exception] = []

        def open_store():
            barrier.wait()
            try:
                Store(path, wait=30).close()
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=open_store) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        with Store(path) as store:
            assert store.migrations() == [name for name, _ in migrations.MIGRATIONS]


def test_store_under_a_file_instead_of_a_folder_fails_with_sl201(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError) as info:
        Store(tmp_path / "afile" / "s.db")
    assert info.value.code == Codes.STORE_OPEN


def test_migration_statements_split_where_sqlite_says_a_statement_ends():
    script = "CREATE TABLE t (a TEXT DEFAULT ';');\nINSERT INTO t VALUES ('x;y'); INSERT INTO t VALUES ('z')"
    assert migrations.statements(script) == ["CREATE TABLE t (a TEXT DEFAULT ';');", "INSERT INTO t VALUES ('x;y');",
                                             "INSERT INTO t VALUES ('z');"]
    with pytest.raises(ValueError, match="incomplete"):
        migrations.statements("INSERT INTO t VALUES ('never closed;")
