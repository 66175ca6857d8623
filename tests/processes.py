"""Real processes for the tests: a writer that holds a store, and the command line with the fake seams."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["FAKE_CLI", "start_holder", "start_cli", "run_fake_cli", "stop"]

TESTS = Path(__file__).resolve().parent

#: a process that opens the store (a SQLite file or a PostgreSQL URL) as a writer, says so, and keeps it until
#: killed (or for `hold` seconds)
_HOLDER = """
import sys, time
from storyline.store import open_store
store = open_store(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
store.close()
"""

#: the real command line in a real process, with the test fakes registered (no model to load)
_CLI = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import support  # registers the fake entity extractor
from storyline.cli import main
sys.argv[0] = "storyline"
main()
"""


#: the command (before its arguments) that runs the command line with the fakes
FAKE_CLI = (sys.executable, "-c", _CLI, str(TESTS))


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}


def start_holder(db: Path | str, hold: float = 120) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(db), str(hold)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    line = proc.stdout.readline()
    assert line.strip() == "holding", proc.stderr.read()
    return proc


def start_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([*FAKE_CLI, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env() | (env or {}))


def run_fake_cli(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = start_cli(*args, env=env)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate()
