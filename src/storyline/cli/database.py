"""The db commands: copy a store between backends, migrate one, check one, rebuild its stale records."""

from __future__ import annotations

import click

from ..errors import StoreError

from ..store import open_store, store_location
from ..store.copy import copy_store, summarise
from ..store.migrations import MIGRATIONS
from .app import Context, cli, emit_json


@cli.group(name="db")
def db_group() -> None:
    """Copy, migrate, check and refresh stores (a SQLite file or a postgresql:// URL)."""


def _table(summary) -> None:
    for s in summary:
        click.echo(f"  {s.table:<15} {s.rows:>9} rows  sha256 {s.sha256[:16]}")


@db_group.command(name="copy")
@click.argument("src")
@click.argument("dst")
@click.pass_obj
def db_copy(obj: Context, src: str, dst: str) -> None:
    """Copy the store SRC into the new, empty store DST (SQLite -> PostgreSQL or back), then verify every table's
    row count and checksum on both sides."""
    with open_store(store_location(src), wait=obj_wait(obj)) as source, open_store(store_location(dst), wait=obj_wait(obj)) as target:
        summary = copy_store(source, target)
    click.echo(f"copied {sum(s.rows for s in summary)} rows in {len(summary)} tables; counts and checksums agree")
    _table(summary)


def obj_wait(obj: Context) -> float:
    from ..settings import load_options

    return float(load_options(obj.config, obj.overrides).writer_wait)


@db_group.command(name="migrate")
@click.pass_obj
def db_migrate(obj: Context) -> None:
    """Bring the store (--db) up to date: apply the migrations it has not recorded."""
    with open_store(store_location(obj.db), readonly=True) as before:
        done = set(before.migrations()) if _has_migrations(before) else set()
    with open_store(store_location(obj.db), wait=obj_wait(obj)) as store:
        applied = [name for name in store.migrations() if name not in done]
    click.echo(f"applied {len(applied)} migrations" + (f": {', '.join(applied)}" if applied else " (up to date)"))


@db_group.command(name="refresh")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def db_refresh(obj: Context, as_json: bool) -> None:
    """Rebuild every record whose event has more articles than it was built from (a rebuild the server deferred
    while articles arrived one at a time, or one a crash left behind), with its comparison, digest and timeline."""
    with obj.engine() as engine:
        waiting = len(engine.waiting_records())
        built, summary = engine.refresh_stale()
    if as_json:
        emit_json({"waiting": waiting, "records_built": built, "seconds": round(summary.seconds, 3),
                   "stage_seconds": summary.stage_seconds})
    else:
        click.echo(f"rebuilt {built} of {waiting} stale records in {summary.seconds:.1f}s")


def _has_migrations(store) -> bool:
    try:
        return bool(store.migrations())
    except Exception:  # noqa: BLE001  (a new store has no migrations table yet)
        return False


@db_group.command(name="check")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def db_check(obj: Context, as_json: bool) -> None:
    """Check the store (--db): its migrations against this version's, each table's rows and checksum, and that
    every event's articles, every embedding's article and every story's events exist. Exit 1 on a problem."""
    with open_store(store_location(obj.db), readonly=True) as store:
        migrations = store.migrations()
        problems = _problems(store, migrations)
        try:
            summary = summarise(store)
        except StoreError as exc:  # a damaged table (say, a block of vectors gone): a problem to report
            summary = []
            if str(exc) not in problems:
                problems.append(str(exc))
    if as_json:
        emit_json({"store": str(store.path), "migrations": migrations, "problems": problems,
                   "tables": [s.__dict__ for s in summary]})
    else:
        click.echo(f"{store.path}: {len(migrations)} migrations, latest {migrations[-1] if migrations else '-'}")
        _table(summary)
        for p in problems:
            click.echo(f"problem: {p}", err=True)
        click.echo("ok" if not problems else f"{len(problems)} problems")
    if problems:
        raise SystemExit(1)


def _problems(store, migrations: list[str]) -> list[str]:
    known = [name for name, _ in MIGRATIONS]
    out = []
    if migrations != known[: len(migrations)]:
        out.append(f"migrations {migrations} are not this version's {known}")
    elif len(migrations) < len(known):
        out.append(f"migrations {known[len(migrations):]} are not applied: run `storyline db migrate`")
    articles = {a.id for a in store.articles()}
    members = store.all_event_members()
    events = {e.id for e in store.events()}
    out += [f"event {e} lists missing article {a}" for e, ids in members.items() for a in ids if a not in articles][:20]
    out += [f"article {a} belongs to missing event {e}" for e in members if e not in events for a in members[e][:1]][:20]
    try:
        out += [f"embedding of missing article {k}" for k, _, _ in store.embeddings() if k not in articles][:20]
    except StoreError as exc:  # an embedding key whose vector is gone (store/vector_blocks.py)
        out.append(str(exc))
    return out
