"""Seconds per stage, summed over a run (the ingest summary's ``stage_seconds``, and the process's CPU seconds in
``stage_cpu_seconds``: on a shared machine the wall clock also counts other programs' turns)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

__all__ = ["StageTimer"]


class StageTimer:
    def __init__(self, totals: dict[str, float], cpu: dict[str, float] | None = None) -> None:
        self.totals = totals
        self.cpu = {} if cpu is None else cpu

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.totals[stage] = self.totals.get(stage, 0.0) + time.perf_counter() - start
            self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - start_cpu
