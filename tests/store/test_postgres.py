"""The PostgreSQL store's own behaviour: migrations in its dialect, the advisory writer lock, readers beside a
writer, a lost server, and the command line on a postgresql:// URL. (What both stores share is in test_protocol.py.)"""

from __future__ import annotations

import json
import threading
import time

import pytest

from processes import run_fake_cli, start_holder, stop
from storyline.errors import Codes, StoreError, StoreLocked
from storyline.store import migrations, pg_migrations
from storyline.store.postgres import PostgresStore, redacted
from support import FAKE_SETS, FLOOD_A, FLOOD_B, write_jsonl

psycopg = pytest.importorskip("psycopg", reason="PostgreSQL tests need the postgres extra (pip install -e '.[postgres]')")


def test_every_migration_has_a_postgresql_dialect_under_the_same_name():
    names = [name for name, _ in migrations.MIGRATIONS]
    assert list(pg_migrations.POSTGRES_MIGRATIONS) == names  # a new migration adds both texts


def test_migrations_are_recorded_in_order_and_applied_once(pg_server):
    url = pg_server.database()
    with PostgresStore(url) as store:
        assert store.migrations() == [name for name, _ in migrations.MIGRATIONS]
        assert pg_migrations.apply_pg_migrations(store.conn) == []
    with PostgresStore(url) as again:
        assert again.migrations() == [name for name, _ in migrations.MIGRATIONS]


def test_an_older_store_is_brought_up_to_date(pg_server, monkeypatch):
    url = pg_server.database()
    with monkeypatch.context() as m:
        m.setattr(pg_migrations, "MIGRATIONS", migrations.MIGRATIONS[:2])
        with PostgresStore(url) as old:
            assert old.migrations() == ["0001_initial", "0002_places"]
    with PostgresStore(url) as new:
        assert new.migrations() == [name for name, _ in migrations.MIGRATIONS]
        columns = {r["column_name"] for r in new.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'mentions'")}
        assert "detail" in columns


def test_a_failing_migration_leaves_no_trace(pg_server, monkeypatch):
    url = pg_server.database()
    with PostgresStore(url) as store:
        before = store.migrations()
        monkeypatch.setattr(pg_migrations, "MIGRATIONS", migrations.MIGRATIONS + (("9999_broken", ""),))
        monkeypatch.setitem(pg_migrations.POSTGRES_MIGRATIONS, "9999_broken", "CREATE TABLE half (x int); CREATE TABLEX nope")
        with pytest.raises(psycopg.errors.SyntaxError):
            pg_migrations.apply_pg_migrations(store.conn)
        assert store.migrations() == before
        assert store.conn.execute("SELECT to_regclass('half') AS t").fetchone()["t"] is None


def test_a_migration_without_a_postgresql_dialect_is_named(pg_server, monkeypatch):
    url = pg_server.database()
    monkeypatch.setattr(pg_migrations, "MIGRATIONS", migrations.MIGRATIONS + (("0099_sqlite_only", "SELECT 1"),))
    with pytest.raises(StoreError) as info:
        PostgresStore(url)
    assert "0099_sqlite_only" in str(info.value)


def test_a_second_writer_is_refused_with_sl203_naming_the_holder_and_a_reader_is_not(pg_server):
    url = pg_server.database()
    PostgresStore(url).close()
    holder = start_holder(url)
    try:
        started = time.monotonic()
        with pytest.raises(StoreLocked) as info:
            PostgresStore(url)
        assert time.monotonic() - started < 5  # refused at once
        with PostgresStore(url, readonly=True) as reader:  # readers never take the lock
            assert reader.count("articles") == 0
        with pytest.raises(StoreLocked):
            PostgresStore(url, wait=0.5)  # a bounded wait gives up
    finally:
        stop(holder)
    assert info.value.code == Codes.STORE_LOCKED
    message = str(info.value)
    assert f"pid {holder.pid}" in message and redacted(url) in message and "--wait" in message
    with PostgresStore(url) as after_kill:  # the server released the killed holder's lock with its connection
        assert after_kill.writer_lock is not None and after_kill.writer_lock.held


def test_a_waiting_writer_gets_the_store_when_the_holder_closes(pg_server):
    url = pg_server.database()
    first = PostgresStore(url)
    threading.Timer(0.5, first.close).start()
    started = time.monotonic()
    with PostgresStore(url, wait=30) as second:
        assert second.writer_lock.held
    assert 0.3 < time.monotonic() - started < 20


def test_readers_do_not_wait_for_an_open_write_transaction(pg_server):
    url = pg_server.database()
    with PostgresStore(url) as writer, PostgresStore(url, readonly=True) as reader:
        with writer.transaction():
            writer.set_meta("k", "v")
            writer.conn.execute("LOCK TABLE meta IN ROW EXCLUSIVE MODE")
            started = time.monotonic()
            assert reader.get_meta("k") is None
            assert time.monotonic() - started < 2
        assert reader.get_meta("k") == "v"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            reader.set_meta("k", "w")


def test_a_lost_server_connection_fails_the_transaction_with_sl204_and_nothing_is_half_written(pg_server):
    url = pg_server.database()
    with PostgresStore(url) as writer:
        pid = writer.conn.info.backend_pid
        with pytest.raises(StoreError) as info:
            with writer.transaction():
                writer.set_meta("half", "written")
                with psycopg.connect(pg_server.url(), autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                writer.set_meta("more", "x")
        assert info.value.code == Codes.STORE_WRITE and redacted(url) in str(info.value)
    with PostgresStore(url) as again:
        assert again.get_meta("half") is None


def test_the_command_line_uses_a_postgresql_url_from_db_or_storyline_db(pg_server, tmp_path):
    url = pg_server.database()
    path = write_jsonl(tmp_path / "in.jsonl", [FLOOD_A, FLOOD_B])

    ingest = run_fake_cli("--db", url, *FAKE_SETS, "ingest", str(path))
    assert ingest.returncode == 0, ingest.stderr
    listed = run_fake_cli("stories", "--json", env={"STORYLINE_DB": url})
    assert listed.returncode == 0, listed.stderr
    (story,) = json.loads(listed.stdout)
    assert sorted(a for e in story["events"] for a in e["articles"]) == ["flood-1", "flood-2"]
    assert not list(tmp_path.glob("*.faiss")) and not (tmp_path / "postgresql:").exists()


def test_the_hnsw_index_is_built_once_the_store_holds_enough_vectors_and_searches_agree(pg_server, monkeypatch):
    import numpy as np

    from storyline.store import pgvectors

    monkeypatch.setattr(pgvectors, "HNSW_MIN_VECTORS", 30)
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((40, 16)).astype(np.float32)
    with PostgresStore(pg_server.database()) as store:
        index = store.vector_index(16)
        with store.transaction():
            for i in range(20):
                store.add_embedding(f"a{i}", "m", i, vectors[i])
        assert not store.index_vectors()  # 20 < 30: exact scans only
        exact = [index.search(v, 5) for v in vectors[:5]]
        with store.transaction():
            for i in range(20, 40):
                store.add_embedding(f"a{i}", "m", i, vectors[i])
            assert store.conn.execute("SELECT to_regclass('embeddings_hnsw') AS t").fetchone()["t"] is None
        assert store.conn.execute("SELECT to_regclass('embeddings_hnsw') AS t").fetchone()["t"] is not None
        assert store.conn.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'embeddings'::regclass"
                                  " AND attname = 'vector'").fetchone()["attstorage"] == "p"  # in the row
        top = [index.search(v, 5, (0, 20)) for v in vectors[:5]]
        assert top == exact  # the first 20 vectors' window: the same neighbours and cosines with the index


def test_a_writers_window_search_reads_each_day_once_sees_what_it_adds_and_forgets_a_rolled_back_batch(pg_server):
    import datetime as dt

    import numpy as np

    from storyline.store.vectors import FaissIndex, day_range, vector_id

    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((12, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    days = [dt.date(2024, 5, 1) + dt.timedelta(days=i % 6) for i in range(12)]
    ids = [vector_id(day, i + 1) for i, day in enumerate(days)]
    with PostgresStore(pg_server.database()) as store:
        index = store.vector_index(16)
        with store.transaction():
            for i in range(8):
                store.add_embedding(f"a{i}", "m", ids[i], vectors[i])
        reads = []
        session_read = store.session.read
        store.session.read = lambda run: reads.append(1) or session_read(run)
        window = day_range(dt.date(2024, 5, 3), 2)
        first = [index.search(v, 4, window) for v in vectors[:4]]
        assert len(reads) == 1  # the window's days, read once
        expected = FaissIndex(16)
        expected.add(ids[:8], [f"a{i}" for i in range(8)], vectors[:8])
        assert first == [expected.search(v, 4, window) for v in vectors[:4]]  # the SQLite store's index, to the bit
        assert first == [index._ask_pgvector(v, 4, window) for v in vectors[:4]]
        with store.transaction():  # a day already read gains the vectors the writer adds
            for i in range(8, 10):
                store.add_embedding(f"a{i}", "m", ids[i], vectors[i])
                index.add([ids[i]], [f"a{i}"], vectors[i].reshape(1, -1))
        reads.clear()
        expected.add(ids[8:10], ["a8", "a9"], vectors[8:10])
        assert [index.search(v, 4, window) for v in vectors[8:10]] == [expected.search(v, 4, window) for v in vectors[8:10]]
        assert index.search(vectors[8], 1, window)[0][0] == "a8" and not reads
        with pytest.raises(RuntimeError), store.transaction():
            store.add_embedding("a10", "m", ids[10], vectors[10])
            index.add([ids[10]], ["a10"], vectors[10].reshape(1, -1))
            assert index.search(vectors[10], 1, window)[0][0] == "a10"
            raise RuntimeError("the batch fails")
        assert index.search(vectors[10], 1, window)[0][0] != "a10"  # gone with its batch: the days were read again
        assert len(reads) == 1
