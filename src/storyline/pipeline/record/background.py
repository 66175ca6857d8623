"""Record (1/2): earlier events an article mentions only as background.

News reports recall earlier happenings to give context: "when in February
2018 fighters of the Wagner Group attacked US forces in eastern Syria, the
Americans responded with fire". Those are real events of their own, with
their own date, and must not be merged into the reported one.

:func:`find_background` finds them: sentences that state an event (a past
action verb such as *attacked*, *killed*, *struck*, *signed*) and carry a
date whose whole interval ends well before the main event's date (or the
article's publication date). Ongoing states ("the war that has gone on since
2011") and dates of the report itself ("wrote on Friday") are not episodes.
Adjacent sentences about the same period form one episode; episodes from
different articles about the same period and kind of action are one event
(:func:`group_background`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ...model import DatePrecision as P
from ...model import Article, EventRecord, FieldValue, Mention, Place, RecordField, Segment, Support
from .build import build_record

__all__ = ["Episode", "find_background", "group_background", "background_records", "TRIGGERS"]

#: past-tense action verbs that state that something happened (not states, not speech)
TRIGGERS = re.compile(
    r"\b(?:attacked|attacks?ed|struck|bombed|shelled|killed|clashed|invaded|seized|captured|"
    r"exploded|fired|launched|raided|ambushed|stormed|shot|massacred|assassinated|kidnapped|abducted|"
    r"arrested|detained|executed|destroyed|downed|shot down|occupied|annexed|besieged|"
    r"protested|rioted|marched|signed|agreed|withdrew|deployed|sanctioned|expelled|"
    r"erupted|collapsed|crashed|flooded|hit)\b",
    re.I,
)
# a participle right after a noun and before a preposition is no statement of its own
# ("the Islamic State defeated in 2019")
_REDUCED = re.compile(r"^\s+(?:in|by|on|at|during|since)\b", re.I)
_MIN_GAP_DAYS = 30


@dataclass(frozen=True)
class Episode:
    """Sentences of one article about one earlier event, and the date they give it."""

    article_id: str
    sentences: tuple[tuple[int, int], ...]
    date: Mention
    trigger: str

    @property
    def start(self) -> int:
        return self.sentences[0][0]

    @property
    def end(self) -> int:
        return self.sentences[-1][1]

    @property
    def period(self) -> tuple[str, str]:
        return self.date.detail.get("start") or self.date.key, self.date.detail.get("end") or self.date.key


def _ends_before(mention: Mention, limit: dt.date) -> bool:
    if mention.detail.get("precision") == P.INTERVAL or mention.detail.get("reporting"):
        return False
    end = mention.detail.get("end") or mention.key
    try:
        return dt.date.fromisoformat(end) < limit
    except (TypeError, ValueError):
        return False


def find_background(
    article: Article, date_mentions: Sequence[Mention], event_date: dt.date | None = None
) -> list[Episode]:
    """The background episodes of one article.

    ``date_mentions`` are the article's DATE mentions (see
    :func:`storyline.pipeline.dates.date_mentions`); ``event_date`` is the
    main event's date, else the article's publication date is used.
    """
    reference = event_date or article.published
    if reference is None:
        return []
    limit = reference - dt.timedelta(days=_MIN_GAP_DAYS)
    sentences = [(s.start, s.end) for s in article.segments if s.kind == "sentence"]
    episodes: list[Episode] = []
    for start, end in sentences:
        dated = [m for m in date_mentions if start <= m.start < end and m.label == "DATE"]
        old = [m for m in dated if _ends_before(m, limit)]
        if not old:
            continue
        sentence = article.text[start:end]
        trigger = None
        for t in TRIGGERS.finditer(sentence):
            if not _REDUCED.match(sentence[t.end():]):
                trigger = t.group(0).lower()
                break
        if trigger is None:
            continue
        # a recent date in the same sentence dates the main event, not an episode
        if len(old) < len([m for m in dated if not m.detail.get("reporting")]):
            continue
        date = min(old, key=lambda m: {P.DAY: 0, P.WEEK: 1, P.MONTH: 2, P.YEAR: 3}.get(m.detail.get("precision"), 4))
        previous = episodes[-1] if episodes else None
        if previous and previous.period == (date.detail.get("start"), date.detail.get("end")) and _adjacent(sentences, previous, start):
            episodes[-1] = Episode(article.id, previous.sentences + ((start, end),), previous.date, previous.trigger)
        else:
            episodes.append(Episode(article.id, ((start, end),), date, trigger))
    return episodes


def _adjacent(sentences: list[tuple[int, int]], episode: Episode, start: int) -> bool:
    index = sentences.index(episode.sentences[-1]) if episode.sentences[-1] in sentences else -2
    return index + 1 < len(sentences) and sentences[index + 1][0] == start


def group_background(episodes: Iterable[Episode]) -> list[list[Episode]]:
    """Episodes of different articles that overlap in time form one earlier event."""
    groups: list[list[Episode]] = []
    for episode in sorted(episodes, key=lambda e: e.period):
        lo, hi = episode.period
        for group in groups:
            g_lo = min(e.period[0] for e in group)
            g_hi = max(e.period[1] for e in group)
            if lo <= g_hi and g_lo <= hi and episode.article_id not in {e.article_id for e in group}:
                group.append(episode)
                break
        else:
            groups.append([episode])
    return groups


def background_records(
    event_id: str,
    articles: Sequence[Article],
    mentions: Mapping[str, Sequence[Mention]],
    places: Mapping[str, Sequence[Place]] | None = None,
    event_date: dt.date | None = None,
    typer=None,
    groups: Mapping[str, str] | None = None,
    kinds=None,
    revision: int = 3,
    coder=None,
) -> list[EventRecord]:
    """One :class:`~storyline.model.EventRecord` per earlier event the articles recall.

    Each group of episodes is coded by the record builder on the episode
    sentences alone (its kind too: the headline is the reported event's, not this one's); its date is the episode's own date (e.g. "February 2018",
    month precision), never the report's. ``coder`` codes each episode's view of its article
    (:data:`.build.Coder`: :func:`.build.code_article` by default, or one that remembers its codings).
    """
    by_id = {a.id: a for a in articles}
    episodes = [e for a in articles if not a.duplicate_of
                for e in find_background(a, [m for m in mentions.get(a.id, ()) if m.label == "DATE"], event_date)]
    out = []
    for n, group in enumerate(group_background(episodes), start=1):
        views = []
        for episode in group:
            article = by_id[episode.article_id]
            segments = tuple(Segment("sentence", s, e, 0) for s, e in episode.sentences)
            views.append(dataclasses.replace(article, segments=segments, title=None))
        record = build_record(f"{event_id}/b{n}", views, mentions, places, typer, groups, kinds, revision, coder, recalled=True)
        supports = []
        for episode in group:
            article = by_id[episode.article_id]
            d = episode.date
            sentence = next((s for s in episode.sentences if s[0] <= d.start < s[1]), episode.sentences[0])
            supports.append(Support(article.id, article.source, sentence[0], sentence[1], d.start, d.end,
                                    article.text[sentence[0]:sentence[1]]))
        first = group[0].date
        detail = {"precision": first.detail.get("precision"), "start": first.detail.get("start"),
                  "end": first.detail.get("end"), "text": first.text, "anchor": first.detail.get("anchor")}
        fields = dict(record.fields)
        fields["date"] = RecordField("date", FieldValue(first.key, detail, tuple(supports)), (),
                                     "the date the reports give this earlier event")
        out.append(dataclasses.replace(record, fields=fields))
    return out
