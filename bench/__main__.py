"""Run the benchmarks and write bench/results.md.

Each bench/bench_<name>.py defines `run() -> list[str]`: markdown lines (tables) with its
figures. Benchmarks build their own SQLite database under bench/ (or PostgreSQL when
BENCH_DATABASE_URL is set) with `flask db upgrade`, as production does."""
from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import platform
import sys

HERE = os.path.dirname(__file__)


def main(names: list[str]) -> None:
    found = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([HERE]) if m.name.startswith("bench_"))
    for name in names or found:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}", flush=True)
        lines = module.run()
        write_section(name, lines)
        print("\n".join(lines), flush=True)


def write_section(name: str, lines: list[str]) -> None:
    """Replace section `name` of bench/results.md (keeping the others) with `lines`."""
    results_path = os.path.join(HERE, "results.md")
    sections = _read_sections(results_path) if os.path.exists(results_path) else {}
    stamp = f"_{dt.datetime.now():%Y-%m-%d %H:%M}, Python {platform.python_version()}, {os.cpu_count()} cores_"
    sections[name] = "\n".join([f"## {name}", "", stamp, "", *lines, ""])
    with open(results_path, "w", encoding="utf-8") as fh:
        fh.write("# Benchmark results\n\nWritten by `make bench` and `make bench-load`; each section by its "
                 "bench/bench_<name>.py (\"load\": bench/load.py).\n\n")
        for key in sorted(sections):
            fh.write(sections[key].rstrip() + "\n\n")


def _read_sections(path: str) -> dict[str, str]:
    sections, current, buf = {}, None, []
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("## "):
            if current:
                sections[current] = "\n".join(buf).rstrip() + "\n"
            current, buf = line[3:].strip(), [line]
        elif current:
            buf.append(line)
    if current:
        sections[current] = "\n".join(buf).rstrip() + "\n"
    return sections


if __name__ == "__main__":
    main(sys.argv[1:])
