"""The command line: parse arguments, call the engine, format the output.

No logic lives here beyond formatting; every command has a Python
equivalent on :class:`storyline.Storyline`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import click

from .engine import Storyline
from .errors import StoreError, StorylineError
from .exports import write_events_csv
from .settings import SETTINGS, load_options
from .store.migrations import MIGRATIONS
from .terminal import printable, printable_json

__all__ = ["main", "cli"]

DEFAULT_DB = "storyline.db"


class _Context:
    def __init__(self, db: str, config: str | None, overrides: dict[str, str]) -> None:
        self.db = db
        self.config = config
        self.overrides = overrides

    def engine(self, db: str | None = None) -> Storyline:
        """An engine that may write: it takes the store's writer lock (or waits for it with --wait)."""
        return Storyline(db or self.db, load_options(self.config, self.overrides))

    def reader(self) -> Storyline:
        """An engine that only reads: never takes or waits for the writer lock, so it answers while an ingest runs.

        A store that does not exist yet, or has an older schema, is first
        created or migrated by a writer (which needs the lock for that moment).
        """
        options = load_options(self.config, self.overrides)
        try:
            engine = Storyline(self.db, options, readonly=True)
        except StoreError:  # no such file yet
            engine = None
        if engine is not None and _schema_is_current(engine):
            return engine
        if engine is not None:
            engine.close()
        Storyline(self.db, options).close()
        return Storyline(self.db, options, readonly=True)


def _schema_is_current(engine: Storyline) -> bool:
    try:
        return engine.store.migrations() == [name for name, _ in MIGRATIONS]
    except sqlite3.DatabaseError:  # an empty file, no migrations table yet, or not a database (the writer says which)
        return False


def _parse_overrides(values: Iterable[str]) -> dict[str, str]:
    out = {}
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="--set")
        name, _, setting = value.partition("=")
        out[name.strip()] = setting.strip()
    return out


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


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", default=lambda: os.environ.get("STORYLINE_DB", DEFAULT_DB), show_default=DEFAULT_DB,
              help="The SQLite store (the vector index lives beside it). Environment: STORYLINE_DB.")
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
    ctx.obj = _Context(db, config, parsed)


def _emit_json(data: Any) -> None:
    click.echo(printable_json(json.dumps(data, ensure_ascii=False, indent=2)))


def _run_ingest(engine: Storyline, paths: list[str], source: str | None, fmt: str | None, progress: bool) -> Any:
    show = progress and engine.options.progress and sys.stderr.isatty()
    if not show:
        return engine.ingest(paths, source=source, fmt=fmt)
    with click.progressbar(length=1, label="ingesting", file=sys.stderr, show_pos=True) as bar:

        def update(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        return engine.ingest(paths, source=source, fmt=fmt, progress=update)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--source", default=None, help="Outlet name for records that carry none (e.g. .txt files).")
@click.option("--format", "fmt", type=click.Choice(["txt", "jsonl", "csv"]), default=None,
              help="Input format; by default taken from the file extension (or sniffed for stdin).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on a terminal.")
@click.pass_obj
def ingest(obj: _Context, paths: tuple[str, ...], source: str | None, fmt: str | None, as_json: bool, progress: bool) -> None:
    """Ingest articles from files, folders, globs or - (stdin)."""
    with obj.engine() as engine:
        summary = _run_ingest(engine, list(paths), source, fmt, progress)
        if as_json:
            _emit_json(dataclasses.asdict(summary))
            return
        for rejection in summary.rejections:
            click.echo(printable(f"rejected {rejection.origin}:{rejection.line}: [{rejection.code}] {rejection.reason}"), err=True)
        click.echo(summary.line())


def _story_table(stories: list[dict[str, Any]]) -> str:
    lines = [f"{'id':<6} {'dates':<23} {'events':>6} {'articles':>8} {'sources':>7}  title"]
    for story in stories:
        first, last = story["first_date"] or "undated", story["last_date"] or ""
        dates = first if last in ("", first) else f"{first}..{last}"
        title = textwrap.shorten(story["title"] or "", width=70, placeholder="...")
        lines.append(f"{story['id']:<6} {dates:<23} {len(story['events']):>6} {story['n_articles']:>8} {story['n_sources']:>7}  {title}")
    return "\n".join(lines)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of stories.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many stories.")
@click.pass_obj
def stories(obj: _Context, as_json: bool, limit: int | None) -> None:
    """List stories, newest first."""
    with obj.reader() as engine:
        data = engine.stories(limit=limit)
    if as_json:
        _emit_json([{k: s[k] for k in ("id", "title", "first_date", "last_date", "events")} for s in data])
    else:
        click.echo(_story_table(printable(data)))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of articles.")
@click.pass_obj
def articles(obj: _Context, as_json: bool) -> None:
    """List articles in publication order."""
    with obj.reader() as engine:
        data = engine.articles()
    if as_json:
        _emit_json(data)
        return
    for a in printable(data):
        dup = f"  (duplicate of {a['duplicate_of']})" if a["duplicate_of"] else ""
        click.echo(f"{a['id']:<20} {a['date'] or 'undated':<10} {(a['source'] or '-')[:20]:<20} {(a['title'] or '')[:60]}{dup}")


@cli.command()
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.pass_obj
def show(obj: _Context, item_id: str, as_json: bool) -> None:
    """Show a story, an event or an article: what it holds and why."""
    with obj.reader() as engine:
        kind, data = engine.show(item_id)
    if as_json:
        _emit_json({"kind": kind, **data})
        return
    click.echo(_render(kind, printable(data)))


def _render_event(event: dict[str, Any], indent: str = "") -> list[str]:
    lines = [
        f"{indent}event {event['id']}: {event['title']}",
        f"{indent}  date {event['date'] or 'unknown'} ({event['date_precision']}); reported "
        f"{event['first_date'] or 'undated'}..{event['last_date'] or ''}; {event['n_articles']} articles, "
        f"{event['n_independent']} independent, {event['n_sources']} sources",
    ]
    for source, items in sorted(event["articles_by_source"].items()):
        lines.append(f"{indent}  {source}:")
        for a in items:
            dup = f" [duplicate of {a['duplicate_of']}]" if a["duplicate_of"] else ""
            lines.append(f"{indent}    {a['id']}  {a['date'] or 'undated'}  {a['title'] or ''}{dup}")
    for relay in event.get("relays") or ():
        lines.append(f"{indent}  relays of one {relay['upstream']} report: {', '.join(relay['articles'])}")
    if "n_independent_reports" in event:
        lines.append(f"{indent}  independent reports: {event['n_independent_reports']}")
    if event.get("record"):
        lines += _render_record(event["record"], indent + "  ")
    lines.append(f"{indent}  why together:")
    for why in event["why"]:
        lines.append(f"{indent}    {why['article']}: {why['explanation']}")
    return lines


_FIELD_LABELS = {"event_type": "type", "actor1": "actor", "actor2": "target", "place": "place", "date": "date",
                 "fatalities": "killed", "injured": "injured"}


def _describe(name: str, value: dict[str, Any]) -> str:
    detail = value.get("detail") or {}
    if name == "event_type":
        acled = " / ".join(x for x in (detail.get("acled_event_type"), detail.get("acled_sub_event_type")) if x)
        return f"{value['value']}" + (f" (ACLED: {acled})" if acled else "")
    if name == "place":
        where = ", ".join(str(x) for x in (detail.get("admin1"), detail.get("country")) if x and x != value["value"])
        coords = f" {detail['latitude']:.3f},{detail['longitude']:.3f}" if detail.get("latitude") is not None else ""
        return f"{value['value']}" + (f", {where}" if where else "") + f" [{detail.get('precision', '?')}]{coords}"
    if name == "date":
        span = f" {detail.get('start')}..{detail.get('end')}" if detail.get("start") != detail.get("end") else ""
        return f"{value['value']} [{detail.get('precision', '?')}]{span}"
    return str(value["value"])


def _render_record(record: dict[str, Any], indent: str, background: bool = False) -> list[str]:
    lines = [f"{indent}{'earlier event' if background else 'record'}:" + (f" {record['summary']}" if record.get("summary") else "")]
    for name, label in _FIELD_LABELS.items():
        field = (record.get("fields") or {}).get(name)
        if not field:
            continue
        value = field.get("value")
        shown = _describe(name, value) if value else "not reported"
        note = f"  ({field['note']})" if field.get("note") else ""
        lines.append(f"{indent}  {label:<8} {shown}{note}")
        for support in (value or {}).get("support") or ():
            sentence = " ".join(support["text"].split())
            lines.append(f"{indent}           <- {support.get('source') or support['article_id']}: \"{sentence[:160]}\"")
        for alt in field.get("alternatives") or ():
            who = ", ".join(sorted({s.get("source") or s["article_id"] for s in alt.get("support") or ()}))
            lines.append(f"{indent}           differs: {_describe(name, alt)} ({who})")
    for earlier in record.get("background") or ():
        lines += _render_record(earlier, indent + "  ", background=True)
    return lines


def _render(kind: str, data: dict[str, Any]) -> str:
    if kind == "story":
        lines = [f"story {data['id']}: {data['title']}",
                 f"  {data['first_date'] or 'undated'}..{data['last_date'] or ''}; {len(data['events'])} events, "
                 f"{data['n_articles']} articles, {data['n_sources']} sources"]
        for event in data["events"]:
            lines += _render_event(event, "  ")
        story_why = [w for w in data["why"] if w["level"] == "story"]
        if story_why:
            lines.append("  events linked:")
            lines += [f"    {w['subject_id']}: {w['explanation']}" for w in story_why]
        return "\n".join(lines)
    if kind == "event":
        return "\n".join(_render_event(data))
    lines = [f"article {data['id']}: {data['title'] or ''}",
             f"  {data['source'] or '-'}, {data['date'] or 'undated'}, language {data['language']}, event {data['event_id']}",
             f"  from {data['origin']}"]
    if data["duplicate_of"]:
        lines.append(f"  duplicate of {data['duplicate_of']}")
    if data["headings"]:
        lines.append("  headings: " + "; ".join(data["headings"]))
    lines.append(f"  {len(data['sentences'])} sentences, {len(data['mentions'])} entity mentions")
    return "\n".join(lines)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "events-csv"]), default="jsonl", show_default=True,
              help="jsonl: one event per line with its record, provenance, story and articles; "
                   "events-csv: one row per real event in ACLED/PLOVER-style columns.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
@click.pass_obj
def export(obj: _Context, fmt: str, output) -> None:
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
def rejections(obj: _Context, as_json: bool) -> None:
    """List inputs that could not be used, with the reason."""
    with obj.reader() as engine:
        data = engine.rejections()
    if as_json:
        _emit_json([r.__dict__ for r in data])
        return
    for r in data:
        click.echo(printable(f"{r.origin}:{r.line}: [{r.code}] {r.reason}"))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_obj
def settings(obj: _Context, as_json: bool) -> None:
    """List every setting with its value, default and meaning."""
    options = load_options(obj.config, obj.overrides)
    if as_json:
        _emit_json([{"name": s.name, "value": options[s.name], "default": s.default, "help": s.help} for s in SETTINGS])
        return
    for s in SETTINGS:
        click.echo(f"{s.name} = {options[s.name]!r}  (default {s.default!r})\n    {s.help}")


@cli.group(name="eval")
def eval_group() -> None:
    """Measure accuracy and speed on a labelled corpus."""


@eval_group.command(name="cluster")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--mode", type=click.Choice(["stream", "batch"]), default="stream", show_default=True,
              help="stream: articles fed in date order in small batches, no look-ahead; batch: one batch.")
@click.option("--level", type=click.Choice(["event", "story"]), default="event", show_default=True, help="Gold label to score against.")
@click.option("--titles-only", is_flag=True, help="Cluster on headlines alone.")
@click.option("--spread-days", type=click.IntRange(min=0), default=0, show_default=True,
              help="Move each date later by 0..N days (seeded) first, as reports of one event spread in a real stream.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def eval_cluster(obj: _Context, corpus: str, mode: str, level: str, titles_only: bool, spread_days: int, as_json: bool) -> None:
    """Cluster CORPUS (corpus JSONL) in a fresh store and score it against its gold labels."""
    from .evaluate.clustering import evaluate_clustering

    scores = evaluate_clustering(corpus, mode=mode, level=level, titles_only=titles_only, spread_days=spread_days,
                                 options=load_options(obj.config, obj.overrides))
    if as_json:
        _emit_json(scores)
        return
    spread = f", dates spread 0-{spread_days} days" if spread_days else ""
    click.echo(f"{corpus} ({scores['n_articles']} articles, {mode}, {level}{', titles only' if titles_only else ''}{spread})")
    click.echo(f"  B3       P {scores['b3_precision']:.3f}  R {scores['b3_recall']:.3f}  F1 {scores['b3_f1']:.3f}")
    click.echo(f"  pairwise P {scores['pairwise_precision']:.3f}  R {scores['pairwise_recall']:.3f}  F1 {scores['pairwise_f1']:.3f}")
    click.echo(f"  ARI {scores['ari']:.3f}  AMI {scores['ami']:.3f}  clusters {scores['n_clusters']} (gold {scores['n_gold']})")
    click.echo(f"  {scores['articles_per_second']:.1f} articles/s, peak memory {scores['peak_memory_mb']:.0f} MB")


@eval_group.command(name="geoparse")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def eval_geoparse(obj: _Context, corpus: str, as_json: bool) -> None:
    """Recognise and resolve the toponyms of CORPUS (geoparsing JSONL) and score them against its gold."""
    from .evaluate.geoparse import evaluate_geoparsing

    s = evaluate_geoparsing(corpus, load_options(obj.config, obj.overrides))
    if as_json:
        _emit_json(s)
        return

    def num(value: Any, fmt: str = ".3f") -> str:
        return "n/a" if value is None else format(value, fmt)

    click.echo(f"{corpus} ({s['n_articles']} articles, {s['n_gold_toponyms']} gold toponyms, {s['n_predicted']} predicted)")
    click.echo(f"  toponyms exact    P {num(s['toponym_precision'])}  R {num(s['toponym_recall'])}  F1 {num(s['toponym_f1'])}")
    click.echo(f"  toponyms overlap  P {num(s['lenient_precision'])}  R {num(s['lenient_recall'])}  F1 {num(s['lenient_f1'])}")
    click.echo(f"  literal names     P {num(s['literal_precision'])}  R {num(s['literal_recall'])}  F1 {num(s['literal_f1'])}")
    click.echo(f"  geocoding ({s['n_geocoded']} matched toponyms with coordinates): within 161 km {num(s['acc_161km'])}, "
               f"median error {num(s['median_error_km'], '.1f')} km, mean {num(s['mean_error_km'], '.0f')} km, AUC {num(s['auc'])}")
    click.echo(f"  {num(s['articles_per_second'], '.1f')} articles/s")


@eval_group.command(name="events")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def eval_events(obj: _Context, corpus: str, as_json: bool) -> None:
    """Build event records for CORPUS (ACLED notes or PLOVER gold records, detected) and score them."""
    from .evaluate.events import evaluate_events

    s = evaluate_events(corpus, options=load_options(obj.config, obj.overrides))
    if as_json:
        _emit_json(s)
        return

    def num(value: Any) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    click.echo(f"{corpus} ({s['n']} {s['format'].upper()} records)")
    click.echo(f"  event type        accuracy {num(s['event_type_accuracy'])}  macro-F1 {num(s['event_type_macro_f1'])}")
    if s["format"] == "acled":
        click.echo(f"  sub-event type    accuracy {num(s['sub_event_type_accuracy'])}")
        click.echo(f"  actor1            match {num(s['actor1_match'])}")
        click.echo(f"  location          within 25 km {num(s['location_25km'])}  within 161 km {num(s['location_161km'])}  "
                   f"admin1 {num(s['admin1_accuracy'])}  country {num(s['country_accuracy'])}")
        click.echo(f"  date              exact {num(s['date_exact'])}")
        click.echo(f"  fatalities        exact {num(s['fatalities_exact'])}  MAE {s['fatalities_mae']:.2f}")
    click.echo(f"  {s['articles_per_second']:.1f} records/s")


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
def gazetteer_import(obj: _Context, dump: str, admin1: str | None, countries: str | None, target: str | None, as_json: bool) -> None:
    """Import DUMP, a GeoNames dump (allCountries.txt or a country file such as SY.txt), streaming.

    Re-importing is safe: places are keyed by geonameid. Bad lines are
    reported with their file and line and skipped.
    """
    from .pipeline.gazetteer import default_gazetteer_path, import_geonames

    options = load_options(obj.config, obj.overrides)
    path = target or options.gazetteer or str(default_gazetteer_path())

    def report_skip(file: str, line: int, reason: str) -> None:
        if not as_json:
            click.echo(printable(f"skipped {file}:{line}: {reason}"), err=True)

    report = import_geonames(dump, path, admin1_codes=admin1, country_info=countries, on_skip=report_skip)
    if as_json:
        _emit_json(dataclasses.asdict(report))
        return
    click.echo(report.line())


@cli.group(name="fit")
def fit_group() -> None:
    """Fit model parameters on labelled development corpora.

    Each command writes a parameter file with the sha256 of every file it read;
    by default it replaces the bundled file, so re-running it on the same
    development files reproduces the committed parameters.
    """


_CORPORA = click.argument("corpora", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                       help="Where to write the parameters (default: the bundled parameter file).")


def _fit_log(message: str) -> None:
    click.echo(message, err=True)


def _write_fitted(document: dict[str, Any], output: str | None, bundled: str, indent: int = 2) -> str:
    from .evaluate.files import write_params

    target = output or str(resources.files("storyline.pipeline") / "params" / bundled)
    write_params(document, target, indent)
    return target


@fit_group.command(name="cluster")
@_CORPORA
@_OUTPUT
@click.pass_obj
def fit_cluster(obj: _Context, corpora: tuple[str, ...], output: str | None) -> None:
    """Fit the clusterer's join and event models on CORPORA (corpus JSONL with gold events)."""
    from .evaluate.fit import fit_clusterer

    document = fit_clusterer(corpora, load_options(obj.config, obj.overrides), log=_fit_log)
    target = _write_fitted(document, output, "clusterer-online-v3.json")
    scores = ", ".join(f"{s['corpus']} B3-F1 {s['b3_f1']:.3f} pairwise F1 {s['pairwise_f1']:.3f}" for s in document["dev_scores"])
    click.echo(f"wrote {target}: join threshold {document['chosen_join_threshold']}, "
               f"merge threshold {document['merge_threshold']}; {scores}")


@fit_group.command(name="events")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@_OUTPUT
@click.pass_obj
def fit_events(obj: _Context, corpus: str, output: str | None) -> None:
    """Fit the event type classifier on CORPUS (ACLED JSONL with gold event and sub-event types)."""
    from .evaluate.fit_events import PARAMS_INDENT, fit_event_typer
    from .pipeline.eventtype import PARAMS_FILE

    document = fit_event_typer(corpus, log=_fit_log)
    target = _write_fitted(document, output, PARAMS_FILE, PARAMS_INDENT)
    h = document["heldout_scores"]
    click.echo(f"wrote {target}: l2 {document['l2']:g}; held-out event type macro-F1 {h['event_type_macro_f1']:.3f}, "
               f"sub-event type accuracy {h['sub_event_type_accuracy']:.3f}")


@fit_group.command(name="geoparse")
@_CORPORA
@_OUTPUT
@click.pass_obj
def fit_geoparse(obj: _Context, corpora: tuple[str, ...], output: str | None) -> None:
    """Fit the toponym span model of the geoparser on CORPORA (geoparsing JSONL with gold toponyms)."""
    from .evaluate.fit_geoparse import fit_span_model

    document = fit_span_model(corpora, load_options(obj.config, obj.overrides), log=_fit_log)
    target = _write_fitted(document, output, "geoparser-spans-v1.json")
    click.echo(f"wrote {target}: threshold {document['chosen_threshold']}, training span F1 {document['training_span_f1']}")


@fit_group.command(name="places")
@_CORPORA
@_OUTPUT
@click.pass_obj
def fit_places(obj: _Context, corpora: tuple[str, ...], output: str | None) -> None:
    """Fit the geoparser's place ranker on CORPORA (geoparsing JSONL and/or ACLED event JSONL with gold places)."""
    from .evaluate.fit_places import fit_place_ranker
    from .pipeline.place_ranker import PARAMS_FILE

    document = fit_place_ranker(corpora, load_options(obj.config, obj.overrides), log=_fit_log)
    target = _write_fitted(document, output, PARAMS_FILE)
    click.echo(f"wrote {target}: training accuracy among candidates {document['training_accuracy']}")


@cli.command()
@click.option("--db", "db", default=None, type=click.Path(dir_okay=False), help="The store to serve (default: the global --db).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--token", envvar="STORYLINE_TOKEN", default=None,
              help="Token that POST /api/articles requires (Authorization: Bearer ...). Environment: STORYLINE_TOKEN. Without it the server is read-only.")
@click.pass_obj
def serve(obj: _Context, db: str | None, host: str, port: int, token: str | None) -> None:
    """Serve the web UI and the REST API (/api/, OpenAPI at /api/docs) over the store."""
    from .web import serve as run

    path = db or obj.db
    click.echo(f"Serving {path}: open http://{_url_host(host)}:{port}  (API: /api/docs; Ctrl-C to stop)")
    run(path, load_options(obj.config, obj.overrides), host=host, port=port, token=token)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def example_paths() -> list[str]:
    """The bundled demo corpus: the two founding articles and a multi-outlet set."""
    root = resources.files("storyline") / "examples"
    return [str(root / "seeds"), str(root / "demo.jsonl")]


DEMO_DB = "storyline-demo.db"


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
@click.option("--path", "db", default=DEMO_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Where to create the demo store; an existing demo store there is replaced.")
@click.option("--serve", "then_serve", is_flag=True, help="Then serve it in the browser (needs the web extra).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port for --serve.")
@click.pass_obj
def demo(obj: _Context, as_json: bool, db: str, then_serve: bool, port: int) -> None:
    """Ingest the bundled example corpus into a fresh database and print the stories.

    The global --db is ignored, so the demo never touches your own store; an
    existing file at --path is replaced only if an earlier demo created it.
    """
    if Path(db).exists():
        with Storyline(db, load_options(obj.config, obj.overrides)) as previous:
            if previous.store.get_meta("demo") != "1":
                raise click.UsageError(f"{db} exists and was not made by `storyline demo`; choose another --path")
    for suffix in ("", "-wal", "-shm", ".faiss"):
        Path(db + suffix).unlink(missing_ok=True)
    with obj.engine(db) as engine:
        engine.store.set_meta("demo", "1")
        summary = engine.ingest(example_paths(), source=None)
        data = engine.stories()
    if as_json:
        _emit_json(data)
        return
    click.echo(summary.line())
    click.echo(_story_table(printable(data)))
    click.echo(f"\nStore: {db}   next: storyline --db {db} show {data[-1]['id'] if data else 'S1'}")
    if not then_serve:
        click.echo(f"Browse it: storyline serve --db {db}   then open http://127.0.0.1:{port}")
        return
    from .web import serve as run

    click.echo(f"Open http://127.0.0.1:{port}  (Ctrl-C to stop)")
    run(db, load_options(obj.config, obj.overrides), port=port, log_level="warning")


def main() -> None:
    try:
        cli.main(prog_name="storyline", standalone_mode=False)
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
