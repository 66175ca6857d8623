"""schemathesis with every check against a real server: the OpenAPI document says what the API does.

Runs the schemathesis command line (the dev extra) on a live server over the web test store, with the
repository's schemathesis.toml, for a bounded number of examples per operation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from webtools import TOKEN, build_web_store, live_server

ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_finds_no_failure_with_all_checks(tmp_path):
    sibling = Path(sys.executable).with_name("schemathesis")  # the same environment as the tests
    command = str(sibling) if sibling.exists() else shutil.which("schemathesis")
    if command is None:
        pytest.skip("schemathesis is not installed: pip install -e '.[dev]'")
    db = tmp_path / "st.db"
    build_web_store(db)
    with live_server(db, token=TOKEN) as url:
        result = subprocess.run(
            [command, "run", f"{url}/api/openapi.json", "--checks", "all", "-H", f"Authorization: Bearer {TOKEN}",
             "--max-examples", "15", "--workers", "1", "--no-color", "--seed", "13"],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "passed" in result.stdout and "failed" not in result.stdout.split("SUMMARY")[-1]
