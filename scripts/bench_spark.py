"""Side by side: single-process `ingest` against `spark analyse --master local[N]` + `ingest --analysed`.

    PYTHONPATH=src python scripts/bench_spark.py STREAM.jsonl WORKDIR [--master local[2]] [--skip-plain]

Runs, one after the other on the same machine: (1) `storyline ingest STREAM` into WORKDIR/plain.db, (2) `storyline
spark analyse STREAM --output WORKDIR/analysed`, (3) `storyline ingest --analysed` into WORKDIR/spark.db. Every
0.2 s it reads the resident memory of each process the commands started (/proc), and reports the peak of the
biggest Python executor worker, of the JVM and of the plain ingest. At the end it compares the two stores: events,
stories, records and decisions (the read API's dicts), and how many stored vectors are bit-identical. Then (4)
`ingest --analysed` again with records=false: the sequential stages alone. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np


def _children(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    out, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in out:
                out.add(child)
                todo.append(child)
    return out


def _rss(pid: int) -> tuple[str, int]:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return cmd, int(line.split()[1]) * 1024
    except OSError:
        pass
    return "", 0


def timed(argv: list[str]) -> tuple[float, dict[str, int], str]:
    """Wall seconds, peak RSS by kind of process (java, executor python, other), and stdout."""
    peaks: dict[str, int] = {}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for pid in _children(proc.pid):
                cmd, rss = _rss(pid)
                kind = "java" if "java" in cmd.split(" ")[0] else "executor" if "pyspark" in cmd else "driver"
                peaks[kind] = max(peaks.get(kind, 0), rss)
            time.sleep(0.2)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    done.set()
    thread.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode})")
    return time.perf_counter() - started, peaks, out


def dump(db: str) -> tuple[dict, dict]:
    from storyline import Storyline

    with Storyline(db) as sl:
        out = {}
        for s in sl.stories(limit=None):
            story = sl.story(s.id).to_dict()
            out[s.id] = story
            for e in story["events"]:
                out[e["id"]] = sl.event(e["id"]).to_dict()
        vectors = {a: v for a, _, v in sl.store.embeddings()}
        return json.loads(json.dumps(out, sort_keys=True, default=str)), vectors


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("stream")
    parser.add_argument("workdir")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--skip-plain", action="store_true")
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "storyline"]
    result: dict = {"stream": args.stream, "articles": sum(1 for _ in open(args.stream, encoding="utf-8"))}
    if not args.skip_plain:
        (work / "plain.db").unlink(missing_ok=True)
        seconds, peaks, out = timed(cli + ["--db", str(work / "plain.db"), "ingest", args.stream, "--no-progress", "--json"])
        result["plain"] = {"seconds": round(seconds, 1), "peak_rss_mb": {k: v >> 20 for k, v in peaks.items()},
                           "summary_seconds": json.loads(out)["seconds"], "stage_seconds": json.loads(out)["stage_seconds"]}
    seconds, peaks, out = timed(cli + ["spark", "analyse", args.stream, "--output", str(work / "analysed"),
                                      "--master", args.master, "--overwrite", "--json"])
    result["spark_analyse"] = {"seconds": round(seconds, 1), "peak_rss_mb": {k: v >> 20 for k, v in peaks.items()},
                               "rows": json.loads(out)}
    (work / "spark.db").unlink(missing_ok=True)
    seconds, peaks, out = timed(cli + ["--db", str(work / "spark.db"), "ingest", "--analysed", str(work / "analysed"),
                                      "--no-progress", "--json"])
    summary = json.loads(out)
    result["ingest_analysed"] = {"seconds": round(seconds, 1), "peak_rss_mb": peaks.get("driver", 0) >> 20,
                                 "summary_seconds": summary["seconds"], "stage_seconds": summary["stage_seconds"],
                                 "articles_per_s": round(summary["ingested"] / summary["seconds"], 1)}
    # the sequential part alone: deduplicate, cluster, link, store (no record stage, whose comparison embeds)
    (work / "norecords.db").unlink(missing_ok=True)
    seconds, _, out = timed(cli + ["--db", str(work / "norecords.db"), "--set", "records=false", "ingest", "--analysed",
                                   str(work / "analysed"), "--no-progress", "--json"])
    summary = json.loads(out)
    result["ingest_analysed_no_records"] = {"seconds": round(seconds, 1), "summary_seconds": summary["seconds"],
                                            "stage_seconds": summary["stage_seconds"],
                                            "articles_per_s": round(summary["ingested"] / summary["seconds"], 1)}
    if not args.skip_plain:
        total = result["spark_analyse"]["seconds"] + result["ingest_analysed"]["seconds"]
        result["speedup"] = round(result["plain"]["seconds"] / total, 2)
        (a, va), (b, vb) = dump(str(work / "plain.db")), dump(str(work / "spark.db"))
        result["same_events_stories_records"] = a == b
        result["differing_items"] = sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))
        result["vectors_bit_identical"] = f"{sum(bool(np.array_equal(va[k], vb.get(k))) for k in va)}/{len(va)}"
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
