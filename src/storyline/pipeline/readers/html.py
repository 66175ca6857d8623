"""HTML pages: the article's body and metadata, the page's boilerplate left out.

``reader.html.v1`` extracts with trafilatura (``favor_precision``: menus,
related-article lists, comments and cookie banners do not reach the text;
chosen among the options measured in docs/benchmarks.md, "Real-world
input"), with the publication date from htmldate (through trafilatura's
metadata: the original date, not the last change). The record holds the
title, the date, the outlet (the page's site name, else its domain), the
canonical URL (else the URL it came from) and the body, one paragraph per
``\\n\\n``. A page without an article (a home page, an error page, a page
with a few words) is a rejection with the reason, never an empty article.

Other readers reuse :meth:`HtmlReader.record` for each page they hold (a web
archive's responses, a fetched URL, a feed entry's page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator
from urllib.parse import urlsplit

from ...errors import Codes, DependencyMissing
from ...model import RawRecord, Rejection
from .formats import Item, read_upto

__all__ = ["Page", "HtmlReader", "extract_page", "outlet_from_url", "MAX_PAGE_BYTES", "MIN_ARTICLE_WORDS"]

#: larger pages are rejected unread (the largest of the benchmark's pages is 1.3 MB)
MAX_PAGE_BYTES = 16 << 20
#: a page whose extracted text has fewer words is not an article
MIN_ARTICLE_WORDS = 25
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    """What a page holds: its article and the metadata the record keeps."""

    text: str
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD
    outlet: str | None = None
    url: str | None = None


def _trafilatura():
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - depends on the environment
        raise DependencyMissing("HTML extraction (trafilatura)", "web-input") from None
    return trafilatura


def outlet_from_url(url: str | None) -> str | None:
    """The domain of ``url`` without ``www.`` (``https://www.wsj.com/x`` -> ``wsj.com``)."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    host = host.lower().removeprefix("www.")
    return host or None


def extract_page(html: bytes | str, url: str | None = None, *, favor_precision: bool = True,
                 favor_recall: bool = False, fast: bool = False) -> Page | str:
    """The article of one page, or the reason there is none.

    ``html`` may be bytes in any encoding the page declares (or that can be
    detected). Paragraphs are separated by a blank line.
    """
    trafilatura = _trafilatura()
    try:
        document = trafilatura.bare_extraction(
            html, url=url, favor_precision=favor_precision, favor_recall=favor_recall, fast=fast,
            include_comments=False, with_metadata=True,
        )
    except (ValueError, TypeError, LookupError) as exc:  # an undecodable or malformed document
        return f"the page cannot be parsed ({type(exc).__name__}: {exc})"
    if document is None or not (document.text or "").strip():
        return "no article found in the page (no main text)"
    paragraphs = [p.strip() for p in document.text.splitlines() if p.strip()]
    title = (document.title or "").strip() or None
    if title and paragraphs and paragraphs[0].strip() == title and len(paragraphs) > 1:
        paragraphs = paragraphs[1:]  # the headline repeated as the body's first line: it is the title
    text = "\n\n".join(paragraphs)
    words = len(_WORD.findall(text))
    if words < MIN_ARTICLE_WORDS:
        return f"no article found in the page (its main text has {words} words; an article has at least {MIN_ARTICLE_WORDS})"
    canonical = document.url if document.url and document.url.startswith(("http://", "https://")) else url
    outlet = (document.sitename or "").strip() or outlet_from_url(canonical) or (document.hostname or None)
    title = _without_outlet(title, outlet)
    date = document.date if document.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", document.date) else None
    return Page(text=text, title=title, date=date, outlet=outlet, url=canonical)


def _without_outlet(title: str | None, outlet: str | None) -> str | None:
    """The headline without the outlet's name the page appends to it ("Deals are live - IGN" -> "Deals are live")."""
    if not title or not outlet:
        return title
    for sep in (" - ", " | ", " – ", " — ", " :: "):
        if title.lower().endswith((sep + outlet).lower()) and len(title) > len(sep + outlet):
            return title[: -len(sep + outlet)].strip() or title
    return title


class HtmlReader:
    """One web page per file (``.html``, ``.htm``, gzipped too)."""

    name = "reader.html.v1"

    def __init__(self, *, max_bytes: int = MAX_PAGE_BYTES) -> None:
        _trafilatura()  # fail now, with the install command, rather than on every page
        self.max_bytes = max_bytes

    def read(self, stream: BinaryIO, origin: str) -> Iterator[Item]:
        data = read_upto(stream, self.max_bytes + 1)
        if len(data) > self.max_bytes:
            yield Rejection(origin, 0, Codes.TOO_LARGE, f"the page is larger than {self.max_bytes:,} bytes")
            return
        yield self.record(data, origin, 1, origin if origin.startswith(("http://", "https://")) else None)

    def record(self, html: bytes | str, origin: str, line: int, url: str | None = None) -> RawRecord | Rejection:
        """The raw record of one page, or its rejection naming ``origin`` and ``line``."""
        page = extract_page(html, url)
        if isinstance(page, str):
            excerpt = url or ""
            return Rejection(origin, line, Codes.NO_ARTICLE, page, excerpt)
        fields: dict[str, Any] = {"text": page.text, "title": page.title, "date": page.date,
                                  "source": page.outlet, "url": page.url}
        return RawRecord(origin, line, {k: v for k, v in fields.items() if v is not None})


def _html(options: Any) -> HtmlReader:
    return HtmlReader()
