"""Sentence vectors for the summary and timeline stages: TF-IDF over content words, cosine similarity.

Both stages compare sentences of one event or one collection with each other
(centrality, redundancy, near-duplicates to cite); sparse TF-IDF vectors as
dicts are exact for that, need no model, and cost linear time in the words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable, Mapping, Sequence

from ..model import Article
from .normalise import segment

__all__ = ["STOP_WORDS", "content_words", "dateline_end", "is_prose", "Vectoriser", "near_duplicates", "sentence_spans", "NEAR_DUPLICATE"]

#: a sentence this similar (cosine) to another states the same (it is cited with it)
NEAR_DUPLICATE = 0.6

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as spacy_stop_words

    return frozenset(spacy_stop_words) | {"said", "says", "s", "mr", "mrs", "ms"}


STOP_WORDS = _stop_words()


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` that are not stop words (digits kept: numbers are facts)."""
    return [w for w in (m.group(0).lower().replace("’", "'") for m in _WORD.finditer(text)) if w not in STOP_WORDS]


#: "WASHINGTON (Reuters) - ", "Tue Apr 21, 2009 10:19 pm BST ": the dateline before a report's first words
_DATELINE = re.compile(
    r"^.{0,300}?(?:\((?:Reuters|AP|AFP|CNN|UPI|Bloomberg|dpa|PA)\)\s*[-–—:]+|"
    r"\b\d{1,2}[.:]\d{2}\s*(?:[ap]\.?m\.?\s*)?(?:BST|GMT|EDT|EST|CET|CEST|UTC|ET|PT)\b)\s*",
    re.S,
)
_WORDS_ONLY = re.compile(r"[A-Za-z]{2,}")


def dateline_end(sentence: str) -> int:
    """Where a sentence's own words start after a leading dateline or byline (0 when it has none)."""
    m = _DATELINE.match(sentence[:400])
    return m.end() if m and m.end() < len(sentence) else 0


def is_prose(sentence: str) -> bool:
    """Whether a sentence reads as prose: mostly words, not a comment signature, a list of links or a caption."""
    words = sentence.split()
    if len(words) < 3 or "wrote:" in sentence or "http" in sentence or "@" in sentence:
        return False
    return len(_WORDS_ONLY.findall(sentence)) >= 0.6 * len(words)


Vector = Mapping[str, float]


class Vectoriser:
    """TF-IDF vectors whose inverse document frequencies come from a collection of sentences."""

    def __init__(self, collection: Iterable[str]) -> None:
        df: Counter = Counter()
        n = 0
        for text in collection:
            n += 1
            df.update(set(content_words(text)))
        self.n = n
        self.idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
        self.unknown = math.log(1 + n) + 1

    def vector(self, text: str) -> dict[str, float]:
        counts = Counter(content_words(text))
        v = {w: (1 + math.log(c)) * self.idf.get(w, self.unknown) for w, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values()))
        return {w: x / norm for w, x in v.items()} if norm else {}

    @staticmethod
    def cosine(a: Vector, b: Vector) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(x * b.get(w, 0.0) for w, x in a.items())

    @staticmethod
    def centroid(vectors: Sequence[Vector]) -> dict[str, float]:
        total: dict[str, float] = {}
        for v in vectors:
            for w, x in v.items():
                total[w] = total.get(w, 0.0) + x
        norm = math.sqrt(sum(x * x for x in total.values()))
        return {w: x / norm for w, x in total.items()} if norm else {}


def near_duplicates(vector: Vector, others: Sequence[Vector], threshold: float = NEAR_DUPLICATE) -> list[int]:
    """Indices of the vectors at least ``threshold`` similar to ``vector``."""
    return [i for i, other in enumerate(others) if Vectoriser.cosine(vector, other) >= threshold]


def sentence_spans(article: Article) -> list[tuple[int, int]]:
    """The (start, end) spans of the article's sentences in reading order (segmented now when it has none)."""
    segments = article.segments or tuple(segment(article.text))
    return [(s.start, s.end) for s in segments if s.kind == "sentence"]
