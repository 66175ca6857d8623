"""Deduplicate: exact copies and near-duplicates (wire copies, light edits).

Exact copies share a fingerprint. Near-duplicates are found with MinHash over
word 4-grams and locality-sensitive hashing (16 bands of 4 rows); a candidate
counts when the estimated Jaccard similarity reaches the threshold. A
duplicate is linked to the original of the article it copies, so every
chain ends at one independent report.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

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

    def __init__(self, article_ids: list[str], signatures: np.ndarray, bands: int,
                 sorted_as: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.ids = list(article_ids)
        self.matrix = np.ascontiguousarray(signatures)
        self.rows = self.matrix.shape[1] // bands
        if sorted_as is not None:  # (order, hashes) as an earlier sort of the same rows left them (a saved file)
            self.order, self.hashes = sorted_as
            return
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


#: the layout of a file written by :meth:`DuplicateIndex.save`
_FILE_VERSION = 1


def _digest(article_ids: Sequence[str]) -> bytes:
    """sha256 of the ids in order and of each one's length (no two lists of ids give the same bytes to hash)."""
    lengths = np.fromiter(map(len, article_ids), dtype=np.int64, count=len(article_ids))
    return hashlib.sha256("".join(article_ids).encode("utf-8", "surrogatepass") + lengths.tobytes()).digest()


class DuplicateIndex:
    """In-memory LSH index of signatures of the originals seen so far."""

    #: a file once written is rewritten when the originals added since are at least this share of them all: an
    #: ingest of one article into a store of 100k does not rewrite 46 MB (it costs 0.7 CPU s at that size)
    REWRITE_SHARE = 0.01

    def __init__(self, threshold: float = 0.8, bands: int = 16) -> None:
        self.threshold = threshold
        self.bands = bands
        self._buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
        self._signatures: dict[str, np.ndarray] = {}
        self._sorted: list[_Sorted] = []  # originals added by add_many, before those in the buckets
        #: the originals are those of the file last saved or loaded (None: changed since, or never saved)
        self._file: Path | None = None
        self._written: Path | None = None  # the file last saved or loaded, stale or not

    def __len__(self) -> int:
        return len(self._signatures) + sum(len(part.ids) for part in self._sorted)

    def _keys(self, signature: np.ndarray) -> list[tuple[int, bytes]]:
        rows = len(signature) // self.bands
        return [(b, signature[b * rows : (b + 1) * rows].tobytes()) for b in range(self.bands)]

    def add(self, article_id: str, signature: np.ndarray) -> None:
        self._file = None
        self._signatures[article_id] = signature
        for key in self._keys(signature):
            self._buckets[key].append(article_id)

    def add_many(self, article_ids: list[str], signatures: np.ndarray) -> None:
        """:meth:`add` of each row of ``signatures`` in turn (a writer's start-up adds every stored original), kept
        sorted by band rather than bucketed: :meth:`find` gives the same answers. Only before any :meth:`add`,
        so that the originals are looked at in the order they came."""
        self._file = None
        if self._signatures:
            for article_id, signature in zip(article_ids, signatures):
                self.add(article_id, signature)
        elif article_ids:
            self._sorted.append(_Sorted(article_ids, signatures, self.bands))

    def save(self, path: Path) -> None:
        """Write the originals, sorted by band as :meth:`add_many` keeps them, to ``path`` (numpy arrays; written
        beside it and moved into place, so a kill mid-write leaves the old file). Not written when nothing was
        added since the file was last saved or loaded, nor while the originals added since are fewer than
        :attr:`REWRITE_SHARE` of them all (the file then stays as it was, and a start-up that finds it stale
        rebuilds the index from the store), nor when signatures of several widths were added (the
        file is then removed: it would be stale)."""
        path = Path(path)
        if self._file == path and path.exists():
            return
        if self._written == path and path.exists() and len(self._signatures) < self.REWRITE_SHARE * len(self):
            return  # a few additions do not pay for rewriting the whole file; a start-up finds it stale and rebuilds
        ids = [i for part in self._sorted for i in part.ids] + list(self._signatures)
        signatures = [part.matrix for part in self._sorted] + [s[None, :] for s in self._signatures.values()]
        if not ids or len({m.shape[1] for m in signatures}) != 1:
            path.unlink(missing_ok=True)
            return
        whole = (self._sorted[0] if len(self._sorted) == 1 and not self._signatures
                 else _Sorted(ids, np.vstack(signatures), self.bands))
        partial = path.with_name(path.name + ".partial")
        with open(partial, "wb") as out:
            np.savez(out, version=np.array([_FILE_VERSION]), bands=np.array([self.bands]), count=np.array([len(ids)]),
                     ids=np.frombuffer(_digest(ids), dtype=np.uint8), matrix=whole.matrix,
                     order=whole.order.astype(np.int32), hashes=whole.hashes)
        os.replace(partial, path)
        self._sorted, self._signatures, self._buckets = [whole], {}, defaultdict(list)  # as a load of the file
        self._file = self._written = path

    def load(self, path: Path, article_ids: Sequence[str]) -> bool:
        """Take the originals from a file :meth:`save` wrote, when it holds exactly ``article_ids`` (the stored
        originals with a signature, in the order they were added) and this index is empty; False (and nothing
        changed) when the file is missing, damaged, of another shape or stale."""
        path = Path(path)
        if len(self) or not article_ids or not path.exists():
            return False
        try:
            with np.load(path, allow_pickle=False) as saved:
                if int(saved["version"][0]) != _FILE_VERSION or int(saved["bands"][0]) != self.bands \
                        or int(saved["count"][0]) != len(article_ids) or saved["ids"].tobytes() != _digest(article_ids):
                    return False
                matrix, order, hashes = saved["matrix"], saved["order"].astype(np.int64), saved["hashes"]
        except (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile):
            return False  # not a file of ours, or cut short: rebuilt by the caller
        n = len(article_ids)
        if matrix.dtype != np.uint32 or matrix.ndim != 2 or matrix.shape[0] != n or matrix.shape[1] % self.bands \
                or order.shape != (n, self.bands) or hashes.shape != (n, self.bands) or hashes.dtype != np.uint64 \
                or order.min() < 0 or order.max() >= n or np.any(hashes[1:] < hashes[:-1]):
            return False
        self._sorted = [_Sorted(list(article_ids), matrix, self.bands, sorted_as=(order, hashes))]
        self._file = self._written = path
        return True

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

    def save(self, path: Path) -> None:
        self.index.save(path)

    def load(self, path: Path, article_ids: Sequence[str]) -> bool:
        return self.index.load(path, article_ids)

    def find(self, signature: np.ndarray) -> DuplicateMatch | None:
        return self.index.find(signature)


def _minhash(options) -> NearDuplicates:
    return NearDuplicates(options.near_duplicate_jaccard)
