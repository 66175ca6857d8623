"""The files the evaluation and fitting commands read and write.

Every development file is JSON lines; :func:`read_objects` reads one and
names the file and line of anything that is not a JSON object, so each
loader only checks the fields its format needs. Fitted parameter files
carry the sha256 of every file they came from (:func:`sha256_of`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import Codes, InputError

__all__ = ["read_objects", "bad_line", "sha256_of", "write_params"]


def bad_line(path: str | Path, line: int, message: str, code: str = Codes.MISSING_FIELD) -> InputError:
    """The error for one bad record, naming its file and line."""
    return InputError(message, code=code, origin=str(path), line=line)


def read_objects(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) of every non-blank line; InputError for bad JSON, a non-object or an empty file."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise bad_line(path, number, f"not valid JSON: {exc.msg}", Codes.BAD_JSON) from None
            if not isinstance(row, dict):
                raise bad_line(path, number, "expected a JSON object", Codes.BAD_FIELD)
            rows.append((number, row))
    if not rows:
        raise InputError("the file holds no records", code=Codes.EMPTY_FILE, origin=str(path))
    return rows


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_params(document: dict[str, Any], path: str | Path, indent: int = 2) -> None:
    """Write a fitted parameter document as JSON."""
    Path(path).write_text(json.dumps(document, indent=indent) + "\n", encoding="utf-8")
