"""RSS and Atom feeds (feedparser): one article per entry.

``reader.feed.v1``: each entry's title, link, published (else updated) date,
and text -- its full content when the feed carries it (``content:encoded``,
Atom ``content``), else its summary -- with the feed's title as the outlet.
Entry HTML becomes plain text, one paragraph per block. A feed whose entries
hold only summaries is ingested as such and says so in the summary line (a
:class:`~storyline.model.Notice`); with ``fetch`` (``storyline ingest
--fetch``) each entry's page is fetched and read by the HTML reader instead,
the summary kept when the page cannot be had. A file that is not a feed is
one rejection; an entry without text is a rejection naming the entry.
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO, Iterator

from ...errors import Codes, DependencyMissing
from ...model import Notice, RawRecord, Rejection
from .formats import Item, read_upto

__all__ = ["FeedReader", "fragment_text", "MAX_FEED_BYTES"]

MAX_FEED_BYTES = 64 << 20
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "section", "article", "br"}
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


def _feedparser():
    try:
        import feedparser
    except ImportError:  # pragma: no cover - depends on the environment
        raise DependencyMissing("feed reading (feedparser)", "web-input") from None
    return feedparser


def fragment_text(html: str) -> str:
    """Plain text of an HTML fragment: one paragraph (``\\n\\n``) per block element."""
    import lxml.html

    if "<" not in html:
        return _SPACE.sub(" ", html).strip()
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return _SPACE.sub(" ", re.sub(r"<[^>]{0,1000}>", " ", html)).strip()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(current)).strip()
        if text:
            parts.append(text)
        current.clear()

    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCKS:
                flush()
            if element.text:
                current.append(element.text)
        else:
            if tag in _BLOCKS:
                flush()
            if element.tail and element is not root:
                current.append(element.tail)
    flush()
    return "\n\n".join(parts)


def _day(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return f"{value.tm_year:04d}-{value.tm_mon:02d}-{value.tm_mday:02d}"
    return None


class FeedReader:
    """An RSS or Atom feed: one record per entry."""

    name = "reader.feed.v1"

    def __init__(self, options: Any = None, *, fetch_pages: bool = False) -> None:
        _feedparser()
        self.options = options
        self.fetch_pages = fetch_pages

    def read(self, stream: BinaryIO, origin: str) -> Iterator[Item]:
        data = read_upto(stream, MAX_FEED_BYTES + 1)
        if len(data) > MAX_FEED_BYTES:
            yield Rejection(origin, 0, Codes.TOO_LARGE, f"the feed is larger than {MAX_FEED_BYTES:,} bytes")
            return
        parsed = _feedparser().parse(data)  # bytes: feedparser never fetches anything itself
        if not parsed.entries and (parsed.bozo or not parsed.version):
            problem = parsed.get("bozo_exception")
            detail = f" ({type(problem).__name__}: {str(problem)[:120]})" if problem else ""
            yield Rejection(origin, 0, Codes.NOT_A_FEED, f"not an RSS or Atom feed{detail}", data[:200].decode("utf-8", "replace"))
            return
        if not parsed.entries:
            yield Notice(origin, "the feed has no entries")
            return
        outlet = (parsed.feed.get("title") or "").strip() or None
        summaries_only = usable = fetched = 0
        for number, entry in enumerate(parsed.entries, start=1):
            record = self._entry(entry, origin, number, outlet)
            if isinstance(record, tuple):
                record, from_summary = record
                if from_summary and self.fetch_pages and entry.get("link"):
                    page = self._page(entry["link"], record)
                    if isinstance(page, Rejection):
                        yield page
                    else:
                        record, from_summary = page, False
                        fetched += 1
                summaries_only += from_summary
                usable += 1
            yield record
        if summaries_only and summaries_only == usable:
            hint = "" if self.fetch_pages else "; --fetch reads each entry's page"
            yield Notice(origin, f"all {summaries_only} entries hold summaries only, not full text{hint}")
        elif summaries_only:
            yield Notice(origin, f"{summaries_only} of {usable} entries hold summaries only")
        if fetched:
            yield Notice(origin, f"{fetched} entries read from their pages")

    def _entry(self, entry: Any, origin: str, number: int, outlet: str | None) -> tuple[RawRecord, bool] | Rejection:
        contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
        from_summary = not contents
        html = contents[0] if contents else entry.get("summary", "") or ""
        text = fragment_text(html)
        title = (entry.get("title") or "").strip() or None
        if not text:
            return Rejection(origin, number, Codes.NO_ARTICLE, f"feed entry {number} has no content or summary", title or "")
        fields = {"title": title, "url": entry.get("link"), "date": _day(entry), "source": outlet, "text": text}
        return RawRecord(origin, number, {k: v for k, v in fields.items() if v}), from_summary

    def _page(self, link: str, summary: RawRecord) -> RawRecord | Rejection:
        from .html import HtmlReader
        from .web import fetcher_for

        answer = fetcher_for(self.options).get(link)
        if isinstance(answer, Rejection):
            return Rejection(answer.origin, 0, answer.code, answer.reason + "; the entry's summary is kept")
        page = HtmlReader().record(answer.body, link, 1, answer.url)
        if isinstance(page, Rejection):
            return Rejection(page.origin, 0, page.code, page.reason + "; the entry's summary is kept")
        fields = dict(page.fields)
        for key in ("title", "date", "source"):  # the feed's own metadata wins: it is the publisher's
            if summary.fields.get(key):
                fields[key] = summary.fields[key]
        return RawRecord(summary.origin, summary.line, fields)


def _feed(options: Any) -> FeedReader:
    return FeedReader(options)
