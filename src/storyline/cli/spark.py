"""`storyline spark analyse`: the per-article analysis on Apache Spark (the `spark` extra)."""

from __future__ import annotations

import os
import shutil
import sys

import click

from ..errors import DependencyMissing
from ..settings import load_options
from ..pipeline.readers import format_names
from .app import Context, cli, emit_json

__all__ = ["spark_group", "session"]


def session(master: str, app_name: str = "storyline-analyse"):
    """A Spark session on ``master``; a clear error without PySpark or without Java."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise DependencyMissing("`storyline spark` (pyspark, pyarrow)", "spark") from None
    if shutil.which("java") is None:
        raise click.UsageError("Spark needs Java 17 or later on the PATH (or JAVA_HOME); none was found")
    # the executors run this interpreter (where storyline and its models are installed) unless told otherwise
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (SparkSession.builder.master(master).appName(app_name)
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.sources.partitionOverwriteMode", "static")
            .config("spark.sql.shuffle.partitions", "16")
            .getOrCreate())


@cli.group("spark")
def spark_group() -> None:
    """Run the analysis on Apache Spark (pip install 'storyline[spark]'; needs Java 17+)."""


@spark_group.command("analyse")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--output", "-o", required=True, help="Folder (or file-system URI) for the Parquet rows.")
@click.option("--master", default="local[2]", show_default=True, help="local[N], spark://HOST:PORT, yarn, ...")
@click.option("--partitions", type=click.IntRange(1), default=None,
              help="Partitions the records are spread over (default: twice the default parallelism).")
@click.option("--source", default=None, help="Outlet name for records that carry none (e.g. .txt files).")
@click.option("--format", "fmt", type=click.Choice(format_names()), default=None,
              help="Input format; by default taken from the file name, else sniffed.")
@click.option("--overwrite", is_flag=True, help="Replace what --output holds.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def analyse_command(obj: Context, inputs: tuple[str, ...], output: str, master: str, partitions: int | None,
                    source: str | None, fmt: str | None, overwrite: bool, as_json: bool) -> None:
    """Normalise, analyse and fingerprint INPUTS (what `ingest` reads; also hdfs://, s3a://, file:// URIs)
    into Parquet partitioned by publication date; then `storyline ingest --analysed OUTPUT`."""
    from ..spark.job import analyse_inputs

    options = load_options(obj.config, obj.overrides)
    spark = session(master)
    try:
        counts = analyse_inputs(spark, list(inputs), output, options, fmt=fmt, source=source,
                                partitions=partitions, overwrite=overwrite)
    finally:
        spark.stop()
    if as_json:
        emit_json(counts)
    else:
        click.echo(f"{counts.get('article', 0)} analysed, {counts.get('rejection', 0)} rejected, "
                   f"{counts.get('notice', 0)} notices -> {output}")
