"""The sweeps (issue 19) share one world: the demo of every module in two companies, loaded
once for the package and emptied after it (the suite's per-test emptying would reload it for
each sweep). The run ends with what was swept and how long it took."""
from __future__ import annotations

import time

import pytest

from tests.conftest import _empty_tables
from tests.sweeps import discovery
from tests.sweeps.world import build


@pytest.fixture(autouse=True)
def _app_context(app):
    """Each test in its own app context, as in the rest of the suite; the tables keep the
    world until the package ends (`world`)."""
    with app.app_context():
        yield


@pytest.fixture(scope="package")
def world(app, tmp_path_factory):
    files_dir = app.config.get("FILES_DIR")
    started = time.perf_counter()
    with app.app_context():
        built = build(app, tmp_path_factory.mktemp("sweep_files"))
    discovery.TIMES["demo data"] = time.perf_counter() - started
    discovery.take_inventory(app)
    yield built
    with app.app_context():
        _empty_tables(app)
    app.config["FILES_DIR"] = files_dir


@pytest.fixture
def timed(request):
    """Adds the test's duration to the summary, under its name."""
    started = time.perf_counter()
    yield
    discovery.TIMES[request.node.name] = time.perf_counter() - started


def pytest_terminal_summary(terminalreporter):
    if not discovery.SWEPT:
        return
    write = terminalreporter.write_line
    write("")
    groups: dict[str, list] = {}
    for key, count in discovery.SWEPT.items():
        group, _, what = key.partition(" ")
        groups.setdefault(group, []).append(f"{count} {what.removeprefix(': ')}")
    titles = {"inventory:": "Sweeps (issue 19), from the app", "(a)": "(a) company B", "(b)": "(b) roles",
              "(c)": "(c) filters and sorts"}
    for group, items in groups.items():
        write(f"{titles.get(group, group)}: " + ", ".join(items))
    write("Sweep times: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in discovery.TIMES.items())
          + f"; total {sum(discovery.TIMES.values()):.1f} s")
