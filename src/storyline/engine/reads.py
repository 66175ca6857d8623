"""Reads: what the surfaces show, as model objects (:mod:`storyline.model` read models).

The CLI, the REST API and the web pages all call these and render the
objects (or their ``to_dict()``); the API's response schemas are these
classes, so a shape is defined once.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
from typing import Any, Iterator, Sequence

from ..comparison import Comparison
from ..errors import Codes, InputError, NotFoundError
from ..model import (Article, ArticleSummary, ArticleView, Event, EventSummary, Rejection, SearchPage, Story, StoredDecision, StoredEvent,
                     StoredStory, StoryFilter, StoryKey, StoryOverview, StoryPage, StorySummary, Why)
from ..pipeline import entities as entities_stage
from ..store import Store
from .records import RecordBuilder, relays_from_dict

__all__ = ["Reads", "encode_cursor", "decode_cursor"]

#: the largest integer a page cursor may hold (SQLite's integers are 64-bit)
_MAX_CURSOR_INT = 2**63 - 1


def summary_of(article: Article) -> ArticleSummary:
    return ArticleSummary(article.id, article.source, article.published.isoformat() if article.published else None,
                          article.title, article.duplicate_of)


class Reads:
    def __init__(self, store: Store, records: RecordBuilder) -> None:
        self.store, self.records = store, records

    def _overview(self, row: StoredStory) -> StoryOverview:
        events = self.store.events(story_id=row.id)
        members = self.store.members_of([e.id for e in events])
        return StoryOverview(row.id, row.title, row.first_date, row.last_date, row.n_articles, row.n_sources,
                             tuple(EventSummary(e.id, e.title, e.date, e.date_precision, tuple(members[e.id])) for e in events))

    def stories(self, limit: int | None = None, offset: int = 0, *, date_from: str | None = None,
                date_to: str | None = None, source: str | None = None, place: str | None = None,
                query: str | None = None) -> list[StoryOverview]:
        """Stories, newest first, with their events in date order (the ``stories --json`` contract),
        optionally only those matching the filters of :meth:`story_list`."""
        if not any((date_from, date_to, source, place, query)):
            return [self._overview(row) for row in self.store.stories(limit, offset)]
        where, after, rows = self._filter(date_from, date_to, source, place, query), None, []
        while limit is None or len(rows) < offset + limit:
            page = self.store.story_page(where, after, 200)
            rows += page
            if len(page) < 200:
                break
            after = StoryKey(page[-1].last_date or "", page[-1].n_articles, page[-1].number)
        rows = rows[offset:] if limit is None else rows[offset : offset + limit]
        return [self._overview(row) for row in rows]

    @staticmethod
    def _filter(date_from: str | None, date_to: str | None, source: str | None, place: str | None,
                query: str | None) -> StoryFilter:
        return StoryFilter(
            date_from=_iso_param("from", date_from), date_to=_iso_param("to", date_to),
            source=source or None, place_key=entities_stage.normalise(place, "GPE") if place else None,
            place_text=place or None, query=query if query else None,
        )

    def story(self, story_id: str, offset: int = 0, limit: int | None = None,
              articles_limit: int | None = None) -> Story:
        """The story with the page of ``limit`` events from ``offset`` (all by default), each event with
        its first ``articles_limit`` articles; the story's totals count every event.

        A page is read in a fixed number of queries whatever the story's size (each part for every listed
        event at once; the listed articles' summaries, not their text)."""
        row = self.store.story(story_id)
        if row is None:
            raise NotFoundError(f"no story {story_id!r}")
        offset, limit = _page(offset, limit)
        rows = self.store.events(story_id=row.id, offset=offset, limit=limit)
        events = tuple(self._events(rows, self.store.members_of([e.id for e in rows], articles_limit), 0, articles_limit))
        more = limit is not None and offset + len(rows) < row.n_events
        return Story(row.id, row.title, row.first_date, row.last_date, row.n_articles, row.n_sources, events,
                     tuple(self.store.decisions(e.id for e in events)), n_events=row.n_events, events_offset=offset,
                     next_events=offset + len(rows) if more else None)

    def event(self, event_id: str, offset: int = 0, limit: int | None = None) -> Event:
        """The event with the page of ``limit`` articles from ``offset`` (all by default): their summaries
        by source and the decisions that put them there; the record, relays and totals are the whole event's."""
        rows = self.store.events([event_id])
        if not rows:
            raise NotFoundError(f"no event {event_id!r}")
        offset, limit = _page(offset, limit)
        return self._events(rows, {event_id: self.store.event_members(event_id, offset, limit)}, offset, limit)[0]

    def _events(self, rows: Sequence[StoredEvent], members: dict[str, list[str]], offset: int,
                limit: int | None) -> list[Event]:
        """The events of ``rows``, each listing ``members[id]`` (its page of articles from ``offset``): every part
        is read for all of them at once (summaries, records and relays, decisions)."""
        listed = [a for e in rows for a in members[e.id]]
        summaries = {a.id: a for a in self.store.article_summaries(listed)}
        derived = self.store.derived_of([e.id for e in rows])
        built_from = self.store.record_counts([e.id for e in rows])
        decisions: dict[str, list[StoredDecision]] = {}
        for d in self.store.decisions(listed):
            if d.level == "event":
                decisions.setdefault(d.subject_id, []).append(d)
        earlier = {e.id: sorted({d.target_id for a in members[e.id] for d in decisions.get(a, ())} - {e.id}) for e in rows}
        merges: dict[str, list[StoredDecision]] = {}
        for d in self.store.decisions(sorted({i for ids in earlier.values() for i in ids})):
            if d.action == "merge":
                merges.setdefault(d.subject_id, []).append(d)
        out = []
        for row in rows:
            page = members[row.id]
            by_source: dict[str, list[ArticleSummary]] = {}
            for summary in (summaries[a] for a in page if a in summaries):
                by_source.setdefault(summary.source or "(unknown)", []).append(summary)
            record, data = derived.get(row.id, (None, None))
            relays = relays_from_dict(data) if data is not None else self.records.relays(
                self.store.articles(self.store.event_members(row.id)))  # none stored yet: read the event's articles
            why = [d for a in page for d in decisions.get(a, ())] + [d for i in earlier[row.id] for d in merges.get(i, ())]
            more = limit is not None and offset + len(page) < row.n_articles
            out.append(Event(
                row.id, row.title, row.date, row.date_precision, tuple(page), story_id=row.story_id,
                first_date=row.first_date, last_date=row.last_date, n_articles=row.n_articles, n_reports=row.size,
                n_sources=row.n_sources, articles_by_source={k: tuple(v) for k, v in by_source.items()},
                relays=relays.relays, n_independent_reports=relays.n_independent_reports, record=record,
                record_articles=built_from.get(row.id),
                why=tuple(Why(d.subject_id, d.action, d.score, d.threshold, d.explanation) for d in why),
                articles_offset=offset, next_articles=offset + len(page) if more else None))
        return out

    def comparison(self, item_id: str) -> Comparison | list[Comparison]:
        """The comparison of an event's sources (``E..``), or of each event of a story (``S..``); the event's
        articles are read only when no comparison is stored."""
        if self.store.events([item_id]):
            data = self.store.comparison(item_id)
            if data is not None:
                return Comparison.from_dict(data)
            return self.records.stored_comparison(item_id, self.store.articles(self.store.event_members(item_id)))
        if self.store.story(item_id) is not None:
            return [self.comparison(e.id) for e in self.store.events(story_id=item_id)]
        raise NotFoundError(f"no event or story {item_id!r}")

    def articles(self) -> list[ArticleSummary]:
        """Every article (the ``articles --json`` contract)."""
        return [summary_of(a) for a in self.store.articles()]

    def article(self, article_id: str) -> ArticleView:
        a = self.store.article(article_id)
        if a is None:
            raise NotFoundError(f"no article {article_id!r}")
        s = summary_of(a)
        return ArticleView(s.id, s.source, s.date, s.title, s.duplicate_of, url=a.url, language=a.language,
                           origin=a.origin, text=a.text, event_id=self.store.event_of_article(article_id),
                           headings=tuple(a.headings()), sentences=tuple(a.sentences()), segments=a.segments,
                           mentions=tuple(self.store.mentions(article_id)), places=tuple(self.store.places(article_id)))

    def article_texts(self, article_ids: Sequence[str]) -> list[ArticleView]:
        """Articles with their text, headings, sentences and segments, read at once (in that order, missing ones left
        out); their mentions, places and event are not read (see :meth:`article`)."""
        return [ArticleView(s.id, s.source, s.date, s.title, s.duplicate_of, url=a.url, language=a.language, origin=a.origin,
                            text=a.text, headings=tuple(a.headings()), sentences=tuple(a.sentences()), segments=a.segments)
                for a in self.store.articles(article_ids) for s in (summary_of(a),)]

    def show(self, item_id: str) -> tuple[str, Story | Event | ArticleView]:
        """A story, an event or an article by id, with its kind."""
        for kind, getter in (("story", self.story), ("event", self.event), ("article", self.article)):
            try:
                return kind, getter(item_id)
            except NotFoundError:
                continue
        raise NotFoundError(f"no story, event or article with id {item_id!r}")

    def story_list(self, *, cursor: str | None = None, limit: int = 20, date_from: str | None = None,
                   date_to: str | None = None, source: str | None = None, place: str | None = None,
                   query: str | None = None) -> StoryPage:
        """One page of stories, newest and biggest first, with filters; ``next`` is the cursor of the next page.

        Keyset paging: stories added while someone pages never repeat or shift
        the stories already seen. A story that grows meanwhile moves up the list.
        """
        where = self._filter(date_from, date_to, source, place, query)
        rows = self.store.story_page(where, decode_cursor(cursor, StoryKey), limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        page = tuple(StorySummary(r.id, r.title, r.first_date, r.last_date, r.n_events, r.n_articles, r.n_sources) for r in rows)
        last = rows[-1] if rows else None
        return StoryPage(page, encode_cursor(StoryKey(last.last_date or "", last.n_articles, last.number)) if more and last else None)

    def search(self, text: str, *, cursor: str | None = None, limit: int = 20) -> SearchPage:
        """Articles whose title or text contains every word of ``text``, newest stored first.

        Each hit has the article summary, its event and story, a plain-text ``snippet`` and the
        ``highlights`` (start, end offsets into the snippet) of the matched words.
        """
        rows = self.store.search(text, decode_cursor(cursor, int), limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return SearchPage(tuple(hit for _, hit in rows), encode_cursor(rows[-1][0]) if more and rows else None)

    def rejections(self) -> list[Rejection]:
        return self.store.rejections()

    def export(self) -> Iterator[dict[str, Any]]:
        """One JSON-ready record per event, with its story, articles and the comparison of its sources."""
        for row in self.store.events():
            event = self.event(row.id).to_dict()
            event.pop("why")
            event["comparison"] = self.records.stored_comparison(row.id, self.store.articles(list(event["articles"]))).to_dict()
            yield event


def _page(offset: int, limit: int | None) -> tuple[int, int | None]:
    if type(offset) is not int or offset < 0 or offset > _MAX_CURSOR_INT:
        raise InputError(f"offset must be a whole number >= 0, got {str(offset)[:40]!r}", code=Codes.BAD_PARAMETER)
    if limit is not None and (type(limit) is not int or not 1 <= limit <= _MAX_CURSOR_INT):
        raise InputError(f"limit must be a whole number >= 1, got {str(limit)[:40]!r}", code=Codes.BAD_PARAMETER)
    return offset, limit


def _iso_param(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"{name} must be a date YYYY-MM-DD, got {value[:40]!r}", code=Codes.BAD_PARAMETER) from None


def encode_cursor(key: Any) -> str:
    data = dataclasses.astuple(key) if dataclasses.is_dataclass(key) else key
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: type) -> Any:
    """The sort key inside an opaque page cursor, or SL114 when it is not one we made."""
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:  # bad base64, bad UTF-8 or bad JSON
        data = None

    def small(v: Any) -> bool:
        """A value SQLite can bind: an integer within 64 bits, text without lone surrogates."""
        if type(v) is int:
            return -_MAX_CURSOR_INT - 1 <= v <= _MAX_CURSOR_INT
        try:
            v.encode("utf-8")
        except (UnicodeEncodeError, AttributeError):
            return False
        return True

    if kind is int and type(data) is int and small(data):
        return data
    if kind is StoryKey and isinstance(data, list) and [type(v) for v in data] == [str, int, int] and all(map(small, data)):
        return StoryKey(*data)
    raise InputError(f"cursor {cursor[:40]!r} is not a page cursor from this server", code=Codes.BAD_PARAMETER)
