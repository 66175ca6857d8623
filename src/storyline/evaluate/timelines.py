"""``storyline eval timeline``: build a timeline of a Timeline17 topic and score it against each gold timeline.

As is customary (Ghalandari & Ifrim 2020, their ``news-tls`` evaluation),
each gold timeline is predicted on its own: the articles and dates are kept
to the gold timeline's first..last date, and the prediction has as many dates
as the gold timeline and as many sentences per date as the gold's average
(rounded down). A topic's score is the mean over its gold timelines; several
topics are averaged per topic (``mean``) and per timeline (``timeline_mean``,
the way the published tables average).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import Codes, InputError
from ..model import Article
from ..pipeline.normalise import segment
from ..pipeline.timeline import Datewise, DatewiseParams
from .files import bad_line, read_objects
from .tls import KEYS, score_timeline

__all__ = ["Topic", "load_topic", "evaluate_timelines", "topic_scores"]

Gold = dict[dt.date, list[str]]


class Topic:
    """One Timeline17 topic: its articles and its gold timelines."""

    def __init__(self, name: str, articles: list[Article], timelines: list[tuple[str, Gold]]) -> None:
        self.name, self.articles, self.timelines = name, articles, timelines


def _date(value: Any, path: Path, line: int, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise bad_line(path, line, f"{name}: expected a YYYY-MM-DD date, got {value!r}", Codes.BAD_DATE) from None


def _articles(path: Path) -> list[Article]:
    out = []
    for line, row in read_objects(path):
        text = row.get("text")
        if not isinstance(text, str):
            raise bad_line(path, line, "text: expected a string")
        if not text.strip() or row.get("date") is None:
            continue
        out.append(Article(str(row.get("id") or line), text, source=row.get("source"), title=row.get("title"),
                           published=_date(row["date"], path, line, "date"), segments=tuple(segment(text))))
    return out


def _timelines(path: Path) -> list[tuple[str, Gold]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", code=Codes.BAD_JSON, origin=str(path), line=exc.lineno) from None
    if not isinstance(data, list) or not data:
        raise InputError("expected a non-empty JSON list of timelines", code=Codes.BAD_FIELD, origin=str(path))
    out = []
    for number, timeline in enumerate(data, start=1):
        entries = timeline.get("entries") if isinstance(timeline, dict) else None
        if not isinstance(entries, list) or not entries:
            raise InputError(f"timeline {number}: expected non-empty 'entries'", code=Codes.BAD_FIELD, origin=str(path))
        gold: Gold = {}
        for entry in entries:
            day = _date(entry.get("date"), path, number, f"timeline {number} entry date")
            gold.setdefault(day, []).extend(str(s) for s in entry.get("sentences") or [])
        out.append((str(timeline.get("name") or number), gold))
    return out


def load_topic(folder: str | Path) -> Topic:
    """The topic in ``folder`` (``articles.jsonl`` and ``timelines.json``, the format of data/README.md)."""
    folder = Path(folder)
    for name in ("articles.jsonl", "timelines.json"):
        if not (folder / name).is_file():
            raise InputError(f"{name} is missing", code=Codes.NO_INPUT, origin=str(folder))
    return Topic(folder.name, _articles(folder / "articles.jsonl"), _timelines(folder / "timelines.json"))


def topic_scores(topic: Topic, timeliner: Datewise) -> dict[str, Any]:
    """Every gold timeline of the topic predicted and scored; the topic's means."""
    per_timeline = []
    collected = timeliner.collect(topic.articles)
    for name, gold in topic.timelines:
        start, end = min(gold), max(gold)
        n_dates = len(gold)
        n_sentences = max(1, sum(len(s) for s in gold.values()) // n_dates)
        window = [s for s in collected if start <= s.published <= end]
        window = [_clipped(s, start, end) for s in window]
        days = timeliner.build_from(window, n_dates, n_sentences)
        predicted = {dt.date.fromisoformat(d.date): [s.text for s in d.sentences] for d in days}
        scores = score_timeline(predicted, gold)
        per_timeline.append({"name": name, "n_dates": n_dates, "n_sentences": n_sentences, **scores})
    means = {k: sum(t[k] for t in per_timeline) / len(per_timeline) for k in KEYS}
    return {**means, "n_articles": len(topic.articles), "timelines": per_timeline}


def _clipped(sentence, start: dt.date, end: dt.date):
    """The sentence with only the dates it mentions inside start..end."""
    if all(start <= d <= end for d in sentence.dates):
        return sentence
    return replace(sentence, dates=tuple(d for d in sentence.dates if start <= d <= end))


def evaluate_timelines(folders: Sequence[str | Path], params: DatewiseParams | None = None,
                       log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Scores of every topic folder; with several, their means per topic and per timeline."""
    timeliner = Datewise(params)
    topics = {}
    for folder in folders:
        started, cpu = time.perf_counter(), time.process_time()
        topic = load_topic(folder)
        scores = topic_scores(topic, timeliner)
        scores["seconds"] = round(time.perf_counter() - started, 1)
        scores["cpu_seconds"] = round(time.process_time() - cpu, 1)
        topics[topic.name] = scores
        if log:
            log(f"{topic.name}: " + " ".join(f"{k} {scores[k]:.3f}" for k in KEYS) + f" ({scores['cpu_seconds']} CPU s)")
    if len(topics) == 1:
        (only,) = topics.values()
        return {**only, "topic": next(iter(topics)), "timeliner": timeliner.name}
    mean = {k: sum(t[k] for t in topics.values()) / len(topics) for k in KEYS}
    lines = [t for s in topics.values() for t in s["timelines"]]
    timeline_mean = {k: sum(t[k] for t in lines) / len(lines) for k in KEYS}
    return {**mean, "timeline_mean": timeline_mean, "topics": topics, "timeliner": timeliner.name}
