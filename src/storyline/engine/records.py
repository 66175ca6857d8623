"""Records: relays, then the record of every event whose articles changed, stored with it.

Records are derived data: built once per ingest run for the events it
touched, and for any event whose record is missing or was built from a
different number of articles (say, after a crash between a batch and its
records). The relays stage runs first; the record builder reads its groups
(reports relaying one upstream report vote once) and the surfaces read the
stored relays, so "independent report" has one definition everywhere.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections import OrderedDict
from typing import Iterable, Mapping, Sequence

from ..comparison import Comparison
from ..model import Article, EventRecord, Mention, Place, Relay
from ..model import DatePrecision as P
from ..pipeline.compare.memory import Alignment
from ..pipeline.record.build import ArticleCoding, code_article
from ..pipeline.record.eventtype import EventTyper
from ..pipeline.record.kind import KindCoding, KindTyper
from ..pipeline.record.tally import Tally
from ..pipeline.relays import EventRelays, Report
from ..store import Store
from .components import Components
from .timing import StageTimer

__all__ = ["RecordBuilder", "ArticleCodings", "RememberedKinds", "Tallies", "StoredAnalyses", "alignments", "relays_from_dict"]

#: the comparison stage's seconds are reported apart from the record's (the ingest summary's stage_seconds)
COMPARE_STAGE = "compare"


def relays_from_dict(data: dict) -> EventRelays:
    return EventRelays(tuple(Relay(r["upstream"], r["name"], tuple(r["articles"])) for r in data["relays"]),
                       int(data["n_independent_reports"]))


def _takes(function, parameter: str) -> bool:
    """Does ``function`` (a recorder: its ``build``) take ``parameter``?"""
    try:
        return parameter in inspect.signature(getattr(function, "build", function)).parameters
    except (TypeError, ValueError):
        return False


class ArticleCodings:
    """Each article's record coding, computed once: rebuilding an event's record only re-votes.

    A coding depends on nothing but the article (its text, segments and
    publication date), the mentions it is coded with and the event typer, so the key holds
    all of them with the recorder's name: an article whose text or mentions
    change, or another recorder or typer, is coded afresh, and a remembered
    coding equals a fresh one. A coding carries its type text's class
    probabilities, which the event's sources pool; :meth:`kinds` remembers the
    kind typer's reading of each report's headline and lead in the same cache.
    The oldest entries are forgotten past ``limit``.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit, self._codings = limit, OrderedDict()
        self.hits = self.misses = 0
        self._kinds: dict[int, RememberedKinds] = {}

    def coder(self, recorder_name: str):
        """A :data:`~storyline.pipeline.record.build.Coder` that remembers what it codes for ``recorder_name``."""
        def code(article: Article, mentions: Sequence[Mention], typer: EventTyper) -> ArticleCoding:
            key = (recorder_name, getattr(typer, "name", type(typer).__name__), id(typer), article.id, article.text,
                   article.published, article.segments, tuple((m.start, m.end, m.label, m.text, m.key) for m in mentions))
            found = self._codings.get(key)
            if found is None:
                self.misses += 1
                found = code_article(article, mentions, typer)
                self._remember(key, found)
            else:
                self.hits += 1
                self._codings.move_to_end(key)
            # a coding of its own for each caller (the record builder replaces its type and sentences)
            mine = copy.copy(found)  # not dataclasses.replace: that re-runs __init__ for each of an event's articles
            mine.article, mine.sentences = article, list(found.sentences)
            return mine
        return code

    def kinds(self, typer: KindTyper) -> "RememberedKinds":
        """``typer`` remembering the kind it gives each text (an article's headline and lead), in these codings' cache
        (the same object for the same typer: an event's :class:`~storyline.pipeline.record.tally.Tally` keeps the kinds it read
        while the typer is the same)."""
        found = self._kinds.get(id(typer))
        if found is None or found.typer is not typer:
            found = self._kinds[id(typer)] = RememberedKinds(typer, self)
        return found

    def _remember(self, key, value) -> None:
        self._codings[key] = value
        while len(self._codings) > self.limit:
            self._codings.popitem(last=False)


class RememberedKinds:
    """A kind typer that classifies each text once (:meth:`ArticleCodings.kinds`); its results equal the typer's.

    The kind of a text depends on nothing but the text and the typer, so the
    key is the typer's name and identity and the text; everything else (its
    ``classes``, ``abstain_below``) is the typer's own.
    """

    def __init__(self, typer: KindTyper, codings: ArticleCodings) -> None:
        self.typer, self._codings = typer, codings
        self.name = getattr(typer, "name", type(typer).__name__)

    def __getattr__(self, attribute: str):
        if attribute == "typer":  # not set yet (a copy being made)
            raise AttributeError(attribute)
        return getattr(self.typer, attribute)

    def classify(self, texts: Sequence[str]) -> list[KindCoding]:
        cache, prefix = self._codings._codings, ("kind", self.name, id(self.typer))
        found = {t: cache.get(prefix + (t,)) for t in texts}
        missing = [t for t, c in found.items() if c is None]
        if missing:
            found.update(zip(missing, self.typer.classify(missing)))
        self._codings.misses += len(missing)
        self._codings.hits += len(found) - len(missing)
        for t in texts:  # the most recently used last, so the oldest are forgotten first
            if prefix + (t,) in cache:
                cache.move_to_end(prefix + (t,))
            else:
                self._codings._remember(prefix + (t,), found[t])
        return [found[t] for t in texts]


class Tallies:
    """Each event's :class:`~storyline.pipeline.record.tally.Tally` between its record builds: a report's arrival
    adds its votes to the event's ballots instead of recounting every report (the record is the same).

    The events built longest ago are forgotten once the tallies hold more than ``limit`` reports in all;
    a forgotten event's next build counts every report again.
    """

    def __init__(self, limit: int = 20_000, make=Tally, size=lambda tally: len(tally.members)) -> None:
        self.limit, self._tallies, self._sizes = limit, OrderedDict(), {}
        self._total, self._last = 0, None
        self._make, self._size = make, size

    def of(self, event_id: str, recorder) -> Tally:
        """The tally of ``event_id`` for ``recorder`` (a tally is kept per recorder: another one counts afresh)."""
        self._measure()  # the tally handed out last has been built since
        key = (event_id, getattr(recorder, "name", type(recorder).__name__), id(recorder))
        found = self._tallies.get(key)
        if found is None:
            found = self._tallies[key] = self._make()
        self._tallies.move_to_end(key)
        while self._total > self.limit and len(self._tallies) > 1:
            old, _ = self._tallies.popitem(last=False)
            self._total -= self._sizes.pop(old, 0)
        self._last = key
        return found

    def _measure(self) -> None:
        if self._last in self._tallies:
            size = self._size(self._tallies[self._last])
            self._total += size - self._sizes.get(self._last, 0)
            self._sizes[self._last] = size


def alignments(limit: int = 16_000_000) -> Tallies:
    """Each event's :class:`~storyline.pipeline.compare.memory.Alignment` between its comparisons, per comparer: a
    report's arrival aligns its own claims only (the comparison is the same). The events compared longest ago are
    forgotten once the alignments' claims x claims matrices hold more than ``limit`` cells in all (three float32
    matrices each: 16 million cells are about 200 MB)."""
    return Tallies(limit, Alignment, lambda alignment: alignment.cells)


class StoredAnalyses:
    """The mentions and places of stored articles, read from the store once.

    A stored article never changes (a new text under its id is rejected) and its mentions and
    places are written with it, in its batch's transaction, and never after; so read once they
    stay true, keyed by the article's id and fingerprint. The same objects are handed out each
    time, which lets an event's tally see an unchanged report at once. The articles read
    longest ago are forgotten past ``limit``.
    """

    def __init__(self, store: Store, limit: int = 20_000) -> None:
        self.store, self.limit, self._read = store, limit, OrderedDict()

    def of(self, articles: Sequence[Article]) -> tuple[dict[str, tuple[Mention, ...]], dict[str, tuple[Place, ...]]]:
        """Each stored article's mentions and places, by article id."""
        mentions, places = {}, {}
        for a in articles:
            key = (a.id, a.fingerprint)
            found = self._read.get(key)
            if found is None:
                found = self._read[key] = (tuple(self.store.mentions(a.id)), tuple(self.store.places(a.id)))
            else:
                self._read.move_to_end(key)
            mentions[a.id], places[a.id] = found
        while len(self._read) > self.limit:
            self._read.popitem(last=False)
        return mentions, places


class RecordBuilder:
    def __init__(self, store: Store, components: Components) -> None:
        self.store, self.components = store, components
        self.codings = ArticleCodings()
        self.tallies = Tallies()
        self.alignments = alignments()
        self.stored = StoredAnalyses(store)

    def relays(self, articles: Sequence[Article], mentions: Mapping[str, Sequence[Mention]] | None = None) -> EventRelays:
        """The relays among an event's stored articles (the relays stage on their attributions)."""
        mentions = mentions if mentions is not None else self._mentions(articles)
        reports = [Report(a.id, a.source, a.duplicate_of, tuple(m for m in mentions[a.id] if m.label == "ATTRIBUTION"))
                   for a in articles]
        return self.components.get("relays").detect(reports)

    def stored_relays(self, event_id: str, articles: Sequence[Article]) -> EventRelays:
        """The relays stored with the event's record, or computed now when it has none yet."""
        data = self.store.relays(event_id)
        return relays_from_dict(data) if data is not None else self.relays(articles)

    def _mentions(self, articles: Sequence[Article]) -> dict[str, list[Mention]]:
        return {a.id: self.store.mentions(a.id) for a in articles}

    def build(self, event_id: str, articles: Sequence[Article], relays: EventRelays | None = None,
              mentions: Mapping[str, Sequence[Mention]] | None = None, tally: Tally | None = None,
              places: Mapping[str, Sequence[Place]] | None = None) -> EventRecord:
        """The record of an event reported by ``articles`` (stored articles: their mentions and places are read);
        ``tally``: the event's ballots from its previous build, for a recorder that takes them."""
        mentions = mentions if mentions is not None else self._mentions(articles)
        relays = relays or self.relays(articles, mentions)
        places = places if places is not None else {a.id: self.store.places(a.id) for a in articles}
        recorder = self.components.get("recorder")
        kinds = self.components.get("kind_typer") if getattr(recorder, "uses_kinds", False) else None
        kinds = self.codings.kinds(kinds) if kinds is not None else None
        extra = {"coder": self.codings.coder(recorder.name)} if _takes(recorder, "coder") else {}
        if tally is not None and _takes(recorder, "tally"):
            extra["tally"] = tally
        return recorder.build(event_id, articles, mentions, places, relays.groups(), self.components.get("event_typer"),
                              kinds=kinds, **extra)

    def compare(self, event_id: str, articles: Sequence[Article], relays: EventRelays | None = None,
                mentions: Mapping[str, Sequence[Mention]] | None = None, remember: bool = False) -> Comparison:
        """The comparison of the sources of an event reported by ``articles`` (stored articles); ``remember`` keeps
        the event's aligned claims for its next comparison (see :func:`alignments`)."""
        mentions = mentions if mentions is not None else self._mentions(articles)
        relays = relays or self.relays(articles, mentions)
        comparer = self.components.get("comparer")
        extra = {"memory": self.alignments.of(event_id, comparer)} if remember and _takes(comparer.compare, "memory") else {}
        return comparer.compare(event_id, articles, mentions, relays.relays, self.components.sentences(), **extra)

    def stored_comparison(self, event_id: str, articles: Sequence[Article]) -> Comparison:
        """The comparison stored with the event's record, or built now when it has none yet."""
        data = self.store.comparison(event_id)
        return Comparison.from_dict(data) if data is not None else self.compare(event_id, articles)

    def refresh(self, dirty: Iterable[str], batch_size: int = 64, timer: StageTimer | None = None,
                stale: Iterable[str] | None = None, waiting: Iterable[str] = ()) -> int:
        """Build the record and the comparison of every event in ``dirty`` or stale (``stale``: the store's stale
        records, when already read), except the events ``waiting`` (:mod:`.deferral`); returns how many were built."""
        self._timer = timer or StageTimer({})
        stale = set(dirty) | set(self.store.stale_records() if stale is None else stale)
        stale -= set(waiting)
        existing = {e.id for e in self.store.events(sorted(stale))}
        todo = sorted(existing, key=lambda i: int(i[1:]) if i[1:].isdigit() else 0)
        sentences = self.components.sentences()
        sentences.timer = self._timer  # the claims' embedding is a model stage of its own
        try:
            for start in range(0, len(todo), batch_size):
                with self.store.transaction():
                    self._save(todo[start : start + batch_size])
        finally:
            sentences.timer = None
        with self.store.transaction():
            self.store.drop_orphan_records()
        return len(todo)

    def _save(self, event_ids: Sequence[str]) -> None:
        for event_id in event_ids:
            articles = self.store.articles(self.store.event_members(event_id))
            mentions, places = self.stored.of(articles)  # read once for the relays, the record and the comparison
            relays = self.relays(articles, mentions)
            tally = self.tallies.of(event_id, self.components.get("recorder"))
            record = self.build(event_id, articles, relays, mentions, tally, places)
            self.store.save_record(event_id, dataclasses.asdict(record), len(articles), dataclasses.asdict(relays))
            with self._timer(COMPARE_STAGE):
                comparison = self.compare(event_id, articles, relays, mentions, remember=True)
                self.store.save_comparison(event_id, comparison.to_dict(), len(articles))
            date = record.fields.get("date")
            if date is not None and date.value is not None:
                self.store.set_event_date(event_id, date.value.value, date.value.detail.get("precision") or P.UNKNOWN)
        self.store.refresh_story_dates(event_ids)
