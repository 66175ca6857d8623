"""Bad input never aborts a run: every bad record is stored as a rejection with its reason, once."""

from __future__ import annotations

from storyline.model import plain
import json

import pytest

from support import CHESS_A, FLOOD_A, FLOOD_B, write_jsonl, write_txt
from storyline.errors import Codes

GOOD_TEXT = FLOOD_A["title"] + "\n\n" + FLOOD_A["text"]


def make_bad_files(folder):
    """One file per kind of bad input, as (path, expected code, expected line)."""
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "no-date.txt").write_text("Marlow flooded after the Thames burst its banks.\n", encoding="utf-8")
    write_txt(folder / "bad-date.txt", "2022-13-45", "Marlow flooded after the Thames burst its banks.")
    (folder / "latin1.txt").write_bytes("date 2023-03-06\nCaf\u00e9s in Marlow flooded on Sunday.".encode("latin-1"))
    (folder / "no-text-column.csv").write_text("id,date,body\nc1,2023-03-06,Marlow flooded\n", encoding="utf-8")
    return [
        (folder / "bad-date.txt", Codes.BAD_DATE, 1),
        (folder / "empty.txt", Codes.EMPTY_FILE, 0),
        (folder / "image.txt", Codes.BINARY, 0),
        (folder / "latin1.txt", Codes.NOT_UTF8, 1),
        (folder / "no-date.txt", Codes.NO_DATE_LINE, 1),
        (folder / "no-text-column.csv", Codes.MISSING_FIELD, 1),
    ]


def by_place(engine):
    return {(r.origin, r.line): r for r in engine.rejections()}


@pytest.mark.parametrize(
    ("name", "content", "code", "reason"),
    [
        ("empty.txt", b"", Codes.EMPTY_FILE, "empty"),
        ("binary.txt", b"\x00\x01\x02\xff" * 100, Codes.BINARY, "binary"),
        ("no-date.txt", b"Marlow flooded after the Thames burst its banks.", Codes.NO_DATE_LINE, "date YYYY-MM-DD"),
        ("bad-date.txt", b"date 2022-13-45\nMarlow flooded.", Codes.BAD_DATE, "2022-13-45"),
        ("latin1.txt", "date 2023-03-06\nCaf\u00e9 flooded".encode("latin-1"), Codes.NOT_UTF8, "not UTF-8"),
        ("no-text.csv", b"id,body\n1,Marlow flooded\n", Codes.MISSING_FIELD, "'text' column"),
        ("empty-text.jsonl", b'{"id": "e", "text": "   "}\n', Codes.EMPTY_TEXT, "empty"),
        ("wrong-type.jsonl", b'{"id": "w", "text": ["a", "b"]}\n', Codes.BAD_FIELD, "must be a string"),
    ],
)
def test_bad_file_is_stored_as_a_rejection_with_its_reason(fake_engine, tmp_path, name, content, code, reason):
    path = tmp_path / name
    path.write_bytes(content)
    engine = fake_engine()

    summary = engine.ingest([str(path)])

    assert (summary.ingested, summary.rejected) == (0, 1)
    (rejection,) = engine.rejections()
    assert (rejection.origin, rejection.code) == (str(path), code)
    assert reason in rejection.reason


def test_a_batch_of_bad_files_does_not_stop_the_good_ones(fake_engine, tmp_path):
    bad = make_bad_files(tmp_path / "in")
    write_txt(tmp_path / "in" / "good.txt", "2023-03-06", GOOD_TEXT)
    write_jsonl(tmp_path / "in" / "more.jsonl", [FLOOD_B, CHESS_A])
    engine = fake_engine()

    summary = engine.ingest([str(tmp_path / "in")])

    assert (summary.ingested, summary.rejected) == (3, len(bad))
    assert {(str(path), code, line) for path, code, line in bad} == {(r.origin, r.code, r.line) for r in engine.rejections()}
    assert all(r.reason for r in engine.rejections())
    assert {a["id"] for a in plain(engine.articles())} >= {"flood-2", "chess-1"}


def test_a_second_run_does_not_duplicate_rejections(fake_engine, tmp_path):
    bad = make_bad_files(tmp_path / "in")
    engine = fake_engine()
    engine.ingest([str(tmp_path / "in")])
    first = engine.rejections()
    engine.close()  # one writer per store: the second run opens it again
    engine = fake_engine()

    again = engine.ingest([str(tmp_path / "in")])

    assert len(first) == len(bad)
    assert engine.rejections() == first
    assert engine.store.count("rejections") == len(bad)
    assert again.rejected == len(bad)  # still reported for the run, stored once


def test_malformed_json_line_among_good_lines(fake_engine, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [FLOOD_A, '{"id": "half", "text": "cut off', FLOOD_B, "", "not json at all", CHESS_A])
    engine = fake_engine()

    summary = engine.ingest([str(path)])

    assert (summary.ingested, summary.rejected) == (3, 2)
    assert {a["id"] for a in plain(engine.articles())} == {"flood-1", "flood-2", "chess-1"}
    places = by_place(engine)
    assert set(places) == {(str(path), 2), (str(path), 5)}
    assert places[(str(path), 2)].code == Codes.BAD_JSON
    assert places[(str(path), 2)].excerpt.startswith('{"id": "half"')


def test_csv_without_text_column_is_rejected_and_other_files_ingested(fake_engine, tmp_path):
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("id,date,body\nc1,2023-03-06,Marlow flooded\n", encoding="utf-8")
    good = write_jsonl(tmp_path / "b.jsonl", [FLOOD_A])
    engine = fake_engine()

    summary = engine.ingest([str(csv_path), str(good)])

    assert (summary.ingested, summary.rejected) == (1, 1)
    (rejection,) = engine.rejections()
    assert (rejection.origin, rejection.line, rejection.code) == (str(csv_path), 1, Codes.MISSING_FIELD)


def test_csv_row_missing_its_text_is_rejected_with_its_line(fake_engine, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(f"id,date,text\nc1,2023-03-06,\nc2,2023-03-06,{json.dumps(FLOOD_A['text'])}\n", encoding="utf-8")
    engine = fake_engine()

    summary = engine.ingest([str(path)])

    assert (summary.ingested, summary.rejected) == (1, 1)
    assert (engine.rejections()[0].line, engine.rejections()[0].code) == (2, Codes.MISSING_FIELD)


def test_same_article_twice_under_two_names_is_stored_once_and_not_rejected(fake_engine, tmp_path):
    paths = [write_txt(tmp_path / name, "2023-03-06", GOOD_TEXT) for name in ("a.txt", "b.txt")]
    engine = fake_engine()

    summary = engine.ingest([str(p) for p in paths])

    assert (summary.ingested, summary.unchanged, summary.rejected) == (1, 1, 0)
    assert len(plain(engine.articles())) == 1 and engine.rejections() == []


def test_missing_file_is_rejected_and_the_rest_ingested(fake_engine, tmp_path):
    good = write_jsonl(tmp_path / "b.jsonl", [FLOOD_A])
    engine = fake_engine()

    summary = engine.ingest([str(tmp_path / "absent.jsonl"), str(good)])

    assert (summary.ingested, summary.rejected) == (1, 1)
    assert engine.rejections()[0].code == Codes.NO_INPUT


def test_a_50_mb_file_is_rejected_as_too_large_without_aborting_the_batch(fake_engine, tmp_path):
    huge = tmp_path / "a-huge.txt"
    paragraph = ("Marlow flooded again after the Thames burst its banks. " * 20 + "\n\n").encode("utf-8")
    with huge.open("wb") as fh:
        fh.write(b"date 2023-03-06\n")
        for _ in range(50 * 1024 * 1024 // len(paragraph) + 1):
            fh.write(paragraph)
    assert huge.stat().st_size >= 50 * 1024 * 1024
    good = write_jsonl(tmp_path / "b-good.jsonl", [FLOOD_A, CHESS_A])
    engine = fake_engine()

    summary = engine.ingest([str(huge), str(good)])

    # the default limit is 2,000,000 characters, so the file is rejected with SL107
    assert (summary.ingested, summary.rejected) == (2, 1)
    (rejection,) = engine.rejections()
    assert (rejection.origin, rejection.line, rejection.code) == (str(huge), 1, Codes.TOO_LARGE)
    assert "too large" in rejection.reason and len(rejection.excerpt) <= 200
    assert {a["id"] for a in plain(engine.articles())} == {"flood-1", "chess-1"}
