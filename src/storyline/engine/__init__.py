"""The engine package: the :class:`Storyline` facade and the modules that do its work."""

from .core import Storyline

__all__ = ["Storyline"]
