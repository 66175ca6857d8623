"""URLs: fetch a page or a feed over HTTP(S), politely and within bounds.

:class:`Fetcher` (httpx) sends a clear User-Agent (setting
``fetch_user_agent``), asks each site's ``robots.txt`` first (cached per site;
a missing one allows everything, a 401/403 forbids everything, an unreachable
one allows) and keeps the ``Crawl-delay`` it asks for (at most 60 s), gives
up after ``fetch_timeout`` seconds without progress, retries timeouts,
connection errors and HTTP 429/5xx ``fetch_retries`` times with doubling
back-off, and reads at most ``fetch_max_bytes`` (a larger body is a
rejection, read no further: a 10 GB answer costs 16 MB). Every
failure is a :class:`~storyline.model.Rejection` naming the URL.

:func:`read_url` fetches a URL and reads the body with the reader of its
format (``fmt``, else its Content-Type, else its first bytes).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib import robotparser
from urllib.parse import urlsplit, urlunsplit

from ...errors import Codes, DependencyMissing
from ...model import Rejection
from .formats import Item

__all__ = ["Fetcher", "Fetched", "read_url", "fetcher_for"]

_CONTENT_FORMATS = (
    ("text/html", "html"), ("application/xhtml", "html"),
    ("application/rss", "feed"), ("application/atom", "feed"), ("application/rdf", "feed"),
    ("application/xml", "feed"), ("text/xml", "feed"),
    ("application/warc", "warc"),
)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes

    def format(self) -> str | None:
        ctype = self.content_type.lower()
        return next((fmt for prefix, fmt in _CONTENT_FORMATS if ctype.startswith(prefix)), None)


def _httpx():
    try:
        import httpx
    except ImportError:  # pragma: no cover - depends on the environment
        raise DependencyMissing("URL fetching (httpx)", "web-input") from None
    return httpx


class Fetcher:
    """Polite, bounded HTTP GETs; one instance keeps one connection pool and the robots.txt cache."""

    def __init__(self, *, timeout: float = 20.0, max_bytes: int = 16_000_000, retries: int = 2,
                 user_agent: str = "storyline/0.1", backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        httpx = _httpx()
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.user_agent = user_agent
        self._sleep = sleep
        self._robots: dict[str, robotparser.RobotFileParser | bool] = {}
        self._last_request: dict[str, float] = {}
        self._clock = time.monotonic
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True, max_redirects=5,
                                    headers={"User-Agent": user_agent})

    @classmethod
    def from_options(cls, options: Any) -> "Fetcher":
        if options is None:
            return cls()
        return cls(timeout=float(options.fetch_timeout), max_bytes=int(options.fetch_max_bytes),
                   retries=int(options.fetch_retries), user_agent=str(options.fetch_user_agent))

    def close(self) -> None:
        self._client.close()

    def get(self, url: str) -> Fetched | Rejection:
        """The body of ``url``, or the rejection that says why there is none."""
        allowed = self._allowed(url)
        if allowed is not True:
            return Rejection(url, 0, Codes.ROBOTS, f"the site's robots.txt does not allow {self.user_agent!r} to fetch it")
        self._wait_turn(url)
        return self._get(url, robots=False)

    def _wait_turn(self, url: str) -> None:
        """Keep the Crawl-delay a site's robots.txt asks for between two of our requests to it."""
        site = self._site(url)
        rules = self._robots.get(site)
        delay = rules.crawl_delay(self.user_agent) if isinstance(rules, robotparser.RobotFileParser) else None
        last = self._last_request.get(site)
        if delay and last is not None:
            wait = float(delay) - (self._clock() - last)
            if wait > 0:
                self._sleep(min(wait, 60.0))
        self._last_request[site] = self._clock()

    @staticmethod
    def _site(url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))

    def _get(self, url: str, *, robots: bool) -> Fetched | Rejection:
        httpx = _httpx()
        result: Fetched | Rejection = Rejection(url, 0, Codes.FETCH_FAILED, "not fetched")
        attempt = 0
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                result = self._once(url)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                result = Rejection(url, 0, Codes.FETCH_FAILED, f"no answer: {type(exc).__name__}" + (f" ({exc})" if str(exc) else ""))
                continue
            except httpx.HTTPError as exc:  # too many redirects, a malformed URL
                return Rejection(url, 0, Codes.FETCH_FAILED, f"cannot fetch: {type(exc).__name__} ({exc})")
            if isinstance(result, Rejection) or not (result.status == 429 or result.status >= 500):
                break
        tries = f" (after {attempt + 1} tries)" if attempt else ""
        if isinstance(result, Rejection):
            return Rejection(result.origin, 0, result.code, result.reason + tries)
        if result.status >= 400 and not robots:
            return Rejection(url, 0, Codes.FETCH_FAILED, f"HTTP {result.status}{tries}")
        return result

    def _once(self, url: str) -> Fetched | Rejection:
        with self._client.stream("GET", url) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                return Rejection(url, 0, Codes.TOO_LARGE, f"the answer is {int(declared):,} bytes; the limit is {self.max_bytes:,}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    return Rejection(url, 0, Codes.TOO_LARGE, f"the answer is larger than {self.max_bytes:,} bytes; read no further")
                chunks.append(chunk)
            return Fetched(str(response.url), response.status_code, response.headers.get("content-type", ""), b"".join(chunks))

    def _allowed(self, url: str) -> bool:
        site = self._site(url)
        if site not in self._robots:
            self._robots[site] = self._load_robots(site)
        rules = self._robots[site]
        return rules if isinstance(rules, bool) else rules.can_fetch(self.user_agent, url)

    def _load_robots(self, site: str) -> robotparser.RobotFileParser | bool:
        answer = self._get(site + "/robots.txt", robots=True)
        if isinstance(answer, Rejection):
            return True  # unreachable: nothing forbids it
        if answer.status in (401, 403):
            return False
        if answer.status >= 400:
            return True
        rules = robotparser.RobotFileParser()
        rules.parse(answer.body.decode("utf-8", "replace").splitlines())
        return rules


_FETCHERS: dict[tuple, Fetcher] = {}


def fetcher_for(options: Any) -> Fetcher:
    """One fetcher per fetch configuration: a run shares its connection pool and robots.txt cache."""
    key = () if options is None else (options.fetch_timeout, options.fetch_max_bytes, options.fetch_retries, options.fetch_user_agent)
    if key not in _FETCHERS:
        if len(_FETCHERS) >= 8:
            for old in _FETCHERS.values():
                old.close()
            _FETCHERS.clear()
        _FETCHERS[key] = Fetcher.from_options(options)
    return _FETCHERS[key]


def read_url(url: str, fmt: str | None = None, *, options: Any = None, fetch: bool = False) -> Iterator[Item]:
    """Fetch ``url`` and read it as a page, a feed or an archive."""
    from .files import read_stream

    try:
        fetcher = fetcher_for(options)
    except DependencyMissing as exc:
        yield Rejection(url, 0, exc.code, exc.message)
        return
    answer = fetcher.get(url)
    if isinstance(answer, Rejection):
        yield answer
        return
    yield from read_stream(io.BytesIO(answer.body), answer.url, fmt or answer.format(), options=options, fetch=fetch)
