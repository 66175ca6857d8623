"""Commands that read a store: stories, search, articles, show, compare, export, rejections, settings."""

from __future__ import annotations

import json

import click

from ..exports import write_events_csv
from ..settings import SETTINGS, load_options
from ..terminal import printable, printable_json
from .app import Context, cli, emit_json
from .render import render, render_comparison, story_table

_FILTERS = (
    click.option("--from", "date_from", default=None, metavar="YYYY-MM-DD", help="Only stories reported on or after this date."),
    click.option("--to", "date_to", default=None, metavar="YYYY-MM-DD", help="Only stories reported on or before this date."),
    click.option("--source", default=None, help="Only stories with an article from this outlet."),
    click.option("--place", default=None, help="Only stories naming this place (country, region or city)."),
    click.option("-q", "--query", default=None, help="Only stories with an article containing every word."),
)


def _filters(command):
    for option in reversed(_FILTERS):
        command = option(command)
    return command


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of stories.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many stories.")
@_filters
@click.pass_obj
def stories(obj: Context, as_json: bool, limit: int | None, **filters: str | None) -> None:
    """List stories, newest first (optionally only those matching the filters)."""
    with obj.reader() as engine:
        data = [s.to_dict() for s in engine.stories(limit=limit, **filters)]
    if as_json:
        emit_json([{k: s[k] for k in ("id", "title", "first_date", "last_date", "events")} for s in data])
    else:
        click.echo(story_table(printable(data)))


@cli.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True, help="Show at most this many articles.")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON (with `next`, the cursor of the next page).")
@click.option("--cursor", default=None, help="The `next` of a previous page.")
@click.pass_obj
def search(obj: Context, words: tuple[str, ...], limit: int, as_json: bool, cursor: str | None) -> None:
    """Articles whose title or text contains every word, newest first, with their event and story."""
    with obj.reader() as engine:
        page = engine.search(" ".join(words), cursor=cursor, limit=limit)
    if as_json:
        emit_json(page.to_dict())
        return
    for hit in page.articles:
        snippet = " ".join("".join(f"[{t}]" if on else t for t, on in hit.parts()).split())
        click.echo(printable(f"{hit.id:<20} {hit.date or 'undated':<10} {hit.event_id or '-':<6} {hit.story_id or '-':<6} "
                   f"{(hit.source or '-')[:20]:<20} {snippet}"))
    if page.next:
        click.echo(f"more: storyline search {' '.join(words)} --cursor {page.next}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of articles.")
@click.pass_obj
def articles(obj: Context, as_json: bool) -> None:
    """List articles in publication order."""
    with obj.reader() as engine:
        data = [a.to_dict() for a in engine.articles()]
    if as_json:
        emit_json(data)
        return
    for a in printable(data):
        dup = f"  (duplicate of {a['duplicate_of']})" if a["duplicate_of"] else ""
        click.echo(f"{a['id']:<20} {a['date'] or 'undated':<10} {(a['source'] or '-')[:20]:<20} {(a['title'] or '')[:60]}{dup}")


@cli.command()
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.pass_obj
def show(obj: Context, item_id: str, as_json: bool) -> None:
    """Show a story, an event or an article: what it holds and why."""
    with obj.reader() as engine:
        kind, found = engine.show(item_id)
        data = found.to_dict()
    if as_json:
        emit_json({"kind": kind, **data})
        return
    click.echo(render(kind, printable(data)))


@cli.command()
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON (a story: a JSON array, one per event).")
@click.pass_obj
def compare(obj: Context, item_id: str, as_json: bool) -> None:
    """What the sources of an event say together: agreed, single and contested facts, per source what it adds,
    omits and contradicts, and its framing terms. A story ID compares each of its events."""
    with obj.reader() as engine:
        found = engine.comparison(item_id)
    data = [c.to_dict() for c in found] if isinstance(found, list) else found.to_dict()
    if as_json:
        emit_json(data)
        return
    click.echo("\n\n".join(render_comparison(printable(c)) for c in (data if isinstance(data, list) else [data])))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "events-csv"]), default="jsonl", show_default=True,
              help="jsonl: one event per line with its record, provenance, story and articles; "
                   "events-csv: one row per real event in ACLED/PLOVER-style columns.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
@click.pass_obj
def export(obj: Context, fmt: str, output) -> None:
    """Export events: JSON lines with full provenance, or an events table (CSV)."""
    with obj.reader() as engine:
        if fmt == "events-csv":
            write_events_csv(engine.export(), output)
            return
        for record in engine.export():
            output.write(printable_json(json.dumps(record, ensure_ascii=False)) + "\n")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of rejections.")
@click.pass_obj
def rejections(obj: Context, as_json: bool) -> None:
    """List inputs that could not be used, with the reason."""
    with obj.reader() as engine:
        data = engine.rejections()
    if as_json:
        emit_json([r.__dict__ for r in data])
        return
    for r in data:
        click.echo(printable(f"{r.origin}:{r.line}: [{r.code}] {r.reason}"))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_obj
def settings(obj: Context, as_json: bool) -> None:
    """List every setting with its value, default and meaning."""
    options = load_options(obj.config, obj.overrides)
    if as_json:
        emit_json([{"name": s.name, "value": options[s.name], "default": s.default, "help": s.help} for s in SETTINGS])
        return
    for s in SETTINGS:
        click.echo(f"{s.name} = {options[s.name]!r}  (default {s.default!r})\n    {s.help}")
