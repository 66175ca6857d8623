"""Build components by their registered, versioned names (the table is :mod:`storyline.registrations`).

A stored run records the names of the components that produced it and the
sha256 of the parameter files they read (:func:`fingerprint`), so a stored
result always says what made it.
"""

from __future__ import annotations

import hashlib
import importlib
from functools import cache
from importlib import resources
from typing import Any, Callable

from .errors import Codes, SettingsError
from .registrations import REGISTRATIONS, Registration

__all__ = ["create", "names", "register", "registration", "fingerprint", "params_sha256"]

_BY_NAME = {r.name: r for r in REGISTRATIONS}
if len(_BY_NAME) != len(REGISTRATIONS):
    raise RuntimeError("a component name is registered twice in storyline.registrations")
#: components registered at run time from outside the package (plugins, test fakes)
_EXTRA: dict[str, Callable[[Any], Any]] = {}


def register(name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Register a factory from outside the package under ``name`` (built-ins are in the table)."""

    def decorate(factory: Callable[[Any], Any]) -> Callable[[Any], Any]:
        if name in _BY_NAME or _EXTRA.get(name, factory) is not factory:
            raise ValueError(f"component {name!r} is already registered")
        _EXTRA[name] = factory
        return factory

    return decorate


def registration(name: str) -> Registration:
    if name in _EXTRA:
        return Registration(name, "")
    try:
        return _BY_NAME[name]
    except KeyError:
        stage = name.split(".", 1)[0]
        known = ", ".join(names(stage)) or "none"
        raise SettingsError(f"no component named {name!r}; known {stage} components: {known}", code=Codes.UNKNOWN_COMPONENT) from None


def create(name: str, options: Any) -> Any:
    """Build the component registered as ``name`` (its module is imported now, not before)."""
    if name in _EXTRA:
        return _EXTRA[name](options)
    module, _, attribute = registration(name).factory.partition(":")
    factory: Any = importlib.import_module(module)
    for part in attribute.split("."):
        factory = getattr(factory, part)
    return factory(options)


def names(stage: str | None = None) -> list[str]:
    return sorted(n for n in (*_BY_NAME, *_EXTRA) if stage is None or n.startswith(stage + "."))


@cache
def params_sha256(filename: str) -> str:
    """The sha256 of a bundled parameter file (``storyline/pipeline/params/FILENAME``)."""
    data = resources.files("storyline.pipeline").joinpath("params", filename).read_bytes()
    return hashlib.sha256(data).hexdigest()


def fingerprint(name: str) -> dict[str, Any]:
    """What a run records of a component: its name and the sha256 of each parameter file it reads."""
    return {"name": name, "params": {f: params_sha256(f) for f in registration(name).params}}
