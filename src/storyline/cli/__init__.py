"""The command line: parse arguments, call the engine, render what it returns.

Every command has a Python equivalent on :class:`storyline.Storyline`. The
commands live by what they do: :mod:`.reading`, :mod:`.ingesting`,
:mod:`.evaluating`, :mod:`.serving`; :mod:`.app` holds the group and the exit
codes, :mod:`.render` the terminal renderings.
"""

from . import database, digesting, evaluating, ingesting, reading, serving, spark  # noqa: F401  (each module adds its commands to the group)
from .app import cli, main

__all__ = ["main", "cli"]
