"""Kept IDF sums: an event's IDF totals and term norm, taken over arrays instead of key by key.

The v3 clusterer counts every article in the document frequencies before it
scores it, so the IDF weights change with every article and an event's IDF
total and norm, sums over all of its keys, are computed again for every
article it is a candidate for. Key by key, that is two dictionary look-ups a
key in Python. Here a vocabulary's frequencies are mirrored in an array
(:class:`FrequencyMirror`, counted along with the vocabulary's own), an event
keeps the positions of its keys in it (:class:`IdfProfile`, made once until
the event changes), and a sum reads all the frequencies at once and looks
their weights up in a table of the weights by frequency.

The floats are the same: each key's weight is the very float
:meth:`Vocabulary.weights` gives for its frequency (the table is filled from
it), each product and square is the same IEEE operation as before, and
``math.fsum`` rounds the exact sum once whatever the order of its terms.
"""

from __future__ import annotations

import math
from itertools import compress
from typing import TYPE_CHECKING, Iterable, Mapping

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .features import EventState, Vocabulary

__all__ = ["FrequencyMirror", "IdfProfile", "kept_profile", "mirror_of", "overlaps"]


class _Ids(dict):
    """A position for every key, the next free one for a key not seen before."""

    def __missing__(self, key: str) -> int:
        value = self[key] = len(self)
        return value


class FrequencyMirror:
    """A vocabulary's document frequencies as an array, one position per key."""

    #: the table of weights by frequency covers frequencies below this (higher ones are looked up one by one)
    TABLE = 4096

    def __init__(self, df: Mapping[str, int]) -> None:
        self.ids = _Ids()
        self.counts = np.zeros(max(1024, 2 * len(df)), dtype=np.int64)
        if df:
            at = self.index(df.keys())
            self.counts[at] = np.fromiter(df.values(), dtype=np.int64, count=len(df))
        #: (the weights the table was filled from, the table)
        self._table: tuple = (None, np.zeros(0))

    def index(self, keys: Iterable[str]) -> np.ndarray:
        """The positions of ``keys`` (new keys get new positions, counted zero)."""
        at = np.fromiter(map(self.ids.__getitem__, keys), dtype=np.intp)
        if len(self.ids) > len(self.counts):
            grown = np.zeros(2 * len(self.ids), dtype=np.int64)
            grown[: len(self.counts)] = self.counts
            self.counts = grown
        return at

    def count(self, keys: Iterable[str] | Mapping[str, int]) -> None:
        """Count distinct ``keys`` once each (a mapping: by its values), as the vocabulary does."""
        if isinstance(keys, Mapping):
            at = self.index(keys.keys())
            self.counts[at] += np.fromiter(keys.values(), dtype=np.int64, count=len(at))
        else:
            at = self.index(keys)  # first: it may grow the array
            self.counts[at] += 1

    def weights_at(self, vocab: "Vocabulary", at: np.ndarray) -> np.ndarray:
        """The IDF weight, for the vocabulary's current weights, of the key at each of the positions ``at``."""
        if not len(at):
            return np.zeros(0)
        df = self.counts[at]
        weights = vocab.weights()
        filled, table = self._table
        if filled is not weights:
            table = np.zeros(0)
        top = int(df.max())
        if top >= len(table) and len(table) < self.TABLE:
            upto = min(max(top + 1, 2 * len(table), 64), self.TABLE)
            # log((1 + documents) / (1 + df)) + 1.0 as _Weights computes it: the same exactly rounded quotient,
            # the same math.log, the same addition
            ratios = (1 + weights.documents) / (1 + np.arange(len(table), upto, dtype=np.int64))
            more = np.fromiter(map(math.log, ratios.tolist()), dtype=np.float64, count=upto - len(table)) + 1.0
            table = np.concatenate([table, more])
        self._table = (weights, table)
        if top < len(table):
            return table[df]
        out = table[np.minimum(df, len(table) - 1)]
        high = np.flatnonzero(df >= len(table))
        out[high] = np.fromiter(map(weights.__getitem__, df[high].tolist()), dtype=np.float64, count=len(high))
        return out


def mirror_of(vocab: "Vocabulary") -> FrequencyMirror:
    """The vocabulary's mirror, made from its frequencies on first use (and then counted by the vocabulary)."""
    if vocab.mirror is None:
        vocab.mirror = FrequencyMirror(vocab.df)
    return vocab.mirror


class IdfProfile:
    """One fixed set of keys (and, ``weighted``, their term weights) placed in a vocabulary's mirror."""

    __slots__ = ("vocab", "mirror", "keys", "at", "tf", "_sums")

    def __init__(self, vocab: "Vocabulary", counts: Mapping[str, float] | Iterable[str], weighted: bool) -> None:
        """``counts``: term weights by key (``weighted``), or the keys (distinct) alone."""
        self.vocab = vocab
        self.mirror = mirror_of(vocab)
        self.keys = list(counts.keys() if isinstance(counts, Mapping) else counts)
        self.at = self.mirror.index(self.keys)
        self.tf = np.fromiter(counts.values(), dtype=np.float64, count=len(self.at)) if weighted else None
        self._sums: tuple | None = None

    def _current(self) -> tuple:
        vocab = self.vocab
        stamp = (vocab.version, vocab.documents)
        if self._sums is None or self._sums[0] != stamp:
            idf = self.mirror.weights_at(vocab, self.at)
            total = math.fsum(idf.tolist())
            norm = None
            if self.tf is not None:
                norm = math.sqrt(math.fsum(np.square(self.tf * idf).tolist())) if len(self.at) else 0.0
            self._sums = (stamp, total, norm, idf)
        return self._sums[1:]

    def weights(self) -> np.ndarray:
        """The IDF weight of each key, in :attr:`keys` order, for the vocabulary as it stands."""
        return self._current()[2]

    def frequencies(self) -> np.ndarray:
        """The document frequency of each key, in :attr:`keys` order."""
        return self.mirror.counts[self.at]

    def total(self) -> float:
        """:meth:`Vocabulary.total` of the keys, for the vocabulary as it stands."""
        return self._current()[0]

    def norm(self) -> float:
        """:meth:`Vocabulary.norm` of the term weights, for the vocabulary as it stands."""
        norm = self._current()[1]
        if norm is None:
            raise ValueError("an unweighted profile has no norm")
        return norm


def kept_profile(event: "EventState", field: str, vocab: "Vocabulary", weighted: bool = False) -> IdfProfile:
    """The profile of one of an event's counters (``entities``, ``terms``), made on first use.

    It lives in the event's memo, which :meth:`EventState.add` empties: an event that gains a report gets a
    profile of its new keys."""
    key = ("idf", field, weighted)
    profile = event.memo.get(key)
    if profile is None or profile.vocab is not vocab or profile.mirror is not vocab.mirror:
        profile = event.memo[key] = IdfProfile(vocab, getattr(event, field), weighted)
    return profile


def overlaps(entities: IdfProfile, terms: IdfProfile, item_terms: Mapping[str, float], event: "EventState",
             totals: tuple[float, float, float], event_totals: tuple[float, float, float]) -> tuple[float, ...]:
    """The join features ``entities``, ``entities_new``, ``terms`` and ``tfidf`` of an item (the profiles of its
    entity keys and its term weights ``item_terms``, their :meth:`Vocabulary.total` and norm ``totals``) and an
    event (its ``event_totals``): :func:`weighted_overlap`, :func:`novel_share`, :func:`weighted_overlap` and
    :func:`tfidf_cosine`, the same floats, with the item's weights read once for all four.

    The keys the two have in common are found once per kind (a look-up in the event's counter each, in C), and
    each sum is ``math.fsum`` of the same weights and products, in another order."""
    item_entities, item_terms_total, item_norm = totals
    event_entities, event_terms_total, event_norm = event_totals
    e_keys, e_counts = entities.keys, event.entities
    if e_keys:
        weights = entities.weights()
        shared = np.fromiter(map(e_counts.__contains__, e_keys), dtype=bool, count=len(e_keys))
        entity_overlap = 0.0
        if e_counts:
            smaller = min(item_entities, event_entities)
            entity_overlap = math.fsum(weights[shared].tolist()) / smaller if smaller else 0.0
        novel = math.fsum(weights[~shared].tolist()) / item_entities
    else:
        entity_overlap = novel = 0.0
    t_keys, t_counts = terms.keys, event.terms
    term_overlap = cosine = 0.0
    if t_keys and t_counts:
        shared = np.fromiter(map(t_counts.__contains__, t_keys), dtype=bool, count=len(t_keys))
        smaller = min(item_terms_total, event_terms_total)
        term_overlap = math.fsum(terms.weights()[shared].tolist()) / smaller if smaller else 0.0
        if shared.any():
            common = list(compress(t_keys, shared.tolist()))
            squares = terms.vocab.weights().squares
            square = np.fromiter(map(squares.__getitem__, terms.frequencies()[shared].tolist()), dtype=np.float64,
                                 count=len(common))
            theirs = np.fromiter(map(t_counts.__getitem__, common), dtype=np.float64, count=len(common))
            # item[t] * event[t] * idf ** 2: (the item's weight times the event's) times the square, as before
            dot = math.fsum((terms.tf[shared] * theirs * square).tolist())
            if dot != 0.0:
                cosine = dot / (item_norm * event_norm)
    return entity_overlap, novel, term_overlap, cosine
