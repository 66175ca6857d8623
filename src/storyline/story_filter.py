"""Which stories a list shows and where its page ends (re-exported by :mod:`storyline.model`, which would pass
600 lines with them)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StoryKey", "StoryFilter"]


@dataclass(frozen=True)
class StoryKey:
    """Where a page of stories ends: the sort key of its last story."""

    last_date: str
    n_articles: int
    number: int


@dataclass(frozen=True)
class StoryFilter:
    """Which stories to list; every part is optional and they combine with AND."""

    date_from: str | None = None  # ISO dates; a story matches when its dates overlap the range
    date_to: str | None = None
    source: str | None = None  # outlet name, exact
    place_key: str | None = None  # a normalised place key (see pipeline.entities.normalise)
    place_text: str | None = None  # the place as typed, matched against resolved place names and countries
    query: str | None = None  # free text, matched against article titles and texts
