"""`storyline db copy`, `db migrate`, `db check`: a store copied SQLite -> PostgreSQL -> SQLite keeps every row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import storyline
from processes import run_fake_cli
from storyline.errors import StoreError
from storyline.model import plain
from storyline.pipeline.embed import HashingEmbedder
from storyline.store import open_store
from storyline.store.copy import copy_store, summarise
from support import CapitalisedEntities, options

pytest.importorskip("psycopg", reason="PostgreSQL tests need the postgres extra (pip install -e '.[postgres]')")
DEMO = Path(storyline.__file__).parent / "examples" / "demo.jsonl"


def test_a_store_copied_to_postgresql_and_back_is_the_same_store(tmp_path, pg_server):
    first = tmp_path / "first.db"
    with storyline.Storyline(first, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as engine:
        engine.ingest([str(DEMO)])
        stories = plain(engine.stories())
    url = pg_server.database()

    there = run_fake_cli("db", "copy", str(first), url)
    back = run_fake_cli("db", "copy", url, str(tmp_path / "back.db"))

    assert there.returncode == 0 and back.returncode == 0, there.stderr + back.stderr
    assert "checksums agree" in there.stdout and " articles " in there.stdout
    with open_store(first, readonly=True) as a, open_store(url, readonly=True) as b, open_store(tmp_path / "back.db", readonly=True) as c:
        assert summarise(a) == summarise(b) == summarise(c)
        assert [h.id for _, h in c.search("rescue", None, 10)] == [h.id for _, h in a.search("rescue", None, 10)]
    with storyline.Storyline(url, options(), readonly=True) as engine:
        assert plain(engine.stories()) == stories
    check = run_fake_cli("--db", url, "db", "check", "--json")
    assert check.returncode == 0, check.stderr
    report = json.loads(check.stdout)
    assert report["problems"] == [] and {t["table"]: t["rows"] for t in report["tables"]}["articles"] == 21


def test_vectors_in_blocks_are_copied_to_postgresql_and_back_to_the_last_bit(tmp_path, pg_server):
    import numpy as np

    from storyline.store.vector_blocks import BLOCK

    vectors = np.random.default_rng(1).normal(size=(2 * BLOCK + 3, 16)).astype(np.float32)
    with open_store(tmp_path / "a.db") as a:
        with a.transaction():
            for i, v in enumerate(vectors):
                a.add_embedding(f"a{i}", "m", (i * 31) % 1000, v)
        url = pg_server.database()
        with open_store(url) as b:
            copy_store(a, b)
            with open_store(tmp_path / "c.db") as c:
                copy_store(b, c)
                assert summarise(a) == summarise(b) == summarise(c)
                assert c.conn.execute("SELECT count(*) FROM vector_blocks").fetchone()[0] == 2
                assert [(k, vid, v.tobytes()) for k, vid, v in c.embeddings()] == \
                    [(k, vid, v.tobytes()) for k, vid, v in a.embeddings()] == \
                    [(k, vid, v.tobytes()) for k, vid, v in b.embeddings()]


def test_copy_refuses_a_destination_that_is_not_empty(tmp_path, pg_server):
    url = pg_server.database()
    with open_store(url) as store:
        store.set_meta("k", "v")
        with open_store(tmp_path / "s.db") as source, pytest.raises(StoreError, match="not empty"):
            copy_store(source, store)


def _check_after_damage(tmp_path, damage: str):
    """`db check` on a demo store after one raw SQL statement has damaged it."""
    db = tmp_path / "s.db"
    with storyline.Storyline(db, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as engine:
        engine.ingest([str(DEMO)])
    with sqlite3.connect(db) as conn:
        conn.execute(damage)
    return run_fake_cli("--db", str(db), "db", "check")


def test_db_check_finds_an_event_listing_a_missing_article(tmp_path):
    check = _check_after_damage(
        tmp_path, "INSERT INTO event_articles (article_id, event_id, position) VALUES ('ghost', 'E1', 99)"
    )
    assert check.returncode == 1 and "event E1 lists missing article ghost" in check.stderr


def test_db_check_finds_an_embedding_whose_vector_is_gone(tmp_path):
    check = _check_after_damage(tmp_path, "DELETE FROM vector_pending WHERE slot = 0")
    assert check.returncode == 1 and "no vector for the embedding key" in check.stderr


def test_db_migrate_brings_an_old_postgresql_store_up_to_date(pg_server, monkeypatch):
    from storyline.store import migrations, pg_migrations

    url = pg_server.database()
    with monkeypatch.context() as m:
        m.setattr(pg_migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
        open_store(url).close()
    result = run_fake_cli("--db", url, "db", "migrate")
    assert result.returncode == 0, result.stderr
    later = [name for name, _ in migrations.MIGRATIONS[3:]]
    assert later[:3] == ["0004_search", "0005_relays", "0006_cluster_memory"]
    assert f"applied {len(later)} migrations: {', '.join(later)}" in result.stdout
