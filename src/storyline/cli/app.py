"""The command group, its global options and the entry point.

Exit codes: 0 when everything worked; 1 when some inputs were rejected (the
rest was ingested) or the library reported an error; 2 for a usage error (a
bad option, a store that does not exist for a read command); 130 on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from ..engine import Storyline
from ..errors import StorylineError
from ..settings import load_options

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
        """An engine on an existing store; a read command never creates one (a mistyped --db is a usage error)."""
        if not Path(self.db).is_file():
            raise click.UsageError(f"no store at {self.db}: give the --db of an existing store, "
                                   f"or create one with `storyline --db {self.db} ingest FILES`")
        return self.engine()


def _parse_overrides(values: Iterable[str]) -> dict[str, str]:
    out = {}
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="--set")
        name, _, setting = value.partition("=")
        out[name.strip()] = setting.strip()
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", default=lambda: os.environ.get("STORYLINE_DB", DEFAULT_DB), show_default=DEFAULT_DB,
              help="The SQLite store (the vector index lives beside it). Environment: STORYLINE_DB.")
@click.option("--config", type=click.Path(dir_okay=False), default=None, help="A TOML settings file.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override one setting (repeatable); see `storyline settings`.")
@click.version_option(package_name="storyline")
@click.pass_context
def cli(ctx: click.Context, db: str, config: str | None, overrides: tuple[str, ...]) -> None:
    """Storyline: turn dated news articles into events and stories."""
    ctx.obj = Context(db, config, _parse_overrides(overrides))


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


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
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
