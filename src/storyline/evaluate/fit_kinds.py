"""``storyline fit kinds``: fit the event kind typer (``kind.linear.v1``) on topic-labelled development files.

Every file is mapped onto the kinds of :mod:`storyline.pipeline.record.kind`
by the committed label map (``kind_labels.json`` beside this module); labels
that do not map cleanly are left out. Four formats are read:

* topic JSONL (``label``: the gold topic; BBC News),
* corpus JSONL (``story`` as the label: AllSides topic tags, ECB+ topic
  numbers; a Timeline17 ``articles.jsonl`` has no story and takes its
  folder's name),
* ACLED event JSONL (``gold.event_type``): every note is ``conflict``.

Honest numbers: each file's rows are split once by a hash into a training
part (4/5) and a held-out fifth (:func:`heldout_key`: the ACLED row id, as
``fit events`` splits; the gold event of a corpus row, so one story's reports
stay on one side; else the text, so exact repeats do too). Nothing of any
held-out fifth is fitted on, so ``storyline eval topics FILE --split heldout``
scores rows the model has never seen; the written parameters are fitted on
the training parts only. The L2 strength is chosen on a second split of the
training part. Classes are weighted to equal total weight, a file may give at
most ``CAP`` rows of one kind (ACLED would otherwise be most of the data), and
a row with a headline is also fitted on as its headline alone, since the
typer must read headline-only corpora too.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..errors import Codes
from ..pipeline.record.kind import ABSTAIN_BELOW, LinearKindTyper, kind_text
from ..pipeline.record.linear import encode_array, ngrams
from .events import macro_f1
from .files import bad_line, read_objects, sha256_of

__all__ = ["label_map", "load_topic_rows", "heldout_key", "is_heldout", "fit_kind_typer", "train", "TopicRow"]

VOCABULARY_SIZE = 30000
MIN_DF = 2
L2_GRID = (1e-6, 3e-6, 1e-5)
EPOCHS = 200
CAP = 1500
HEADLINE_WEIGHT = 0.5

TopicRow = dict[str, Any]  # {"key", "kind", "label", "title", "text", "file"}


def label_map(path: str | Path | None = None) -> dict[str, Any]:
    """The label map document: ``labels`` (dataset label -> kind) and ``left_out`` (label -> why)."""
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    return json.loads((resources.files("storyline.evaluate") / "kind_labels.json").read_text(encoding="utf-8"))


def heldout_key(row: dict[str, Any]) -> str:
    """What a row's split is decided by (see the module doc)."""
    if isinstance(row.get("gold"), dict):
        return str(row.get("id") or row.get("text"))
    if row.get("event"):
        return f"event:{row['event']}"
    return " ".join(str(row.get("text") or "").split())[:2000]


def is_heldout(row: dict[str, Any], parts: int = 5) -> bool:
    return int(hashlib.sha256(heldout_key(row).encode()).hexdigest(), 16) % parts == 0


def _label_of(path: Path, row: dict[str, Any]) -> str | None:
    if isinstance(row.get("gold"), dict):
        return "conflict"
    if "label" in row:
        return row["label"]
    return row.get("story") or path.parent.name


def load_topic_rows(path: str | Path, labels: dict[str, str]) -> tuple[list[TopicRow], Counter]:
    """Rows of ``path`` whose label maps to a kind, and a count of the labels left out; InputError names a bad line."""
    path = Path(path)
    rows, left_out = [], Counter()
    for number, row in read_objects(path):
        if not isinstance(row.get("text"), str):
            raise bad_line(path, number, "field 'text': expected a string", Codes.BAD_FIELD)
        label = _label_of(path, row)
        if not isinstance(label, str):
            raise bad_line(path, number, "field 'label': expected the gold topic as a string", Codes.BAD_FIELD)
        kind = labels.get(label)
        if kind is None:
            left_out[label] += 1
            continue
        title = row.get("title") if isinstance(row.get("title"), str) else None
        rows.append({"key": heldout_key(row), "heldout": is_heldout(row), "kind": kind, "label": label, "title": title,
                     "text": row["text"], "file": path.name, "line": number})
    return rows, left_out


def _examples(rows: Iterable[TopicRow]) -> tuple[list[str], list[str], list[float]]:
    """Texts, kinds and weights to fit on: each row's headline and lead, and its headline alone."""
    texts, kinds, weights = [], [], []
    for row in rows:
        texts.append(kind_text(row["title"], row["text"]))
        kinds.append(row["kind"])
        weights.append(1.0)
        if row["title"]:
            texts.append(row["title"])
            kinds.append(row["kind"])
            weights.append(HEADLINE_WEIGHT)
    return texts, kinds, weights


def _capped(rows: Sequence[TopicRow]) -> list[TopicRow]:
    """At most ``CAP`` rows of one kind from one file, chosen by hash (deterministic)."""
    by: dict[tuple[str, str], list[TopicRow]] = defaultdict(list)
    for row in rows:
        by[(row["file"], row["kind"])].append(row)
    out = []
    for group in by.values():
        group = sorted(group, key=lambda r: hashlib.sha256(f"cap:{r['key']}:{r['line']}".encode()).hexdigest())
        out.extend(group[:CAP])
    return out


def _vocabulary(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(ngrams(text)))
    kept = sorted((t for t, n in df.items() if n >= MIN_DF), key=lambda t: (-df[t], t))[:VOCABULARY_SIZE]
    idf = np.array([math.log((1 + len(texts)) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)
    return kept, idf


def train(texts: Sequence[str], kinds: Sequence[str], weights: Sequence[float], l2: float) -> dict[str, Any]:
    """Fit the kind model (classes weighted to equal total weight); the parameter document's model part."""
    from .fit_events import SparseRows, softmax_regression

    classes = sorted(set(kinds))
    vocabulary, idf = _vocabulary(texts)
    params = {"classes": classes, "vocabulary": vocabulary, "idf": encode_array(idf, "float32"),
              "weights": encode_array(np.zeros((len(vocabulary), len(classes)))), "bias": encode_array(np.zeros(len(classes))),
              "abstain_below": ABSTAIN_BELOW}
    x = SparseRows(*LinearKindTyper(params).sparse_features(texts), len(vocabulary))
    y = np.array([classes.index(k) for k in kinds])
    w = np.asarray(weights, dtype=np.float32)
    totals = np.bincount(y, weights=w, minlength=len(classes))
    w = w * (totals.sum() / (len(classes) * totals[y]))
    weight, bias = softmax_regression(x, y, len(classes), l2, epochs=EPOCHS, sample_weight=w)
    params["weights"] = encode_array(weight)
    params["bias"] = encode_array(bias, "float32")
    return params


def _score(params: dict[str, Any], rows: Sequence[TopicRow]) -> dict[str, float]:
    typer = LinearKindTyper(params)
    predicted = [c.kind for c in typer.classify([kind_text(r["title"], r["text"]) for r in rows])]
    gold = [r["kind"] for r in rows]
    return {"n": len(rows), "accuracy": float(np.mean([a == b for a, b in zip(gold, predicted)])),
            "macro_f1": macro_f1(gold, predicted), "abstained": float(np.mean([p is None for p in predicted]))}


def fit_kind_typer(paths: Sequence[str | Path], mapping: str | Path | None = None,
                   log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Choose the L2 strength on the training parts, fit on them; the parameter document (see the module doc)."""
    labels = label_map(mapping)["labels"]
    rows: list[TopicRow] = []
    fitted_on = []
    for path in paths:
        found, left_out = load_topic_rows(path, labels)
        train_rows = [r for r in found if not r["heldout"]]
        rows += train_rows
        fitted_on.append({"file": Path(path).name, "rows": len(train_rows), "heldout_rows_not_fitted": len(found) - len(train_rows),
                          "labels_left_out": dict(left_out.most_common()), "sha256": sha256_of(path)})
        log(f"{Path(path).name}: {len(train_rows)} training rows ({dict(Counter(r['kind'] for r in train_rows))}); "
            f"{sum(left_out.values())} rows with labels left out")
    rows = _capped(rows)
    inner = [int(hashlib.sha256(f"inner:{r['key']}".encode()).hexdigest(), 16) % 5 == 0 for r in rows]
    inner_val = [r for r, held in zip(rows, inner) if held]
    inner_fit = [r for r, held in zip(rows, inner) if not held]
    grid = []
    for l2 in L2_GRID:
        s = _score(train(*_examples(inner_fit), l2), inner_val)
        grid.append({"l2": l2, **s})
        log(f"l2 {l2:g}: inner validation macro-F1 {s['macro_f1']:.4f}, accuracy {s['accuracy']:.4f}, abstained {s['abstained']:.3f}")
    best = max(grid, key=lambda g: (g["macro_f1"], -g["l2"]))
    final = train(*_examples(rows), best["l2"])
    return {
        "model": "kind.linear.v1: multinomial logistic regression over idf-weighted word uni- and bigrams of headline and lead",
        "l2": best["l2"],
        "l2_grid": grid,
        "kinds_fitted": dict(Counter(r["kind"] for r in rows)),
        "fitted_on": fitted_on,
        "command": "storyline fit kinds " + " ".join(Path(p).name for p in paths),
        **final,
    }
