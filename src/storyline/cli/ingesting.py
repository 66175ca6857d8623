"""Commands that write a store: ingest, demo, and the gazetteer import."""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path
from typing import Any

import click

from ..engine import Storyline
from ..settings import load_options
from ..terminal import printable
from .app import Context, cli, emit_json
from .progress import ingest_progress
from .render import story_table
from ..pipeline.readers import format_names

def _run_ingest(engine: Storyline, paths: list[str], source: str | None, fmt: str | None, progress: bool,
                fetch: bool = False, analysed: str | None = None) -> Any:
    with ingest_progress(progress and engine.options.progress) as update:
        if analysed is not None:
            from ..spark.analysed import ingest_analysed

            return ingest_analysed(engine, analysed, progress=update)
        return engine.ingest(paths, source=source, fmt=fmt, progress=update, fetch=fetch)


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--analysed", "analysed", default=None, metavar="DIR",
              help="Ingest the Parquet rows `storyline spark analyse` wrote to DIR (no model runs; no PATHS).")
@click.option("--source", default=None, help="Outlet name for records that carry none (e.g. .txt files).")
@click.option("--format", "fmt", type=click.Choice(format_names()), default=None,
              help="Input format; by default taken from the file name (.gz looked through), else sniffed from the first bytes.")
@click.option("--fetch", is_flag=True, help="For a feed: fetch each entry's page for its full text.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--progress/--no-progress", default=True,
              help="Show progress: a bar with rate and time left on a terminal, a line every 10 s otherwise.")
@click.pass_obj
def ingest(obj: Context, paths: tuple[str, ...], analysed: str | None, source: str | None, fmt: str | None,
           fetch: bool, as_json: bool, progress: bool) -> None:
    """Ingest articles from files, folders, globs, http(s) URLs or - (stdin).

    Exit status: 0 when every input was stored (or was already stored), 1 when
    some inputs were rejected or missing (the others are stored; `storyline
    rejections` lists why), 2 for a usage error.
    """
    if bool(paths) == (analysed is not None):
        raise click.UsageError("give PATHS to ingest, or --analysed DIR (not both)")
    with obj.engine() as engine:
        summary = _run_ingest(engine, list(paths), source, fmt, progress, fetch, analysed)
        if as_json:
            emit_json(dataclasses.asdict(summary))
        else:
            for rejection in summary.rejections:
                click.echo(printable(f"rejected {rejection.origin}:{rejection.line}: [{rejection.code}] {rejection.reason}"), err=True)
            click.echo(summary.line())
    if summary.rejected:
        raise click.exceptions.Exit(1)


def example_paths() -> list[str]:
    """The bundled demo corpus: the two founding articles and a multi-outlet set."""
    root = resources.files("storyline") / "examples"
    return [str(root / "seeds"), str(root / "demo.jsonl")]


DEMO_DB = "storyline-demo.db"


def serve_banner(port: int) -> str:
    """The line `storyline demo --serve` prints when the server starts."""
    return f"Open http://127.0.0.1:{port}  (Ctrl-C to stop)"


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
@click.option("--path", "db", default=DEMO_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Where to create the demo store; an existing demo store there is replaced.")
@click.option("--serve", "then_serve", is_flag=True, help="Then serve it in the browser (needs the web extra).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port for --serve.")
@click.pass_obj
def demo(obj: Context, as_json: bool, db: str, then_serve: bool, port: int) -> None:
    """Ingest the bundled example corpus into a fresh database and print the stories.

    The global --db is ignored, so the demo never touches your own store; an
    existing file at --path is replaced only if an earlier demo created it.
    """
    if Path(db).exists():
        with Storyline(db, load_options(obj.config, obj.overrides)) as previous:
            if previous.store.get_meta("demo") != "1":
                raise click.UsageError(f"{db} exists and was not made by `storyline demo`; choose another --path")
    for suffix in ("", "-wal", "-shm", ".faiss", ".faiss.dedup"):
        Path(db + suffix).unlink(missing_ok=True)
    with obj.engine(db) as engine:
        engine.store.set_meta("demo", "1")
        summary = engine.ingest(example_paths(), source=None)
        data = [s.to_dict() for s in engine.stories()]
    if as_json:
        emit_json(data)
        return
    click.echo(summary.line())
    click.echo(story_table(printable(data)))
    click.echo(f"\nStore: {db}   next: storyline --db {db} show {data[-1]['id'] if data else 'S1'}")
    if not then_serve:
        click.echo(f"Browse it: storyline serve --db {db}   then open http://127.0.0.1:{port}")
        return
    from ..web import serve as run

    click.echo(serve_banner(port))
    run(db, load_options(obj.config, obj.overrides), port=port, log_level="warning")


@cli.group(name="gazetteer")
def gazetteer_group() -> None:
    """Manage the gazetteer the geoparser resolves place names against."""


@gazetteer_group.command(name="import")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False))
@click.option("--admin1", "admin1", type=click.Path(exists=True, dir_okay=False), default=None,
              help="GeoNames admin1CodesASCII.txt: names of first-level divisions.")
@click.option("--countries", "countries", type=click.Path(exists=True, dir_okay=False), default=None,
              help="GeoNames countryInfo.txt: country names.")
@click.option("--to", "target", type=click.Path(dir_okay=False), default=None,
              help="Gazetteer file to write (default: the `gazetteer` setting, else ~/.local/share/storyline/gazetteer.sqlite).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def gazetteer_import(obj: Context, dump: str, admin1: str | None, countries: str | None, target: str | None, as_json: bool) -> None:
    """Import DUMP, a GeoNames dump (allCountries.txt or a country file such as SY.txt), streaming.

    Re-importing is safe: places are keyed by geonameid. Bad lines are
    reported with their file and line and skipped.
    """
    from ..pipeline.geo.gazetteer import default_gazetteer_path, import_geonames

    options = load_options(obj.config, obj.overrides)
    path = target or options.gazetteer or str(default_gazetteer_path())

    def report_skip(file: str, line: int, reason: str) -> None:
        if not as_json:
            click.echo(printable(f"skipped {file}:{line}: {reason}"), err=True)

    report = import_geonames(dump, path, admin1_codes=admin1, country_info=countries, on_skip=report_skip)
    if as_json:
        emit_json(dataclasses.asdict(report))
        return
    click.echo(report.line())


def _echo_watch_event(event: Any) -> None:
    if event.summary is not None:
        for rejection in event.summary.rejections:
            click.echo(printable(f"rejected {rejection.origin}:{rejection.line}: [{rejection.code}] {rejection.reason}"), err=True)
        click.echo(f"{event.target}: {event.summary.line()}")
    else:
        click.echo(f"{event.target}: {event.message}", err=True)


@cli.command()
@click.argument("folders", nargs=-1, type=click.Path(file_okay=False))
@click.option("--feeds", "feeds_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A file of feed URLs, one a line, polled every --every.")
@click.option("--every", default="10m", show_default=True, help="How often to poll the feeds (30s, 10m, 2h).")
@click.option("--settle", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds a file's size and time must hold still before it is read (it may still be being written).")
@click.option("--fetch", is_flag=True, help="For feeds: fetch each entry's page for its full text.")
@click.pass_obj
def watch(obj: Context, folders: tuple[str, ...], feeds_file: str | None, every: str, settle: float, fetch: bool) -> None:
    """Ingest files as they land in FOLDERS and poll feeds, until Ctrl-C (a ledger beside the store remembers what was read)."""
    from ..watch import Ledger, Watcher, parse_every, read_feed_list

    try:
        interval = parse_every(every)
        feeds = read_feed_list(feeds_file) if feeds_file else []
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if not folders and not feeds:
        raise click.UsageError("name at least one folder or --feeds FILE")

    with obj.engine() as engine:
        ledger = Ledger(str(obj.db) + ".watch")
        watcher = Watcher(lambda paths: engine.ingest(paths, fetch=fetch), list(folders), ledger, feeds=feeds, every=interval,
                          settle=settle, on_event=_echo_watch_event)
        click.echo(f"watching {', '.join(folders) or 'no folder'}"
                   f"{f' and {len(feeds)} feeds every {every}' if feeds else ''}; store {obj.db} (Ctrl-C to stop)", err=True)
        try:
            watcher.run()
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
        finally:
            ledger.close()
