"""Shared fixtures: engines with fake seams, and the real models.

Most tests use ``fake_engine``: the hashing embedder (no model) and
``support.CapitalisedEntities``, a deterministic fake entity extractor.
``real_engine`` uses the default models, loaded once per session.
"""

from __future__ import annotations

import os
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


@pytest.fixture
def fake_engine(tmp_path):
    """Factory: ``fake_engine(db=None, **settings)`` -> an open Storyline with fake seams."""
    engines: list[storyline.Storyline] = []

    def make(db: str | Path | None = None, **settings: Any) -> storyline.Storyline:
        engine = storyline.Storyline(
            db or tmp_path / "t.db",
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
