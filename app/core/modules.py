"""The module manifest (issue 20, point 1): what a business module gives the platform, and
how the platform finds it. A module's package `app/<module>/__init__.py` holds one `MODULE =
Module(...)`; `discover(package)` imports every sub-package of `app` that has one, so adding a
module edits no shared file. The platform calls the manifest's hooks explicitly: nothing of a
module is bound or registered as a side effect of an import."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

import click

from app.core.tenancy import on_company_created


@dataclass(frozen=True)
class Module:
    """A business module as the platform sees it.

    - `apis`: its REST API classes (FAB `add_api`);
    - `pages`: callables `register(appbuilder)` adding its pages, menus and routes;
    - `workflows`: callables that bind its workflow engines to their models (called once
      per application, before any request);
    - `seed(session)`: its reference data, idempotent (`flask seed`), including the
      per-company rows of any company still without them;
    - `seed_company(connection, company_id)`: the rows each new company owns from the flush
      that inserts it (the Empresas page, the API, `flask seed --demo` and tests alike), with
      Core statements on that connection: no GET ever has to write them;
    - `demo(session, company)`: the records of `flask seed --demo`, through its services;
    - `cli`: its `flask <module> ...` click group;
    - `roles`: its roles file when it lives outside seed/roles (an absolute path); a module of
      app/ keeps its roles in seed/roles/<name>.yaml. Both are merged by app/core/roles.py."""

    name: str
    label: str
    order: int
    apis: tuple[type, ...] = ()
    pages: tuple[Callable, ...] = ()
    workflows: tuple[Callable[[], object], ...] = ()
    seed: Callable | None = None
    seed_company: Callable | None = None
    demo: Callable | None = None
    cli: click.Group | None = field(default=None, compare=False)
    roles: str | None = None


def discover(package: ModuleType) -> list[Module]:
    """Every manifest of `package`'s sub-packages (not core), in their `order`."""
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg or info.name == "core":
            continue
        manifest = getattr(importlib.import_module(f"{package.__name__}.{info.name}"), "MODULE", None)
        if isinstance(manifest, Module):
            found.append(manifest)
    return sorted(found, key=lambda m: (m.order, m.name))


def install(appbuilder, modules: list[Module]) -> None:
    """Bind each module's workflows, add its per-company hook, its APIs and its pages."""
    for module in modules:
        for bind in module.workflows:
            bind()
        if module.seed_company is not None:
            on_company_created(module.name, module.seed_company)
        for api in module.apis:
            appbuilder.add_api(api)
        for register in module.pages:
            register(appbuilder)


def install_cli(app, modules: list[Module]) -> None:
    """Each module's `flask <module>` group; the list is kept for `flask seed`."""
    for module in modules:
        if module.cli is not None:
            app.cli.add_command(module.cli)


def installed(app) -> list[Module]:
    """The manifests create_app() installed in this application."""
    return app.extensions["backoffice_modules"]
