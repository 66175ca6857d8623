"""Storyline: turn a stream of dated news articles into events and stories."""

from .engine import Storyline
from .errors import DependencyMissing, InputError, NotFoundError, SettingsError, StoreError, StorylineError
from .model import Article, Decision, Event, FuzzyDate, IngestSummary, Mention, RawRecord, Rejection, Segment, Story
from .settings import SETTINGS, Options, load_options

__version__ = "0.1.0"

__all__ = [
    "Storyline",
    "Options",
    "load_options",
    "SETTINGS",
    "Article",
    "Decision",
    "Event",
    "FuzzyDate",
    "IngestSummary",
    "Mention",
    "RawRecord",
    "Rejection",
    "Segment",
    "Story",
    "StorylineError",
    "InputError",
    "StoreError",
    "SettingsError",
    "NotFoundError",
    "DependencyMissing",
    "__version__",
]
