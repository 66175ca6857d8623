"""The second pass made cheaper: the same decisions for v3 and v4, fewer features, and v5's bounded move step."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import numpy as np
import pytest

from storyline import registry
from storyline.engine.ingest import stream_events
from storyline.model import Decision
from storyline.pipeline.cluster import DETAIL_KINDS, FEATURES, ClusterItem, EventState
from storyline.pipeline.cluster.features import _jaccard, core_details, detail_features
from storyline.pipeline.cluster.online import OnlineClustererV3, OnlineClustererV4
from storyline.pipeline.cluster.online_v5 import OnlineClustererV5
from storyline.settings import Options

DAY = dt.date(2021, 6, 1)
OPTIONS = Options({"event_memory": 400, "batch_size": 16, "event_candidates": 12})


def dense_stream(n: int = 200, topics: int = 40, seed: int = 1) -> tuple[list[ClusterItem], list[str]]:
    """Items of ``topics`` events over three days, in date order, with their gold topics.

    Neighbouring topics share a direction, a place and words, so the first pass joins some reports wrongly and
    the second pass has splits, moves and merges to make."""
    rng = random.Random(seed)
    gen = np.random.default_rng(seed)
    dim = 24
    bases = gen.normal(size=(topics, dim))
    for t in range(1, topics, 2):  # every odd topic leans on the even one before it
        bases[t] = 0.6 * bases[t - 1] + 0.8 * bases[t]
    words = [f"w{i}" for i in range(150)]
    rows = []
    for k in range(n):
        t = rng.randrange(topics)
        vector = bases[t] + gen.normal(scale=0.55, size=dim)
        vector = (vector / np.linalg.norm(vector)).astype(np.float32)
        place = f"place{t // 2}"
        person = f"p:person{t if rng.random() < 0.8 else rng.randrange(topics)}"
        own = [words[(5 * t + j) % len(words)] for j in range(6)]
        terms = {w: 1.0 + rng.random() for w in rng.sample(own, 4) + rng.sample(words, 2)}
        date = DAY + dt.timedelta(days=min(2, t % 3 + rng.randint(0, 1)))
        details = frozenset({person, "g:" + place} | ({f"n:{t}"} if rng.random() < 0.5 else set()))
        rows.append((date, k, ClusterItem(f"a{k:04d}", date, vector, frozenset({place, person[2:]}),
                                          frozenset(rng.sample(own, 2)), terms, details), str(t)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows], [r[3] for r in rows]


class Recording:
    """Mixin: every decision of the second pass, in order."""

    def refine(self, candidates: int = 3):
        out = super().refine(candidates)
        self.log = getattr(self, "log", []) + [(d.action, d.subject_id, d.target_id, d.score) for d in out.decisions]
        return out


def _reference_move(self, scope, candidates, out, movers=None) -> None:
    """The move step as it was written before (own score first, the centroid matrix rebuilt after a move)."""
    live, centroids = None, None
    for event in list(scope if movers is None else movers):
        for item in self._originals(event):
            own = self.events[self.event_of[item.key]]
            if own.size < 2:
                continue
            p_own, _ = self._item_score(item, self._without(own, item))
            if live is None:
                live = [self.events[e.id] for e in scope if e.id in self.events]
                centroids = np.array([e.unit() for e in live])
            best = None
            for other in self._nearest(item.vector, live, own.id, candidates, centroids):
                if other.gap_days(item.date) > self.window_days:
                    continue
                p, feats = self._item_score(item, other)
                if p >= self.threshold and p > p_own and (best is None or p > best[0]):
                    best = (p, other, feats)
            if best is None:
                continue
            p, other, feats = best
            moving = [item.key] + [d for d, o in self.duplicate_of.items() if o == item.key and d in own.members]
            self._rebuild(own.id, [k for k in own.members if k not in moving], own.story_id)
            self._rebuild(other.id, other.members + moving, other.story_id)
            live, centroids = None, None
            out.changed.update({own.id, other.id})
            out.decisions.append(Decision(item.key, other.id, "move", p, self.threshold, feats, f"{p_own}"))


class Counted:
    """Mixin: counts the features it computes."""

    computed = 0

    def features(self, item, event, cos_max):
        self.computed += 1
        return super().features(item, event, cos_max)


def _pair(base):
    now = type("Now", (Counted, Recording, base), {})
    before = type("Before", (Counted, Recording, base), {"_move": _reference_move})
    return [cls.from_options(OPTIONS) for cls in (now, before)]


@pytest.mark.parametrize("base", [OnlineClustererV3, OnlineClustererV4])
def test_the_move_step_makes_the_decisions_it_made_before_with_fewer_features(base):
    items, _gold = dense_stream()
    now, before = _pair(base)

    events = [stream_events(c, items, OPTIONS) for c in (now, before)]

    assert now.log == before.log and events[0] == events[1]
    assert {"split", "move", "merge"} <= {d[0] for d in before.log}  # the stream exercises every step
    assert now.computed < 0.9 * before.computed  # the own score only where a candidate could win


class Watched(Counted):
    """Mixin: the reports each pass moved, and whether their event before the pass was one the batch touched."""

    def refine(self, candidates: int = 3):
        before, touched = dict(self.event_of), set(self._touched)
        out = super().refine(candidates)
        self.moves = getattr(self, "moves", []) + [before[d.subject_id] in touched for d in out.decisions
                                                   if d.action == "move"]
        return out


def _watched(base):
    return type("Watched", (Watched, base), {}).from_options(OPTIONS)


def test_v5_moves_only_reports_of_the_events_the_batch_touched_and_computes_fewer_features_than_v4():
    items, gold = dense_stream()
    v4, v5 = _watched(OnlineClustererV4), _watched(OnlineClustererV5)
    events = {c.name: stream_events(c, items, OPTIONS) for c in (v4, v5)}

    assert v5.moves and all(v5.moves)
    assert not all(v4.moves)  # v4 also moves reports of the touched events' neighbours
    assert v5.computed < v4.computed
    assert len(set(events["clusterer.online.v5"])) < len(items)  # it still clusters


def test_v5_is_registered_as_v4_with_the_v3_models_and_v3_stays_the_default():
    clusterer = registry.create("clusterer.online.v5", OPTIONS)
    assert isinstance(clusterer, OnlineClustererV5) and clusterer.name == "clusterer.online.v5"
    assert clusterer.batched_idf and clusterer.bounded_refine and clusterer.memory == 400
    assert registry.fingerprint("clusterer.online.v5")["params"] == registry.fingerprint("clusterer.online.v3")["params"]


def test_v5_picks_the_nearest_centroids_as_a_full_sort_would_ties_to_the_earlier():
    clusterer = registry.create("clusterer.online.v5", OPTIONS)
    gen = np.random.default_rng(0)
    scope = []
    for n in range(40):
        event = EventState(f"E{n + 1}", np.zeros(6))
        vector = gen.normal(size=6) if n != 7 else scope[3].vector_sum.copy()  # E8 ties with E4
        event.vector_sum, event.size = vector, 1
        scope.append(event)
    for probe in [gen.normal(size=6) for _ in range(20)] + [scope[3].unit()]:
        cosines = np.array([e.unit() for e in scope]) @ probe
        full = sorted(range(len(scope)), key=lambda i: (-float(cosines[i]), i))
        expected = [scope[i].id for i in full if scope[i].id != "E2"][:3]
        assert [e.id for e in clusterer._nearest(probe, scope, "E2", 3)] == expected


def _detail_features_before(item, event, core):
    """The detail features as they were computed before (one scan of the article's details per kind)."""
    out = {}
    for kind, prefix in DETAIL_KINDS.items():
        mine = [k for k in item if k[0] == prefix]
        shared = sum(1 for k in mine if k in core)
        out[f"{kind}_match"] = shared / len(mine) if mine else 0.0
        named = any(k[0] == prefix for k in core)
        out[f"{kind}_conflict"] = 1.0 if mine and named and not shared else 0.0
    return out


def test_detail_features_and_title_overlap_are_the_very_values_and_key_order_of_the_former_formulas():
    rng = random.Random(5)
    keys = [f"{p}:{w}" for p in "pgyn" for w in ("a", "b", "c", "d", "e")]
    words = ["flood", "river", "homes", "court", "vote", "storm"]
    for _ in range(300):
        item = frozenset(rng.sample(keys, rng.randint(0, 6)))
        event = Counter({k: rng.randint(1, 4) for k in rng.sample(keys, rng.randint(0, 8))})
        core = core_details(event)
        got = detail_features(item, event, core)
        assert list(got.items()) == list(_detail_features_before(item, event, core).items())
        assert list(got) == [f for f in FEATURES if f[0] in "pyng" and f.endswith(("_match", "_conflict"))]
        title = frozenset(rng.sample(words, rng.randint(0, 4)))
        counts = Counter({w: rng.randint(1, 3) for w in rng.sample(words, rng.randint(0, 4))})
        plain = len(title & set(counts)) / len(title | set(counts)) if title and counts else 0.0
        assert _jaccard(title, counts) == plain == _jaccard(title, set(counts))


def _former_bisect(prob: np.ndarray, n: int) -> list[list[int]]:
    """The split's agglomeration as it was: every link computed again at every step."""
    groups = [[i] for i in range(n)]
    while len(groups) > 2:
        best, pair = -1.0, (0, 1)
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                link = float(prob[np.ix_(groups[a], groups[b])].mean())
                if link > best:
                    best, pair = link, (a, b)
        a, b = pair
        groups[a] = groups[a] + groups[b]
        del groups[b]
    return groups


@pytest.mark.parametrize("seed", range(40))
def test_the_split_bisects_into_the_groups_the_former_agglomeration_made(seed):
    from storyline.pipeline.cluster.bisection import bisect

    gen = np.random.default_rng(seed)
    n = int(gen.integers(2, 61))
    prob = gen.random((n, n))
    if seed % 3 == 0:  # few distinct values: many ties between links
        prob = np.round(prob * 4) / 4
    prob = (prob + prob.T) / 2
    assert bisect(prob, n) == _former_bisect(prob, n)
