"""``storyline ingest --analysed DIR``: ingest the rows ``storyline spark analyse`` wrote, running no model.

Needs only pyarrow (no Spark, no Java). The articles are handed to the engine
in their input order (file, then item), so that its sort by publication date
is the plain ingest's; their analyses and signatures are read one day
partition at a time, as the ingest reaches that day, and dropped once it has
gone past it. Any store backend works: the engine writes through the Store
protocol as usual.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from ..engine.analyse import Analysis
from ..errors import Codes, DependencyMissing, InputError, SettingsError
from ..model import Article, IngestSummary
from ..settings import Options
from .rows import UNDATED_DAY, analysis_of, article_of, notice_of, rejection_of, signature_of

__all__ = ["AnalysedRows", "ingest_analysed", "check_metadata"]

#: what an article needs before its analysis (read for every row up front)
_ARTICLE_COLUMNS = ["kind", "file_index", "item_index", "id", "text", "source", "url", "title", "published",
                    "language", "fingerprint", "origin", "segments", "line", "code", "reason", "excerpt", "message"]
_ANALYSIS_COLUMNS = ["id", "fingerprint", "published", "mentions", "places", "embedder", "dim", "vector", "signature",
                     "entities", "title_terms", "details", "terms", "event_dates", "file_index", "item_index"]


def _dataset(folder: str) -> Any:
    try:
        import pyarrow.dataset as ds
    except ImportError:
        raise DependencyMissing("reading analysed rows (pyarrow)", "spark") from None
    import pyarrow as pa

    partitioning = ds.partitioning(pa.schema([("day", pa.string())]), flavor="hive")
    return ds.dataset(folder, format="parquet", partitioning=partitioning)


def check_metadata(folder: str, options: Options) -> dict[str, Any]:
    """The analysis's metadata; a clear error when its components or settings differ from this engine's."""
    from .job import META_FILE, metadata

    path = Path(folder) / META_FILE
    if not path.exists():
        raise InputError(f"{folder} holds no {META_FILE}: it is not the output of `storyline spark analyse`",
                         code=Codes.NO_INPUT)
    found = json.loads(path.read_text(encoding="utf-8"))
    wanted = metadata(options)
    for part in ("components", "params", "settings"):
        if found.get(part) != wanted[part]:
            diff = sorted(k for k in set(found.get(part, {})) | set(wanted[part])
                          if found.get(part, {}).get(k) != wanted[part].get(k))
            raise SettingsError(f"{folder} was analysed with other {part} ({', '.join(diff)}) than this store's "
                                f"settings: analyse again, or ingest with the same settings", code=Codes.BAD_SETTING)
    return found


class AnalysedRows:
    """The articles of an analysed folder in input order, and (as the engine's ``Prepared``) their analyses and
    signatures, loaded by day."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.dataset = _dataset(folder)
        self._days: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}

    def items(self) -> Iterator[Any]:
        table = self.dataset.to_table(columns=_ARTICLE_COLUMNS)
        rows = table.sort_by([("file_index", "ascending"), ("item_index", "ascending")]).to_pylist()
        for row in rows:
            kind = row["kind"]
            yield article_of(row) if kind == "article" else rejection_of(row) if kind == "rejection" else notice_of(row)

    def _row(self, article: Article) -> dict[str, Any]:
        day = article.published.isoformat() if article.published else UNDATED_DAY
        if day not in self._days:
            import pyarrow.dataset as ds

            table = self.dataset.to_table(columns=_ANALYSIS_COLUMNS, filter=ds.field("day") == day)
            loaded: dict[tuple[str, str], dict[str, Any]] = {}
            for row in table.sort_by([("file_index", "ascending"), ("item_index", "ascending")]).to_pylist():
                loaded.setdefault((row["id"], row["fingerprint"]), row)
            self._days[day] = loaded
        return self._days[day][(article.id, article.fingerprint)]

    def _forget_before(self, articles: Sequence[Article]) -> None:
        """Drop the days before the earliest of ``articles`` (the ingest goes in date order; undated last)."""
        dated = [a.published.isoformat() for a in articles if a.published]
        if dated:
            first = min(dated)
            for day in [d for d in self._days if d != UNDATED_DAY and d < first]:
                del self._days[day]

    def analyses(self, articles: Sequence[Article]) -> dict[str, Analysis]:
        self._forget_before(articles)
        return {a.id: analysis_of(self._row(a)) for a in articles}

    def signature(self, article: Article) -> np.ndarray | None:
        return signature_of(self._row(article))


def ingest_analysed(engine: Any, folder: str, progress: Any = None) -> IngestSummary:
    """Ingest the analysed rows under ``folder`` into ``engine``'s store (no model runs before the records)."""
    if not Path(folder).is_dir():
        raise InputError(f"{folder}: no such folder", code=Codes.NO_INPUT)
    check_metadata(folder, engine.options)
    rows = AnalysedRows(folder)
    return engine.ingest_prepared(rows.items(), rows, progress=progress)
