"""Commands that measure (eval) and fit models on labelled development corpora."""

from __future__ import annotations

from importlib import resources
from typing import Any

import click

from ..settings import load_options
from ..evaluate.extract import EXTRACTORS
from .app import Context, cli, emit_json

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
def eval_cluster(obj: Context, corpus: str, mode: str, level: str, titles_only: bool, spread_days: int, as_json: bool) -> None:
    """Cluster CORPUS (corpus JSONL) in a fresh store and score it against its gold labels."""
    from ..evaluate.clustering import evaluate_clustering

    scores = evaluate_clustering(corpus, mode=mode, level=level, titles_only=titles_only, spread_days=spread_days,
                                 options=load_options(obj.config, obj.overrides))
    if as_json:
        emit_json(scores)
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
def eval_geoparse(obj: Context, corpus: str, as_json: bool) -> None:
    """Recognise and resolve the toponyms of CORPUS (geoparsing JSONL) and score them against its gold."""
    from ..evaluate.geoparse import evaluate_geoparsing

    s = evaluate_geoparsing(corpus, load_options(obj.config, obj.overrides))
    if as_json:
        emit_json(s)
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


@eval_group.command(name="extract")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--extractor", type=click.Choice(list(EXTRACTORS)), default="reader", show_default=True,
              help="reader: the HTML reader as ingest runs it; the others are the alternatives it was compared with.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_extract(folder: str, extractor: str, as_json: bool) -> None:
    """Extract the article of every page in FOLDER (pages/ and ground_truth.jsonl) and score it against the gold body."""
    from ..evaluate.extract import evaluate_extraction

    s = evaluate_extraction(folder, extractor=extractor)
    if as_json:
        emit_json(s)
        return
    date = "n/a" if s["date_accuracy"] is None else f"{s['date_accuracy']:.3f}"
    click.echo(f"{folder} ({s['n_pages']} pages, extractor {extractor}; {s['n_without_body']} without a body)")
    click.echo(f"  word 4-grams  P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  exact {s['accuracy']:.3f}")
    click.echo(f"  dates: {date} right on the {s['n_pages_stating_a_date']} pages that state one; {s['date_coverage']:.3f} of pages dated")
    click.echo(f"  {s['pages_per_second']:.1f} pages/s ({s['pages_per_cpu_second']:.1f} per CPU second)")


@eval_group.command(name="events")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--split", type=click.Choice(["all", "heldout"]), default="all", show_default=True,
              help="heldout: only the fifth of the rows `fit events` and `fit kinds` hold out, "
                   "scored with an event typer refitted on the other four fifths (ACLED).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def eval_events(obj: Context, corpus: str, split: str, as_json: bool) -> None:
    """Build event records for CORPUS (ACLED notes or PLOVER gold records, detected) and score them."""
    from ..evaluate.events import evaluate_events

    s = evaluate_events(corpus, options=load_options(obj.config, obj.overrides), split=split)
    if as_json:
        emit_json(s)
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
    fit = s.get("event_typer_fit") or {}
    if fit.get("rows"):
        click.echo(f"  event typer       refitted on {fit['rows']} rows ({fit['heldout_rows_in_fit']} of them held out)")
    click.echo(f"  {s['articles_per_second']:.1f} records/s")


@eval_group.command(name="claims")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def eval_claims(obj: Context, corpus: str, as_json: bool) -> None:
    """Classify the claim pairs of CORPUS (ClaimDiff JSONL) as strengthen / weaken / neutral and score them."""
    from ..evaluate.claims import evaluate_claims

    s = evaluate_claims(corpus, load_options(obj.config, obj.overrides))
    if as_json:
        emit_json(s)
        return
    click.echo(f"{corpus} ({s['n_pairs']} pairs; lexicons {'read' if s['lexicons'] else 'absent'}; embedder {s['embedder']})")
    for name, part in (("model", s), ("lexical baseline", s["lexical_baseline"]), ("majority", s["majority_baseline"])):
        per = "  ".join(f"{c} P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f}" for c, v in part["per_class"].items())
        click.echo(f"  {name:17s} accuracy {part['accuracy']:.3f}  macro-F1 {part['macro_f1']:.3f}  |  {per}")


@eval_group.command(name="timeline")
@click.argument("topics", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_timeline(topics: tuple[str, ...], as_json: bool) -> None:
    """Build a timeline of each TOPICS folder (articles.jsonl, timelines.json) and score it against each gold timeline.

    Scores: alignment-based (align+ m:1), concat and agreement ROUGE-1/2 F1
    (stop words removed, stemmed) and date F1; several topics are averaged.
    """
    from ..evaluate.timelines import evaluate_timelines

    s = evaluate_timelines(topics, log=None if as_json else _fit_log)
    if as_json:
        emit_json(s)
        return
    name = s.get("topic") or f"{len(topics)} topics (mean per topic)"
    click.echo(f"{name} ({s['timeliner']})")
    click.echo(f"  align+ m:1  ROUGE-1 {s['ar1_f1']:.3f}  ROUGE-2 {s['ar2_f1']:.3f}   date F1 {s['date_f1']:.3f}")
    click.echo(f"  concat      ROUGE-1 {s['concat_r1_f1']:.3f}  ROUGE-2 {s['concat_r2_f1']:.3f}")
    click.echo(f"  agreement   ROUGE-1 {s['agreement_r1_f1']:.3f}  ROUGE-2 {s['agreement_r2_f1']:.3f}")


@eval_group.command(name="summary")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def eval_summary(obj: Context, corpus: str, as_json: bool) -> None:
    """Summarise each set of reports in CORPUS (NeuS JSONL) and score it against its roundup, beside a lead baseline.

    Sentence vectors come from the ``embedder`` setting and the summariser from the ``summariser`` setting,
    as in the pipeline.
    """
    from .. import registry
    from ..evaluate.summaries import evaluate_summaries

    options = load_options(obj.config, obj.overrides)
    try:
        s = evaluate_summaries(corpus, registry.create(options.embedder, options), summariser_name=options.summariser)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    if as_json:
        emit_json(s)
        return

    def row(name: str, r: dict) -> str:
        return (f"  {name:<22} ROUGE-1 {r['rouge1_f1']:.3f}  ROUGE-2 {r['rouge2_f1']:.3f}  ROUGE-L {r['rougeL_f1']:.3f}"
                f"  cited {r['cited_share']:.3f}")

    click.echo(f"{corpus} ({s['n_sets']} sets, {s['summariser']}, {s['sentences_per_summary']:.1f} sentences a summary)")
    click.echo(row("summary", s))
    click.echo(row("lead baseline", s["lead"]))
    if "heldout" in s:
        click.echo(row("held-out summary", s["heldout"]))
        click.echo(row("held-out lead", s["heldout"]["lead"]))


@eval_group.command(name="topics")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--split", type=click.Choice(["all", "heldout"]), default="all", show_default=True,
              help="heldout: only the fifth of the rows `storyline fit kinds` never fits on.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), default=None,
              help="JSON label map ({'labels': {gold label: kind}}); default: the committed one.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def eval_topics(obj: Context, corpus: str, split: str, mapping: str | None, as_json: bool) -> None:
    """Score the records' event kinds on CORPUS (topic JSONL, `label` the gold topic) and their conflict types."""
    from ..evaluate.topics import evaluate_topics

    s = evaluate_topics(corpus, split=split, mapping=mapping, options=load_options(obj.config, obj.overrides))
    if as_json:
        emit_json(s)
        return
    if not s["n"]:
        click.echo(f"{corpus}: no row with a label that maps to a kind (left out: {s['labels_left_out']})")
        return
    click.echo(f"{corpus} ({s['n']} rows, split {split}; kinds {s['gold_kinds']})")
    click.echo(f"  kind     accuracy {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}  abstained {s['abstained']:.3f}")
    fp = s["conflict_false_positive_rate"]
    click.echo(f"  conflict false positives {'n/a' if fp is None else format(fp, '.3f')} of {s['n_not_conflict_related']} rows "
               "not about politics, conflict or crime")
    if s["labels_left_out"]:
        click.echo(f"  labels left out: {s['labels_left_out']}")


@cli.group(name="fit")
def fit_group() -> None:
    """Fit model parameters on labelled development corpora.

    Each command writes a parameter file with the sha256 of every file it read:
    by default a new file in the current folder (``<bundled name>.fitted.json``),
    with ``--overwrite-bundled`` the bundled file itself (re-running it on the
    same development files reproduces the committed parameters).
    """


_CORPORA = click.argument("corpora", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))


_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                       help="Where to write the parameters (default: ./<bundled name>.fitted.json).")


_OVERWRITE = click.option("--overwrite-bundled", "overwrite", is_flag=True,
                          help="Replace the bundled parameter file inside the package instead.")


def _fit_log(message: str) -> None:
    click.echo(message, err=True)


def _write_fitted(document: dict[str, Any], output: str | None, bundled: str, indent: int = 2, overwrite: bool = False) -> str:
    from ..evaluate.files import write_params

    if output and overwrite:
        raise click.UsageError("give either --output or --overwrite-bundled")
    if overwrite:
        target = str(resources.files("storyline.pipeline") / "params" / bundled)
    else:
        target = output or bundled.removesuffix(".json") + ".fitted.json"
    write_params(document, target, indent)
    return target


@fit_group.command(name="claims")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@_OUTPUT
@_OVERWRITE
@click.pass_obj
def fit_claims(obj: Context, corpus: str, output: str | None, overwrite: bool) -> None:
    """Fit the claim-pair nuance model (strengthen / weaken / neutral) on CORPUS (the ClaimDiff training split only)."""
    from ..evaluate.claims import fit_nuance
    from ..pipeline.compare.nuance import PARAMS_FILE

    document = fit_nuance(corpus, load_options(obj.config, obj.overrides), log=_fit_log)
    target = _write_fitted(document, output, PARAMS_FILE, overwrite=overwrite)
    click.echo(f"wrote {target}")


@fit_group.command(name="cluster")
@_CORPORA
@_OUTPUT
@_OVERWRITE
@click.pass_obj
def fit_cluster(obj: Context, corpora: tuple[str, ...], output: str | None, overwrite: bool) -> None:
    """Fit the clusterer's join and event models on CORPORA (corpus JSONL with gold events)."""
    from ..evaluate.fit import fit_clusterer

    document = fit_clusterer(corpora, load_options(obj.config, obj.overrides), log=_fit_log)
    target = _write_fitted(document, output, "clusterer-online-v3.json", overwrite=overwrite)
    scores = ", ".join(f"{s['corpus']} B3-F1 {s['b3_f1']:.3f} pairwise F1 {s['pairwise_f1']:.3f}" for s in document["dev_scores"])
    click.echo(f"wrote {target}: join threshold {document['chosen_join_threshold']}, "
               f"merge threshold {document['merge_threshold']}; {scores}")


@fit_group.command(name="events")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@_OUTPUT
@_OVERWRITE
@click.pass_obj
def fit_events(obj: Context, corpus: str, output: str | None, overwrite: bool) -> None:
    """Fit the event type classifier on CORPUS (ACLED JSONL with gold event and sub-event types)."""
    from ..evaluate.fit_events import PARAMS_INDENT, fit_event_typer
    from ..pipeline.record.eventtype import PARAMS_FILE

    document = fit_event_typer(corpus, log=_fit_log)
    target = _write_fitted(document, output, PARAMS_FILE, PARAMS_INDENT, overwrite=overwrite)
    h = document["heldout_scores"]
    click.echo(f"wrote {target}: l2 {document['l2']:g}; held-out event type macro-F1 {h['event_type_macro_f1']:.3f}, "
               f"sub-event type accuracy {h['sub_event_type_accuracy']:.3f}")


@fit_group.command(name="timeline")
@click.argument("topics", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--heldout", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="A topic folder scored once with the chosen parameters (repeatable).")
@_OUTPUT
@_OVERWRITE
def fit_timeline(topics: tuple[str, ...], heldout: tuple[str, ...], output: str | None, overwrite: bool) -> None:
    """Fit the DATEWISE timeliner's parameters on TOPICS (Timeline17 topic folders)."""
    from ..evaluate.fit_timeline import fit_timeliner
    from ..pipeline.timeline import PARAMS_FILE

    document = fit_timeliner(topics, heldout, log=_fit_log)
    target = _write_fitted(document, output, PARAMS_FILE, overwrite=overwrite)
    h = document["heldout_mean"]
    shown = f"; held-out AR-1 {h['ar1_f1']:.3f} AR-2 {h['ar2_f1']:.3f} date F1 {h['date_f1']:.3f}" if h else ""
    click.echo(f"wrote {target}: lead {document['lead_sentences']}, weights {document['weights']}, "
               f"redundancy {document['redundancy']}{shown}")


@fit_group.command(name="summary")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@_OUTPUT
@_OVERWRITE
@click.pass_obj
def fit_summary(obj: Context, corpus: str, output: str | None, overwrite: bool) -> None:
    """Fit the cited summariser on the neus-train sets of CORPUS (NeuS JSONL); the other sets are held out."""
    from .. import registry
    from ..evaluate.fit_summary import fit_summariser
    from ..pipeline.summarise import PARAMS_FILE

    options = load_options(obj.config, obj.overrides)
    document = fit_summariser(corpus, registry.create(options.embedder, options), log=_fit_log)
    target = _write_fitted(document, output, PARAMS_FILE, overwrite=overwrite)
    h = document["heldout_scores"]
    shown = f"; held-out ROUGE-1 {h['rouge1_f1']:.3f} ROUGE-2 {h['rouge2_f1']:.3f} ROUGE-L {h['rougeL_f1']:.3f}" if h else ""
    click.echo(f"wrote {target}: agree {document['agree']}, max_words {document['max_words']}, "
               f"position_weight {document['position_weight']}{shown}")


@fit_group.command(name="linker")
@_CORPORA
@click.option("--version", "version", type=click.Choice(["v2", "v3", "v4"]), default="v3",
              show_default=True, help="Which linker to fit: linker.continuation.v3, v4 (v3 with the story's core) or v2.")
@click.option("--whole", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="v3, v4: a corpus fitted on all its rows (its held-out part is other corpora, e.g. other Timeline17 "
                   "topics); CORPORA are fitted on their earlier half by date.")
@_OUTPUT
@_OVERWRITE
@click.pass_obj
def fit_linker_command(obj: Context, corpora: tuple[str, ...], version: str, whole: tuple[str, ...],
                       output: str | None, overwrite: bool) -> None:
    """Fit the story linker on the earlier half (by date) of CORPORA (corpus JSONL with gold stories)."""
    options = load_options(obj.config, obj.overrides)
    try:
        if version == "v2":
            from ..evaluate.fit_link import fit_linker
            from ..pipeline.link_v2 import PARAMS_FILE

            if whole:
                raise ValueError("--whole is for --version v3 and v4")
            document = fit_linker(corpora, options, log=_fit_log)
        else:
            from ..evaluate.fit_link_v3 import fit_linker_v3
            from ..pipeline.link_v3 import PARAMS_FILE_V3
            from ..pipeline.link_v4 import PARAMS_FILE_V4

            PARAMS_FILE = PARAMS_FILE_V4 if version == "v4" else PARAMS_FILE_V3
            document = fit_linker_v3(corpora, whole, options, log=_fit_log, version=version)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    target = _write_fitted(document, output, PARAMS_FILE, overwrite=overwrite)
    click.echo(f"wrote {target}: weights {document['weights']}, bias {document['bias']}, threshold {document['threshold']}")


@fit_group.command(name="kinds")
@_CORPORA
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), default=None,
              help="JSON label map ({'labels': {gold label: kind}}); default: the committed one.")
@_OUTPUT
@_OVERWRITE
@click.pass_obj
def fit_kinds(obj: Context, corpora: tuple[str, ...], mapping: str | None, output: str | None, overwrite: bool) -> None:
    """Fit the event kind typer on CORPORA (topic, corpus or ACLED JSONL; labels mapped to kinds), held-out fifths left out."""
    from ..evaluate.fit_events import PARAMS_INDENT
    from ..evaluate.fit_kinds import fit_kind_typer
    from ..pipeline.record.kind import PARAMS_FILE

    document = fit_kind_typer(corpora, mapping, log=_fit_log)
    target = _write_fitted(document, output, PARAMS_FILE, PARAMS_INDENT, overwrite=overwrite)
    click.echo(f"wrote {target}: l2 {document['l2']:g}; kinds {document['kinds_fitted']}")


@fit_group.command(name="geoparse")
@_CORPORA
@_OUTPUT
@_OVERWRITE
@click.pass_obj
def fit_geoparse(obj: Context, corpora: tuple[str, ...], output: str | None, overwrite: bool) -> None:
    """Fit the toponym span model of the geoparser on CORPORA (geoparsing JSONL with gold toponyms)."""
    from ..evaluate.fit_geoparse import fit_span_model

    document = fit_span_model(corpora, load_options(obj.config, obj.overrides), log=_fit_log)
    target = _write_fitted(document, output, "geoparser-spans-v1.json", overwrite=overwrite)
    click.echo(f"wrote {target}: threshold {document['chosen_threshold']}, training span F1 {document['training_span_f1']}")


@fit_group.command(name="places")
@_CORPORA
@_OUTPUT
@_OVERWRITE
@click.pass_obj
def fit_places(obj: Context, corpora: tuple[str, ...], output: str | None, overwrite: bool) -> None:
    """Fit the geoparser's place ranker on CORPORA (geoparsing JSONL and/or ACLED event JSONL with gold places)."""
    from ..evaluate.fit_places import fit_place_ranker
    from ..pipeline.geo.ranker import PARAMS_FILE

    document = fit_place_ranker(corpora, load_options(obj.config, obj.overrides), log=_fit_log)
    target = _write_fitted(document, output, PARAMS_FILE, overwrite=overwrite)
    click.echo(f"wrote {target}: training accuracy among candidates {document['training_accuracy']}")
