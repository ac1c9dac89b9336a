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
    chosen = names or found
    results_path = os.path.join(HERE, "results.md")
    sections = {}
    if os.path.exists(results_path) and names:
        sections = _read_sections(results_path)
    for name in chosen:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}", flush=True)
        lines = module.run()
        stamp = f"_{dt.datetime.now():%Y-%m-%d %H:%M}, Python {platform.python_version()}, {os.cpu_count()} cores_"
        sections[name] = "\n".join([f"## {name}", "", stamp, "", *lines, ""])
        print("\n".join(lines), flush=True)
    with open(results_path, "w", encoding="utf-8") as fh:
        fh.write("# Benchmark results\n\nWritten by `make bench`; each section by its bench/bench_<name>.py.\n\n")
        for name in sorted(sections):
            fh.write(sections[name] + "\n")


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
