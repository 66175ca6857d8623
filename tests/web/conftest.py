"""Fixtures for the web tests: a store built through the engine, served by a real uvicorn server."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
import httpx  # noqa: E402

from webtools import TOKEN, build_web_store, live_server  # noqa: E402


@pytest.fixture(scope="module")
def web_store(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("web") / "web.db"
    return path, build_web_store(path)


@pytest.fixture(scope="module")
def server(web_store) -> Iterator[str]:
    path, _ = web_store
    with live_server(path, token=TOKEN) as url:
        yield url


@pytest.fixture
def client(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def demo_server(demo_store) -> Iterator[str]:
    with live_server(demo_store) as url:
        yield url

