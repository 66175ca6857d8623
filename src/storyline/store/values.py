"""Small value conversions both stores share: timestamps, ISO days, statement-sized pieces of a list."""

from __future__ import annotations

import datetime as dt
from typing import Iterator


def now() -> str:
    """The current UTC time to the second, as ISO 8601 text."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    """``values`` in pieces of at most ``size`` (parameters of one statement)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
