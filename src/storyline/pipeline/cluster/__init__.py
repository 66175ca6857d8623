"""The cluster stage: articles to events, online, in publication order.

:mod:`.features` holds what the models compare (an article's
:class:`ClusterItem`, an event's :class:`EventState`), :mod:`.scoring` the
scorers (logistic, a small network) and :mod:`.params` the bundled models;
:mod:`.online` the clusterer and its second pass (split, move, merge).
"""

from .features import (DETAIL_KINDS, FEATURES, FEATURES_V1, ClusterItem, EventState, Vocabulary, content_terms,
                       detail_features, detail_keys, term_weights)
from .online import OnlineClusterer, Refinement
from .params import ClusterModel, Params

__all__ = ["ClusterItem", "ClusterModel", "EventState", "OnlineClusterer", "Params", "Refinement", "Vocabulary",
           "FEATURES", "FEATURES_V1", "DETAIL_KINDS", "content_terms", "detail_features", "detail_keys", "term_weights"]
