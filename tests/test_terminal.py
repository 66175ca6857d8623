"""Control characters from an article's source, url, id, language or title are never printed raw by the
command line: human output shows them as escapes, JSON output as \\u escapes that parse to the same data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from storyline.cli import cli
from storyline.model import Rejection
from storyline.terminal import printable, printable_json
from support import FLOOD_A, FLOOD_B

EVIL_ID = "flood-1\x1b[2J"
EVIL = {
    "source": "River\x1b]52;c;ZXZpbA==\x07 Times",
    "url": "https://e.org/\x1b]8;;https://evil.example\x1b\\",
    "language": "en\x9b31m",
    "title": "Floods \u202eswamp\u202c Marlow\nS99 fake line",
}
RAW = ["\x1b", "\x07", "\x9b", "\u202e", "\u202c"]


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


@pytest.fixture
def evil_db(tmp_path, fake_engine):
    """A store holding what older versions let through: the raw values are written into it directly."""
    db = tmp_path / "evil.db"
    engine = fake_engine(db)
    engine.ingest_records([FLOOD_A, FLOOD_B])
    with engine.store.transaction():
        conn = engine.store.conn
        conn.execute("UPDATE articles SET source = ?, url = ?, language = ?, title = ?, id = ? WHERE id = 'flood-1'",
                     (EVIL["source"], EVIL["url"], EVIL["language"], EVIL["title"], EVIL_ID))
        conn.execute("UPDATE event_articles SET article_id = ? WHERE article_id = 'flood-1'", (EVIL_ID,))
        conn.execute("UPDATE events SET title = ?", (EVIL["title"],))
        conn.execute("UPDATE stories SET title = ?", (EVIL["title"],))
        engine.store.add_rejection(Rejection("in\x1b[31m.jsonl", 3, "SL103", "bad \x1b]0;title\x07 date", ""))
    engine.close()
    return db


@pytest.mark.parametrize("args", [["articles"], ["stories"], ["show", EVIL_ID], ["show", "E1"], ["show", "S1"],
                                  ["rejections"], ["articles", "--json"], ["stories", "--json"], ["show", EVIL_ID, "--json"],
                                  ["export"], ["rejections", "--json"]])
def test_no_control_character_from_the_store_reaches_the_terminal(evil_db, args):
    result = CliRunner().invoke(cli, ["--db", str(evil_db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for char in RAW:
        assert char not in result.output, (args, repr(result.output[:400]))
    if "--json" in args or args == ["export"]:
        documents = [json.loads(line) for line in result.output.splitlines()] if args == ["export"] else [json.loads(result.output)]
        values = set(_strings(documents))
        assert values & {EVIL_ID, EVIL["title"], "in\x1b[31m.jsonl"}  # the same data, escaped only in transit
    elif args[0] in ("articles", "show") and args[-1] == EVIL_ID or args == ["articles"]:
        assert "\\x1b" in result.output
    assert "\nS99 fake line" not in result.output  # a value never fakes a line of its own


def test_json_escapes_parse_to_the_same_data():
    data = {"source": EVIL["source"], "title": EVIL["title"], "lang": EVIL["language"], "plain": "café ✓"}
    text = printable_json(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert "café ✓" in text and "\u202e" not in text and "\x9b" not in text


def test_printable_escapes_strings_inside_containers_and_lone_surrogates():
    assert printable({"a\x1b": ["x\x07", ("\ud800",)], "n": 3}) == {"a\\x1b": ["x\\x07", ("\\ud800",)], "n": 3}
    assert printable("Zürich — ok") == "Zürich — ok"
