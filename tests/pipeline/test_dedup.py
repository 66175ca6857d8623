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
