"""Deduplicate: MinHash signatures and the LSH index of originals."""

from __future__ import annotations

import numpy as np

from storyline.pipeline.dedup import DuplicateIndex, MinHasher

STORY = (
    "A magnitude 6.8 earthquake struck the High Atlas mountains late on Friday night, killing more than two "
    "thousand people and flattening villages of mud brick houses south of Marrakech. Rescue teams worked "
    "through the weekend to reach remote valleys cut off by landslides, while survivors slept in the open "
    "for fear of aftershocks. The government declared three days of national mourning."
)
WIRE_COPY = "(Coastal Wire) " + STORY.replace(" The government declared three days of national mourning.", "")
OTHER = (
    "The central bank raised its deposit rate by a quarter of a percentage point on Thursday, the ninth "
    "increase in a row, and said future decisions would depend on incoming data about inflation and wages "
    "across the nineteen member countries of the currency area."
)


def test_signature_is_deterministic_across_instances():
    first, second = MinHasher().signature(STORY), MinHasher().signature(STORY)
    assert first.dtype == np.uint32 and first.shape == (64,)
    assert np.array_equal(first, second)


def test_signature_ignores_case_and_punctuation():
    assert np.array_equal(MinHasher().signature(STORY), MinHasher().signature(STORY.upper().replace(",", "")))


def test_text_with_too_few_word_ngrams_has_no_signature():
    assert MinHasher().signature("Only seven words in this short text.") is None  # 4 shingles
    assert MinHasher().signature("one two three four five six seven eight nine ten eleven") is not None  # 8 shingles


def test_light_edit_is_found_as_near_duplicate_of_the_original():
    hasher, index = MinHasher(), DuplicateIndex(threshold=0.8)
    index.add("orig", hasher.signature(STORY))
    index.add("other", hasher.signature(OTHER))

    match = index.find(hasher.signature(WIRE_COPY))

    assert match is not None and match.original_id == "orig"
    assert 0.8 <= match.similarity < 1.0


def test_unrelated_text_is_not_a_duplicate():
    hasher, index = MinHasher(), DuplicateIndex(threshold=0.8)
    index.add("orig", hasher.signature(STORY))
    assert index.find(hasher.signature(OTHER)) is None


def test_similarity_below_the_threshold_is_not_a_match():
    hasher, index = MinHasher(), DuplicateIndex(threshold=0.99)
    index.add("orig", hasher.signature(STORY))
    assert index.find(hasher.signature(WIRE_COPY)) is None


def test_the_most_similar_original_wins():
    hasher, index = MinHasher(), DuplicateIndex(threshold=0.5)
    index.add("copy", hasher.signature(WIRE_COPY))
    index.add("exact", hasher.signature(STORY))

    match = index.find(hasher.signature(STORY))

    assert (match.original_id, match.similarity) == ("exact", 1.0)
    assert len(index) == 2


def test_signature_is_the_minimum_of_each_hash_over_all_shingles():
    hasher = MinHasher()
    text = " ".join(f"w{i}" for i in range(20_000))  # far more shingles than one chunk
    prime, mask = (1 << 61) - 1, 0xFFFFFFFF
    shingles = [int(x) for x in hasher.shingles(text)]

    expected = [min(((int(a) * x + int(b)) % prime) & mask for x in shingles) for a, b in zip(hasher._a, hasher._b)]

    assert hasher.signature(text).tolist() == expected


def _signatures(rng, n: int) -> np.ndarray:
    return rng.integers(0, 2**32, size=(n, 64), dtype=np.uint64).astype(np.uint32)


def test_originals_added_at_once_are_found_as_when_added_one_by_one():
    rng = np.random.default_rng(5)
    originals = _signatures(rng, 300)
    originals[10] = originals[3]  # a tie: the first added wins in both
    originals[20, 8:] = originals[4, 8:]  # shares 14 of 16 bands with another
    ids = [f"a{i}" for i in range(len(originals))]
    one_by_one, at_once = DuplicateIndex(threshold=0.5), DuplicateIndex(threshold=0.5)
    for article_id, signature in zip(ids, originals):
        one_by_one.add(article_id, signature)
    at_once.add_many(ids, originals)
    later = _signatures(rng, 1)[0]
    one_by_one.add("new", later)
    at_once.add("new", later)
    queries = [originals[i].copy() for i in (3, 4, 20, 150)] + [later.copy(), _signatures(rng, 1)[0]]
    queries[1][:4] += 1  # an edit in the first band only

    assert [at_once.find(q) for q in queries] == [one_by_one.find(q) for q in queries]
    assert [m and m.original_id for m in (at_once.find(q) for q in queries)] == ["a3", "a4", "a20", "a150", "new", None]
    assert len(at_once) == len(one_by_one) == 301


def test_adding_many_after_one_by_one_keeps_the_order_of_arrival():
    rng = np.random.default_rng(6)
    first, more = _signatures(rng, 1), _signatures(rng, 2)
    more[0] = first[0]
    index = DuplicateIndex()
    index.add("first", first[0])

    index.add_many(["copy", "other"], more)

    assert index.find(first[0]).original_id == "first"
    assert index.find(more[1]).original_id == "other"
