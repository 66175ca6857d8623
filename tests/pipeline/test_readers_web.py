"""URLs: pages and feeds fetched from a real HTTP server on 127.0.0.1, politely and within bounds."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storyline.errors import Codes
from storyline.model import RawRecord, Rejection
from storyline.pipeline.readers import expand_paths, read_path
from storyline.pipeline.readers.web import Fetcher
from webpages import article_page

pytest.importorskip("httpx")
pytest.importorskip("trafilatura")


class Site(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}
    agents: list[str] = []

    def log_message(self, *args):  # keep the test output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            pass

    def do_GET(self):  # noqa: N802 - the http.server name
        path = self.path
        Site.hits[path] = Site.hits.get(path, 0) + 1
        Site.agents.append(self.headers.get("User-Agent", ""))
        port = self.server.server_address[1]
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private\n", "text/plain")
        elif path == "/page":
            self._send(200, article_page(canonical=f"http://127.0.0.1:{port}/page").encode())
        elif path == "/feed":
            items = "".join(
                f"<item><title>Story {i}</title><link>http://127.0.0.1:{port}/{target}</link>"
                f"<pubDate>Mon, 06 Mar 2023 09:30:00 GMT</pubDate><description>Short summary {i}.</description></item>"
                for i, target in enumerate(["page", "missing"], start=1))
            self._send(200, f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local News</title>{items}</channel></rss>'.encode(),
                       "application/rss+xml")
        elif path == "/flaky":
            self._send(503 if Site.hits[path] < 3 else 200, article_page().encode())
        elif path == "/broken":
            self._send(500, b"server error")
        elif path == "/slow":
            time.sleep(2)
            self._send(200, article_page().encode())
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(10_000):  # 640 MB unless the client hangs up
                    self.wfile.write(b"<p>" + b"x" * 65_530 + b"</p>")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/declared-huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(10 * 1024**3))
            self.end_headers()
        else:
            self._send(404, b"not found")


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetcher(**kwargs) -> Fetcher:
    defaults = dict(timeout=0.5, max_bytes=1_000_000, retries=2, user_agent="storyline-test/1", sleep=lambda s: None)
    return Fetcher(**{**defaults, **kwargs})


def test_a_url_is_fetched_and_read_as_a_page(site):
    assert list(expand_paths([site + "/page"])) == [site + "/page"]

    (record,) = list(read_path(site + "/page"))

    assert isinstance(record, RawRecord) and record.origin == site + "/page"
    assert record.fields["url"] == site + "/page" and record.fields["source"] == "Daily Planet"


def test_every_request_names_us_and_robots_txt_is_asked_once_and_obeyed(site):
    Site.agents.clear()
    before = Site.hits.get("/robots.txt", 0)
    client = fetcher()

    denied = client.get(site + "/private/report")
    client.get(site + "/page")

    assert isinstance(denied, Rejection) and denied.code == Codes.ROBOTS and denied.origin == site + "/private/report"
    assert Site.hits.get("/private/report", 0) == 0
    assert Site.hits["/robots.txt"] - before == 1
    assert set(Site.agents) == {"storyline-test/1"}


@pytest.mark.parametrize(("path", "reason"), [("/nowhere", "HTTP 404"), ("/broken", "HTTP 500 (after 3 tries)")])
def test_http_errors_are_rejections_naming_the_url(site, path, reason):
    answer = fetcher().get(site + path)

    assert isinstance(answer, Rejection)
    assert (answer.origin, answer.code, answer.reason) == (site + path, Codes.FETCH_FAILED, reason)


def test_a_server_error_is_retried_with_back_off(site):
    waits: list[float] = []

    answer = fetcher(sleep=waits.append).get(site + "/flaky")

    assert answer.status == 200 and waits == [0.5, 1.0]


def test_a_url_that_does_not_answer_in_time_is_a_rejection(site):
    started = time.perf_counter()

    answer = fetcher(retries=0, timeout=0.3).get(site + "/slow")

    assert isinstance(answer, Rejection) and answer.code == Codes.FETCH_FAILED and "ReadTimeout" in answer.reason
    assert time.perf_counter() - started < 1.5


@pytest.mark.parametrize("path", ["/huge", "/declared-huge"])
def test_a_huge_answer_is_read_no_further_than_the_limit(site, path):
    answer = fetcher(max_bytes=200_000).get(site + path)

    assert isinstance(answer, Rejection) and answer.code == Codes.TOO_LARGE


def test_a_feed_url_with_fetch_reads_each_entrys_page_and_keeps_the_summary_when_it_cannot(site):
    items = list(read_path(site + "/feed", fetch=True))

    records = [i for i in items if isinstance(i, RawRecord)]
    assert [r.fields["title"] for r in records] == ["Story 1", "Story 2"]
    assert records[0].fields["text"].startswith("Floodwater poured into the centre of Marlow")
    assert records[0].fields["source"] == "Local News"
    assert records[1].fields["text"] == "Short summary 2."
    (failed,) = [i for i in items if isinstance(i, Rejection)]
    assert failed.origin == site + "/missing" and "summary is kept" in failed.reason


def test_ingest_of_a_url_stores_the_page(fake_engine, site):
    summary = fake_engine().ingest([site + "/page", site + "/nowhere"])

    assert (summary.ingested, summary.rejected) == (1, 1)


class SlowSite(Site):
    def do_GET(self):  # noqa: N802
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nCrawl-delay: 5\n", "text/plain")
        else:
            super().do_GET()


def test_the_crawl_delay_robots_txt_asks_for_is_kept_between_requests_to_a_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        waits: list[float] = []
        client = fetcher(sleep=waits.append)
        client._clock = lambda: 100.0  # no time passes between the requests

        for _ in range(3):
            assert client.get(base + "/page").status == 200
    finally:
        server.shutdown()
        server.server_close()
    assert waits == [5.0, 5.0]


def test_an_empty_feed_says_so(tmp_path):
    from storyline.model import Notice

    path = tmp_path / "empty.rss"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>')

    (notice,) = list(read_path(str(path)))

    assert isinstance(notice, Notice) and "no entries" in notice.message
