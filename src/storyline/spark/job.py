"""The driver of ``storyline spark analyse``: list the inputs, run the analysis on the executors, write Parquet.

Inputs are what ``storyline ingest`` reads. Local files, folders and globs are
listed here in the order a plain ingest reads them, and each executor opens
its file itself (local[N], or a file system every executor mounts); http(s)
URLs are fetched by the executor; other URIs (``hdfs://``, ``s3a://``,
``file://``, ...) are listed and read through Spark's file systems
(``binaryFiles``). Records are spread over the executors, whose partitions
are analysed in chunks (:mod:`.worker`); the rows are written as Parquet,
partitioned by publication date (``day=YYYY-MM-DD``, ``day=undated``, and
``day=rejected`` for rejections and notices), with ``_storyline.json``: the
components and settings of the analysis, which ``ingest --analysed`` checks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence

from ..engine.components import Components
from ..errors import Codes, InputError
from ..model import Rejection
from ..pipeline.normalise import field_limits
from ..pipeline.readers import expand_paths, is_url
from ..settings import Options
from .rows import FIELDS, rejection_row
from .worker import analyse_partition, read_input

__all__ = ["analyse_inputs", "metadata", "spark_schema", "list_inputs", "ANALYSIS_ROLES", "META_FILE"]

#: the roles whose output an analysed row holds (they must be the same when the rows are ingested)
ANALYSIS_ROLES = ("embedder", "entities", "quotes", "dates", "geoparser", "dedup")
META_FILE = "_storyline.json"
_URI = re.compile(r"\A[a-zA-Z][a-zA-Z0-9+.-]*://")


def metadata(options: Options) -> dict[str, Any]:
    """What the rows depend on: the analysing components (names and parameter files) and the settings they read."""
    names = Components(options).names()
    chosen = {role: names[role] for role in ANALYSIS_ROLES}
    return {"components": chosen, "params": {n: names["params"].get(n, {}) for n in chosen.values()},
            "settings": {"embed_chars": options.embed_chars, **field_limits(options)}}


def spark_schema() -> Any:
    from pyspark.sql import types as T

    scalar = {"string": T.StringType(), "int": T.LongType(), "double": T.DoubleType(), "binary": T.BinaryType()}

    def typed(kind: Any) -> Any:
        if isinstance(kind, str):
            return scalar[kind]
        _, inner = kind
        if isinstance(inner, str):
            return T.ArrayType(scalar[inner])
        return T.ArrayType(T.StructType([T.StructField(n, typed(k)) for n, k in inner.items()]))

    return T.StructType([T.StructField(name, typed(kind)) for name, kind in FIELDS.items()])


def list_inputs(spark: Any, inputs: Sequence[str]) -> tuple[list[tuple[int, str, bool]], list[Rejection]]:
    """(file index, path or URI, read through Spark's file systems?) of every input file, in plain ingest's order;
    and the inputs that name nothing."""
    files: list[tuple[int, str, bool]] = []
    missing: list[Rejection] = []
    for raw in inputs:
        if _URI.match(raw) and not is_url(raw):
            found = _hadoop_files(spark, raw)
            if not found:
                missing.append(Rejection(raw, 0, Codes.NO_INPUT, "the URI matches no file"))
            files.extend((len(files) + i, uri, True) for i, uri in enumerate(found))
            continue
        for path in expand_paths([raw]):
            if isinstance(path, Rejection):
                missing.append(path)
            else:
                files.append((len(files), path, False))
    return files, missing


def _hadoop_files(spark: Any, uri: str) -> list[str]:
    """The files a URI (a file, a folder, a glob) names, through the Hadoop file system of its scheme, sorted."""
    jvm, conf = spark._jvm, spark._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(conf)
    out: list[str] = []
    for status in fs.globStatus(path) or []:
        if status.isDirectory():
            listing = fs.listFiles(status.getPath(), True)
            while listing.hasNext():
                out.append(listing.next().getPath().toString())
        else:
            out.append(status.getPath().toString())
    return sorted(p for p in out if not Path(p).name.startswith(("_", ".")))


def analyse_inputs(spark: Any, inputs: Sequence[str], output: str, options: Options, *, fmt: str | None = None,
                   source: str | None = None, partitions: int | None = None, overwrite: bool = False) -> dict[str, Any]:
    """Analyse ``inputs`` on ``spark`` into Parquet under ``output``; returns the counts of rows written."""
    out = Path(output) if not _URI.match(output) else None
    if out is not None and out.exists() and any(out.iterdir()) and not overwrite:
        raise InputError(f"{output} exists and is not empty (give --overwrite to replace it)", code=Codes.BAD_FIELD)
    files, missing = list_inputs(spark, inputs)
    sc = spark.sparkContext
    settings = dict(options)
    local = [(i, p) for i, p, hadoop in files if not hadoop]
    uris = {p: i for i, p, hadoop in files if hadoop}
    items = sc.parallelize(local, max(1, len(local))).flatMap(
        lambda f: read_input(f[0], f[1], None, settings, fmt, source)) if local else sc.emptyRDD()
    if uris:  # each file once, whole (binaryFiles), with its place in the listing
        items = items.union(sc.binaryFiles(",".join(sorted(uris))).flatMap(
            lambda kv: read_input(uris.get(kv[0], len(files)), kv[0], kv[1], settings, fmt, source)))
    n = partitions or max(2, sc.defaultParallelism * 2)
    rows = items.repartition(n).mapPartitions(lambda part: analyse_partition(part, settings))
    rows = rows.union(sc.parallelize([rejection_row(r, -1, i) for i, r in enumerate(missing)], 1))
    names = list(FIELDS)
    frame = spark.createDataFrame(rows.map(lambda row: tuple(row[name] for name in names)), spark_schema())
    frame = frame.repartition(n, "day")  # one file per day: ingest --analysed reads a day at a time
    frame.write.mode("overwrite" if overwrite or out is not None else "errorifexists").partitionBy("day").parquet(output)
    meta = metadata(options) | {"inputs": list(inputs), "files": len(files)}
    text = json.dumps(meta, indent=2, sort_keys=True)
    if out is not None:
        (out / META_FILE).write_text(text + "\n", encoding="utf-8")
    else:
        sc.parallelize([text], 1).saveAsTextFile(output.rstrip("/") + "/_storyline")
    counts = spark.read.parquet(output).groupBy("kind").count().collect()
    return {row["kind"]: row["count"] for row in counts}
