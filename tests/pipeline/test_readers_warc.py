"""Web archives: HTML 200 responses become pages; other records are skipped and counted; damage costs one record."""

from __future__ import annotations

import pytest

from storyline.errors import Codes
from storyline.model import Notice, RawRecord, Rejection
from storyline.pipeline.readers import read_path
from webpages import HOME_PAGE, article_page, warc_bytes

pytest.importorskip("warcio")
pytest.importorskip("trafilatura")


def archive(compressed: bool) -> bytes:
    return warc_bytes([
        ("response", "https://planet.example/marlow", 200, "text/html; charset=utf-8", article_page().encode()),
        ("request", "https://planet.example/marlow", 0, "application/http; msgtype=request", b"GET /marlow HTTP/1.1\r\n\r\n"),
        ("response", "https://planet.example/logo.png", 200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(300)),
        ("response", "https://planet.example/old", 301, "text/html", b"moved"),
        ("response", "https://planet.example/", 200, "text/html", HOME_PAGE.encode()),
        ("response", "https://planet.example/budget", 200, "text/html",
         article_page(title="Council approves its budget", canonical="https://planet.example/budget").encode()),
    ], gzip=compressed)


@pytest.mark.parametrize("compressed", [False, True])
def test_html_200_responses_become_pages_and_the_rest_is_counted(tmp_path, compressed):
    path = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    path.write_bytes(archive(compressed))

    items = list(read_path(str(path)))

    pages = [i for i in items if isinstance(i, RawRecord)]
    assert [(p.line, p.fields["url"]) for p in pages] == [(1, "https://planet.example/news/marlow-floods"), (6, "https://planet.example/budget")]
    assert pages[1].fields["title"] == "Council approves its budget"
    (notice,) = [i for i in items if isinstance(i, Notice)]
    assert notice.message.startswith("skipped 4 of 6 records")
    for what in ("1 request records", "1 responses that are not HTML", "1 HTTP 301 responses", "1 pages without an article"):
        assert what in notice.message
    assert not [i for i in items if isinstance(i, Rejection)]


def test_a_broken_record_in_the_middle_of_a_plain_warc_costs_only_that_record(tmp_path):
    data = archive(False)
    second = data.index(b"WARC/1.", 10)
    broken = data[:second] + data[second:].replace(b"Content-Length: ", b"Content-Length: x", 1)
    path = tmp_path / "crawl.warc"
    path.write_bytes(broken)

    items = list(read_path(str(path)))

    assert [p.line for p in items if isinstance(p, RawRecord)] == [1, 6]
    (damage,) = [i for i in items if isinstance(i, Rejection)]
    assert damage.code == Codes.DAMAGED and damage.line == 2


def test_a_damaged_gzip_member_costs_only_that_record(tmp_path):
    members = [warc_bytes([r], gzip=True) for r in [
        ("response", "https://planet.example/marlow", 200, "text/html", article_page().encode()),
        ("response", "https://planet.example/x", 200, "text/html", article_page(title="Second page").encode()),
        ("response", "https://planet.example/budget", 200, "text/html", article_page(title="Council approves its budget").encode()),
    ]]
    middle = bytearray(members[1])
    middle[len(middle) // 2 : len(middle) // 2 + 20] = b"\x00" * 20
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(members[0] + bytes(middle) + members[2])

    items = list(read_path(str(path)))

    titles = [p.fields["title"] for p in items if isinstance(p, RawRecord)]
    assert titles == ["Thames floods Marlow as river bursts its banks", "Council approves its budget"]
    assert [i.code for i in items if isinstance(i, Rejection)] == [Codes.DAMAGED]


def test_a_truncated_warc_gz_keeps_the_records_before_the_cut(tmp_path):
    data = archive(True)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[: len(data) - 300])

    items = list(read_path(str(path)))

    assert [p.line for p in items if isinstance(p, RawRecord)] == [1]
    assert [i.code for i in items if isinstance(i, Rejection)] == [Codes.DAMAGED]


def test_ingesting_an_archive_stores_its_pages_and_notes_what_it_skipped(fake_engine, tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(archive(True))

    summary = fake_engine().ingest([str(path)])

    assert (summary.ingested, summary.rejected) == (2, 0)
    assert "skipped 4 of 6 records" in summary.line()


def test_ingesting_the_same_archive_again_changes_nothing(fake_engine, tmp_path):
    path = tmp_path / "crawl.warc"
    path.write_bytes(archive(False))
    engine = fake_engine()
    engine.ingest([str(path)])

    again = engine.ingest([str(path)])

    assert (again.ingested, again.unchanged, again.rejected) == (0, 2, 0)


@pytest.mark.parametrize("name,content", [("notes.warc", b"not a web archive at all\n"),
                                          ("cut.warc", b"WARC/1.0\r\nWARC-Type: response\r\n"),
                                          ("cut.warc.gz", __import__("gzip").compress(b"WARC/1.0\r\nWARC-Type: response\r\n")[:15])])
def test_a_file_without_one_warc_record_is_rejected_not_passed_over(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)

    items = list(read_path(str(path)))

    rejections = [i for i in items if isinstance(i, Rejection)]
    assert rejections and not [i for i in items if isinstance(i, RawRecord)]
    assert all(r.origin == str(path) for r in rejections) and any("no WARC record" in r.reason for r in rejections)
