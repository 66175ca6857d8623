"""Readers: files, folders, globs, stdin and URLs into raw records, rejections and notices.

One format table (:data:`FORMATS`), one small interface (:class:`Reader`),
each reader registered under a versioned name (``reader.html.v1``). The
engine calls :func:`expand_paths` and :func:`read_path`.
"""

from __future__ import annotations


from .files import CsvReader, JsonlReader, TxtReader, detect_format, expand_paths, is_url, read_path, read_stream
from .formats import FORMATS, Format, Item, Reader, extensions, format_for_path, format_names

__all__ = [
    "FORMATS", "Format", "Item", "Reader", "extensions", "format_for_path", "format_names",
    "expand_paths", "read_path", "read_stream", "detect_format", "is_url",
    "TxtReader", "JsonlReader", "CsvReader",
]
