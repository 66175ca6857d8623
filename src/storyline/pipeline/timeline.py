"""Timelines: the dates that matter in a collection of articles, each with a few cited sentences.

The method is DATEWISE (Ghalandari & Ifrim 2020, "Examining the State of the
Art in News Timeline Summarization"): choose the dates first, then summarise
each date on its own.

1. **Date importance.** Every sentence is searched for day-precise date
   expressions, resolved against its article's publication date by the dates
   stage (``pipeline/dates.py``: "on Wednesday" in a Saturday article is the
   Wednesday before). A date matters when many sentences *mention* it, more
   when they are lead sentences and when later articles still mention it, and
   when many articles are published on it: a linear score of those counts,
   fitted by ``storyline fit timeline`` (the weights are the bundled
   ``timeliner-datewise-v1.json``).
2. **Candidate sentences** of a date: the sentences that mention it, and the
   lead sentences of the articles published on it that mention no date.
3. **Per-date summary**: the candidates' TF-IDF centroid; sentences ranked by
   cosine similarity to it, taken greedily, skipping any too similar to one
   already taken and any too short or too long.

Every chosen sentence keeps its citation (article, outlet, sentence index and
span) and cites the other candidates of its date that say nearly the same.
The stage never opens the store: it reads :class:`~storyline.model.Article`
objects with their segments.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Mapping, Protocol, Sequence

from ..model import Article, Citation, SummarySentence, TimelineDay
from ..model import DatePrecision as P
from .dates import find_dates
from .summary_text import Vectoriser, content_words, dateline_end, is_prose, near_duplicates, sentence_spans

__all__ = ["Timeliner", "DatewiseParams", "Datewise", "DateStats", "PARAMS_FILE"]

PARAMS_FILE = "timeliner-datewise-v1.json"


class Timeliner(Protocol):
    name: str

    def build(self, articles: Sequence[Article], n_dates: int, n_sentences: int,
              start: dt.date | None = None, end: dt.date | None = None) -> list[TimelineDay]: ...


@dataclass(frozen=True)
class DatewiseParams:
    """The fitted weights of the date score and the sentence filters (settings as data)."""

    #: weights of log(1 + count) for each date feature (see :class:`DateStats`)
    weights: Mapping[str, float] = field(default_factory=lambda: {"mentions": 1.0, "published": 0.5})
    #: lead sentences of an article that stand for its publication date when they mention no date
    lead_sentences: int = 5
    #: a sentence this similar (TF-IDF cosine) to one already chosen is redundant
    redundancy: float = 0.5
    min_words: int = 5
    max_words: int = 60
    #: lead sentences of the day's articles are candidates only for a date no sentence mentions
    published_fallback: bool = False
    #: a sentence mentioning a date is a candidate for it only when published at most this many days later
    #: (negative: no limit)
    mention_window: int = -1
    #: candidates must hold one of the collection's this many most widespread content words (0: no filter)
    keywords: int = 0

    @classmethod
    def bundled(cls) -> "DatewiseParams":
        text = (resources.files("storyline.pipeline") / "params" / PARAMS_FILE).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DatewiseParams":
        known = {"weights", "lead_sentences", "redundancy", "min_words", "max_words", "published_fallback", "mention_window",
                 "keywords"}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class _Sentence:
    article: Article
    index: int
    start: int
    end: int
    text: str
    published: dt.date
    dates: tuple[dt.date, ...]
    lead: bool

    def citation(self) -> Citation:
        return Citation(self.article.id, self.article.source, self.index, self.start, self.end, self.text)


@dataclass
class DateStats:
    """What the collection says about one date: the features of its importance."""

    #: sentences that mention the date
    mentions: int = 0
    #: lead sentences that mention it
    lead_mentions: int = 0
    #: sentences of articles published at least two days later that mention it
    later_mentions: int = 0
    #: articles that mention it at least once
    articles: int = 0
    #: articles published on it
    published: int = 0

    def features(self) -> dict[str, float]:
        return {name: math.log1p(getattr(self, name)) for name in
                ("mentions", "lead_mentions", "later_mentions", "articles", "published")}


def _sentences(article: Article, lead: int, start: dt.date | None, end: dt.date | None) -> list[_Sentence]:
    """The article's sentences with the day-precise dates each mentions (inside start..end)."""
    if article.published is None:
        return []
    spans = sentence_spans(article)
    out = []
    for index, (s, e) in enumerate(spans):
        s += dateline_end(article.text[s:e])
        text = article.text[s:e]
        if not is_prose(text):
            continue
        days = []
        for found in find_dates(text, article.published):
            value = found.date
            if value.precision != P.DAY or value.value is None:
                continue
            if (start and value.value < start) or (end and value.value > end):
                continue
            days.append(value.value)
        out.append(_Sentence(article, index, s, e, " ".join(text.split()), article.published,
                             tuple(dict.fromkeys(days)), index < lead))
    return out


def date_stats(sentences: Sequence[_Sentence]) -> dict[dt.date, DateStats]:
    stats: dict[dt.date, DateStats] = defaultdict(DateStats)
    seen_articles: dict[dt.date, set[str]] = defaultdict(set)
    published: dict[dt.date, set[str]] = defaultdict(set)
    for s in sentences:
        published[s.published].add(s.article.id)
        for day in s.dates:
            st = stats[day]
            st.mentions += 1
            st.lead_mentions += s.lead
            st.later_mentions += (s.published - day).days >= 2
            seen_articles[day].add(s.article.id)
    for day, ids in seen_articles.items():
        stats[day].articles = len(ids)
    for day, ids in published.items():
        stats[day].published = len(ids)
    return dict(stats)


class Datewise:
    """DATEWISE timelines: dates by a fitted importance score, then a centroid summary per date."""

    name = "timeliner.datewise.v1"

    def __init__(self, params: DatewiseParams | None = None) -> None:
        self.params = params or DatewiseParams.bundled()

    def collect(self, articles: Sequence[Article], start: dt.date | None = None,
                end: dt.date | None = None) -> list[_Sentence]:
        """Every sentence of the articles published inside start..end, with the dates it mentions."""
        out = []
        for article in articles:
            if article.published is None or article.duplicate_of:
                continue
            if (start and article.published < start) or (end and article.published > end):
                continue
            out.extend(_sentences(article, self.params.lead_sentences, start, end))
        return out

    def rank_dates(self, stats: Mapping[dt.date, DateStats]) -> list[tuple[float, dt.date]]:
        weights = self.params.weights
        scored = [(sum(weights.get(k, 0.0) * v for k, v in st.features().items()), day) for day, st in stats.items()]
        return sorted(scored, key=lambda x: (-x[0], x[1]))

    def build(self, articles: Sequence[Article], n_dates: int, n_sentences: int,
              start: dt.date | None = None, end: dt.date | None = None) -> list[TimelineDay]:
        sentences = self.collect(articles, start, end)
        return self.build_from(sentences, n_dates, n_sentences)

    def build_from(self, sentences: Sequence[_Sentence], n_dates: int, n_sentences: int) -> list[TimelineDay]:
        """The timeline of already collected sentences (the evaluation reuses one collection per topic)."""
        stats = date_stats(sentences)
        candidates = self._candidates(_on_topic(sentences, self.params.keywords))
        vectoriser = Vectoriser([s.text for s in sentences])
        days = []
        for _, day in self.rank_dates(stats):
            if len(days) >= n_dates:
                break
            chosen = self._summarise(candidates.get(day, []), n_sentences, vectoriser)
            if chosen:
                st = stats[day]
                days.append(TimelineDay(day.isoformat(), P.DAY, tuple(chosen), st.mentions, st.published))
        return sorted(days, key=lambda d: d.date)

    def _candidates(self, sentences: Sequence[_Sentence]) -> dict[dt.date, list[_Sentence]]:
        out: dict[dt.date, list[_Sentence]] = defaultdict(list)
        leads: dict[dt.date, list[_Sentence]] = defaultdict(list)
        window = self.params.mention_window
        for s in sentences:
            for day in s.dates:
                if window < 0 or (s.published - day).days <= window:
                    out[day].append(s)
            if not s.dates and s.lead:
                leads[s.published].append(s)
        for day, found in leads.items():
            if not (self.params.published_fallback and out.get(day)):
                out[day].extend(found)
        return out

    def _summarise(self, candidates: Sequence[_Sentence], k: int, vectoriser: "Vectoriser") -> list[SummarySentence]:
        p = self.params
        unique: dict[str, _Sentence] = {}
        for s in candidates:
            if p.min_words <= len(s.text.split()) <= p.max_words:
                unique.setdefault(s.text.lower(), s)
        pool = list(unique.values())
        if not pool:
            return []
        vectors = [vectoriser.vector(s.text) for s in pool]
        centroid = Vectoriser.centroid(vectors)
        order = sorted(range(len(pool)), key=lambda i: -Vectoriser.cosine(vectors[i], centroid))
        chosen: list[int] = []
        for i in order:
            if len(chosen) >= k:
                break
            if all(Vectoriser.cosine(vectors[i], vectors[j]) < p.redundancy for j in chosen):
                chosen.append(i)
        all_vectors = [vectoriser.vector(s.text) for s in candidates]
        out = []
        for i in chosen:
            twins = near_duplicates(vectors[i], all_vectors)
            cites = [pool[i].citation()] + [candidates[j].citation() for j in twins if candidates[j] is not pool[i]]
            sources = {c.source or c.article_id for c in cites}
            out.append(SummarySentence(pool[i].text, "agreed" if len(sources) > 1 else "addition", len(sources),
                                       tuple(dict.fromkeys(cites))))
        return out


def _on_topic(sentences: Sequence[_Sentence], n: int) -> Sequence[_Sentence]:
    """The sentences holding one of the ``n`` content words found in most articles (all when ``n`` is 0)."""
    if n <= 0:
        return sentences
    words: dict[str, set[str]] = defaultdict(set)
    for s in sentences:
        for w in content_words(s.text):
            if not w.isdigit():
                words[w].add(s.article.id)
    top = {w for w, _ in sorted(words.items(), key=lambda x: (-len(x[1]), x[0]))[:n]}
    return [s for s in sentences if top & set(content_words(s.text))]


def _datewise(options) -> Datewise:
    return Datewise()
