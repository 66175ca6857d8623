"""``storyline eval extract``: article bodies extracted from web pages against gold bodies.

Input: a folder with ``ground_truth.jsonl`` (``{"id", "url", "body"}`` per
line) and ``pages/<id>.html.gz`` (or ``.html``), the layout of
``../shared/data/html``; the article extraction benchmark's own layout
(scrapinghub/article-extraction-benchmark: ``ground-truth.json``, a map of id
to ``{"articleBody"}``, and ``html/<id>.html.gz``) is read too. Each page
goes through the product's own path, :func:`~storyline.pipeline.readers.read_path`
(gzip, encoding, the HTML reader); a page it rejects counts as an empty body.
The gold URL is not given to the extractor: a saved page has none.

Scores, as the benchmark's ``evaluate.py`` defines them: the tokens of a
text are its ``\\w+`` runs; each page's extracted body and gold body are
compared as multisets of word 4-grams (shingles); the page's true positives,
false positives and false negatives are normalised to sum to 1 (long pages do
not weigh more); ``precision`` is the mean over pages with a prediction,
``recall`` the mean over pages with a gold body, and ``f1`` their harmonic
mean. ``accuracy``: the share of pages whose token sequence equals the gold
one. ``pages_per_second``: pages read, decompressed and extracted per second
of wall time; ``pages_per_cpu_second`` per second of this process's CPU time
(one core; what the machine's other jobs do not change).

Dates: the benchmark has no gold dates, so the gold is the date a page
states about itself in its markup -- ``datePublished`` in its JSON-LD, or a
``<meta>`` such as ``article:published_time`` -- read here by a separate,
strict parser (years before 1990 are placeholders and ignored).
``date_accuracy`` is the share of those pages whose extracted date is that
day; ``date_within_1_day`` allows one day either way, since markup often
states the time in UTC and the page's own day is the local one (a story
published in New York at 20:58 on the 18th is stated as 01:58 UTC on the
19th); ``date_coverage`` the share of all pages given a date.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

from ..errors import Codes, InputError
from ..model import RawRecord

__all__ = ["evaluate_extraction", "shingle_scores", "stated_date", "EXTRACTORS"]

_TOKEN = re.compile(r"\w+")
#: the extraction options compared in docs/benchmarks.md; the reader uses "trafilatura-precision"
EXTRACTORS = ("reader", "trafilatura", "trafilatura-precision", "trafilatura-recall", "trafilatura-fast",
              "trafilatura-precision-fast", "readability")


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_scores(gold: str, predicted: str) -> tuple[float, float, float]:
    """One page's (tp, fp, fn) over word 4-grams, normalised to sum to 1 (all 0 when both are empty)."""
    true, pred = _shingles(gold), _shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


_JSONLD = re.compile(r"<script[^>]{0,200}application/ld\+json[^>]{0,200}>(.{0,200000}?)</script>", re.I | re.S)
_META = re.compile(r"<meta\s[^>]{0,600}>", re.I)
_ATTR = re.compile(r"""([a-zA-Z:_-]{1,40})\s*=\s*(?:"([^"]{0,300})"|'([^']{0,300})')""")
_DAY = re.compile(r"\A\s*(\d{4})-(\d{2})-(\d{2})")
#: earlier stated years are placeholders ("0001-01-01T00:00:00"), not dates
_FIRST_YEAR = 1990
_META_NAMES = {"article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
               "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.created", "date"}


def stated_date(html: str) -> str | None:
    """The publication day a page states in its markup (JSON-LD ``datePublished``, else a ``<meta>``), or None."""
    for block in _JSONLD.findall(html[:2_000_000]):
        try:
            data = json.loads(block)
        except (ValueError, RecursionError):
            continue
        for value in _find_key(data, "datePublished", 0):
            match = _DAY.match(str(value))
            if match and int(match.group(1)) >= _FIRST_YEAR:
                return "-".join(match.groups())
    for tag in _META.findall(html[:2_000_000]):
        attrs = {k.lower(): (a or b) for k, a, b in _ATTR.findall(tag)}
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key in _META_NAMES:
            match = _DAY.match(attrs.get("content") or "")
            if match and int(match.group(1)) >= _FIRST_YEAR:
                return "-".join(match.groups())
    return None


def _find_key(data: Any, key: str, depth: int) -> Iterator[Any]:
    if depth > 20:
        return
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for value in data.values():
            yield from _find_key(value, key, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _find_key(value, key, depth + 1)


def _days_apart(a: str | None, b: str) -> float:
    try:
        return abs((dt.date.fromisoformat(a or "") - dt.date.fromisoformat(b)).days)
    except ValueError:
        return float("inf")


def _load_gold(folder: Path) -> list[dict[str, Any]]:
    path = folder / "ground_truth.jsonl"
    original = folder / "ground-truth.json"  # the benchmark repository's own layout: {id: {"articleBody": ...}}
    if not path.is_file() and original.is_file():
        try:
            data = json.loads(original.read_text(encoding="utf-8"))
            return [{"id": str(k), "body": str((v or {}).get("articleBody") or "")} for k, v in sorted(data.items())]
        except (ValueError, AttributeError) as exc:
            raise InputError(f"not the benchmark's ground truth ({exc})", code=Codes.BAD_JSON, origin=str(original)) from None
    if not path.is_file():
        raise InputError("no ground_truth.jsonl (or ground-truth.json) in the folder", code=Codes.NO_INPUT, origin=str(folder))
    gold = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                gold.append({"id": str(row["id"]), "body": str(row.get("body") or "")})
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"not a gold row ({exc})", code=Codes.BAD_JSON, origin=str(path), line=number) from None
    return gold


def _page_file(folder: Path, page_id: str) -> Path | None:
    for sub in ("pages", "html", "."):
        for name in (f"{page_id}.html.gz", f"{page_id}.html", f"{page_id}.htm"):
            path = folder / sub / name
            if path.is_file():
                return path
    return None


def _extractor(name: str):
    """A function page path -> (body, date) for one of :data:`EXTRACTORS`."""
    if name == "reader":
        from ..pipeline.readers import read_path

        def read(path: Path) -> tuple[str, str | None]:
            for item in read_path(str(path)):
                if isinstance(item, RawRecord):
                    return item.fields.get("text", ""), item.fields.get("date")
            return "", None

        return read
    if name == "readability":
        try:
            import lxml.html
            from readability import Document
        except ImportError:
            from ..errors import DependencyMissing

            raise DependencyMissing("readability-lxml (a comparison extractor only)", "web-input") from None

        def read(path: Path) -> tuple[str, str | None]:
            raw = _raw(path)
            try:
                tree = lxml.html.fromstring(Document(raw).summary(html_partial=True))
            except Exception:  # readability raises bare errors on pages it cannot parse
                return "", None
            return "\n".join(t.strip() for t in tree.itertext() if t.strip()), None

        return read
    import trafilatura

    flags = {"trafilatura": {}, "trafilatura-precision": {"favor_precision": True},
             "trafilatura-recall": {"favor_recall": True}, "trafilatura-fast": {"fast": True},
             "trafilatura-precision-fast": {"favor_precision": True, "fast": True}}[name]

    def read(path: Path) -> tuple[str, str | None]:
        doc = trafilatura.bare_extraction(_raw(path), include_comments=False, with_metadata=True, **flags)
        return (doc.text or "", doc.date) if doc is not None else ("", None)

    return read


def _raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def evaluate_extraction(folder: str | Path, *, extractor: str = "reader") -> dict[str, Any]:
    """Score the bodies (and dates) extracted from every page of ``folder`` against its gold."""
    if extractor not in EXTRACTORS:
        raise InputError(f"unknown extractor {extractor!r}; known: {', '.join(EXTRACTORS)}", code=Codes.BAD_PARAMETER)
    folder = Path(folder)
    gold = _load_gold(folder)
    read = _extractor(extractor)
    scores, exact, missing, rejected = [], 0, [], 0
    dated = date_right = date_near = given_date = 0
    seconds = cpu_seconds = 0.0
    for row in gold:
        path = _page_file(folder, row["id"])
        if path is None:
            missing.append(row["id"])
            continue
        started, cpu_started = time.perf_counter(), time.process_time()
        body, date = read(path)
        seconds += time.perf_counter() - started
        cpu_seconds += time.process_time() - cpu_started
        rejected += not body
        scores.append(shingle_scores(row["body"], body))
        exact += _TOKEN.findall(row["body"]) == _TOKEN.findall(body)
        given_date += date is not None
        stated = stated_date(_raw(path).decode("utf-8", "replace"))
        if stated is not None:
            dated += 1
            date_right += date == stated
            date_near += _days_apart(date, stated) <= 1
    if not scores:
        raise InputError("no page of the ground truth is in pages/", code=Codes.NO_INPUT, origin=str(folder))
    precisions = [_precision(*s) for s in scores if s[0] + s[1] > 0]
    recalls = [_recall(*s) for s in scores if s[0] + s[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "folder": str(folder),
        "extractor": extractor,
        "n_pages": len(scores),
        "n_missing_pages": len(missing),
        "n_without_body": rejected,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": exact / len(scores),
        "pages_per_second": len(scores) / seconds if seconds > 0 else 0.0,
        "pages_per_cpu_second": len(scores) / cpu_seconds if cpu_seconds > 0 else 0.0,
        "n_pages_stating_a_date": dated,
        "date_accuracy": date_right / dated if dated else None,
        "date_within_1_day": date_near / dated if dated else None,
        "date_coverage": given_date / len(scores),
    }
