"""Storage behind one protocol (:mod:`.base`): the SQLite store and the vector index beside it.

Only this package writes SQL. :func:`open_store` picks the implementation for a
location; today every location is a SQLite file.
"""

from __future__ import annotations

from pathlib import Path

from .base import Store, VectorIndex
from .sqlite import SQLiteStore
from .vectors import FaissIndex

__all__ = ["Store", "VectorIndex", "SQLiteStore", "FaissIndex", "open_store", "index_location"]


def open_store(location: str | Path, *, readonly: bool = False, wait: float = 0.0) -> Store:
    """The store at ``location`` (a SQLite file path); a writer waits up to ``wait`` seconds for the writer lock."""
    return SQLiteStore(location, readonly=readonly, wait=wait)


def index_location(store_location: str | Path, setting: str = "") -> Path:
    """Where the vector index file lives: the ``index_path`` setting, else beside the store (``<db>.faiss``)."""
    if setting:
        return Path(setting)
    path = Path(store_location)
    return path.with_name(path.name + ".faiss")
