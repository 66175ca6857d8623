#!/usr/bin/env python
"""Compare two stores row by row through the Store protocol: events, stories, records (with relays),
comparisons and digests (event and story), and each article's event.

    python scripts/store_diff.py A.db B.db [--tolerance 1e-6] [--show 5]

Floats are equal within ``--tolerance`` (absolute; embedding batches may differ in the last bits), everything
else exactly. Prints a count of differing rows per table and the first few differences; exits 1 when any
row differs. Ingest time stamps (``ingested_at``, run ids) are not compared.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any, Iterator

from storyline.store import open_store

#: fields that record when, not what
_IGNORED = {"ingested_at", "created_at", "updated_at", "built_at"}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k not in _IGNORED}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def differences(a: Any, b: Any, tolerance: float, path: str = "") -> Iterator[str]:
    """Where ``a`` and ``b`` (plain JSON-like values) differ, as ``path: a != b``."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= tolerance:
            return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from differences(a.get(key, "<missing>"), b.get(key, "<missing>"), tolerance, f"{path}.{key}")
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, tolerance, f"{path}[{i}]")
        return
    if a != b:
        yield f"{path}: {json.dumps(a, default=str)[:160]} != {json.dumps(b, default=str)[:160]}"


def tables(store) -> dict[str, dict[str, Any]]:
    """Each compared table as {row key: plain row}."""
    events = store.events()
    stories = store.stories()
    out: dict[str, dict[str, Any]] = {
        "events": {e.id: _plain(e) for e in events},
        "stories": {s.id: _plain(s) for s in stories},
        "members": {e.id: store.event_members(e.id) for e in events},
        "records": {e.id: _plain(store.record(e.id)) for e in events},
        "relays": {e.id: _plain(store.relays(e.id)) for e in events},
        "comparisons": {e.id: _plain(store.comparison(e.id)) for e in events},
        "event_digests": {},
        "story_digests": {},
    }
    for kind, ids in (("event", [e.id for e in events]), ("story", [s.id for s in stories])):
        for subject in ids:
            found = store.digest(kind, subject)
            out[f"{kind}_digests"][subject] = None if found is None else _plain(found)
    return out


def compare(a_location: str, b_location: str, tolerance: float, show: int) -> int:
    with open_store(a_location, readonly=True) as a, open_store(b_location, readonly=True) as b:
        left, right = tables(a), tables(b)
    differing = 0
    for name in left:
        keys = sorted(set(left[name]) | set(right[name]))
        bad = [(k, list(differences(left[name].get(k, "<missing>"), right[name].get(k, "<missing>"), tolerance)))
               for k in keys]
        bad = [(k, d) for k, d in bad if d]
        differing += len(bad)
        print(f"{name}: {len(keys)} rows, {len(bad)} differ")
        for key, found in bad[:show]:
            for line in found[:3]:
                print(f"  {key}{line}")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--tolerance", type=float, default=1e-6)
    parser.add_argument("--show", type=int, default=5)
    args = parser.parse_args(argv)
    return compare(args.a, args.b, args.tolerance, args.show)


if __name__ == "__main__":
    sys.exit(main())
