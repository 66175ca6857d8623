"""The command group, its global options and the entry point.

Exit codes: 0 when everything worked; 1 when some inputs were rejected (the
rest was ingested) or the library reported an error; 2 for a usage error (a
bad option, a store that does not exist for a read command); 130 on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from ..engine import Storyline
from ..errors import StorylineError
from ..settings import load_options
from ..store.migrations import MIGRATIONS
from ..store.postgres import is_postgres_url
from ..terminal import printable, printable_json

__all__ = ["cli", "main", "Context", "emit_json", "DEFAULT_DB"]

DEFAULT_DB = "storyline.db"


class Context:
    def __init__(self, db: str, config: str | None, overrides: dict[str, str]) -> None:
        self.db = db
        self.config = config
        self.overrides = overrides

    def engine(self, db: str | None = None) -> Storyline:
        """An engine on the store (created when missing: for commands that write)."""
        return Storyline(db or self.db, load_options(self.config, self.overrides))

    def reader(self) -> Storyline:
        """An engine that only reads an existing store (a mistyped --db is a usage error, nothing is created).

        It never takes or waits for the writer lock, so it answers while an ingest runs; a store with an
        older schema is first migrated by a writer (which needs the lock for that moment).
        """
        if not is_postgres_url(self.db) and not Path(self.db).is_file():
            raise click.UsageError(f"no store at {self.db}: give the --db of an existing store, "
                                   f"or create one with `storyline --db {self.db} ingest FILES`")
        options = load_options(self.config, self.overrides)
        engine = Storyline(self.db, options, readonly=True)
        if _schema_is_current(engine):
            return engine
        engine.close()
        Storyline(self.db, options).close()
        return Storyline(self.db, options, readonly=True)


def _schema_is_current(engine: Storyline) -> bool:
    try:
        return engine.store.migrations() == [name for name, _ in MIGRATIONS]
    except sqlite3.DatabaseError:  # an empty file, no migrations table yet, or not a database (the writer says which)
        return False


class _Group(click.Group):
    """The top-level group: ``--wait`` without a number (followed by the command) means wait as long as it takes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _bare_wait(args))


def _bare_wait(args: list[str]) -> list[str]:
    """``--wait`` followed by a command or option instead of seconds becomes ``--wait=inf``."""
    out, i = list(args), 0
    while i < len(out) and out[i].startswith("-"):
        if out[i] in ("--db", "--config", "--set"):
            i += 2
            continue
        if out[i] == "--wait":
            following = out[i + 1] if i + 1 < len(out) else ""
            try:
                float(following)
            except ValueError:
                out[i] = "--wait=inf"
        i += 1
    return out


def _parse_overrides(values: Iterable[str]) -> dict[str, str]:
    out = {}
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="--set")
        name, _, setting = value.partition("=")
        out[name.strip()] = setting.strip()
    return out


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", default=lambda: os.environ.get("STORYLINE_DB", DEFAULT_DB), show_default=DEFAULT_DB,
              help="The store: a SQLite file (the vector index lives beside it) or a PostgreSQL URL "
                   "postgresql://USER@HOST:PORT/DB (pgvector). Environment: STORYLINE_DB.")
@click.option("--config", type=click.Path(dir_okay=False), default=None, help="A TOML settings file.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override one setting (repeatable); see `storyline settings`.")
@click.option("--wait", "wait", type=click.FloatRange(min=0), default=None, metavar="[SECONDS]",
              help="When another process is writing to the store, wait for it (up to SECONDS; bare: as long as it "
                   "takes) instead of stopping with SL203. Setting: writer_wait.")
@click.version_option(package_name="storyline")
@click.pass_context
def cli(ctx: click.Context, db: str, config: str | None, overrides: tuple[str, ...], wait: float | None) -> None:
    """Storyline: turn dated news articles into events and stories."""
    parsed = _parse_overrides(overrides)
    if wait is not None:
        parsed["writer_wait"] = str(wait)
    ctx.obj = Context(db, config, parsed)


def emit_json(data: Any) -> None:
    click.echo(printable_json(json.dumps(data, ensure_ascii=False, indent=2)))


def main() -> None:
    try:
        code = cli.main(prog_name="storyline", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except StorylineError as exc:
        click.echo(printable(f"Error: {exc}"), err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
