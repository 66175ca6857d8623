"""The vector index: time-window id ranges, and the file as a cache that is rebuilt when stale."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from storyline.store.vectors import FaissIndex as VectorIndex, day_range, vector_id

DAY = dt.date(2023, 3, 6)


def unit(i, dim=4):
    v = np.zeros(dim, dtype=np.float32)
    v[i % dim] = 1.0
    return v


def rows(days):
    """(key, vector id, vector) for articles with rowid 1.. on the given day offsets; all vectors equal."""
    return [(f"k{n}", vector_id(DAY + dt.timedelta(days=d), n), unit(0)) for n, d in enumerate(days, start=1)]


def index_of(data, dim=4):
    index = VectorIndex(dim)
    index.add([vid for _, vid, _ in data], [key for key, _, _ in data], np.vstack([v for _, _, v in data]))
    return index


def test_vector_id_puts_the_day_in_the_high_bits():
    assert vector_id(DAY, 5) & 0xFFFFFFFF == 5
    assert vector_id(DAY + dt.timedelta(days=1), 5) - vector_id(DAY, 5) == 1 << 32
    assert vector_id(None, 5) == 5
    assert vector_id(dt.date(1700, 1, 1), 5) == 5


def test_day_range_includes_exactly_the_window():
    lo, hi = day_range(DAY, 7)
    inside = [vector_id(DAY + dt.timedelta(days=d), 99) for d in (-7, 0, 7)]
    outside = [vector_id(DAY + dt.timedelta(days=d), 1) for d in (-8, 8)] + [vector_id(None, 1)]
    assert all(lo <= v < hi for v in inside)
    assert not any(lo <= v < hi for v in outside)


def test_search_in_a_time_window_excludes_out_of_window_vectors():
    index = index_of(rows([-30, -7, 0, 3, 8, 400]))

    found = index.search(unit(0), 10, day_range(DAY, 7))

    assert sorted(key for key, _ in found) == ["k2", "k3", "k4"]
    assert all(score == 1.0 for _, score in found)


def test_search_without_a_window_returns_the_nearest_first():
    data = [("far", vector_id(DAY, 1), unit(1)), ("near", vector_id(DAY, 2), (unit(0) + 0.1 * unit(1)) / np.float32(1.005))]
    assert [key for key, _ in index_of(data).search(unit(0), 5)] == ["near", "far"]


def test_search_of_an_empty_index_is_empty():
    assert VectorIndex(4).search(unit(0), 5, day_range(DAY, 7)) == []


def test_index_file_is_loaded_when_it_matches(tmp_path):
    data = rows([0, 1])
    index_of(data).save(tmp_path / "x.faiss")

    loaded = VectorIndex.load_or_build(tmp_path / "x.faiss", 4, data, len(data))

    assert len(loaded) == 2
    assert sorted(k for k, _ in loaded.search(unit(0), 5)) == ["k1", "k2"]


def test_a_matching_index_file_loads_from_the_keys_without_reading_a_vector(tmp_path):
    data = rows([0, 1])
    index_of(data).save(tmp_path / "x.faiss")
    read = []

    def vectors():
        for row in data:
            read.append(row[0])
            yield row

    loaded = VectorIndex.load_or_build(tmp_path / "x.faiss", 4, vectors(), len(data), keys=[(k, vid) for k, vid, _ in data])

    assert read == []
    assert sorted(k for k, _ in loaded.search(unit(0), 5)) == ["k1", "k2"]


def test_a_stale_index_file_given_keys_is_rebuilt_from_the_vectors(tmp_path):
    index_of(rows([0])).save(tmp_path / "x.faiss")
    data = rows([0, 1])

    loaded = VectorIndex.load_or_build(tmp_path / "x.faiss", 4, iter(data), len(data), keys=[(k, vid) for k, vid, _ in data])

    assert sorted(k for k, _ in loaded.search(unit(0), 5)) == ["k1", "k2"]


def test_stale_index_file_with_fewer_vectors_is_rebuilt(tmp_path):
    data = rows([0, 1, 2])
    index_of(data[:2]).save(tmp_path / "x.faiss")

    loaded = VectorIndex.load_or_build(tmp_path / "x.faiss", 4, data, len(data))

    assert sorted(k for k, _ in loaded.search(unit(0), 5)) == ["k1", "k2", "k3"]


def test_stale_index_file_with_the_same_count_but_other_vectors_is_rebuilt(tmp_path):
    # e.g. the database was deleted and refilled, leaving the old cache beside it
    old = [("old1", vector_id(DAY, 1), unit(1)), ("old2", vector_id(DAY, 2), unit(1))]
    index_of(old).save(tmp_path / "x.faiss")
    new = rows([40, 41])

    loaded = VectorIndex.load_or_build(tmp_path / "x.faiss", 4, new, len(new))

    found = loaded.search(unit(0), 5, day_range(DAY + dt.timedelta(days=40), 1))
    assert sorted(k for k, _ in found) == ["k1", "k2"]
    assert all(score == 1.0 for _, score in found)


def test_index_file_of_another_dimension_is_rebuilt(tmp_path):
    index_of(rows([0]), dim=4).save(tmp_path / "x.faiss")
    wide = [("k1", vector_id(DAY, 1), unit(0, dim=8))]

    rebuilt = VectorIndex.load_or_build(tmp_path / "x.faiss", 8, wide, 1)

    assert rebuilt.index.d == 8
    assert [k for k, _ in rebuilt.search(unit(0, dim=8), 5)] == ["k1"]


def test_damaged_index_file_is_rebuilt(tmp_path):
    (tmp_path / "bad.faiss").write_bytes(b"\x00garbage" * 10)

    rebuilt = VectorIndex.load_or_build(tmp_path / "bad.faiss", 4, rows([0]), 1)

    assert [k for k, _ in rebuilt.search(unit(0), 5)] == ["k1"]


@pytest.mark.parametrize("gather_cost", [0, 50])
def test_window_search_gives_the_neighbours_and_scores_of_a_scan_of_every_vector(monkeypatch, tmp_path, gather_cost):
    import faiss
    from storyline.store import vectors

    monkeypatch.setattr(vectors, "_GATHER_COST", gather_cost)  # 0: always gather the window's days
    rng = np.random.default_rng(11)
    index = VectorIndex(16)
    days = [dt.date(2021, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 60, 3000)]
    stored = rng.normal(size=(3000, 16)).astype(np.float32)
    stored[7] = stored[3]  # equal scores: the earlier added comes first, as in the scan
    for start in range(0, 3000, 250):  # out of date order
        index.add([vector_id(days[i], i + 1) for i in range(start, start + 250)], [f"a{i}" for i in range(start, start + 250)],
                  stored[start : start + 250])
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load_or_build(tmp_path / "v.faiss", 16, [(f"a{i}", vector_id(days[i], i + 1), stored[i]) for i in range(3000)], 3000)
    for n in range(60):
        query = stored[3] if n == 0 else rng.normal(size=16).astype(np.float32)
        lo, hi = day_range(days[n], n % 7)
        selector = faiss.SearchParameters(sel=faiss.IDSelectorRange(lo, hi))
        scores, ids = index.index.search(query.reshape(1, -1), 10, params=selector)
        scan = [(index.keys[int(i)], float(s)) for s, i in zip(scores[0], ids[0]) if i != -1]
        assert index.search(query, 10, (lo, hi)) == scan == loaded.search(query, 10, (lo, hi))
    assert index.search(stored[3], 2, day_range(days[3], 0))[0][0] == "a3"
    assert index.search(stored[0], 5, (vector_id(dt.date(1990, 1, 1), 0), vector_id(dt.date(1990, 1, 2), 0))) == []


def test_an_undated_article_is_compared_with_the_clusterers_memory_with_the_scores_of_the_whole_index():
    from types import SimpleNamespace

    from storyline.engine.ingest import neighbours

    rng = np.random.default_rng(3)
    index = VectorIndex(4)
    dates = {"old": dt.date(2024, 3, 1), "recent": dt.date(2024, 4, 29), "now": dt.date(2024, 5, 1), "undated": None}
    items = {}
    for n, (key, date) in enumerate(dates.items(), start=1):
        vector = rng.normal(size=4).astype(np.float32)
        index.add([vector_id(date, n)], [key], vector.reshape(1, -1))
        items[key] = SimpleNamespace(key=key, vector=vector, date=date)
    options = SimpleNamespace(event_candidates=10, event_window_days=7)
    item = SimpleNamespace(date=None, vector=rng.normal(size=4).astype(np.float32))
    whole = index.search(item.vector, 10)
    # remembering every stored article, it finds what the search of every vector finds, score for score
    assert neighbours(index, item, options, SimpleNamespace(items=items)) == whole
    memory = SimpleNamespace(items={k: items[k] for k in ("recent", "undated")})
    found = neighbours(index, item, options, memory)
    assert {k for k, _ in found} == {"recent", "undated"} and all(dict(whole)[k] == s for k, s in found)
    assert neighbours(index, item, options, SimpleNamespace(items={})) == whole  # no memory: every vector


def test_many_vectors_added_at_once_are_filed_by_day_as_when_added_one_by_one():
    rng = np.random.default_rng(12)
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 40, size=700)]
    ids = [vector_id(day, n) for n, day in enumerate(days, start=1)]
    keys = [f"a{n}" for n in range(len(ids))]
    vectors = rng.standard_normal((len(ids), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    at_once, one_by_one = VectorIndex(8), VectorIndex(8)
    at_once.add(ids[:20], keys[:20], vectors[:20])  # a few first, then many: positions continue
    at_once.add(ids[20:], keys[20:], vectors[20:])
    for i in range(len(ids)):
        one_by_one.add([ids[i]], [keys[i]], vectors[i : i + 1])

    assert at_once._days == one_by_one._days
    query = vectors[5] + 0.1 * vectors[9]
    window = day_range(dt.date(2023, 1, 20), 3)
    assert at_once.search(query, 10, window) == one_by_one.search(query, 10, window)


def test_a_kept_memory_index_finds_what_gathering_the_memory_finds_as_the_memory_slides():
    from types import SimpleNamespace

    from storyline.store.vectors import MemoryIndex, search_among

    rng = np.random.default_rng(21)
    pool = [SimpleNamespace(key=f"k{n}", vector=rng.normal(size=6).astype(np.float32)) for n in range(120)]
    pool[7].vector = pool[3].vector.copy()  # a tie: the earlier position comes first in both
    memory, kept = [], MemoryIndex(6)
    steps = [("add", 30), ("add", 5), ("drop", 4), ("add", 20), ("drop", 40), ("add", 50), ("drop", 61), ("add", 10)]
    for what, n in steps:
        if what == "add":
            start = max((pool.index(i) for i in memory), default=-1) + 1
            memory = memory + pool[start : start + n]
        else:
            memory = memory[n:]
        for query in (rng.normal(size=6).astype(np.float32), pool[3].vector):
            expected = search_among(query, 8, [i.key for i in memory], [i.vector for i in memory])
            assert kept.search(query, 8, memory) == expected
    memory = [memory[1], memory[0]] + memory[2:]  # reordered (a restored memory): made again, still right
    query = rng.normal(size=6).astype(np.float32)
    assert kept.search(query, 8, memory) == search_among(query, 8, [i.key for i in memory], [i.vector for i in memory])
    replaced = [SimpleNamespace(key=memory[0].key, vector=-memory[0].vector)] + memory[1:]  # the same key, a new item
    assert kept.search(query, 8, replaced) == search_among(query, 8, [i.key for i in replaced], [i.vector for i in replaced])
    assert kept.search(query, 8, []) == []
