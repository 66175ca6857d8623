"""Named, versioned implementations of each stage.

A stored run records the names of the components that produced it, so a name
must always mean the same thing: never change what a ``.v1`` does, add a
``.v2``. Implementations register a factory that takes the resolved
:class:`~storyline.settings.Options` and returns the component.
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import Codes, SettingsError

__all__ = ["register", "create", "names"]

Factory = Callable[..., Any]
_FACTORIES: dict[str, Factory] = {}


def register(name: str) -> Callable[[Factory], Factory]:
    """Register ``factory`` under ``name`` (``<stage>.<implementation>.v<N>``)."""

    def decorate(factory: Factory) -> Factory:
        if name in _FACTORIES and _FACTORIES[name] is not factory:
            raise ValueError(f"component {name!r} is already registered")
        _FACTORIES[name] = factory
        return factory

    return decorate


def create(name: str, options: Any) -> Any:
    """Build the component registered as ``name``."""
    _load_builtins()
    try:
        factory = _FACTORIES[name]
    except KeyError:
        stage = name.split(".", 1)[0]
        known = ", ".join(names(stage)) or "none"
        raise SettingsError(f"no component named {name!r}; known {stage} components: {known}", code=Codes.UNKNOWN_COMPONENT) from None
    return factory(options)


def names(stage: str | None = None) -> list[str]:
    _load_builtins()
    return sorted(n for n in _FACTORIES if stage is None or n.startswith(stage + "."))


def _load_builtins() -> None:
    # Importing the stage modules runs their @register decorators.
    from .pipeline import cluster, embed, entities, eventtype, link, places, readers  # noqa: F401
