"""Settings are data: one table of (name, default, help), one options object.

Precedence, lowest first: defaults < settings file (TOML) < environment
(``STORYLINE_<NAME>``) < explicit overrides (CLI ``--set name=value``).
Unknown names fail loudly, with the list of known ones.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from .errors import Codes, SettingsError

__all__ = ["Setting", "SETTINGS", "Options", "load_options"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    #: inclusive bounds of a numeric setting (None: unbounded)
    minimum: float | None = None
    maximum: float | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("embedder", "embedder.use-multilingual.v1", "Registered name of the document embedder."),
    Setting("entities", "entities.spacy-en.v1", "Registered name of the named-entity extractor."),
    Setting("clusterer", "clusterer.online.v3", "Registered name of the article-to-event clusterer."),
    Setting("linker", "linker.stories.v1", "Registered name of the event-to-story linker."),
    Setting("geoparser", "geoparser.geonames.v9", "Registered name of the toponym recogniser and resolver."),
    Setting("gazetteer", "", "SQLite file of an imported GeoNames dump (`storyline gazetteer import`), consulted in "
            "addition to the built-in gazetteer; empty: $XDG_DATA_HOME/storyline/gazetteer.sqlite "
            "(~/.local/share/storyline/gazetteer.sqlite)."),
    Setting("event_typer", "eventtype.linear.v1", "Registered name of the event type classifier (PLOVER and ACLED types)."),
    Setting("kind_typer", "kind.linear.v1", "Registered name of the event kind typer (politics, conflict, economy, health, ...)."),
    Setting("dedup", "dedup.minhash.v1", "Registered name of the near-duplicate detector."),
    Setting("dates", "dates.rules.v1", "Registered name of the date recogniser (dates resolved against the publication date)."),
    Setting("quotes", "quotes.rules.v1", "Registered name of the quote and attribution finder."),
    Setting("relays", "relays.attribution.v1", "Registered name of the stage that tells relays of one upstream report."),
    Setting("recorder", "recorder.agreement.v7", "Registered name of the event record builder."),
    Setting("comparer", "comparer.facts.v4", "Registered name of the stage that compares the sources of each event."),
    Setting("lexicons", "", "Folder of the framing lexicons (bias lexicon, hedges, assertives, subjectivity clues; "
            "the layout of ../shared/data/lexicons); empty: comparisons carry no framing terms."),
    Setting("summariser", "summariser.cited.v2", "Registered name of the event summariser (cited extractive summaries)."),
    Setting("timeliner", "timeliner.datewise.v1", "Registered name of the timeline builder (dates that matter, cited sentences)."),
    Setting("index_path", "", "File of the vector index; empty: beside the store (<db>.faiss)."),
    Setting("records", True, "Build each event's record (type, actors, place, date, counts with provenance) as it changes."),
    Setting("digests", True, "Store each event's cited summary and each story's timeline as they change (needs records)."),
    Setting("event_window_days", 7, "Articles join only events with a report within this many days.", 0),
    Setting("event_threshold", 0.5, "Minimum join probability for an article to join an existing event.", 0, 1),
    Setting("event_candidates", 30, "Nearest stored articles fetched from the vector index per article.", 1),
    Setting("event_memory", 5000, "Recent articles the clusterer's second pass (split, move, merge events) may revisit; "
            "0 turns it off.", 0),
    Setting("story_window_days", 45, "Events link only to stories active within this many days.", 0),
    Setting("story_threshold", 0.5, "Minimum score for an event to join an existing story (linker.stories.v1; "
            "linker.continuation.v2 and v3 use their fitted thresholds).", 0, 1),
    Setting("near_duplicate_jaccard", 0.8, "Estimated word 4-gram Jaccard at or above which an article is a near-duplicate.", 0, 1),
    Setting("embed_chars", 1500, "Characters of the body (after the title) used for the document embedding.", 1),
    Setting("ner_piece_chars", 10_000, "The entity extractor reads a document in pieces of at most this many characters "
            "(cut after a line break, else a space), so a long document never goes to the model at once.", 200),
    Setting("ner_max_chars", 0, "Characters of each document (title and text) the entity extractor reads; 0: all of it. "
            "A bound cuts CPU on long documents but loses the entities past it.", 0),
    Setting("embed_cache", 200_000, "Sentence vectors an engine keeps (least recently used dropped first): the comparison's "
            "claims and the summaries' sentences share them, so no text is embedded twice while it is kept; 0 keeps none.", 0),
    Setting("batch_size", 64, "Articles analysed and committed together; a crash loses at most one batch.", 1),
    Setting("max_article_chars", 2_000_000, "Longer articles are rejected with a reason.", 1),
    Setting("max_title_chars", 1000, "Longer titles are rejected with a reason (SL107).", 1),
    Setting("max_id_chars", 256, "Longer article ids are rejected with a reason (SL107).", 1),
    Setting("max_source_chars", 300, "Longer outlet names are rejected with a reason (SL107).", 1),
    Setting("max_url_chars", 4096, "Longer URLs are rejected with a reason (SL107).", 1),
    Setting("article_time_budget_s", 30.0, "CPU seconds of analysis one article may take (its thread's CPU time, not wall time); one that takes "
            "longer is rejected with SL131 and the rest of its batch is stored. Checked between stages and between "
            "pieces of a long text, so one stage may overshoot it by its cost on a piece of bounded size.", 0.001),
    Setting("writer_wait", 0.0, "Seconds a writer waits while another process holds the store's writer lock "
            "(one writer per store) before giving up with SL203; 0: give up at once, inf: wait as long as it takes "
            "(`storyline --wait [SECONDS]`).", 0),
    Setting("threads", 1, "Threads for model runtimes.", 1),
    Setting("progress", True, "Show a progress bar on long runs."),
    Setting("fetch_timeout", 20.0, "Seconds a URL fetch may wait to connect or between bytes (storyline ingest URL, --fetch).", 0.1),
    Setting("fetch_max_bytes", 16_000_000, "A fetched page or feed larger than this is rejected, read no further.", 1),
    Setting("fetch_retries", 2, "Retries of a fetch that timed out or got HTTP 429/5xx, with doubling back-off.", 0, 10),
    Setting("fetch_user_agent", "storyline/0.1 (news-events reader; honours robots.txt)", "User-Agent header of every fetch."),
    Setting("serve_max_body_bytes", 8_000_000, "storyline serve: larger request bodies are refused (HTTP 413, SL107).", 1),
    Setting("serve_hosts", "", "storyline serve: more Host names the server answers to, comma-separated (`*.example.org`, "
            "`*` for any); it always answers to the served host, localhost, 127.0.0.1 and ::1 (a check against DNS rebinding)."),
    Setting("serve_header_timeout", 10.0, "storyline serve: seconds a client has to send its request headers before "
            "the connection is closed (HTTP 408).", 0.1),
    Setting("record_defer_reports", 50, "A new article's event smaller than this (articles) has its record, comparison and digest "
            "rebuilt at once; a bigger one's may wait (`record_defer_growth`). Only ingests through the web server's API "
            "defer; `storyline ingest` never does.", 1),
    Setting("record_defer_growth", 0.20, "Through the API, a big event's record is rebuilt once its articles have grown by "
            "more than this fraction since its stored record was built; until then the rebuild waits (the record may "
            "lag by up to this fraction of its articles until the idle refresh or `storyline db refresh`).", 0),
    Setting("serve_refresh_idle_s", 2.0, "storyline serve: once no ingest has arrived for this many seconds, the server "
            "rebuilds the records whose rebuild waits, in the background.", 0),
    Setting("serve_cache_bytes", 64_000_000, "storyline serve: bytes of GET answers (HTML and JSON) kept in memory until "
            "the store changes (any commit by any process drops them all); 0 keeps none.", 0),
    Setting("serve_page_size", 20, "storyline serve: stories, search hits, a story's events or an event's articles per page when the request names no limit.", 1, 200),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(name: str, value: Any) -> Any:
    """``value`` as the type of the setting's default, or SL302.

    Strings (from the environment or ``--set``) are parsed. A boolean is never
    a number, and a fractional number is never an integer (``2.5`` for a count
    fails rather than silently becoming 2).
    """
    default = _BY_NAME[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
                return True
            if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(default, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, (int, str)):
                return int(value)
            raise ValueError(value)
        if isinstance(default, float):
            if isinstance(value, (int, float, str)):
                return float(value)
            raise ValueError(value)
        return str(value)
    except (TypeError, ValueError):
        raise SettingsError(
            f"setting {name!r}: {value!r} is not a valid {type(default).__name__}", code=Codes.BAD_SETTING
        ) from None


def _check_range(setting: Setting, value: Any) -> Any:
    low, high = setting.minimum, setting.maximum
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    # "not (x >= low)" also refuses NaN
    if (low is not None and not value >= low) or (high is not None and not value <= high):
        bounds = f"between {low} and {high}" if low is not None and high is not None else (
            f"at least {low}" if low is not None else f"at most {high}")
        raise SettingsError(f"setting {setting.name!r}: {value!r} is out of range (must be {bounds})", code=Codes.BAD_SETTING)
    return value


class Options(Mapping[str, Any]):
    """Resolved settings; read as ``options.event_threshold`` or ``options["..."]``."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        resolved = {s.name: s.default for s in SETTINGS}
        for name, value in (values or {}).items():
            if name not in _BY_NAME:
                known = ", ".join(sorted(_BY_NAME))
                raise SettingsError(f"unknown setting {name!r}; known settings: {known}", code=Codes.UNKNOWN_SETTING)
            resolved[name] = _check_range(_BY_NAME[name], _coerce(name, value))
        self._values = resolved

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **changes: Any) -> "Options":
        return Options({**self._values, **changes})

    def __repr__(self) -> str:
        return f"Options({self._values!r})"


def load_options(
    file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Options:
    """Resolve settings from defaults, a TOML file, the environment and overrides."""
    values: dict[str, Any] = {}
    if file is not None:
        path = Path(file)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise SettingsError(f"settings file not found: {path}", code=Codes.BAD_SETTING) from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}", code=Codes.BAD_SETTING) from None
        values.update(data.get("storyline", data))
    env = os.environ if environ is None else environ
    for setting in SETTINGS:
        key = "STORYLINE_" + setting.name.upper()
        if key in env:
            values[setting.name] = env[key]
    values.update(overrides or {})
    return Options(values)
