"""``clusterer.online.v5``: v4 with a second pass whose work per batch is bounded by the batch, not by the memory.

v4 bounds the second pass to the events a batch touched *and their nearest events*; on a dense stream (a few
days of headlines, all inside one window) nearly every event in memory is one of the nearest of some touched
event, so v4's move step still scores almost every remembered report against its candidates, every batch. v5
moves only the reports of the events the batch touched (joined, started, split); the reports of the other
events were looked at by the pass of the batch that last touched them. A report of an untouched event that
would now fit a touched one better stays where it is unless the merge step joins the two events (merges are
still sought from every touched event to its nearest ones). Candidate events are the nearest centroids, picked
by a partial sort of one matrix-vector product instead of a full sort.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .features import EventState
from .online import OnlineClustererV4

__all__ = ["OnlineClustererV5"]


class OnlineClustererV5(OnlineClustererV4):
    """v4 whose second pass moves only the reports of the events the batch touched."""

    name = "clusterer.online.v5"

    def _movers(self, scope: Sequence[EventState], active: set[str], candidates: int) -> list[EventState]:
        """Only the events the batch touched (v4: those and their nearest events)."""
        return [e for e in scope if e.id in active]

    def _nearest(self, vector: np.ndarray, scope: Sequence[EventState], exclude: str, candidates: int,
                 centroids: np.ndarray | None = None) -> list[EventState]:
        """The ``candidates`` events of ``scope`` nearest to ``vector`` (ties: the earlier in scope first)."""
        centroids = np.array([e.unit() for e in scope]) if centroids is None else centroids
        cosines = centroids @ vector
        k = min(candidates + 1, len(scope))
        top = np.argpartition(-cosines, k - 1)[:k] if k < len(scope) else np.arange(len(scope))
        order = sorted(top.tolist(), key=lambda i: (-float(cosines[i]), i))
        return [scope[i] for i in order if scope[i].id != exclude][:candidates]
