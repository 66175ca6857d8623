"""What runs inside a Spark executor: read one input, normalise, analyse and fingerprint articles.

The stages (embedder, entity extractor, geoparser, ...) are built once per
executor process, on first use, by :func:`components` (a module-level lazy
singleton keyed by the settings): the driver ships only the settings, never a
model. Nothing here raises on bad content: a record that cannot be read,
normalised or analysed becomes a rejection row with the reason.
"""

from __future__ import annotations

import io
from typing import Any, Iterable, Iterator, Mapping

from ..engine.analyse import Overrun, analyse
from ..engine.components import Components
from ..engine.ingest import _rejection
from ..errors import Codes, InputError
from ..model import Notice, RawRecord, Rejection
from ..pipeline.normalise import excerpt as safe_excerpt
from ..pipeline.normalise import field_limits, to_article
from ..pipeline.readers import read_path, read_stream
from ..settings import Options
from .rows import article_row, notice_row, rejection_row

__all__ = ["components", "read_input", "analyse_partition", "loads"]

#: articles analysed together (as the engine's ingest does: 32 per call of the stages)
CHUNK = 32
_SINGLETON: dict[str, Any] = {}
#: how many times this process built its stages (a test reads it: once per executor, never per article)
loads = 0


def components(settings: Mapping[str, Any]) -> tuple[Components, Any]:
    """This executor's stages and near-duplicate hasher for ``settings``, built on first use and kept."""
    global loads
    key = repr(sorted(settings.items()))
    if _SINGLETON.get("key") != key:
        options = Options(dict(settings))
        built = Components(options)
        _SINGLETON.update(key=key, components=built, hasher=built.fresh("dedup"))
        loads += 1
    return _SINGLETON["components"], _SINGLETON["hasher"]


def read_input(file_index: int, origin: str, data: bytes | None, settings: Mapping[str, Any],
               fmt: str | None, source: str | None) -> Iterator[tuple[int, int, Any]]:
    """(file index, item index, item) of one input: a normalised Article, or a rejection row, or a notice row.
    ``data`` is the file's bytes (from ``binaryFiles``); None: open ``origin`` here, streaming, as plain ingest does."""
    options = Options(dict(settings))
    limits = field_limits(options)
    try:
        items = read_path(origin, fmt, options=options) if data is None else \
            read_stream(io.BytesIO(data), origin, fmt, options=options)
        for n, item in enumerate(items):
            yield file_index, n, _normalised(item, limits, source)
    except Exception as exc:  # noqa: BLE001  (a reader must not raise; if one does, the file is a rejection)
        reason = f"the file could not be read ({type(exc).__name__}: {exc})"[:500]
        yield file_index, 1 << 30, rejection_row(Rejection(origin, 0, Codes.STAGE_FAILED, reason), file_index, 1 << 30)


def _normalised(item: Any, limits: Any, source: str | None) -> Any:
    if isinstance(item, Rejection):
        return item
    if isinstance(item, Notice):
        return item
    assert isinstance(item, RawRecord)
    try:
        return to_article(item, source=source, limits=limits)
    except InputError as exc:
        return Rejection(item.origin, item.line, exc.code, exc.reason, safe_excerpt(item.fields.get("text")))


def analyse_partition(rows: Iterable[tuple[int, int, Any]], settings: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The rows of one partition: every article analysed and fingerprinted (in chunks), every other item as is."""
    built, hasher = components(settings)
    options = built.options
    chunk: list[tuple[int, int, Any]] = []
    for file_index, item_index, item in rows:
        if isinstance(item, Rejection):
            yield rejection_row(item, file_index, item_index)
        elif isinstance(item, Notice):
            yield notice_row(item, file_index, item_index)
        elif isinstance(item, dict):
            yield item  # already a row (a file that could not be read)
        else:
            chunk.append((file_index, item_index, item))
            if len(chunk) == CHUNK:
                yield from _analysed(chunk, built, hasher, options)
                chunk = []
    if chunk:
        yield from _analysed(chunk, built, hasher, options)


def _analysed(chunk: list[tuple[int, int, Any]], built: Components, hasher: Any, options: Options) -> Iterator[dict[str, Any]]:
    """The rows of a chunk of articles; when a stage fails on the chunk, each article is tried alone and the one
    that breaks it becomes a rejection (as the engine's ingest isolates it)."""
    articles = [a for _, _, a in chunk]
    try:
        found = analyse(articles, built, options.embed_chars, budget=options.article_time_budget_s)
    except Exception as exc:  # noqa: BLE001  (any bug of a stage on some input: isolate the input)
        if len(chunk) > 1:
            for one in chunk:
                yield from _analysed([one], built, hasher, options)
            return
        reason = f"a pipeline stage failed on this article ({type(exc).__name__}: {exc})"[:500]
        yield rejection_row(_rejection(articles[0], Codes.STAGE_FAILED, reason), chunk[0][0], chunk[0][1])
        return
    embedder = built.get("embedder").name
    for (file_index, item_index, article), analysis in zip(chunk, found):
        if isinstance(analysis, Overrun):
            yield rejection_row(_rejection(article, Codes.OVER_BUDGET, analysis.reason()), file_index, item_index)
            continue
        signature = hasher.signature(article.text)
        yield article_row(article, analysis, signature, embedder, file_index, item_index)

