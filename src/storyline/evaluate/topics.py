"""``storyline eval topics``: event kinds against topic-labelled articles.

The file is topic JSONL (``label``: the gold topic) or any file
:func:`storyline.evaluate.fit_kinds.load_topic_rows` reads. Each gold label
is mapped to a kind by the committed label map (or ``--mapping FILE``, the
same shape); rows whose label does not map cleanly are left out and counted
by label. Each row becomes an article and goes through the record builder
with the configured event and kind typers, so the scores are those of the
records a user sees:

* ``accuracy`` and ``macro_f1`` of the record's kind against the gold kind
  (an abstention counts as wrong; macro over the gold kinds present);
* ``conflict_false_positive_rate``: among rows whose gold kind is not
  politics, conflict or crime, the share whose record gets an ACLED violence
  or protest type (Battles, Explosions/Remote violence, Violence against
  civilians, Protests, Riots);
* ``abstained``: the share of rows whose kind is left empty as uncertain.

``--split heldout`` scores only the held-out fifth that ``storyline fit
kinds`` never fits on (by the same hash); ``all`` scores every row, which is
honest only for a file that was not fitted on.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from ..model import RawRecord
from ..settings import Options, load_options
from .events import macro_f1
from .fit_kinds import label_map, load_topic_rows

__all__ = ["evaluate_topics", "VIOLENCE_OR_PROTEST", "NOT_CONFLICT_RELATED"]

VIOLENCE_OR_PROTEST = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots"})
#: gold kinds whose articles may rightly get a conflict type
NOT_CONFLICT_RELATED = lambda kind: kind not in ("politics", "conflict", "crime")  # noqa: E731


def evaluate_topics(path: str | Path, *, split: str = "all", mapping: str | Path | None = None, options: Options | None = None,
                    typer: Any | None = None, kinds: Any | None = None,
                    progress: Callable[[int, int], Any] | None = None) -> dict[str, Any]:
    """Score the records' kinds and conflict types on a topic-labelled file (see the module doc)."""
    from .. import registry
    from ..pipeline.normalise import to_article
    from ..pipeline.record.build import build_record

    options = options or load_options()
    document = label_map(mapping)
    rows, left_out = load_topic_rows(path, document["labels"])
    if split == "heldout":
        rows = [r for r in rows if r["heldout"]]
    typer = typer or registry.create(options.event_typer, options)
    kinds = kinds or registry.create(options.kind_typer, options)
    started = time.perf_counter()
    gold, predicted, conflict_fp, negatives = [], [], 0, 0
    confusions: Counter = Counter()
    for i, row in enumerate(rows):
        raw = {"id": f"row{row['line']}", "title": row["title"], "text": row["text"]}
        article = to_article(RawRecord(str(path), row["line"], raw))
        record = build_record(f"E{row['line']}", [article], typer=typer, kinds=kinds)
        kind = record.fields["kind"].value.value if record.fields["kind"].value else None
        gold.append(row["kind"])
        predicted.append(kind)
        if kind != row["kind"]:
            confusions[f"{row['kind']} -> {kind}"] += 1
        if NOT_CONFLICT_RELATED(row["kind"]):
            negatives += 1
            et = record.fields["event_type"].value
            conflict_fp += bool(et and et.detail.get("acled_event_type") in VIOLENCE_OR_PROTEST)
        if progress:
            progress(i + 1, len(rows))
    n = len(rows)
    return {
        "file": Path(path).name,
        "split": split,
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, predicted)) / n if n else None,
        "macro_f1": macro_f1(gold, predicted) if n else None,
        "conflict_false_positive_rate": conflict_fp / negatives if negatives else None,
        "n_not_conflict_related": negatives,
        "abstained": sum(p is None for p in predicted) / n if n else None,
        "gold_kinds": dict(Counter(gold).most_common()),
        "labels_left_out": dict(left_out.most_common()),
        "confusions": dict(confusions.most_common(10)),
        "kind_typer": getattr(kinds, "name", None),
        "articles_per_second": n / (time.perf_counter() - started) if n else 0.0,
    }
