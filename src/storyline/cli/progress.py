"""Progress of a long ingest: a live bar with rate and time left on a terminal, a line now and then elsewhere."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

__all__ = ["ingest_progress"]

#: seconds between two progress lines when stderr is not a terminal
LINE_EVERY = 10.0


@contextmanager
def ingest_progress(enabled: bool, stream: TextIO | None = None) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback ``(done, total)`` for :meth:`storyline.Storyline.ingest`, or None when disabled."""
    stream = stream or sys.stderr
    if not enabled:
        yield None
    elif stream.isatty():
        with _bar(stream) as update:
            yield update
    else:
        yield _Lines(stream)


@contextmanager
def _bar(stream: TextIO) -> Iterator[Callable[[int, int], None]]:
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("ingest", total=None, rate="")
        started = time.monotonic()

        def update(done: int, total: int) -> None:
            seconds = time.monotonic() - started
            rate = f"{done / seconds:.1f} articles/s" if done and seconds > 0 else ""
            bar.update(task, completed=done, total=total, rate=rate)

        yield update


class _Lines:
    """One line every :data:`LINE_EVERY` seconds (and at the end): done, total, rate, time left."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.started, self.last = stream, time.monotonic(), 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < LINE_EVERY:
            return
        if done == 0:
            return
        self.last = now
        seconds = now - self.started
        rate = done / seconds if seconds > 0 else 0.0
        left = f", about {(total - done) / rate:.0f}s left" if rate > 0 and done < total else ""
        print(f"ingesting: {done}/{total} articles, {rate:.1f}/s{left}", file=self.stream, flush=True)
