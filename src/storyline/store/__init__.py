"""Storage behind one protocol (:mod:`.base`): the SQLite store (with a faiss index beside it) and the
PostgreSQL store (vectors in pgvector).

Only this package writes SQL. :func:`open_store` picks the implementation for a
location: a ``postgresql://`` (or ``postgres://``) URL is a PostgreSQL store,
anything else a SQLite file.
"""

from __future__ import annotations

from pathlib import Path

from .base import Store, VectorIndex
from .postgres import PostgresStore, is_postgres_url
from .sqlite import SQLiteStore
from .vectors import FaissIndex

__all__ = ["Store", "VectorIndex", "SQLiteStore", "PostgresStore", "FaissIndex", "open_store", "index_location",
           "store_location", "is_postgres_url"]


def store_location(location: str | Path) -> str | Path:
    """``location`` as the stores take it: a PostgreSQL URL stays a string (a Path would fold its "//"), else a Path."""
    return location if is_postgres_url(location) else Path(location)


def open_store(location: str | Path, *, readonly: bool = False, wait: float = 0.0) -> Store:
    """The store at ``location`` (a SQLite file path or a PostgreSQL URL); a writer waits up to ``wait`` seconds
    for the writer role."""
    if is_postgres_url(location):
        return PostgresStore(str(location), readonly=readonly, wait=wait)
    return SQLiteStore(location, readonly=readonly, wait=wait)


def index_location(store_location: str | Path, setting: str = "") -> Path | None:
    """Where the vector index file lives: the ``index_path`` setting, else beside the store (``<db>.faiss``);
    None for a PostgreSQL store (its vectors are indexed in the database)."""
    if is_postgres_url(store_location):
        return None
    if setting:
        return Path(setting)
    path = Path(store_location)
    return path.with_name(path.name + ".faiss")
