"""``storyline eval cluster``: score event clustering against gold labels.

The corpus is ingested into a fresh temporary store through the same
pipeline users run. Gold labels never reach the pipeline, and the corpus ids
(which may encode the label) are replaced by opaque ones.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from ..engine import Storyline
from ..errors import Codes, InputError
from ..settings import Options, load_options
from .files import bad_line, read_objects
from .metrics import score_clustering

__all__ = ["load_corpus", "evaluate_clustering", "spread_dates", "CORPUS_KEYS"]

CORPUS_KEYS = ("id", "date", "source", "title", "text", "url", "lang", "event", "story")


def load_corpus(path: str | Path) -> list[dict[str, Any]]:
    """Read a corpus JSONL file; raise :class:`InputError` naming the line of a bad record."""
    rows = []
    for number, row in read_objects(path):
        if "text" not in row:
            raise bad_line(path, number, "expected an object with a 'text' field")
        rows.append(row)
    return rows


def pipeline_records(rows: list[dict[str, Any]], titles_only: bool = False) -> list[dict[str, Any]]:
    """What the pipeline may see of each row: no gold labels, opaque ids."""
    records = []
    for i, row in enumerate(rows):
        text = (row.get("title") or "") if titles_only else row.get("text") or ""
        records.append({
            "id": f"doc{i:06d}",
            "date": row.get("date"),
            "source": row.get("source"),
            "title": row.get("title"),
            "text": text or row.get("text") or "",
            "lang": row.get("lang"),
        })
    return records


def spread_dates(records: list[dict[str, Any]], days: int, seed: int = 0) -> list[dict[str, Any]]:
    """Records with each date moved later by 0..``days`` days (seeded), as one event's reports spread over
    days in a real stream; undated records and the time of day are kept."""
    rng = random.Random(seed)
    out = []
    for record in records:
        date = record.get("date")
        shift = rng.randint(0, days)
        if date and days > 0:
            try:
                day = dt.date.fromisoformat(str(date)[:10]) + dt.timedelta(days=shift)
            except ValueError:
                pass  # the pipeline rejects or reads it as it would without the spread
            else:
                record = record | {"date": day.isoformat() + str(date)[10:]}
        out.append(record)
    return out


def evaluate_clustering(
    path: str | Path,
    *,
    mode: str = "stream",
    level: str = "event",
    titles_only: bool = False,
    spread_days: int = 0,
    options: Options | None = None,
    **components: Any,
) -> dict[str, Any]:
    """Cluster the corpus in a fresh store and score it against the gold labels.

    ``spread_days`` moves each date later by 0..N days first (see :func:`spread_dates`).
    """
    if mode not in ("stream", "batch"):
        raise ValueError(f"mode must be 'stream' or 'batch', not {mode!r}")
    if level not in ("event", "story"):
        raise ValueError(f"level must be 'event' or 'story', not {level!r}")
    rows = load_corpus(path)
    gold = [row.get(level) for row in rows]
    missing = [i + 1 for i, g in enumerate(gold) if g is None]
    if missing:
        raise InputError(f"{len(missing)} records have no gold {level!r} label (first on line {missing[0]})",
                         code=Codes.MISSING_FIELD, origin=str(path))
    options = options or load_options()
    options = options.replace(progress=False)
    if mode == "batch":
        options = options.replace(batch_size=max(1, len(rows)))
    records = spread_dates(pipeline_records(rows, titles_only), spread_days)
    with tempfile.TemporaryDirectory(prefix="storyline-eval-") as tmp:
        with Storyline(Path(tmp) / "eval.db", options, **components) as engine:
            started = time.perf_counter()
            summary = engine.ingest_records(records)
            seconds = time.perf_counter() - started
            assigned = engine.store.assignments()
    predicted = []
    for record in records:
        event, story = assigned.get(record["id"], (f"rejected:{record['id']}", None))
        predicted.append((story or event) if level == "story" else event)
    scores = score_clustering(gold, predicted).to_dict()
    scores.update({
        "corpus": str(path),
        "mode": mode,
        "level": level,
        "titles_only": titles_only,
        "spread_days": spread_days,
        "n_articles": len(rows),
        "rejected": summary.rejected,
        "articles_per_second": len(rows) / seconds if seconds else 0.0,
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "stage_seconds": summary.stage_seconds,
        "embedder": options.embedder,
    })
    return scores
