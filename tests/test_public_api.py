"""The public surface is explicit: ``__all__`` lists it, ``py.typed`` ships with it."""

from __future__ import annotations

import importlib
import importlib.metadata
import tomllib
import types
from importlib import resources
from pathlib import Path

import pytest

import storyline

MODULES = [
    "storyline.cli", "storyline.engine", "storyline.errors", "storyline.model", "storyline.registry", "storyline.settings",
    "storyline.pipeline.readers", "storyline.pipeline.readers.files", "storyline.pipeline.readers.html", "storyline.pipeline.readers.feeds", "storyline.pipeline.readers.warc", "storyline.pipeline.readers.web", "storyline.pipeline.normalise", "storyline.pipeline.dedup", "storyline.pipeline.dates",
    "storyline.pipeline.entities", "storyline.pipeline.embed", "storyline.pipeline.cluster", "storyline.pipeline.link",
    "storyline.watch", "storyline.evaluate.extract",
    "storyline.store", "storyline.store.sqlite", "storyline.store.migrations", "storyline.store.vectors",
]


def test_all_matches_the_public_names_of_the_package():
    public = {
        name for name, value in vars(storyline).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(storyline.__all__) - {"__version__"}
    assert len(storyline.__all__) == len(set(storyline.__all__))


def test_every_exported_name_exists_and_belongs_to_the_library():
    for name in storyline.__all__:
        value = getattr(storyline, name)
        if isinstance(value, type):
            assert value.__module__.startswith("storyline."), name


def test_version_matches_the_installed_distribution():
    assert storyline.__version__ == importlib.metadata.version("storyline")


@pytest.mark.parametrize("module", MODULES)
def test_every_module_declares_its_public_names(module):
    mod = importlib.import_module(module)
    assert all(hasattr(mod, name) for name in mod.__all__), module


def test_errors_form_one_tree_with_stable_codes():
    leaves = [storyline.InputError, storyline.StoreError, storyline.SettingsError, storyline.NotFoundError, storyline.DependencyMissing]
    assert all(issubclass(e, storyline.StorylineError) for e in leaves)
    codes = [v for k, v in vars(storyline.errors.Codes).items() if k.isupper()]
    assert len(codes) == len(set(codes))
    assert all(c.startswith("SL") and len(c) == 5 for c in codes)
    error = storyline.DependencyMissing("The MiniLM embedder", "minilm")
    assert str(error) == "[SL501] The MiniLM embedder is not installed: pip install 'storyline[minilm]'"


def test_py_typed_ships_with_the_package():
    assert resources.files("storyline").joinpath("py.typed").is_file()
    pyproject = Path(storyline.__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.exists():  # a source checkout: the marker must be package data too
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        assert "py.typed" in config["tool"]["setuptools"]["package-data"]["storyline"]
