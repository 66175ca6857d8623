#!/usr/bin/env python
"""Usage: PYTHONPATH=src python scripts/bench_web_where.py STORE.db

Where a request's CPU goes, one request at a time, in-process: the engine's reads (SQL + model objects),
to_dict, and the rest (routing, validation, template or JSON rendering, middleware) through the ASGI app."""
import random, resource, statistics, sys, time
from fastapi.testclient import TestClient
import storyline
from storyline.web import create_app

db = sys.argv[1]
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime
engine = storyline.Storyline(db, readonly=True)
n = engine.store.count("stories") - 2
rng = random.Random(7); ids = [f"S{rng.randint(1, n)}" for _ in range(200)]
def measure(fn, items):
    out = []
    for x in items:
        c = cpu(); fn(x); out.append((cpu() - c) * 1000)
    return statistics.mean(out)
for x in ids[:20]: engine.story(x, 0, 20, articles_limit=8)
reads = measure(lambda s: engine.story(s, 0, 20, articles_limit=8), ids)
todict = measure(lambda s: engine.story(s, 0, 20, articles_limit=8).to_dict(), ids)
def page_reads(s):
    story = engine.story(s, 0, 20, articles_limit=8).to_dict()
    engine.places([e["articles"][0] for e in story["events"] if e["articles"]])
    engine.timeline_page(s, [e["id"] for e in story["events"]])
pagereads = measure(page_reads, ids)
lst = measure(lambda _: engine.story_list(limit=20), range(200))
lstd = measure(lambda _: engine.story_list(limit=20).to_dict(), range(200))
with TestClient(create_app(db, storyline.load_options(overrides={"serve_cache_bytes": 0}))) as c:
    for x in ids[:20]: c.get(f"/stories/{x}"); c.get(f"/api/stories/{x}")
    html = measure(lambda s: c.get(f"/stories/{s}"), ids)
    api = measure(lambda s: c.get(f"/api/stories/{s}"), ids)
    lhtml = measure(lambda _: c.get("/"), range(200))
    lapi = measure(lambda _: c.get("/api/stories"), range(200))
with TestClient(create_app(db)) as c:
    for x in ids: c.get(f"/stories/{x}")
    hit = measure(lambda s: c.get(f"/stories/{s}"), ids)
print(f"story page: engine.story {reads:.2f} ms, + to_dict {todict:.2f}, + places + timeline lines {pagereads:.2f}; "
      f"whole request JSON {api:.2f}, HTML {html:.2f}; HTML from the cache {hit:.2f} (CPU ms a request, mean of 200)")
print(f"story list: engine.story_list {lst:.2f} ms, + to_dict {lstd:.2f}; whole request JSON {lapi:.2f}, HTML {lhtml:.2f}")
