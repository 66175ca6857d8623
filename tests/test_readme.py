"""The README tells the truth: its example outputs are what the commands print.

The demo block must equal what `storyline demo` prints (timings masked); an
abridged block (``show E1``) must be lines of the real output in order, where
a line ending in "..." stands for any line that starts with what comes before.
When a change alters the output, these tests print the real output to paste.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storyline.cli.ingesting import serve_banner
from support import run_cli

pytestmark = pytest.mark.slow  # the demo runs the real models

README = Path(__file__).resolve().parents[1] / "README.md"
_TIMING = re.compile(r"in \d+(\.\d+)?s \(\d+(\.\d+)? articles/s\)")


def block_after(marker: str) -> list[str]:
    """The lines of the first fenced block after the line containing ``marker``."""
    text = README.read_text(encoding="utf-8")
    start = text.index(marker)
    body = text[text.index("```", start) :].split("\n", 1)[1]
    return body[: body.index("```")].rstrip("\n").split("\n")


def masked(lines: list[str]) -> list[str]:
    return [_TIMING.sub("in Ns (N articles/s)", line.rstrip()) for line in lines]


def is_abridgement(readme: list[str], real: list[str]) -> bool:
    """Every README line is a real line (or the start of one, when it ends in "..."), in order."""
    it = iter(real)
    for line in readme:
        want = line.rstrip()
        prefix = want[:-3] if want.endswith("...") else None
        if not any((r.rstrip() == want) or (prefix is not None and r.startswith(prefix)) for r in it):
            return False
    return True


def test_the_demo_block_is_what_storyline_demo_prints(demo_run):
    _, stdout = demo_run
    readme = block_after("The demo prints")
    real = stdout.rstrip("\n").split("\n")
    # the README's command serves the demo, so its last line is the server's banner instead of the hint to serve
    assert readme[-1] == serve_banner(8000)
    assert masked(readme[:-1]) == masked(real[:-1]), "README demo block is stale; `storyline demo` printed:\n" + stdout


def test_the_show_e1_block_is_an_abridgement_of_what_show_prints(demo_run):
    store, _ = demo_run
    result = run_cli("--db", str(store), "show", "E1")
    assert result.returncode == 0, result.stderr
    readme = block_after("`storyline --db storyline-demo.db show E1` on the founding articles prints")
    assert is_abridgement(readme, result.stdout.split("\n")), "README show E1 block is stale; it printed:\n" + result.stdout


def test_abridgements_must_keep_order_and_content():
    real = ["event E1: a long title here", "  date 2022-06-15", "  record:"]
    assert is_abridgement(["event E1: a long...", "  record:"], real)
    assert not is_abridgement(["  record:", "event E1: a long..."], real)
    assert not is_abridgement(["  date 2022-06-16"], real)
