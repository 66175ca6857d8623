"""Seconds per stage, summed over a run (the ingest summary's ``stage_seconds``, and the process's CPU seconds in
``stage_cpu_seconds``: on a shared machine the wall clock also counts other programs' turns).

Stages may nest (the record stage holds the comparison's). A model stage (:data:`MODEL_STAGES`) run inside
another is carved out of it: the sentences the comparison embeds count as ``embed``, not as ``record`` or
``compare``, so the summary's model and non-model seconds add up to the run's."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

__all__ = ["StageTimer", "MODEL_STAGES"]

#: the stages that run a model (the rest of a run is the pipeline's own cost)
MODEL_STAGES = ("embed", "entities")


class StageTimer:
    def __init__(self, totals: dict[str, float], cpu: dict[str, float] | None = None) -> None:
        self.totals = totals
        self.cpu = {} if cpu is None else cpu
        self._open: list[list[float]] = []  # per open stage: the wall and CPU seconds of the model stages within

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start, start_cpu = time.perf_counter(), time.process_time()
        carved = [0.0, 0.0]
        self._open.append(carved)
        try:
            yield
        finally:
            self._open.pop()
            wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            if stage in MODEL_STAGES:
                for outer in self._open:
                    outer[0] += wall
                    outer[1] += cpu
            self.totals[stage] = self.totals.get(stage, 0.0) + wall - carved[0]
            self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu - carved[1]
