"""Embeddings in SQLite as blocks of vectors: what goes in comes out to the last bit, across a block's end, a
reopened store, a rolled-back batch and the migration of a store written with one row per vector."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from storyline.errors import StoreError
from storyline.store import migrations
from storyline.store.sqlite import SQLiteStore as Store
from storyline.store.vector_blocks import BLOCK


def _vectors(n, dim=8, seed=0):
    return np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)


def _fill(store, vectors, start=0, model="m"):
    with store.transaction():
        for i, v in enumerate(vectors, start):
            store.add_embedding(f"a{i}", model, (i * 7919) % 100_003, v)  # vector ids out of arrival order


def test_vectors_come_back_exactly_in_vector_id_order_across_blocks(tmp_path):
    vectors = _vectors(2 * BLOCK + 5)
    with Store(tmp_path / "s.db") as store:
        _fill(store, vectors)
        assert store.conn.execute("SELECT count(*) FROM vector_blocks").fetchone()[0] == 2
        assert store.conn.execute("SELECT count(*) FROM vector_pending").fetchone()[0] == 5
    with Store(tmp_path / "s.db") as store:
        rows = list(store.embeddings())
        assert [vid for _, vid, _ in rows] == sorted((i * 7919) % 100_003 for i in range(len(vectors)))
        assert {k: v.tobytes() for k, _, v in rows} == {f"a{i}": v.tobytes() for i, v in enumerate(vectors)}
        found = store.vectors([f"a{i}" for i in (0, BLOCK - 1, BLOCK, 2 * BLOCK + 4)] + ["nobody"])
        assert set(found) == {"a0", f"a{BLOCK - 1}", f"a{BLOCK}", f"a{2 * BLOCK + 4}"}
        assert found[f"a{BLOCK}"].tobytes() == vectors[BLOCK].tobytes()
        assert store.count("embeddings") == len(vectors)
        # the view gives the old table's rows, for ad-hoc SQL
        assert store.conn.execute("SELECT vector FROM embeddings WHERE article_id = ?", (f"a{BLOCK + 1}",)).fetchone()[0] \
            == vectors[BLOCK + 1].tobytes()


def test_a_rolled_back_batch_leaves_the_committed_blocks_and_the_open_one(tmp_path):
    vectors = _vectors(BLOCK + 10)
    with Store(tmp_path / "s.db") as store:
        _fill(store, vectors[: BLOCK - 3])
        with pytest.raises(RuntimeError):
            with store.transaction():
                for i in range(BLOCK - 3, BLOCK + 10):  # fills the open block and starts the next, then fails
                    store.add_embedding(f"a{i}", "m", 200_000 + i, vectors[i])
                raise RuntimeError("killed")
        assert store.count("embeddings") == BLOCK - 3
        _fill(store, vectors[BLOCK - 3 :], start=BLOCK - 3)
        assert {k: v.tobytes() for k, _, v in store.embeddings()} == {f"a{i}": v.tobytes() for i, v in enumerate(vectors)}


def test_a_vector_of_another_width_closes_the_open_block(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _fill(store, _vectors(3, dim=8))
        _fill(store, _vectors(2, dim=4, seed=1), start=3, model="other")
        widths = [r[0] for r in store.conn.execute("SELECT width FROM vector_blocks ORDER BY block")]
        assert widths == [32]
        assert sorted(len(v) for _, _, v in store.embeddings()) == [4, 4, 8, 8, 8]
        assert sorted(store.embedding_models()) == ["m", "other"]


def test_a_key_whose_block_is_gone_is_an_error_not_a_zero_vector(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _fill(store, _vectors(BLOCK))
        store.conn.execute("DELETE FROM vector_blocks")
        with pytest.raises(StoreError, match="damaged"):
            list(store.embeddings())


def test_the_migration_packs_a_store_written_with_one_row_per_vector(tmp_path, monkeypatch):
    vectors = _vectors(BLOCK + 3)
    with monkeypatch.context() as m:
        m.setattr(migrations, "MIGRATIONS", tuple(x for x in migrations.MIGRATIONS if x[0] < "0010"))
        with Store(tmp_path / "s.db") as old:
            with old.transaction():
                for i, v in enumerate(vectors):
                    old.conn.execute("INSERT INTO embeddings (article_id, model, vector_id, vector) VALUES (?, ?, ?, ?)",
                                     (f"a{i}", "m", 1000 - i, v.tobytes()))
    with Store(tmp_path / "s.db") as new:
        assert "0010_vector_blocks" in new.migrations()
        rows = list(new.embeddings())
        assert [vid for _, vid, _ in rows] == sorted(1000 - i for i in range(len(vectors)))
        assert {k: v.tobytes() for k, _, v in rows} == {f"a{i}": v.tobytes() for i, v in enumerate(vectors)}
        assert new.conn.execute("SELECT count(*) FROM vector_blocks").fetchone()[0] == 1
        kinds = dict(new.conn.execute("SELECT name, type FROM sqlite_master WHERE name = 'embeddings'").fetchall())
        assert kinds == {"embeddings": "view"}
    assert sqlite3.connect(tmp_path / "s.db").execute("PRAGMA integrity_check").fetchone()[0] == "ok"
