"""Commands that summarise: an event's cited summary, a story's or a query's timeline."""

from __future__ import annotations

import click

from ..model import SummarySentence, counted
from ..terminal import printable
from .app import Context, cli, emit_json


def _cited(sentence: SummarySentence, indent: str = "  ") -> list[str]:
    """A summary sentence and its citations, one per line."""
    lines = [f"{indent}{sentence.text}"]
    label = {"agreed": f"stated by {sentence.n_sources} independent sources",
             "relayed": f"stated by {sentence.n_reports} reports relaying one upstream report",
             "addition": "one report", "contested": "the sources disagree"}.get(sentence.kind, sentence.kind)
    lines.append(f"{indent}  ({label})")
    for c in sentence.citations:
        lines.append(f"{indent}  [{c.article_id}, {c.source or 'no outlet'}, sentence {c.sentence_index + 1}, "
                     f"characters {c.start}-{c.end}]")
    return lines


@cli.command()
@click.argument("event_id")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON, with every citation.")
@click.pass_obj
def summary(obj: Context, event_id: str, as_json: bool) -> None:
    """The cited summary of EVENT_ID: agreed facts first, each sentence with the source sentences that state it."""
    with obj.reader() as engine:
        digest = engine.summary(event_id)
    if as_json:
        emit_json(digest.to_dict())
        return
    click.echo(printable(f"{digest.event_id}  {digest.title}"))
    relayed = f"; relayed upstream: {', '.join(digest.upstreams)}" if digest.upstreams else ""
    click.echo(printable(f"  {counted(digest.n_independent_reports, 'independent report')}{relayed}"))
    for sentence in digest.sentences:
        for line in _cited(sentence):
            click.echo(printable(line))


@cli.command()
@click.argument("story_or_query")
@click.option("--dates", "n_dates", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Dates to choose for a query timeline.")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON, with every citation.")
@click.pass_obj
def timeline(obj: Context, story_or_query: str, n_dates: int, as_json: bool) -> None:
    """The timeline of a story (by id), or of the stored articles matching a query (dates chosen by importance)."""
    with obj.reader() as engine:
        result = engine.timeline(story_or_query, n_dates)
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(printable(f"{result.id}  {result.title or ''}  ({result.n_articles} articles, {result.timeliner})"))
    for sentence in result.summary:
        for line in _cited(sentence):
            click.echo(printable(line))
    for day in result.days:
        event = f"  {day.event_id}" if day.event_id else ""
        click.echo(printable(f"{day.date} ({day.precision}){event}"))
        for sentence in day.sentences:
            for line in _cited(sentence, "    "):
                click.echo(printable(line))
