"""Deduplicate: exact copies and near-duplicates (wire copies, light edits).

Exact copies share a fingerprint. Near-duplicates are found with MinHash over
word 4-grams and locality-sensitive hashing (16 bands of 4 rows); a candidate
counts when the estimated Jaccard similarity reaches the threshold. A
duplicate is linked to the original of the article it copies, so every
chain ends at one independent report.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["Deduplicator", "NearDuplicates", "MinHasher", "DuplicateIndex", "DuplicateMatch"]

_PRIME = np.uint64((1 << 61) - 1)
_MASK32 = np.uint64(0xFFFFFFFF)
_CHUNK = 8192


class MinHasher:
    """MinHash signatures of word n-gram sets; deterministic across runs."""

    def __init__(self, permutations: int = 64, ngram: int = 4, seed: int = 1729) -> None:
        rng = np.random.default_rng(seed)
        self.permutations = permutations
        self.ngram = ngram
        self._a = rng.integers(1, 1 << 31, size=permutations, dtype=np.uint64)
        self._b = rng.integers(0, 1 << 31, size=permutations, dtype=np.uint64)

    def shingles(self, text: str) -> np.ndarray:
        words = re.findall(r"\w+", text.lower())
        n = self.ngram
        grams = {" ".join(words[i : i + n]) for i in range(max(len(words) - n + 1, 0))}
        return np.fromiter((zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams))

    def signature(self, text: str) -> np.ndarray | None:
        """The signature, or None when the text has too few words to compare."""
        shingles = self.shingles(text)
        if len(shingles) < 8:
            return None
        # in chunks, so a very long article needs a few MB rather than hundreds
        out = np.full(self.permutations, np.iinfo(np.uint64).max, dtype=np.uint64)
        for i in range(0, len(shingles), _CHUNK):
            hashed = (np.outer(shingles[i : i + _CHUNK], self._a) + self._b) % _PRIME & _MASK32
            np.minimum(out, hashed.min(axis=0), out=out)
        return out.astype(np.uint32)


@dataclass(frozen=True)
class DuplicateMatch:
    original_id: str
    similarity: float


class _Sorted:
    """Originals added all at once (a writer's start-up), kept as arrays rather than as buckets: per band, a
    64-bit hash of each row's band sorted once, so a lookup is a binary search and the exact band is checked
    on what it finds. Within one band key the rows come back in the order they were given, as a bucket's do."""

    _MIX = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, article_ids: list[str], signatures: np.ndarray, bands: int) -> None:
        self.ids = list(article_ids)
        self.matrix = np.ascontiguousarray(signatures)
        self.rows = self.matrix.shape[1] // bands
        hashes = np.stack([self._hash(self._band(self.matrix, b)) for b in range(bands)], axis=1)
        self.order = np.argsort(hashes, axis=0, kind="stable")
        self.hashes = np.take_along_axis(hashes, self.order, axis=0)

    def _band(self, matrix: np.ndarray, band: int) -> np.ndarray:
        return matrix[..., band * self.rows : (band + 1) * self.rows]

    def _hash(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(values.shape[:-1], dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(values.shape[-1]):
                out = (out ^ values[..., j].astype(np.uint64)) * self._MIX
        return out

    def positions(self, band: int, signature: np.ndarray) -> np.ndarray:
        """Rows whose ``band`` equals the signature's, in the order they were added."""
        value = self._band(signature, band)
        key = self._hash(value[None, :])[0]
        column = self.hashes[:, band]
        lo, hi = np.searchsorted(column, key, "left"), np.searchsorted(column, key, "right")
        found = self.order[lo:hi, band]
        return found[np.all(self._band(self.matrix[found], band) == value, axis=1)]


class DuplicateIndex:
    """In-memory LSH index of signatures of the originals seen so far."""

    def __init__(self, threshold: float = 0.8, bands: int = 16) -> None:
        self.threshold = threshold
        self.bands = bands
        self._buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
        self._signatures: dict[str, np.ndarray] = {}
        self._sorted: list[_Sorted] = []  # originals added by add_many, before those in the buckets

    def __len__(self) -> int:
        return len(self._signatures) + sum(len(part.ids) for part in self._sorted)

    def _keys(self, signature: np.ndarray) -> list[tuple[int, bytes]]:
        rows = len(signature) // self.bands
        return [(b, signature[b * rows : (b + 1) * rows].tobytes()) for b in range(self.bands)]

    def add(self, article_id: str, signature: np.ndarray) -> None:
        self._signatures[article_id] = signature
        for key in self._keys(signature):
            self._buckets[key].append(article_id)

    def add_many(self, article_ids: list[str], signatures: np.ndarray) -> None:
        """:meth:`add` of each row of ``signatures`` in turn (a writer's start-up adds every stored original), kept
        sorted by band rather than bucketed: :meth:`find` gives the same answers. Only before any :meth:`add`,
        so that the originals are looked at in the order they came."""
        if self._signatures:
            for article_id, signature in zip(article_ids, signatures):
                self.add(article_id, signature)
        elif article_ids:
            self._sorted.append(_Sorted(article_ids, signatures, self.bands))

    def _candidates(self, signature: np.ndarray):
        """(id, signature) of every original sharing a band with ``signature``: band by band, in the order added."""
        for band, key in enumerate(self._keys(signature)):
            for part in self._sorted:
                for row in part.positions(band, signature).tolist():
                    yield part.ids[row], part.matrix[row]
            for candidate in self._buckets.get(key, ()):
                yield candidate, self._signatures[candidate]

    def find(self, signature: np.ndarray) -> DuplicateMatch | None:
        """The most similar stored original at or above the threshold."""
        seen: set[str] = set()
        best: DuplicateMatch | None = None
        for candidate, stored in self._candidates(signature):
            if candidate in seen:
                continue
            seen.add(candidate)
            similarity = float(np.mean(stored == signature))
            if similarity >= self.threshold and (best is None or similarity > best.similarity):
                best = DuplicateMatch(candidate, similarity)
        return best


class Deduplicator(Protocol):
    """Finds the original an article's text nearly copies, among the originals added so far."""

    name: str

    def signature(self, text: str) -> np.ndarray | None: ...
    def add(self, article_id: str, signature: np.ndarray) -> None: ...
    def find(self, signature: np.ndarray) -> DuplicateMatch | None: ...


class NearDuplicates:
    """The deduplicate stage: MinHash signatures of article texts and an LSH index of the originals.

    Exact copies are found by fingerprint before this stage; this one finds
    near-duplicates (wire copies, lightly edited reposts) at or above the
    Jaccard ``threshold``.
    """

    name = "dedup.minhash.v1"

    def __init__(self, threshold: float = 0.8) -> None:
        self.hasher = MinHasher()
        self.index = DuplicateIndex(threshold)

    def signature(self, text: str) -> np.ndarray | None:
        return self.hasher.signature(text)

    def add(self, article_id: str, signature: np.ndarray) -> None:
        self.index.add(article_id, signature)

    def add_many(self, article_ids: list[str], signatures: np.ndarray) -> None:
        self.index.add_many(article_ids, signatures)

    def find(self, signature: np.ndarray) -> DuplicateMatch | None:
        return self.index.find(signature)


def _minhash(options) -> NearDuplicates:
    return NearDuplicates(options.near_duplicate_jaccard)
