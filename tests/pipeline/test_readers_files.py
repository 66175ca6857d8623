"""Ingest: files, folders, globs and streams become raw records or rejections, never exceptions."""

from __future__ import annotations

import io
import json

import pytest

from storyline.errors import Codes
from storyline.model import RawRecord, Rejection
from storyline.pipeline.readers import detect_format, expand_paths, read_path, read_stream


def records(items):
    return [i for i in items if isinstance(i, RawRecord)]


def rejections(items):
    return [i for i in items if isinstance(i, Rejection)]


# ---------------------------------------------------------------- expand_paths


def test_folder_is_walked_recursively_in_sorted_order_skipping_hidden_entries(tmp_path):
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.jsonl").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "d.txt").write_text("x")

    found = list(expand_paths([str(tmp_path)]))

    assert found == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), str(tmp_path / "sub" / "c.jsonl")]


def test_glob_expands_to_sorted_matches(tmp_path):
    for name in ("2.jsonl", "1.jsonl", "3.txt"):
        (tmp_path / name).write_text("x")

    assert list(expand_paths([str(tmp_path / "*.jsonl")])) == [str(tmp_path / "1.jsonl"), str(tmp_path / "2.jsonl")]


def test_missing_file_and_empty_glob_become_rejections_not_errors(tmp_path):
    missing, empty_glob = list(expand_paths([str(tmp_path / "nope.txt"), str(tmp_path / "*.csv")]))

    assert isinstance(missing, Rejection) and missing.code == Codes.NO_INPUT
    assert missing.origin == str(tmp_path / "nope.txt")
    assert isinstance(empty_glob, Rejection) and empty_glob.code == Codes.NO_INPUT


def test_file_whose_name_looks_like_a_glob_is_read_literally(tmp_path):
    literal = tmp_path / "report[1].txt"
    literal.write_text("x")

    assert list(expand_paths([str(literal)])) == [str(literal)]


def test_dash_means_standard_input():
    assert list(expand_paths(["-"])) == ["-"]


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        ("a.TXT", b"anything", "txt"),
        ("a.jsonl", b"anything", "jsonl"),
        ("a.ndjson", b"anything", "jsonl"),
        ("a.csv", b"anything", "csv"),
        ("noext", b'  {"text": "x"}', "jsonl"),
        ("noext", b"date 2022-06-18\nText", "txt"),
        ("noext", b"id,text\n1,x", None),
        ("-", b"id,text\n1,x", "csv"),
        ("<stdin>", b"id,text\n1,x", "csv"),
        ("notes.md", b"# Notes", None),
    ],
)
def test_format_comes_from_the_extension_or_the_first_bytes(path, head, expected):
    assert detect_format(path, head) == expected


def test_csv_on_standard_input_is_sniffed(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(b"id,date,text\nx1,2022-06-18,Hello there world\n"))
    monkeypatch.setattr("sys.stdin", stdin)

    items = list(read_path("-"))

    assert [r.fields["id"] for r in records(items)] == ["x1"]
    assert records(items)[0].origin == "<stdin>"


# ---------------------------------------------------------------- txt


def test_txt_date_line_is_split_from_the_article(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("date 2022-06-18\nFirst line.\n\nSecond paragraph.\n", encoding="utf-8")

    (record,) = list(read_path(str(path)))

    assert record == RawRecord(str(path), 1, {"date": "2022-06-18", "text": "First line.\n\nSecond paragraph.\n"})


def test_txt_date_may_share_the_line_with_the_text_and_follow_a_bom(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeff date 2022-06-18 Russian troops".encode("utf-8"))

    (record,) = list(read_path(str(path)))

    assert record.fields == {"date": "2022-06-18", "text": "Russian troops"}


def test_txt_without_date_line_is_rejected_with_an_excerpt(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Russian troops carried out an airstrike.", encoding="utf-8")

    (rejection,) = list(read_path(str(path)))

    assert rejection.code == Codes.NO_DATE_LINE
    assert (rejection.origin, rejection.line) == (str(path), 1)
    assert rejection.excerpt.startswith("Russian troops")


def test_non_utf8_txt_is_rejected(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("date 2022-06-18\nCaf\u00e9 society".encode("latin-1"))

    (rejection,) = list(read_path(str(path)))

    assert rejection.code == Codes.NOT_UTF8
    assert "offset" in rejection.reason


@pytest.mark.parametrize(("content", "code"), [(b"", Codes.EMPTY_FILE), (b"  \n\n\t", Codes.EMPTY_FILE), (b"\x89PNG\r\n\x1a\n\x00\x00", Codes.BINARY)])
def test_empty_and_binary_files_are_rejected_whole(tmp_path, content, code):
    path = tmp_path / "a.txt"
    path.write_bytes(content)

    (rejection,) = list(read_path(str(path)))

    assert (rejection.code, rejection.line, rejection.origin) == (code, 0, str(path))


def test_unknown_format_is_rejected_with_the_known_ones(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Notes\nnothing here")

    (rejection,) = list(read_path(str(path)))

    assert rejection.code == Codes.UNKNOWN_FORMAT
    assert ".jsonl" in rejection.reason


def test_explicit_format_overrides_the_extension(tmp_path):
    path = tmp_path / "data.log"
    path.write_text('{"text": "hello"}\n')

    assert records(read_path(str(path), "jsonl"))[0].fields == {"text": "hello"}


# ---------------------------------------------------------------- jsonl


def test_jsonl_bad_lines_are_rejected_with_their_line_and_good_lines_still_read(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(
        b'{"id": "1", "text": "one"}\n'
        b"\n"
        b'{"id": "2", "text": \n'
        b"[1, 2]\n"
        b'{"id": "3", "text": "caf\xe9"}\n'
        b'{"id": "4", "text": "four"}\r\n'
    )

    items = list(read_path(str(path)))

    assert [(r.line, r.fields["id"]) for r in records(items)] == [(1, "1"), (6, "4")]
    assert [(r.line, r.code) for r in rejections(items)] == [(3, Codes.BAD_JSON), (4, Codes.BAD_JSON), (5, Codes.NOT_UTF8)]
    assert all(r.origin == str(path) for r in items)
    assert "expected a JSON object" in rejections(items)[1].reason


def test_jsonl_longer_than_the_sniffed_head_is_read_completely():
    lines = [json.dumps({"id": str(i), "text": "x" * 500}) for i in range(100)]
    stream = io.BytesIO("\n".join(lines).encode())

    items = list(read_stream(stream, "big.jsonl"))

    assert [r.fields["id"] for r in items] == [str(i) for i in range(100)]


# ---------------------------------------------------------------- csv


def test_csv_rows_keep_their_starting_line_across_quoted_line_breaks(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,text,title\n1,"first\n\nparagraph",\n2,second,Title\n', encoding="utf-8")

    items = list(read_path(str(path)))

    assert [(r.line, r.fields) for r in items] == [
        (2, {"id": "1", "text": "first\n\nparagraph", "title": None}),
        (5, {"id": "2", "text": "second", "title": "Title"}),
    ]


def test_csv_without_text_column_is_rejected(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,body\n1,hello\n", encoding="utf-8")

    (rejection,) = list(read_path(str(path)))

    assert (rejection.code, rejection.line) == (Codes.MISSING_FIELD, 1)
    assert "'text'" in rejection.reason


def test_csv_row_with_extra_cells_is_rejected_and_the_rest_read(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,text\n1,one,extra\n2,two\n", encoding="utf-8")

    items = list(read_path(str(path)))

    assert [(type(i).__name__, i.line) for i in items] == [("Rejection", 2), ("RawRecord", 3)]
    assert items[0].code == Codes.BAD_FIELD


# ---------------------------------------------------------------- bad input that rejects one record only


def test_a_nul_byte_in_a_jsonl_line_rejects_that_line_only(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": "1", "text": "one"}\n{"id": "2", "text": "t\x00wo"}\n{"id": "3", "text": "three"}\n')

    items = list(read_path(str(path)))

    assert [r.fields["id"] for r in records(items)] == ["1", "3"]
    assert [(r.line, r.code) for r in rejections(items)] == [(2, Codes.BINARY)]
    assert "NUL" in rejections(items)[0].reason


def test_a_nul_byte_in_a_csv_row_rejects_that_row_only(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,text\n1,one\n2,t\x00wo\n3,three\n")

    items = list(read_path(str(path)))

    assert [r.fields["id"] for r in records(items)] == ["1", "3"]
    assert [(r.line, r.code) for r in rejections(items)] == [(3, Codes.BINARY)]


def test_a_file_that_is_mostly_nul_bytes_is_still_rejected_whole(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"\x00\x01\x02\xff" * 100)

    (rejection,) = list(read_path(str(path)))

    assert (rejection.code, rejection.line) == (Codes.BINARY, 0)


def test_an_unbalanced_quote_in_a_csv_rejects_its_row_and_the_rows_after_it_are_read(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,text\n1,one\n2,"two never closes\n3,three\n4,four\n', encoding="utf-8")

    items = list(read_path(str(path)))

    assert [(r.line, r.fields["id"]) for r in records(items)] == [(2, "1"), (4, "3"), (5, "4")]
    (bad,) = rejections(items)
    assert (bad.line, bad.code) == (3, Codes.BAD_FIELD)
    assert "unbalanced quote" in bad.reason


def test_a_quote_closed_by_garbage_rejects_its_row_and_reading_resumes(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,text\n1,"one\n2,"two"x\n3,three\n', encoding="utf-8")

    items = list(read_path(str(path)))

    assert [r.fields["id"] for r in records(items)] == ["3"]
    assert [r.line for r in rejections(items)] == [2, 3]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"id": "s", "text": "lone \\ud800 surrogate"}', "surrogate"),
        (b'{"id": "n", "text": "x", "count": ' + b"9" * 5000 + b"}", "4300"),
        (b'{"id": "d", "text": "x", "deep": ' + b"[" * 1000 + b"]" * 1000 + b"}", "nested too deeply"),
        (b'{"id": "d", "text": "x", "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    ],
)
def test_jsonl_lines_python_cannot_keep_are_rejected_alone(tmp_path, line, reason):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": "1", "text": "one"}\n' + line + b'\n{"id": "3", "text": "three"}\n')

    items = list(read_path(str(path)))

    assert [r.fields["id"] for r in records(items)] == ["1", "3"]
    (bad,) = rejections(items)
    assert bad.line == 2 and reason in bad.reason


def test_a_fifo_inside_an_input_folder_is_rejected_without_blocking(tmp_path):
    import os

    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n')
    os.mkfifo(tmp_path / "pipe.jsonl")

    found = list(expand_paths([str(tmp_path)]))

    assert found[0] == str(tmp_path / "a.jsonl")
    assert isinstance(found[1], Rejection) and found[1].code == Codes.NOT_REGULAR
    assert "FIFO" in found[1].reason


def test_a_truncated_gzip_keeps_the_lines_before_the_damage_and_says_so(tmp_path):
    import gzip

    lines = b"".join(json.dumps({"id": str(i), "text": "word " * 50}).encode() + b"\n" for i in range(2000))
    packed = gzip.compress(lines)
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])

    items = list(read_path(str(path)))

    assert 0 < len(records(items)) < 2000
    (damage,) = rejections(items)
    assert damage.code == Codes.DAMAGED and "truncated" in damage.reason


# ---------------------------------------------------------------- the format table


def test_every_format_names_a_registered_reader_of_that_name():
    from storyline import registry
    from storyline.pipeline.readers import FORMATS, Reader

    assert {f.reader for f in FORMATS} <= set(registry.names("reader"))
    for fmt in FORMATS:
        try:
            reader = registry.create(fmt.reader, None)
        except Exception as exc:  # an optional extra that is not installed says which
            assert "pip install" in str(exc)
            continue
        assert isinstance(reader, Reader) and reader.name == fmt.reader


def test_the_command_line_offers_exactly_the_formats_of_the_table():
    from click.testing import CliRunner

    from storyline.cli import cli
    from storyline.pipeline.readers import format_names

    result = CliRunner().invoke(cli, ["ingest", "--format", "nope", "x"])

    assert result.exit_code != 0
    for name in format_names():
        assert f"'{name}'" in result.output


@pytest.mark.parametrize(("name", "fmt"), [("page.HTML.gz", "html"), ("crawl.warc.gz", "warc"), ("a.jsonl.gz", "jsonl"),
                                           ("feed.atom", "feed"), ("x.gz", None)])
def test_gzipped_names_are_looked_through(name, fmt):
    from storyline.pipeline.readers import format_for_path

    found = format_for_path(name)
    assert (found.name if found else None) == fmt


def test_a_page_larger_than_the_limit_is_rejected_unread():
    pytest.importorskip("trafilatura")
    from storyline.pipeline.readers.html import HtmlReader

    (rejection,) = list(HtmlReader(max_bytes=1000).read(io.BytesIO(b"<html>" + b"x" * 5000), "big.html"))

    assert rejection.code == Codes.TOO_LARGE and "1,000 bytes" in rejection.reason


def test_plain_text_on_standard_input_is_the_text_format_not_a_csv_without_a_text_column():
    assert detect_format("-", b"The river burst its banks in Marlow, flooding homes.\n") == "txt"
    assert detect_format("-", b"id,date,text\nx,2023-03-06,hello\n") == "csv"
