#!/usr/bin/env python
"""CPU per request of the big story's and the big event's pages, in process (no HTTP, one thread).

    python scripts/bench_pages_cpu.py /tmp/bw20k_pages.db [REQUESTS] [--profile]

Reads a store built by ``bench_web.py`` (its ``bench_big`` meta names the
1,000-event story and the 500-article event) and calls the four handlers
behind ``/stories/{id}``, ``/api/stories/{id}``, ``/events/{id}`` and
``/api/events/{id}`` directly, as the server's worker thread would (the JSON
handlers' dicts, before FastAPI serialises them). Prints the first call's CPU
milliseconds (the caches empty), then the median and p95 CPU milliseconds of
``REQUESTS`` more and each response's size. ``--profile`` prints a cProfile
listing of five calls of each instead. CPU time (``time.process_time``) is what
a shared machine's load inflates least.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import statistics
import sys
import time

from starlette.requests import Request

from storyline.store.sqlite import SQLiteStore
from storyline.web import api, pages
from storyline.web.app import create_app


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    db, n = args[0], int(args[1]) if len(args) > 1 else 15
    with SQLiteStore(db) as store:
        big_story, _, big_event = store.get_meta("bench_big").split()
    app = create_app(db)

    def request(path: str) -> Request:
        return Request({"type": "http", "app": app, "headers": [], "method": "GET", "path": path, "query_string": b"",
                        "root_path": "", "scheme": "http", "server": ("127.0.0.1", 80), "router": app.router})

    calls = {
        "1,000-event story, HTML": lambda: pages.story_page(request(f"/stories/{big_story}"), big_story, 0),
        "1,000-event story, JSON": lambda: api.get_story(request(f"/api/stories/{big_story}"), big_story, 0, None),
        "500-article event, HTML": lambda: pages.event_page(request(f"/events/{big_event}"), big_event, None, None, 0),
        "500-article event, JSON": lambda: api.get_event(request(f"/api/events/{big_event}"), big_event, 0, None),
    }
    first = {}
    for name, call in calls.items():
        start = time.process_time()
        call()
        first[name] = (time.process_time() - start) * 1000
    if "--profile" in sys.argv:
        for name, call in calls.items():
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(5):
                call()
            profile.disable()
            print(f"===== {name}")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    print("| request | first call CPU ms | median CPU ms | p95 CPU ms | kB |")
    print("|---|---|---|---|---|")
    for name, call in calls.items():
        cpu = []
        for _ in range(n):
            start = time.process_time()
            response = call()
            cpu.append((time.process_time() - start) * 1000)
        cpu.sort()
        body = response.body if hasattr(response, "body") else json.dumps(response).encode()
        print(f"| {name} | {first[name]:.0f} | {statistics.median(cpu):.1f} | {cpu[int(0.95 * (n - 1))]:.1f} | {len(body) / 1000:.0f} |")


if __name__ == "__main__":
    main()
