"""Issue 20 point 6: the layers are contracts. import-linter keeps .importlinter (no import
circles between the packages of app, nor between the files of one package, function-level
imports included); the manifests give the rest, so a new module is covered with no new
entry: the core imports no module, and no module imports another one."""
from __future__ import annotations

import itertools
import pathlib

import grimp
import pytest
from importlinter.cli import lint_imports

from app import load_modules

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("app", cache_dir=None)


def test_import_linter_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True) == 0


def test_the_core_imports_no_module(graph):
    reached = [f"app.core -> app.{m.name}" for m in load_modules()
               if graph.chain_exists(importer="app.core", imported=f"app.{m.name}", as_packages=True)]
    assert reached == []
    assert sorted(m for m in graph.find_modules_that_directly_import("app") if m.startswith("app.core")) == []


def test_no_module_imports_another(graph):
    names = [m.name for m in load_modules()]
    assert len(names) >= 4
    crossing = [f"app.{a} -> app.{b}" for a, b in itertools.permutations(names, 2)
                if graph.chain_exists(importer=f"app.{a}", imported=f"app.{b}", as_packages=True)]
    assert crossing == []
