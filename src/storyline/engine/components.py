"""The stages one engine uses, each built on first use from its registered name.

A caller may pass ready instances for any role (tests pass fakes; the web
server hands its loaded models to a reopened writer), otherwise the setting
of that role names the registered component.
"""

from __future__ import annotations

from typing import Any

from .. import registry
from ..errors import SettingsError
from ..pipeline.embed import CachingEmbedder
from ..settings import Options

__all__ = ["Components", "ROLES"]

#: role -> the setting that names its component
ROLES: dict[str, str] = {
    "embedder": "embedder",
    "entity_extractor": "entities",
    "geoparser": "geoparser",
    "event_typer": "event_typer",
    "kind_typer": "kind_typer",
    "dates": "dates",
    "quotes": "quotes",
    "relays": "relays",
    "recorder": "recorder",
    "comparer": "comparer",
    "summariser": "summariser",
    "timeliner": "timeliner",
}
#: roles built fresh for every state load (they hold clustering state)
STATEFUL: dict[str, str] = {"clusterer": "clusterer", "linker": "linker", "dedup": "dedup"}


class Components:
    def __init__(self, options: Options, given: dict[str, Any] | None = None) -> None:
        self.options = options
        self._built: dict[str, Any] = {role: c for role, c in (given or {}).items() if c is not None}
        self._sentences: CachingEmbedder | None = None

    def get(self, role: str) -> Any:
        if role not in self._built:
            self._built[role] = registry.create(getattr(self.options, ROLES[role]), self.options)
        return self._built[role]

    def sentences(self) -> CachingEmbedder:
        """The one sentence-vector cache of this engine over its embedder (``embed_cache`` vectors): every stage
        that embeds sentences reads through it, so none embeds a text another already did."""
        if self._sentences is None:
            self._sentences = CachingEmbedder(self.get("embedder"), self.options.embed_cache)
        return self._sentences

    def fresh(self, role: str) -> Any:
        """A new instance of a stateful role (the clusterer, the linker, the near-duplicate index)."""
        return registry.create(getattr(self.options, STATEFUL[role]), self.options)

    def built(self) -> dict[str, Any]:
        """The instances built so far, by role (to hand to another engine on the same store)."""
        return dict(self._built)

    def names(self) -> dict[str, Any]:
        """What a run records: each role's component name, and the sha256 of the parameter files each reads."""
        out: dict[str, Any] = {}
        params: dict[str, dict[str, str]] = {}
        for role, setting in (*ROLES.items(), *STATEFUL.items()):
            instance = self._built.get(role)
            name = getattr(instance, "name", None) if instance is not None else None
            name = name or getattr(self.options, setting)
            out["entities" if role == "entity_extractor" else role] = name
            try:
                params[name] = registry.fingerprint(name)["params"]
            except SettingsError:  # a seam (a fake) not in the table: recorded by name only
                params[name] = {}
        out["params"] = {name: files for name, files in params.items() if files}
        return out

