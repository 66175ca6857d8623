"""Files, folders, globs and standard input; the text readers (txt, JSONL, CSV).

:func:`expand_paths` turns the command line's arguments into inputs (files,
``-`` for stdin, ``http(s)://`` URLs); :func:`read_path` reads one of them with
the reader its format names in :data:`~.formats.FORMATS` (from the file name,
``.gz`` looked through, or sniffed from the first bytes). Readers never raise
on bad content: every problem becomes a :class:`~storyline.model.Rejection`
naming the file and line, and reading goes on with the next record.

* ``.txt`` - the founding format: the text starts with ``date YYYY-MM-DD``,
  followed by the article (one article per file);
* ``.jsonl`` / ``.ndjson`` - corpus JSONL, one article per line;
* ``.csv`` - the same columns as corpus JSONL, with a header row.

The web formats (HTML, feeds, WARC) and URLs have modules of their own.
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from ...errors import Codes, StorylineError
from ...model import RawRecord, Rejection
from .formats import Format, Item, extensions, format_for_path, format_named, make_reader

__all__ = [
    "expand_paths", "read_path", "read_stream", "detect_format", "is_url",
    "TxtReader", "JsonlReader", "CsvReader", "STDIN", "STDIN_ORIGIN",
]

STDIN = "-"
STDIN_ORIGIN = "<stdin>"
_SNIFF_BYTES = 8192
#: a JSONL line longer than this is rejected without being held in memory whole
_MAX_LINE_BYTES = 64 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_DATE_LINE = re.compile(r"\A\s*date[ \t]+(\S+)[ \t]*(?:\r?\n)?", re.IGNORECASE)
_URL = re.compile(r"\Ahttps?://", re.IGNORECASE)


def is_url(path: str) -> bool:
    return bool(_URL.match(path))


def expand_paths(paths: Iterable[str]) -> Iterator[str | Rejection]:
    """Yield files from paths, folders (recursively, sorted) and globs; ``-`` is stdin; URLs pass through.

    Inside a folder only regular files are read: a FIFO, socket or device
    found there is a rejection (opening a FIFO nobody writes to would block
    forever). A FIFO named on the command line is read: the user meant it.
    """
    for raw in paths:
        if raw == STDIN or is_url(raw):
            yield raw
            continue
        # a file that exists is read as named, even when its name looks like a glob
        if any(ch in raw for ch in "*?[") and not Path(raw).exists():
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield Rejection(raw, 0, Codes.NO_INPUT, "the pattern matches no file")
            for match in matches:
                yield from _walk_entry(match)
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield str(path)
        else:
            yield Rejection(raw, 0, Codes.NO_INPUT, "no such file or folder")


def _walk(folder: Path) -> Iterator[str | Rejection]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield from _walk_entry(str(Path(root) / name))


def _walk_entry(path: str) -> Iterator[str | Rejection]:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:  # vanished since it was listed, or a dangling link
        yield Rejection(path, 0, Codes.NO_INPUT, f"cannot read the file: {exc.strerror or exc}")
        return
    if stat.S_ISDIR(mode):
        yield from _walk(Path(path))
    elif stat.S_ISREG(mode):
        yield path
    else:
        kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
        yield Rejection(path, 0, Codes.NOT_REGULAR, f"not a regular file (a {kind}); name it on its own to read it")


def detect_format(path: str, head: bytes) -> str | None:
    """The format of a file, from its name or (failing that) its first bytes."""
    fmt = format_for_path(path)
    if fmt is not None:
        return fmt.name
    stripped = head.lstrip()
    lower = stripped[:1024].lower()
    if stripped.startswith(b"{"):
        return "jsonl"
    if stripped.startswith(b"WARC/"):
        return "warc"
    if lower.startswith((b"<!doctype html", b"<html")):
        return "html"
    if lower.startswith(b"<?xml") or lower.startswith((b"<rss", b"<feed")):
        if b"<rss" in lower or b"<feed" in lower or b"<rdf" in lower:
            return "feed"
        if b"<html" in lower:
            return "html"
    if _DATE_LINE.match(stripped.decode("utf-8", "replace")):
        return "txt"
    if path in (STDIN, STDIN_ORIGIN):
        # CSV only when the first line is a header naming a text column; other piped text is the text format
        header = [c.strip().strip('"').lower() for c in stripped.split(b"\n", 1)[0].decode("utf-8", "replace").split(",")]
        return "csv" if "text" in header else "txt"
    return None


def read_path(path: str, fmt: str | None = None, *, options: Any = None, fetch: bool = False) -> Iterator[Item]:
    """Read one file, ``-`` (stdin) or URL into raw records, rejections and notices.

    ``fetch``: for a feed, fetch each entry's page for the full text.
    """
    if path == STDIN:
        yield from read_stream(sys.stdin.buffer, STDIN_ORIGIN, fmt, options=options, fetch=fetch)
        return
    if is_url(path):
        from .web import read_url  # httpx is an optional extra

        yield from read_url(path, fmt, options=options, fetch=fetch)
        return
    try:
        with open(path, "rb") as fh:
            yield from read_stream(fh, path, fmt, options=options, fetch=fetch)
    except OSError as exc:
        yield Rejection(path, 0, Codes.NO_INPUT, f"cannot read the file: {exc.strerror or exc}")


def read_stream(fh: BinaryIO, origin: str, fmt: str | None = None, *, options: Any = None, fetch: bool = False) -> Iterator[Item]:
    """Read one binary stream with the reader of its format (``fmt``, else its name, else its first bytes)."""
    try:
        head = fh.read(_SNIFF_BYTES)
    except OSError as exc:
        yield Rejection(origin, 0, Codes.NO_INPUT, f"cannot read the file: {exc.strerror or exc}")
        return
    if not head.strip():
        yield Rejection(origin, 0, Codes.EMPTY_FILE, "the file is empty")
        return
    stream: BinaryIO = _Rewound(head, fh)  # type: ignore[assignment]
    named = format_named(fmt) if fmt else format_for_path(origin)
    compressed = head[:2] == _GZIP_MAGIC
    if compressed and not (named is not None and named.name == "warc"):
        inner = gzip.GzipFile(fileobj=stream, mode="rb")
        try:
            head = inner.read(_SNIFF_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            yield Rejection(origin, 0, Codes.DAMAGED, f"not a readable gzip file: {exc}")
            return
        if not head.strip():
            yield Rejection(origin, 0, Codes.EMPTY_FILE, "the file is empty (once decompressed)")
            return
        stream = _Rewound(head, inner)  # type: ignore[assignment]
    chosen = named or _sniffed(origin, head)
    if chosen is None:
        if _looks_binary(head, strict=True):
            yield Rejection(origin, 0, Codes.BINARY, "the file is binary (it contains NUL bytes), not text")
            return
        known = ", ".join(extensions()[: len(extensions()) // 2])
        yield Rejection(origin, 0, Codes.UNKNOWN_FORMAT, f"unknown file format; expected one of {known} (or the same gzipped)")
        return
    if chosen.name != "warc" and _looks_binary(head, strict=not chosen.line_based):
        yield Rejection(origin, 0, Codes.BINARY, "the file is binary (it contains NUL bytes), not text")
        return
    try:
        reader = make_reader(chosen, options)
    except StorylineError as exc:  # an optional extra that is not installed
        yield Rejection(origin, 0, exc.code, exc.message)
        return
    if fetch and hasattr(reader, "fetch_pages"):
        reader.fetch_pages = True
    try:
        yield from reader.read(stream, origin)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield Rejection(origin, 0, Codes.DAMAGED, f"the compressed file is truncated or damaged ({exc}); the records before the damage were read")
    except OSError as exc:
        yield Rejection(origin, 0, Codes.NO_INPUT, f"cannot read the file: {exc.strerror or exc}")


def _sniffed(origin: str, head: bytes) -> Format | None:
    name = detect_format(origin if format_for_path(origin) is None else "", head)
    return format_named(name) if name else None


def _looks_binary(head: bytes, *, strict: bool) -> bool:
    """Binary: NUL bytes in the first bytes (any, when ``strict``; else more than 1 % of them)."""
    nuls = head.count(b"\x00")
    return nuls > 0 if strict else nuls > max(1, len(head) // 100)


class _Rewound(io.RawIOBase):
    """A binary stream that first replays the bytes already sniffed."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _decode(data: bytes, origin: str, line: int) -> str | Rejection:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(origin, line, Codes.NOT_UTF8, f"not UTF-8 text (invalid byte at offset {exc.start})")


def _surrogate(value: Any) -> bool:
    """Whether a parsed JSON value holds a lone surrogate (``"\\ud800"``), which no UTF-8 store can keep."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_surrogate(k) or _surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_surrogate(v) for v in value)
    return False


class TxtReader:
    """The founding format: one article per file, starting with ``date YYYY-MM-DD``."""

    name = "reader.txt.v1"

    def read(self, stream: BinaryIO, origin: str) -> Iterator[Item]:
        data = io.BufferedReader(stream, 1 << 20).read()  # type: ignore[arg-type]
        text = _decode(data, origin, 1)
        if isinstance(text, Rejection):
            yield text
            return
        match = _DATE_LINE.match(text)
        if match is None:
            yield Rejection(origin, 1, Codes.NO_DATE_LINE, "expected the text to start with a line 'date YYYY-MM-DD'", text[:200])
            return
        yield RawRecord(origin, 1, {"date": match.group(1), "text": text[match.end() :]})


class JsonlReader:
    """Corpus JSONL: one JSON object per line; a bad line is rejected alone."""

    name = "reader.jsonl.v1"

    def read(self, stream: BinaryIO, origin: str) -> Iterator[Item]:
        buffered = io.BufferedReader(stream, 1 << 20)  # type: ignore[arg-type]
        number = 0
        while True:
            raw = buffered.readline(_MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > _MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while True:  # skip the rest of the line without keeping it
                    more = buffered.readline(1 << 20)
                    if not more or more.endswith(b"\n"):
                        break
                yield Rejection(origin, number, Codes.TOO_LARGE, f"the line is longer than {_MAX_LINE_BYTES:,} bytes")
                continue
            if not raw.strip():
                continue
            yield self._parse(raw, origin, number)

    @staticmethod
    def _parse(raw: bytes, origin: str, number: int) -> Item:
        if b"\x00" in raw:
            return Rejection(origin, number, Codes.BINARY, "the line contains a NUL byte", raw[:200].decode("utf-8", "replace"))
        text = _decode(raw, origin, number)
        if isinstance(text, Rejection):
            return text
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            return Rejection(origin, number, Codes.BAD_JSON, f"not valid JSON: {exc.msg} (column {exc.colno})", text[:200])
        except RecursionError:
            return Rejection(origin, number, Codes.BAD_JSON, "not usable JSON: nested too deeply", text[:200])
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            return Rejection(origin, number, Codes.BAD_JSON, f"not usable JSON: {str(exc).split(';')[0]}", text[:200])
        if not isinstance(obj, dict):
            return Rejection(origin, number, Codes.BAD_JSON, f"expected a JSON object, got {type(obj).__name__}", text[:200])
        try:
            if _surrogate(obj):
                return Rejection(origin, number, Codes.NOT_UTF8, "a string holds a lone surrogate escape (such as \\ud800), which is not text", text[:200])
        except RecursionError:
            return Rejection(origin, number, Codes.BAD_JSON, "not usable JSON: nested too deeply", text[:200])
        return RawRecord(origin, number, obj)


class CsvReader:
    """The corpus columns with a header row.

    Quotes are read strictly: a quoted field that never closes properly
    (an unbalanced quote) is a rejection of the row where it opened, and
    reading starts again on the next line, so it cannot swallow the rows
    after it.
    """

    name = "reader.csv.v1"

    def read(self, stream: BinaryIO, origin: str) -> Iterator[Item]:
        data = io.BufferedReader(stream, 1 << 20).read()  # type: ignore[arg-type]
        text = _decode(data, origin, 1)
        if isinstance(text, Rejection):
            yield text
            return
        csv.field_size_limit(1 << 30)
        lines = io.StringIO(text, newline="").readlines()
        try:
            header = next(csv.reader(lines[:1], strict=True), None)
        except csv.Error as exc:
            yield Rejection(origin, 1, Codes.BAD_FIELD, f"malformed CSV header: {exc}")
            return
        if not header or "text" not in header:
            yield Rejection(origin, 1, Codes.MISSING_FIELD, "the CSV header has no 'text' column")
            return
        index = 1  # 0-based index of the next line to read
        while index < len(lines):
            reader = csv.reader(iter(lines[index:]), strict=True)
            start = index
            try:
                for row in reader:
                    line = start + 1
                    start = index + reader.line_num
                    if not any(cell.strip() for cell in row):
                        continue
                    yield self._row(header, row, origin, line)
                index = len(lines)
            except csv.Error as exc:
                yield Rejection(origin, start + 1, Codes.BAD_FIELD,
                                f"malformed CSV ({exc}): an unbalanced quote opens on this line; the rows after it are read again",
                                lines[start][:200])
                index = start + 1

    @staticmethod
    def _row(header: list[str], row: list[str], origin: str, line: int) -> Item:
        if len(row) > len(header):
            return Rejection(origin, line, Codes.BAD_FIELD, "the row has more cells than the header")
        if any("\x00" in cell for cell in row):
            return Rejection(origin, line, Codes.BINARY, "the row contains a NUL byte")
        fields = {k: (v if v != "" else None) for k, v in zip(header, row)}
        for k in header[len(row):]:
            fields[k] = None
        return RawRecord(origin, line, fields)


def _txt(options: Any) -> TxtReader:
    return TxtReader()


def _jsonl(options: Any) -> JsonlReader:
    return JsonlReader()


def _csv(options: Any) -> CsvReader:
    return CsvReader()
