"""The cluster stage: articles to events, online, in publication order.

:mod:`.features` holds what the models compare (an article's
:class:`ClusterItem`, an event's :class:`EventState`), :mod:`.scoring` the
scorers (logistic, a small network) and :mod:`.params` the bundled models;
:mod:`.online` the clusterer and its second pass (split, move, merge), :mod:`.online_v5` the v5 whose
second pass moves only the reports of the events a batch touched.
"""

from typing import Iterable, Protocol, Sequence

from ...model import Decision
from .features import (DETAIL_KINDS, FEATURES, FEATURES_V1, ClusterItem, EventState, Vocabulary, content_terms,
                       detail_features, detail_keys, term_weights)
from .online import OnlineClusterer, Refinement
from .params import ClusterModel, Params

__all__ = ["Clusterer", "ClusterItem", "ClusterModel", "EventState", "OnlineClusterer", "Params", "Refinement", "Vocabulary",
           "FEATURES", "FEATURES_V1", "DETAIL_KINDS", "content_terms", "detail_features", "detail_keys", "term_weights"]


class Clusterer(Protocol):
    """Assigns analysed articles to events, online; the engine persists ``events`` and restores them."""

    name: str
    events: dict[str, EventState]
    event_of: dict[str, str]
    entity_vocab: Vocabulary
    term_vocab: Vocabulary

    @property
    def next_number(self) -> int: ...
    def assign(self, item: ClusterItem, neighbours: Sequence[tuple[str, float]]) -> Decision: ...
    def add_duplicate(self, key: str, original_key: str, similarity: float) -> Decision: ...
    def note_report(self, key: str, source: str, event_dates: Iterable[str]) -> None: ...
    def refine(self) -> Refinement: ...
    def restore(self, events: Iterable[EventState], next_number: int, entity_vocab: Vocabulary, term_vocab: Vocabulary) -> None: ...
