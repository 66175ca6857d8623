"""Web archives (``.warc``, ``.warc.gz``): every HTML 200 response is a page.

``reader.warc.v1`` streams the archive: it cuts it into records itself (so
that a broken record costs only that record: reading starts again at the next
``WARC/1.x`` header, or at the next gzip member of a ``.warc.gz``), holds one
record at a time (records larger than :data:`MAX_RECORD_BYTES` are skipped
unread), lets warcio parse each record's HTTP headers and body (chunked and
compressed bodies), and hands each HTML response with status 200 to the HTML
reader. Everything else -- requests, metadata, redirects, errors, images,
pages without an article -- is skipped and counted in one
:class:`~storyline.model.Notice`; a damaged record is a rejection naming its
position. Each record is ``line`` N, its 1-based number in the archive.
"""

from __future__ import annotations

import io
import zlib
from collections import Counter
from typing import Any, BinaryIO, Iterator

from ...errors import Codes, DependencyMissing
from ...model import Notice, Rejection
from .formats import Item

__all__ = ["WarcReader", "MAX_RECORD_BYTES"]

MAX_RECORD_BYTES = 32 << 20
_MAX_HEADER_LINE = 64 << 10
_GZIP_MAGIC = b"\x1f\x8b\x08"
_CHUNK = 1 << 16


def _warcio():
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:  # pragma: no cover - depends on the environment
        raise DependencyMissing("WARC reading (warcio)", "web-input") from None
    return ArchiveIterator


class _Damage(Exception):
    """The byte stream broke (a damaged or truncated gzip member) inside a record."""


def _gunzip(raw: BinaryIO) -> Iterator[bytes | None]:
    """The decompressed bytes of a gzip stream of one or many members; ``None`` marks damage.

    After damage, decompression starts again at the next gzip member header.
    """
    inflater = zlib.decompressobj(31)
    pending = b""
    started = False
    while True:
        data = pending or raw.read(_CHUNK)
        pending = b""
        if not data:
            if started and not inflater.eof:
                yield None  # truncated inside a member
            return
        try:
            out = inflater.decompress(data)
        except zlib.error:
            yield None
            inflater, started = zlib.decompressobj(31), False
            while True:  # look for the next member header
                found = data.find(_GZIP_MAGIC, 1)
                if found >= 0:
                    pending = data[found:]
                    break
                more = raw.read(_CHUNK)
                if not more:
                    return
                data = data[-2:] + more
            continue
        started = True
        if out:
            yield out
        if inflater.eof:
            pending = inflater.unused_data
            inflater, started = zlib.decompressobj(31), False


def _plain(raw: BinaryIO) -> Iterator[bytes | None]:
    while True:
        data = raw.read(_CHUNK)
        if not data:
            return
        yield data


class _Bytes:
    """Lines and blocks pulled from a chunk iterator; damage markers raise :class:`_Damage`."""

    def __init__(self, chunks: Iterator[bytes | None]) -> None:
        self._chunks = chunks
        self._buf = bytearray()
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = next(self._chunks, b"")
        if chunk is None:
            self._buf.clear()
            raise _Damage()
        if not chunk:
            self.eof = True
            return False
        self._buf += chunk
        return True

    def readline(self) -> bytes:
        while True:
            end = self._buf.find(b"\n", 0, _MAX_HEADER_LINE)
            if end >= 0:
                line = bytes(self._buf[: end + 1])
                del self._buf[: end + 1]
                return line
            if len(self._buf) >= _MAX_HEADER_LINE:
                line = bytes(self._buf[:_MAX_HEADER_LINE])
                del self._buf[:_MAX_HEADER_LINE]
                return line
            if not self._fill():
                line = bytes(self._buf)
                self._buf.clear()
                return line

    def read(self, n: int, *, keep: bool = True) -> bytes:
        """``n`` bytes (fewer at the end); with ``keep=False`` they are skipped, never held."""
        out = bytearray()
        while n > 0:
            if not self._buf and not self._fill():
                break
            take = min(n, len(self._buf))
            if keep:
                out += self._buf[:take]
            del self._buf[:take]
            n -= take
        return bytes(out)


class WarcReader:
    """A WARC file, plain or gzipped, read one record at a time."""

    name = "reader.warc.v1"

    def __init__(self, *, max_record_bytes: int = MAX_RECORD_BYTES) -> None:
        self._iterator = _warcio()
        from .html import HtmlReader

        self.pages = HtmlReader()
        self.max_record_bytes = max_record_bytes

    def read(self, stream: BinaryIO, origin: str) -> Iterator[Item]:
        head = stream.read(3)
        rest = _Prefixed(head, stream)
        source = _Bytes(_gunzip(rest) if head[:2] == _GZIP_MAGIC[:2] else _plain(rest))
        skipped: Counter = Counter()
        number = 0
        resync = False
        while True:
            try:
                header = self._header(source, resync)
            except _Damage:
                resync = True
                yield Rejection(origin, number + 1, Codes.DAMAGED, f"record {number + 1}: damaged compressed data; reading goes on at the next record")
                continue
            if header is None:
                break
            number += 1
            resync = False
            raw_head, fields = header
            length = fields.get("content-length", "")
            if not length.isdigit():
                resync = True
                yield Rejection(origin, number, Codes.DAMAGED, f"record {number}: no valid Content-Length; reading goes on at the next record")
                continue
            size = int(length)
            kind = fields.get("warc-type", "")
            try:
                if size > self.max_record_bytes:
                    source.read(size, keep=False)
                    skipped["larger than the record limit"] += 1
                    continue
                if kind != "response":
                    source.read(size, keep=False)
                    skipped[f"{kind or 'untyped'} records"] += 1
                    continue
                block = source.read(size)
            except _Damage:
                resync = True
                yield Rejection(origin, number, Codes.DAMAGED, f"record {number}: damaged compressed data; reading goes on at the next record")
                continue
            if len(block) < size:
                yield Rejection(origin, number, Codes.DAMAGED, f"record {number}: the archive ends inside the record (truncated)")
                break
            item = self._response(raw_head + block + b"\r\n\r\n", origin, number, fields.get("warc-target-uri"), skipped)
            if item is not None:
                yield item
        if number == 0:  # not one record header: not a WARC file, or one cut off before its first record ended
            yield Rejection(origin, 0, Codes.DAMAGED, "no WARC record in the file (a record starts with a line 'WARC/1.0'"
                            " and its header ends with a blank line): not a WARC file, or one cut off inside its first record")
        if skipped:
            counts = ", ".join(f"{n} {what}" for what, n in skipped.most_common())
            yield Notice(origin, f"skipped {sum(skipped.values())} of {number} records ({counts})")

    def _header(self, source: _Bytes, resync: bool) -> tuple[bytes, dict[str, str]] | None:
        """The next record's header lines and fields, or None at the end."""
        while True:
            line = source.readline()
            if not line:
                return None
            if line.startswith(b"WARC/1."):
                break
            if line.strip() and not resync:
                resync = True  # garbage where a record should start: look for the next one
        lines = [line]
        fields: dict[str, str] = {}
        while True:
            line = source.readline()
            if not line:
                return None
            lines.append(line)
            if not line.strip():
                return b"".join(lines), fields
            name, sep, value = line.decode("utf-8", "replace").partition(":")
            if sep:
                fields[name.strip().lower()] = value.strip()
            if len(lines) > 500:
                return b"".join(lines), fields

    def _response(self, record: bytes, origin: str, number: int, uri: str | None, skipped: Counter) -> Item | None:
        try:
            parsed = next(iter(self._iterator(io.BytesIO(record), arc2warc=False)), None)
            if parsed is None or parsed.http_headers is None:
                skipped["responses without HTTP headers"] += 1
                return None
            status = parsed.http_headers.get_statuscode()
            ctype = (parsed.http_headers.get_header("Content-Type") or "").lower()
            if status != "200":
                skipped[f"HTTP {status[:3] or '?'} responses" if status[:1] in "345" else "non-200 responses"] += 1
                return None
            if "html" not in ctype:
                skipped["responses that are not HTML"] += 1
                return None
            body = parsed.content_stream().read(self.max_record_bytes)
        except Exception as exc:  # warcio raises many kinds on a malformed record  # noqa: BLE001
            return Rejection(origin, number, Codes.DAMAGED, f"record {number} ({uri or 'no URI'}): malformed response ({type(exc).__name__})")
        page = self.pages.record(body, origin, number, uri)
        if isinstance(page, Rejection):
            skipped["pages without an article"] += 1
            return None
        return page


class _Prefixed(io.RawIOBase):
    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        if self._head:
            head, self._head = self._head, b""
            return head + self._rest.read(max(0, n - len(head))) if n > 0 else head + self._rest.read()
        return self._rest.read(n)


def _warc(options: Any) -> WarcReader:
    return WarcReader()
