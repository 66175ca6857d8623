"""Clustering features: what the join and event models compare between an article and an event.

Content terms, entity and detail keys (persons, places, years, figures of the
lead), the clusterer's memory of an event (:class:`EventState`) and the
IDF-weighted overlaps computed from them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from itertools import filterfalse, repeat
from operator import mul
from typing import Any, Iterable, Iterator

import numpy as np

from ...model import PLACE_LABELS

__all__ = ["ClusterItem", "canonical_keys", "EventState", "Vocabulary", "FEATURES", "FEATURES_V1", "DETAIL_KINDS", "content_terms",
           "core_details", "detail_keys", "detail_features", "term_weights", "tfidf_cosine", "weighted_overlap", "novel_share"]

#: Features of the v1 join model.
FEATURES_V1 = ("cos_centroid", "cos_max", "entities", "entities_new", "title", "terms", "tfidf", "gap", "size")
#: Specific details that tell two similar events apart: who (person surnames),
#: where (places), which year and which figures the leads mention.
DETAIL_KINDS = {"person": "p", "place": "g", "year": "y", "number": "n"}
FEATURES = FEATURES_V1 + tuple(f"{kind}_{what}" for kind in DETAIL_KINDS for what in ("match", "conflict"))

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours out over own same she should so some such than that the their
    theirs them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your said says say new one two three year years
    first last week day days time told according people after could would may might us mr ms""".split()
)


_YEAR = re.compile(r"(?<![\d/:.,-])(?:19[5-9]\d|20[0-4]\d)(?![\d/:.,]\d)")
_NUMBER = re.compile(r"(?<![\d/:.,$-])\d{1,3}(?:,\d{3})*(?:\.\d+)?(?![\d/:]|[.,]\d)")


def detail_keys(entities: Iterable[tuple[str, str]], lead: str) -> frozenset[str]:
    """Kind-prefixed keys of the specific details in an article's lead.

    ``entities`` are (normalised key, label) pairs found in the lead. Persons
    are keyed by surname ("Tara Reid" and "Reid" meet); places by name; years
    and other figures (ages, tolls, scores) are read from the lead text.
    """
    out = set()
    for key, label in entities:
        if label == "PERSON":
            out.add("p:" + key.split()[-1])
        elif label in PLACE_LABELS:
            out.add("g:" + key)
    years = set(_YEAR.findall(lead))
    out.update("y:" + y for y in years)
    out.update("n:" + n.replace(",", "") for n in _NUMBER.findall(lead) if n not in years and n not in ("0", "1"))
    return frozenset(out)


def core_details(event: Counter) -> frozenset[str]:
    """The details named by at least half as many of an event's reports as its most named detail."""
    top = max(event.values()) if event else 0
    return frozenset(k for k, n in event.items() if 2 * n >= top)


#: (match feature, conflict feature, key prefix) per kind of detail, in :data:`FEATURES` order
_DETAIL_NAMES = tuple((f"{kind}_match", f"{kind}_conflict", prefix) for kind, prefix in DETAIL_KINDS.items())


def detail_features(item: Iterable[str], event: Counter, core: frozenset[str] | None = None) -> dict[str, float]:
    """Per kind of detail: the share of the article's details that the event's core has, and a conflict
    flag when both name some and none is shared.

    An event's core details are those named by at least half as many of its
    reports as its most named detail, so that one stray report (or one wrongly
    joined) does not make every later article "match". ``core``: :func:`core_details` of ``event``, when known.
    """
    core = core_details(event) if core is None else core
    mine: dict[str, int] = {}
    shared: dict[str, int] = {}
    for key in item:  # one pass over the article's details, counted by kind
        mine[key[0]] = mine.get(key[0], 0) + 1
        if key in core:
            shared[key[0]] = shared.get(key[0], 0) + 1
    named = {k[0] for k in core}
    out = {}
    for match, conflict, prefix in _DETAIL_NAMES:
        n, hits = mine.get(prefix, 0), shared.get(prefix, 0)
        out[match] = hits / n if n else 0.0
        out[conflict] = 1.0 if n and prefix in named and not hits else 0.0
    return out


def content_terms(text: str) -> list[str]:
    """Lower-cased content words (no stop words, no numbers, at least 3 letters)."""
    return [w for w in re.findall(r"[^\W\d_]{3,}", text.lower()) if w not in _STOPWORDS]


@dataclass
class ClusterItem:
    key: str
    date: dt.date | None
    vector: np.ndarray
    entities: frozenset[str] = frozenset()
    title_terms: frozenset[str] = frozenset()
    #: content terms of the whole text with sublinear term-frequency weights
    terms: dict[str, float] = field(default_factory=dict)
    #: specific details of the lead (see :func:`detail_keys`)
    details: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.entities = canonical_keys(self.entities)
        self.title_terms = canonical_keys(self.title_terms)
        self.terms = canonical_keys(self.terms)
        self.details = canonical_keys(self.details)

    def __setstate__(self, state: dict) -> None:  # an unpickled item (a cache of analyses) is canonical too
        self.__dict__.update(state)
        self.__post_init__()


def canonical_keys(keys):
    """``keys`` (a set, frozenset, list, dict or Counter of string keys) with every key the process's one string
    object of its text (``sys.intern``), in the same order and of the same type.

    The same key then is the same object in every article, event, story and vocabulary that holds it, so a
    look-up of one in a table of another is found by identity, without reading the stored key's own memory: for a
    big table, whose keys are no longer in the processor's cache, that is one miss a key fewer (a story of 1,000
    events holds some 50,000 terms). Interned strings are freed with their last reference, as any other."""
    try:
        interned = list(map(sys.intern, keys))
    except TypeError:  # a key that is not a plain string (never from the analysis) is kept as it is
        interned = [_interned(key) for key in keys]
    if isinstance(keys, dict):
        out = dict(zip(interned, keys.values()))
        return Counter(out) if isinstance(keys, Counter) else out
    return type(keys)(interned)


def _interned(key):
    return sys.intern(key) if type(key) is str else key


@dataclass
class EventState:
    """What the clusterer remembers of an event; persisted by the engine."""

    id: str
    vector_sum: np.ndarray
    size: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    entities: Counter = field(default_factory=Counter)
    terms: Counter = field(default_factory=Counter)
    title_terms: Counter = field(default_factory=Counter)
    members: list[str] = field(default_factory=list)
    story_id: str | None = None
    #: sources of the independent (non-duplicate) reports
    sources: Counter = field(default_factory=Counter)
    #: candidate event dates (ISO) found in the reports, with their counts
    date_votes: Counter = field(default_factory=Counter)
    details: Counter = field(default_factory=Counter)
    #: derived values (IDF totals, norms) valid until the next :meth:`add`
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def cached(self, key: Any, compute) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def unit(self) -> np.ndarray:
        """The centroid, computed once until the next :meth:`add`."""
        return self.cached("centroid", lambda: self.centroid)

    @property
    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.vector_sum))
        return self.vector_sum / norm if norm else self.vector_sum

    def add(self, item: ClusterItem) -> None:
        self.memo = {}
        self.vector_sum = self.vector_sum + item.vector
        self.size += 1
        self.members.append(item.key)
        self.entities.update(item.entities)
        self.terms.update(item.terms)
        self.title_terms.update(item.title_terms)
        self.details.update(item.details)
        if item.date is not None:
            self.first_date = min(self.first_date or item.date, item.date)
            self.last_date = max(self.last_date or item.date, item.date)

    def gap_days(self, date: dt.date | None) -> float:
        """Days between ``date`` and the event's date range (0 inside it or when undated)."""
        if date is None or self.first_date is None or self.last_date is None:
            return 0.0
        if date < self.first_date:
            return float((self.first_date - date).days)
        if date > self.last_date:
            return float((date - self.last_date).days)
        return 0.0


class _Weights(dict):
    """IDF weight by document frequency for one number of documents, each computed on its first use."""

    def __init__(self, documents: int) -> None:
        super().__init__()
        self.documents = documents
        #: the square (``weight ** 2``) of each weight, by document frequency
        self.squares = _Squares(self)

    def __missing__(self, df: int) -> float:
        value = self[df] = math.log((1 + self.documents) / (1 + df)) + 1.0
        return value


class _Squares(dict):
    """``weight ** 2`` of a :class:`_Weights`' weights, by document frequency, each computed on its first use."""

    def __init__(self, weights: _Weights) -> None:
        super().__init__()
        self.weights = weights

    def __missing__(self, df: int) -> float:
        value = self[df] = self.weights[df] ** 2
        return value


class Vocabulary:
    """Document frequencies of entity keys and terms, for IDF weights.

    A key's weight depends only on its document frequency and the number of
    documents, so the weights of one number of documents are kept by frequency
    (a few hundred values) rather than by key: an event's totals, over all its
    keys, are two look-ups a key in C, and the same floats as one ``math.log``
    a key (``math.fsum`` is exact whatever the order).

    A *batched* vocabulary keeps the weights of a snapshot: what :meth:`add`
    counts waits in ``pending`` until :meth:`commit` (the clusterer commits once
    per batch), so the weights, and every total cached under ``documents``,
    stay valid for a whole batch instead of one article.

    :attr:`version` counts the changes of the document frequencies (an
    article counted, a batch committed). :mod:`.idf` keeps a copy of the
    frequencies in an array (``mirror``), counted here along with ``df``, so
    that the frequencies of all of an event's keys are read at once;
    frequencies set directly (a vocabulary loaded from a store) must be set
    before the first use.
    """

    def __init__(self, batched: bool = False) -> None:
        #: documents counted in the weights (a batched vocabulary: up to the last commit)
        self.documents = 0
        self.df: Counter = Counter()
        self.batched = batched
        self.pending: Counter = Counter()
        self.pending_documents = 0
        self._weights = _Weights(0)
        self.version = 0
        #: the frequencies as an array, made by :func:`.idf.mirror_of` on first use (None until then)
        self.mirror: Any = None

    def __setstate__(self, state: dict) -> None:  # vocabularies pickled before the version and the mirror
        self.__dict__.update(state)
        self.__dict__.setdefault("version", 0)
        self.__dict__.setdefault("mirror", None)

    def add(self, keys: Iterable[str]) -> None:
        if self.batched:
            self.pending_documents += 1
            self.pending.update(set(keys))
            return
        keys = set(keys)
        self.documents += 1
        self.df.update(keys)
        self.version += 1
        if self.mirror is not None:
            self.mirror.count(keys)

    def commit(self) -> None:
        """Count what was added since the last commit in the weights (a no-op when nothing is pending)."""
        if not self.pending_documents and not self.pending:
            return
        self.documents += self.pending_documents
        self.df.update(self.pending)
        self.version += 1
        if self.mirror is not None:
            self.mirror.count(self.pending)
        self.pending, self.pending_documents = Counter(), 0

    def weights(self) -> _Weights:
        """IDF weight by document frequency, for the current number of documents."""
        if self._weights.documents != self.documents:
            self._weights = _Weights(self.documents)
        return self._weights

    def idf(self, key: str) -> float:
        return self.weights()[self.df.get(key, 0)]

    def idfs(self, keys: Iterable[str]) -> Iterator[float]:
        """The IDF weight of each of ``keys``, in order."""
        return map(self.weights().__getitem__, map(self.df.get, keys, repeat(0)))

    def total(self, keys: Iterable[str]) -> float:
        """Sum of the IDF weights of ``keys``."""
        return math.fsum(self.idfs(keys))

    def norm(self, weights: dict[str, float]) -> float:
        """Length of the IDF-weighted vector of term ``weights``."""
        if not weights:
            return 0.0
        idf = np.fromiter(self.idfs(weights), dtype=np.float64, count=len(weights))
        tf = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
        return math.sqrt(math.fsum(np.square(tf * idf).tolist()))


def weighted_overlap(item: Iterable[str], event: Counter, vocab: Vocabulary, event_total: float | None = None,
                     item_total: float | None = None) -> float:
    """IDF-weighted share of the smaller side that the two sets have in common (the totals, when known, are
    :meth:`Vocabulary.total` of each side)."""
    item = set(item)
    if not item or not event:
        return 0.0
    shared = math.fsum(vocab.idfs(filter(event.__contains__, item)))  # the keys in common, in the item's order
    smaller = min(vocab.total(item) if item_total is None else item_total,
                  vocab.total(event) if event_total is None else event_total)
    return shared / smaller if smaller else 0.0


def novel_share(item: Iterable[str], event: Counter, vocab: Vocabulary, total: float | None = None) -> float:
    """IDF-weighted share of the article's entities that the event has never mentioned (``total``: the
    :meth:`Vocabulary.total` of the article's, when known)."""
    item = set(item)
    if not item:
        return 0.0
    total = vocab.total(item) if total is None else total
    return math.fsum(vocab.idfs(filterfalse(event.__contains__, item))) / total


def term_weights(text: str, limit: int = 200) -> dict[str, float]:
    """Sublinear tf weights (1 + log tf) of the ``limit`` most frequent content terms."""
    counts = Counter(content_terms(text))
    return {t: 1.0 + math.log(n) for t, n in counts.most_common(limit)}


def tfidf_cosine(item: dict[str, float], event: Counter, vocab: Vocabulary, event_norm: float | None = None,
                 item_norm: float | None = None) -> float:
    """Cosine of the IDF-weighted term vectors of an article and an event."""
    if not item or not event:
        return 0.0
    shared = list(filter(event.__contains__, item))
    # item[t] * event[t] * idf ** 2 for each shared term, the same products in the same order, mapped in C
    squares = map(vocab.weights().squares.__getitem__, map(vocab.df.get, shared, repeat(0)))
    dot = math.fsum(map(mul, map(mul, map(item.__getitem__, shared), map(event.__getitem__, shared)), squares))
    if dot == 0.0:
        return 0.0
    norm_event = vocab.norm(event) if event_norm is None else event_norm
    return dot / ((vocab.norm(item) if item_norm is None else item_norm) * norm_event)


def _jaccard(a: set[str] | frozenset[str], b: Iterable[str]) -> float:
    if not isinstance(b, dict):
        b = set(b)
    if not a or not b:
        return 0.0
    shared = sum(1 for k in a if k in b)  # a dict's keys are its set: no copy
    return shared / (len(a) + len(b) - shared)


def _range_gap(a: EventState, b: EventState) -> float:
    """Days between the date ranges of two events (0 when they overlap or one is undated)."""
    if a.first_date is None or b.first_date is None:
        return 0.0
    return float(max((b.first_date - a.last_date).days, (a.first_date - b.last_date).days, 0))


def _without(event: EventState, item: ClusterItem) -> EventState:
    """A view of ``event`` without one of its reports (dates and sources left as they are)."""

    def minus(counter: Counter, keys: Iterable[str] | dict[str, float]) -> Counter:
        out = Counter(counter)
        for key, value in (keys.items() if isinstance(keys, dict) else ((k, 1) for k in keys)):
            out[key] -= value
            if out[key] <= 1e-9:
                del out[key]
        return out

    return EventState(
        event.id, event.vector_sum - item.vector, event.size - 1, event.first_date, event.last_date,
        minus(event.entities, item.entities), minus(event.terms, item.terms), minus(event.title_terms, item.title_terms),
        [k for k in event.members if k != item.key], details=minus(event.details, item.details),
    )


def _number(event_id: str) -> int:
    return int(event_id.lstrip("E") or 0)


