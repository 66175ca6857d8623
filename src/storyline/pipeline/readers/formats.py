"""The input formats: one table, and the small interface every reader has.

A reader turns one binary stream into raw records, rejections and notices::

    class Reader(Protocol):
        name: str                                   # "reader.html.v1"
        def read(self, stream, origin) -> Iterator[RawRecord | Rejection | Notice]

It never raises on bad content: every problem becomes a
:class:`~storyline.model.Rejection` naming the file and the line or record,
and reading goes on. :data:`FORMATS` is the only list of formats; the
command line's ``--format`` choices and the "unknown format" message are
read from it. Each format names the registered reader that reads it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Protocol, runtime_checkable

from ...errors import DependencyMissing
from ...model import Notice, RawRecord, Rejection

__all__ = ["Item", "Reader", "Format", "FORMATS", "format_names", "format_for_path", "format_named", "extensions", "read_upto", "make_reader"]

Item = RawRecord | Rejection | Notice


@runtime_checkable
class Reader(Protocol):
    """Reads one input stream; never raises on bad content."""

    name: str

    def read(self, stream: BinaryIO, origin: str) -> Iterator[Item]: ...


@dataclass(frozen=True)
class Format:
    name: str
    #: file name endings, lower case, longest first where they overlap
    extensions: tuple[str, ...]
    #: registered name of the reader
    reader: str
    description: str
    #: ``module:attribute`` of the reader's factory (it takes the options); the registration table lists it too
    factory: str = ""
    #: the optional extra whose packages the reader needs (None: always available)
    extra: str | None = None
    #: a text format whose records are lines or rows: a NUL byte rejects only its record
    line_based: bool = False


_R = "storyline.pipeline.readers."

FORMATS: tuple[Format, ...] = (
    Format("txt", (".txt",), "reader.txt.v1", "the founding format: 'date YYYY-MM-DD', then the article",
           factory=_R + "files:_txt"),
    Format("jsonl", (".jsonl", ".ndjson"), "reader.jsonl.v1", "corpus JSONL, one article per line", line_based=True,
           factory=_R + "files:_jsonl"),
    Format("csv", (".csv",), "reader.csv.v1", "the corpus JSONL columns with a header row", line_based=True,
           factory=_R + "files:_csv"),
    Format("html", (".html", ".htm", ".xhtml"), "reader.html.v1", "a web page: body, title, date, outlet, canonical URL",
           extra="web-input", factory=_R + "html:_html"),
    Format("feed", (".rss", ".atom", ".xml"), "reader.feed.v1", "an RSS or Atom feed: one article per entry",
           extra="web-input", factory=_R + "feeds:_feed"),
    Format("warc", (".warc",), "reader.warc.v1", "a web archive: every HTML 200 response is a page", extra="web-input",
           factory=_R + "warc:_warc"),
)


def make_reader(fmt: Format, options: Any) -> Reader:
    """The reader of a format, built from its factory (imported only now: readers of extras load on use)."""
    module, _, attribute = fmt.factory.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attribute)
    except ImportError as exc:
        raise DependencyMissing(f"reading {fmt.name} needs the {fmt.extra or 'web-input'} extra "
                                f"(pip install 'storyline[{fmt.extra or 'web-input'}]'): {exc}") from None
    return factory(options)


_BY_NAME = {f.name: f for f in FORMATS}


def format_names() -> list[str]:
    return [f.name for f in FORMATS]


def extensions() -> list[str]:
    """Every file ending a reader knows, gzipped ones included."""
    out = [e for f in FORMATS for e in f.extensions]
    return out + [e + ".gz" for e in out]


def format_named(name: str) -> Format:
    return _BY_NAME[name]


def format_for_path(path: str) -> Format | None:
    """The format of ``path`` from its name (``.gz`` is looked through), or None."""
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for fmt in FORMATS:
        if any(name.endswith(ext) for ext in fmt.extensions):
            return fmt
    return None


def read_upto(stream: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream`` (fewer only at its end); a raw stream's ``read`` may return less."""
    chunks, size = [], 0
    while size < limit:
        chunk = stream.read(min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
