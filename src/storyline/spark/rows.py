"""One analysed article (or one rejection, or one notice) as a flat row, and back, exactly.

A row holds the normalised article (text, segments), its analysis (mentions,
places, the cluster item's embedding and terms, the candidate event dates) and
its MinHash signature. Vectors and signatures are raw little-endian bytes and
every float is a Parquet double, so a row read back gives bit-identical
numbers; term weights keep their order (sums over them are order-sensitive).
Mention details are JSON, as the store keeps them.

``file_index``/``item_index`` give the place of the row in the input
(file order of the command line, item order inside the file): ingest sorts by
publication date then by that place, as a plain ingest does.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np

from ..engine.analyse import Analysis
from ..model import Article, Mention, Notice, Place, Rejection, Segment
from ..pipeline.cluster import ClusterItem

__all__ = ["KINDS", "FIELDS", "PLACE_FIELDS", "day_of", "article_row", "rejection_row", "notice_row",
           "article_of", "analysis_of", "signature_of", "rejection_of", "notice_of"]

KINDS = ("article", "rejection", "notice")
#: the Place fields in order, with their Parquet type ("string", "int", "double")
PLACE_FIELDS = (("start", "int"), ("end", "int"), ("text", "string"), ("name", "string"), ("geonameid", "int"),
                ("latitude", "double"), ("longitude", "double"), ("country_code", "string"), ("country", "string"),
                ("admin1", "string"), ("feature_code", "string"), ("precision", "string"), ("confidence", "double"))
#: every column of a row: name -> type; lists of structs are ("list", {field: type})
FIELDS: dict[str, Any] = {
    "kind": "string", "file_index": "int", "item_index": "int",
    "id": "string", "text": "string", "source": "string", "url": "string", "title": "string",
    "published": "string", "language": "string", "fingerprint": "string", "origin": "string",
    "segments": ("list", {"kind": "string", "start": "int", "end": "int", "paragraph": "int"}),
    "mentions": ("list", {"start": "int", "end": "int", "text": "string", "label": "string", "key": "string",
                          "detail": "string"}),
    "places": ("list", dict(PLACE_FIELDS)),
    "embedder": "string", "dim": "int", "vector": "binary", "signature": "binary",
    "entities": ("list", "string"), "title_terms": ("list", "string"), "details": ("list", "string"),
    "terms": ("list", {"term": "string", "weight": "double"}), "event_dates": ("list", "string"),
    "line": "int", "code": "string", "reason": "string", "excerpt": "string", "message": "string",
    "day": "string",
}
#: the partition of rows that are not articles, and of undated articles
REJECTED_DAY, UNDATED_DAY = "rejected", "undated"


def day_of(row: dict[str, Any]) -> str:
    """The partition of a row: its article's publication date, else ``undated``; ``rejected`` for the rest."""
    if row["kind"] != "article":
        return REJECTED_DAY
    return row["published"] or UNDATED_DAY


def _empty(kind: str, file_index: int, item_index: int) -> dict[str, Any]:
    row = {name: None for name in FIELDS}
    row.update(kind=kind, file_index=file_index, item_index=item_index)
    return row


def article_row(article: Article, analysis: Analysis, signature: np.ndarray | None, embedder: str,
                file_index: int, item_index: int) -> dict[str, Any]:
    item = analysis.item
    vector = np.ascontiguousarray(item.vector, dtype="<f4")
    row = _empty("article", file_index, item_index)
    row.update(
        id=article.id, text=article.text, source=article.source, url=article.url, title=article.title,
        published=article.published.isoformat() if article.published else None, language=article.language,
        fingerprint=article.fingerprint, origin=article.origin,
        segments=[{"kind": s.kind, "start": s.start, "end": s.end, "paragraph": s.paragraph} for s in article.segments],
        mentions=[{"start": m.start, "end": m.end, "text": m.text, "label": m.label, "key": m.key,
                   "detail": json.dumps(m.detail, ensure_ascii=False)} for m in analysis.mentions],
        places=[{name: getattr(p, name) for name, _ in PLACE_FIELDS} for p in analysis.places],
        embedder=embedder, dim=int(vector.shape[0]), vector=vector.tobytes(),
        signature=None if signature is None else np.ascontiguousarray(signature, dtype="<u4").tobytes(),
        entities=sorted(item.entities), title_terms=sorted(item.title_terms), details=sorted(item.details),
        terms=[{"term": t, "weight": float(w)} for t, w in item.terms.items()], event_dates=list(analysis.event_dates),
    )
    row["day"] = day_of(row)
    return row


def rejection_row(rejection: Rejection, file_index: int, item_index: int) -> dict[str, Any]:
    row = _empty("rejection", file_index, item_index)
    row.update(origin=rejection.origin, line=rejection.line, code=rejection.code, reason=rejection.reason,
               excerpt=rejection.excerpt, day=REJECTED_DAY)
    return row


def notice_row(notice: Notice, file_index: int, item_index: int) -> dict[str, Any]:
    row = _empty("notice", file_index, item_index)
    row.update(origin=notice.origin, message=notice.message, day=REJECTED_DAY)
    return row


def article_of(row: dict[str, Any]) -> Article:
    return Article(
        id=row["id"], text=row["text"], source=row["source"], url=row["url"], title=row["title"],
        published=dt.date.fromisoformat(row["published"]) if row["published"] else None, language=row["language"],
        fingerprint=row["fingerprint"], origin=row["origin"],
        segments=tuple(Segment(s["kind"], s["start"], s["end"], s["paragraph"]) for s in row["segments"] or ()),
    )


def analysis_of(row: dict[str, Any]) -> Analysis:
    article_id = row["id"]
    vector = np.frombuffer(row["vector"], dtype="<f4").astype(np.float32)
    if vector.shape[0] != row["dim"]:
        raise ValueError(f"article {article_id!r}: its vector has {vector.shape[0]} values, not {row['dim']}")
    item = ClusterItem(
        key=article_id, date=dt.date.fromisoformat(row["published"]) if row["published"] else None, vector=vector,
        entities=frozenset(row["entities"] or ()), title_terms=frozenset(row["title_terms"] or ()),
        terms={t["term"]: t["weight"] for t in row["terms"] or ()}, details=frozenset(row["details"] or ()),
    )
    mentions = [Mention(article_id, m["start"], m["end"], m["text"], m["label"], m["key"], json.loads(m["detail"]))
                for m in row["mentions"] or ()]
    places = [Place(article_id, **{name: p[name] for name, _ in PLACE_FIELDS}) for p in row["places"] or ()]
    return Analysis(item, mentions, list(row["event_dates"] or ()), places)


def signature_of(row: dict[str, Any]) -> np.ndarray | None:
    data = row["signature"]
    return None if data is None else np.frombuffer(data, dtype="<u4").astype(np.uint32)


def rejection_of(row: dict[str, Any]) -> Rejection:
    return Rejection(row["origin"], row["line"], row["code"], row["reason"], row["excerpt"] or "")


def notice_of(row: dict[str, Any]) -> Notice:
    return Notice(row["origin"], row["message"])
