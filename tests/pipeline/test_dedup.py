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


def _saved(tmp_path, rng) -> tuple[DuplicateIndex, list[str], np.ndarray, object]:
    """An index of 200 originals added at once and 5 one by one (one a copy of an earlier one), saved."""
    originals = _signatures(rng, 205)
    originals[150] = originals[7]  # a tie: the first added wins
    originals[203] = originals[9]  # a tie across the two ways of adding
    originals[60, 8:] = originals[61, 8:]  # shares 14 of 16 bands with another
    ids = [f"a{i}" for i in range(len(originals))]
    index = DuplicateIndex(threshold=0.5)
    index.add_many(ids[:200], originals[:200])
    for article_id, signature in zip(ids[200:], originals[200:]):
        index.add(article_id, signature)
    path = tmp_path / "x.faiss.dedup"
    index.save(path)
    return index, ids, originals, path


def test_a_saved_index_loads_as_the_index_rebuilt_from_its_originals(tmp_path):
    rng = np.random.default_rng(8)
    saved, ids, originals, path = _saved(tmp_path, rng)
    loaded, rebuilt = DuplicateIndex(threshold=0.5), DuplicateIndex(threshold=0.5)
    rebuilt.add_many(ids, originals)

    assert loaded.load(path, ids)

    queries = [originals[i].copy() for i in (7, 9, 60, 61, 120, 202, 204)] + [_signatures(rng, 1)[0]]
    queries[3][:4] += 1  # an edit in the first band only
    found = [loaded.find(q) for q in queries]
    assert found == [rebuilt.find(q) for q in queries] == [saved.find(q) for q in queries]
    assert [m and m.original_id for m in found] == ["a7", "a9", "a60", "a61", "a120", "a202", "a204", None]
    assert len(loaded) == 205
    later = _signatures(rng, 1)[0]
    loaded.add("new", later)  # a loaded index goes on taking originals
    assert loaded.find(later).original_id == "new"


def test_a_saved_index_of_other_originals_or_damaged_is_never_loaded(tmp_path):
    rng = np.random.default_rng(9)
    _, ids, _, path = _saved(tmp_path, rng)
    stale = [ids[:-1], ids + ["a-new"], ids[1:] + ids[:1], ids[:100] + ["b100"] + ids[101:]]
    for other in stale:
        index = DuplicateIndex(threshold=0.5)
        assert not index.load(path, other) and len(index) == 0
    assert not DuplicateIndex(threshold=0.5, bands=8).load(path, ids)  # another banding
    with np.load(path) as saved:
        arrays = {k: saved[k] for k in saved.files}
    arrays["hashes"] = arrays["hashes"][::-1].copy()  # rows out of order: a search would miss
    tampered = tmp_path / "tampered.dedup"
    with open(tampered, "wb") as out:
        np.savez(out, **arrays)
    assert not DuplicateIndex(threshold=0.5).load(tampered, ids)
    cut = tmp_path / "cut.dedup"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    garbage = tmp_path / "garbage.dedup"
    garbage.write_bytes(b"not numpy at all" * 100)
    for damaged in (cut, garbage, tmp_path / "missing.dedup"):
        index = DuplicateIndex(threshold=0.5)
        assert not index.load(damaged, ids) and len(index) == 0
    assert DuplicateIndex(threshold=0.5).load(path, ids)  # the file itself still loads


def test_a_saved_file_is_rewritten_only_once_the_additions_are_a_share_of_the_whole(tmp_path):
    rng = np.random.default_rng(10)
    index, ids, _, path = _saved(tmp_path, rng)  # 205 originals: 1% is 2.05
    written = path.read_bytes()
    more = _signatures(rng, 3)
    index.add("b0", more[0])
    index.add("b1", more[1])
    index.save(path)
    assert path.read_bytes() == written  # two of 207: the file stays as it was (stale)
    assert not DuplicateIndex(threshold=0.5).load(path, ids + ["b0", "b1"])  # and a start-up will not trust it
    assert index.find(more[1]).original_id == "b1"  # the index in memory has them all
    index.add("b2", more[2])
    index.save(path)  # three of 208: written
    reloaded = DuplicateIndex(threshold=0.5)
    assert reloaded.load(path, ids + ["b0", "b1", "b2"])
    assert reloaded.find(more[0]).original_id == "b0"
