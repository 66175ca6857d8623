#!/usr/bin/env python
"""How much parallel CPU this machine really gives: the same pure-Python work in 1 and in N processes at once.

    python scripts/core_throughput.py [--processes 2] [--seconds 5]

Each process counts how many rounds of a fixed integer loop it finishes in ``--seconds``. The speed-up is the
rounds of all N processes together over the rounds of one process alone. It bounds what any parallel run on the
machine (``spark analyse --master local[N]``, issue 19) can gain over one process.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time


def _rounds(seconds: float) -> int:
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        total = 0
        for i in range(20_000):
            total += i * i % 7
        done += 1
    return done


def measure(processes: int, seconds: float) -> tuple[int, int]:
    alone = _rounds(seconds)
    with mp.Pool(processes) as pool:
        together = sum(pool.map(_rounds, [seconds] * processes))
    return alone, together


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    alone, together = measure(args.processes, args.seconds)
    print(f"1 process: {alone} rounds; {args.processes} processes: {together} rounds; "
          f"speed-up {together / alone:.2f}x")


if __name__ == "__main__":
    main()
