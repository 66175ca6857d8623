"""Ingest: read files, folders, globs and standard input into raw records.

Readers never raise on bad content: every problem becomes a
:class:`~storyline.model.Rejection` naming the file and line, and reading
goes on with the next record. Supported formats:

* ``.txt`` - the founding format: the text starts with ``date YYYY-MM-DD``,
  followed by the article (one article per file);
* ``.jsonl`` / ``.ndjson`` - corpus JSONL, one article per line;
* ``.csv`` - the same columns as corpus JSONL, with a header row.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from ..errors import Codes
from ..model import RawRecord, Rejection

__all__ = ["FORMATS", "expand_paths", "read_path", "read_stream", "detect_format"]

FORMATS = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
STDIN = "-"
STDIN_ORIGIN = "<stdin>"
_SNIFF_BYTES = 8192
_DATE_LINE = re.compile(r"\A\s*date[ \t]+(\S+)[ \t]*(?:\r?\n)?", re.IGNORECASE)

Item = RawRecord | Rejection


def expand_paths(paths: Iterable[str]) -> Iterator[str | Rejection]:
    """Yield files from paths, folders (recursively, sorted) and globs; ``-`` is stdin."""
    for raw in paths:
        if raw == STDIN:
            yield STDIN
            continue
        # a file that exists is read as named, even when its name looks like a glob
        if any(ch in raw for ch in "*?[") and not Path(raw).exists():
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield Rejection(raw, 0, Codes.NO_INPUT, "the pattern matches no file")
            for match in matches:
                yield from expand_paths([match])
            continue
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    yield str(Path(root) / name)
        elif path.exists():
            yield str(path)
        else:
            yield Rejection(raw, 0, Codes.NO_INPUT, "no such file or folder")


def detect_format(path: str, head: bytes) -> str | None:
    """The format of a file, from its extension or (for stdin) its first bytes."""
    ext = Path(path).suffix.lower()
    if ext in FORMATS:
        return FORMATS[ext]
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return "jsonl"
    if _DATE_LINE.match(stripped.decode("utf-8", "replace")):
        return "txt"
    if path in (STDIN, STDIN_ORIGIN) and b"," in stripped.split(b"\n", 1)[0]:
        return "csv"
    return None


def read_path(path: str, fmt: str | None = None) -> Iterator[Item]:
    """Read one file (or ``-``) into raw records and rejections."""
    if path == STDIN:
        yield from read_stream(sys.stdin.buffer, STDIN_ORIGIN, fmt)
        return
    try:
        with open(path, "rb") as fh:
            yield from read_stream(fh, path, fmt)
    except OSError as exc:
        yield Rejection(path, 0, Codes.NO_INPUT, f"cannot read the file: {exc.strerror or exc}")


def read_stream(fh: BinaryIO, origin: str, fmt: str | None = None) -> Iterator[Item]:
    head = fh.read(_SNIFF_BYTES)
    if not head.strip():
        yield Rejection(origin, 0, Codes.EMPTY_FILE, "the file is empty")
        return
    if b"\x00" in head:
        yield Rejection(origin, 0, Codes.BINARY, "the file is binary (it contains NUL bytes), not text")
        return
    fmt = fmt or detect_format(origin, head)
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        yield Rejection(origin, 0, Codes.UNKNOWN_FORMAT, f"unknown file format; expected one of {known}")
        return
    stream = _Rewound(head, fh)
    if fmt == "jsonl":
        yield from _read_jsonl(stream, origin)
    elif fmt == "csv":
        yield from _read_csv(stream, origin)
    else:
        yield from _read_txt(stream, origin)


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


def _read_jsonl(stream: io.RawIOBase, origin: str) -> Iterator[Item]:
    for number, raw in enumerate(io.BufferedReader(stream, 1 << 20), start=1):
        if not raw.strip():
            continue
        text = _decode(raw, origin, number)
        if isinstance(text, Rejection):
            yield text
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Rejection(origin, number, Codes.BAD_JSON, f"not valid JSON: {exc.msg} (column {exc.colno})", text[:200])
            continue
        if not isinstance(obj, dict):
            yield Rejection(origin, number, Codes.BAD_JSON, f"expected a JSON object, got {type(obj).__name__}", text[:200])
            continue
        yield RawRecord(origin, number, obj)


def _read_csv(stream: io.RawIOBase, origin: str) -> Iterator[Item]:
    data = io.BufferedReader(stream, 1 << 20).read()
    text = _decode(data, origin, 1)
    if isinstance(text, Rejection):
        yield text
        return
    csv.field_size_limit(1 << 30)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        yield Rejection(origin, 1, Codes.MISSING_FIELD, "the CSV header has no 'text' column")
        return
    start = 2
    try:
        for row in reader:
            fields = {k: (v if v != "" else None) for k, v in row.items() if k is not None}
            if None in row:
                yield Rejection(origin, start, Codes.BAD_FIELD, "the row has more cells than the header")
            else:
                yield RawRecord(origin, start, fields)
            start = reader.line_num + 1
    except csv.Error as exc:
        yield Rejection(origin, reader.line_num, Codes.BAD_FIELD, f"malformed CSV: {exc}")


def _read_txt(stream: io.RawIOBase, origin: str) -> Iterator[Item]:
    data = io.BufferedReader(stream, 1 << 20).read()
    text = _decode(data, origin, 1)
    if isinstance(text, Rejection):
        yield text
        return
    match = _DATE_LINE.match(text)
    if match is None:
        yield Rejection(origin, 1, Codes.NO_DATE_LINE, "expected the text to start with a line 'date YYYY-MM-DD'", text[:200])
        return
    yield RawRecord(origin, 1, {"date": match.group(1), "text": text[match.end() :]})
