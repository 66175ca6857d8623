"""The layout's rules: one table of components, dependencies that point one way, the store protocol."""

from __future__ import annotations

import ast
import hashlib
import importlib
from importlib import resources
from pathlib import Path

import pytest

import storyline
from storyline import registry
from storyline.registrations import REGISTRATIONS
from storyline.store import SQLiteStore, Store

PACKAGE = Path(storyline.__file__).parent


def _imports(path: Path) -> set[str]:
    """Absolute names of the storyline modules a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("storyline", *path.relative_to(PACKAGE).with_suffix("").parts[:-1]))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("storyline"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.startswith("storyline"):
                out.add(name)
                out.update(f"{name}.{a.name}" for a in node.names)
    return out


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("folder, forbidden", [
    ("pipeline", ("storyline.store", "storyline.engine", "storyline.registry", "storyline.web", "storyline.cli")),
    ("store", ("storyline.pipeline", "storyline.engine", "storyline.web", "storyline.cli", "storyline.registry")),
    ("engine", ("storyline.web", "storyline.cli", "storyline.evaluate")),
    ("web", ("storyline.cli", "storyline.store.sqlite")),
])
def test_dependencies_point_one_way(folder, forbidden):
    offenders = [f"{path.relative_to(PACKAGE)} imports {name}" for path in _modules(folder)
                 for name in _imports(path) if name.startswith(forbidden)]
    assert offenders == []


def test_only_the_store_package_speaks_sql_to_the_store():
    outside = [p for p in PACKAGE.rglob("*.py") if "store" not in p.relative_to(PACKAGE).parts[:1]]
    offenders = [str(p.relative_to(PACKAGE)) for p in outside if ".conn.execute(" in p.read_text(encoding="utf-8")
                 and "gazetteer" not in p.name]  # the gazetteer is a stage's own data file, not the store
    assert offenders == []


def test_every_registered_factory_resolves_and_its_parameter_files_exist():
    for r in REGISTRATIONS:
        assert r.name.count(".") == 2 and r.name.rsplit(".", 1)[1].startswith("v"), r.name
        module, _, attribute = r.factory.partition(":")
        target = importlib.import_module(module)
        for part in attribute.split("."):
            target = getattr(target, part)
        assert callable(target), r.name
        for filename in r.params:
            data = resources.files("storyline.pipeline").joinpath("params", filename).read_bytes()
            assert registry.fingerprint(r.name)["params"][filename] == hashlib.sha256(data).hexdigest()


def test_each_clusterer_version_is_a_class_of_its_own_that_knows_its_name():
    options = storyline.load_options(environ={})
    built = {name: registry.create(name, options) for name in registry.names("clusterer")}
    assert len({type(c) for c in built.values()}) == len(built)
    assert all(c.name == name for name, c in built.items())


def test_the_sqlite_store_implements_the_store_protocol(tmp_path):
    with SQLiteStore(tmp_path / "s.db") as store:
        assert isinstance(store, Store)
    missing = [name for name in dir(Store) if not name.startswith("_") and not hasattr(SQLiteStore, name)
               and name != "path"]
    assert missing == []


def test_runs_record_the_sha256_of_the_parameter_files_their_components_read(fake_engine):
    engine = fake_engine()
    names = engine.component_names()
    assert names["clusterer"] == "clusterer.online.v3" and names["embedder"] == "embedder.hashing.v1"
    bundled = resources.files("storyline.pipeline").joinpath("params", "clusterer-online-v3.json").read_bytes()
    assert names["params"]["clusterer.online.v3"]["clusterer-online-v3.json"] == hashlib.sha256(bundled).hexdigest()


def test_no_module_is_longer_than_600_lines_and_no_function_than_80():
    too_long = []
    for path in _modules("."):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 600:
            too_long.append(f"{path.relative_to(PACKAGE)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80:
                too_long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}(): {node.end_lineno - node.lineno + 1} lines")
    assert not too_long, "split these (docs/architecture.md): " + "; ".join(too_long)
