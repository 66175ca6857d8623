"""Compare (units): each report's claims split once per process, whatever event compares it, and however often.

A claim unit, its span and its slots (counts, quantities, dates, actors, negation, content words, entities) are
properties of one article with its mentions: they do not depend on the event or on the other reports. Only the
upstream a claim relays does (the event's relays), and a claim keeps the outlet its own sentence cites. An
:class:`ArticleClaims` remembers each article's claims under the comparer's rules, and hands out the same claims
for the same article and mentions (equal values; the store hands out the same objects), with the event's upstream
set on the claims that cite none. The articles used longest ago are forgotten past ``limit``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Sequence

from ...model import Article, Mention
from .claims import Claim, split_claims

__all__ = ["ArticleClaims"]


class ArticleClaims:
    """Each article's claims under one set of rules (see the module's docstring)."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = max(0, int(limit))
        self.hits = self.misses = 0
        self._kept: OrderedDict[tuple[str, int], tuple[Article, Sequence[Mention], list[Claim]]] = OrderedDict()

    def of(self, article: Article, mentions: Sequence[Mention], upstream: str | None, rules: int) -> list[Claim]:
        """``split_claims(article, mentions, upstream, rules)``, split once while remembered."""
        key = (article.id, rules)
        kept = self._kept.get(key)
        if kept is not None and (kept[0] is article or kept[0] == article) and (
                kept[1] is mentions or tuple(kept[1]) == tuple(mentions)):
            self.hits += 1
            self._kept.move_to_end(key)
            claims = kept[2]
        else:
            self.misses += 1
            claims = split_claims(article, mentions, None, rules)
            if self.limit:
                self._kept[key] = (article, mentions, claims)
                self._kept.move_to_end(key)
                while len(self._kept) > self.limit:
                    self._kept.popitem(last=False)
        if upstream is None:
            return list(claims)
        return [c if c.upstream is not None else replace(c, upstream=upstream) for c in claims]
