"""The throw-away PostgreSQL the suite runs on: it starts, has pgvector, and gives each test its own database."""

from __future__ import annotations

import pytest

psycopg = pytest.importorskip("psycopg", reason="PostgreSQL tests need the postgres extra (pip install -e '.[postgres]')")


def test_the_session_server_has_pgvector_and_separate_databases(pg_server):
    first, second = pg_server.database(), pg_server.database()
    assert first != second
    with psycopg.connect(first, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE TABLE only_here (x int)")
        assert conn.execute("SELECT '[1,2]'::vector <=> '[2,4]'::vector").fetchone()[0] == pytest.approx(0.0)
    with psycopg.connect(second, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('only_here')").fetchone()[0] is None
    assert pg_server.start_seconds < 60
