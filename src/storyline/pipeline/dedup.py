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


class DuplicateIndex:
    """In-memory LSH index of signatures of the originals seen so far."""

    def __init__(self, threshold: float = 0.8, bands: int = 16) -> None:
        self.threshold = threshold
        self.bands = bands
        self._buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
        self._signatures: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def _keys(self, signature: np.ndarray) -> list[tuple[int, bytes]]:
        rows = len(signature) // self.bands
        return [(b, signature[b * rows : (b + 1) * rows].tobytes()) for b in range(self.bands)]

    def add(self, article_id: str, signature: np.ndarray) -> None:
        self._signatures[article_id] = signature
        for key in self._keys(signature):
            self._buckets[key].append(article_id)

    def find(self, signature: np.ndarray) -> DuplicateMatch | None:
        """The most similar stored original at or above the threshold."""
        seen: set[str] = set()
        best: DuplicateMatch | None = None
        for key in self._keys(signature):
            for candidate in self._buckets.get(key, ()):
                if candidate in seen:
                    continue
                seen.add(candidate)
                similarity = float(np.mean(self._signatures[candidate] == signature))
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

    def find(self, signature: np.ndarray) -> DuplicateMatch | None:
        return self.index.find(signature)


def _minhash(options) -> NearDuplicates:
    return NearDuplicates(options.near_duplicate_jaccard)
