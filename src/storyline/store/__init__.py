"""Storage: the SQLite store, its migrations and the vector index beside it."""

from .sqlite import Store

__all__ = ["Store"]
