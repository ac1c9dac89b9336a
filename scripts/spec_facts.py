"""The facts the tests need from the specification documents, kept in the repository.

The specification lives outside the project (CI holds it beside the clone). The tests read
what they need of it from data files written for the purpose (tests/installation/orders/spec_matrix.yaml:
the installation matrix's rows, actions and roles). Where the specification is at hand, this
script compares those files with it:

    python scripts/spec_facts.py check SPEC_DIR   # exit 1 and print each difference
    python scripts/spec_facts.py write SPEC_DIR   # rewrite the data files from the documents
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
MATRIX_DOC = "installation-orders-matrix.md"
MATRIX_DATA = REPO / "tests" / "installation" / "orders" / "spec_matrix.yaml"
HEADER = (
    "# The installation matrix as the specification states it (installation-orders-matrix.md):\n"
    "# the table's rows (state, label, roles, actions, resulting states), the action labels\n"
    "# (\"Acciones del Sistema\") and the role descriptions (\"Roles del Sistema\"), by code.\n"
    "# tests/installation/orders/test_matrix.py proves seed/workflows/installation.yaml says the same;\n"
    "# CI compares this file with the document (python scripts/spec_facts.py check SPEC_DIR).\n"
)


def _codes(cell: str) -> list[str]:
    return re.findall(r"[`']([A-Z_]+)[`']", cell)


def _bullets(text: str, heading: str) -> dict[str, str]:
    """`- **`CODE`**: description` bullets under a `## heading`."""
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"- \*\*`([A-Z_]+)`(?: \([a-z.]+\))?\*\*: (.+)", section))


def installation_matrix(text: str) -> dict:
    """The matrix document's facts: rows of its table, action labels, role descriptions."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[0].startswith("`"):
            continue
        state, label, roles, actions, result = cells
        rows.append({
            "state": _codes(state)[0], "label": label, "roles": _codes(roles), "actions": _codes(actions),
            "results": [] if result == "N/A" else _codes(result),
        })
    return {"rows": rows, "actions": _bullets(text, "Acciones del Sistema"),
            "roles": _bullets(text, "Roles del Sistema")}


def _dump(facts: dict) -> str:
    return HEADER + yaml.safe_dump(facts, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)


def _differences(kept: dict, stated: dict) -> list[str]:
    """Each row or code on which the repository and the document disagree, both sides shown."""
    out = []
    kept_rows = {r["state"]: r for r in kept.get("rows", [])}
    stated_rows = {r["state"]: r for r in stated["rows"]}
    if list(kept_rows) != list(stated_rows):
        out.append(f"states: the repository has {list(kept_rows)}, the document {list(stated_rows)}")
    for state in kept_rows.keys() & stated_rows.keys():
        if kept_rows[state] != stated_rows[state]:
            out.append(f"row {state}: the repository says {kept_rows[state]}, the document {stated_rows[state]}")
    for key in ("actions", "roles"):
        kept_codes, stated_codes = kept.get(key, {}), stated[key]
        for code in sorted(kept_codes.keys() | stated_codes.keys()):
            if kept_codes.get(code) != stated_codes.get(code):
                out.append(f"{key} {code}: the repository says {kept_codes.get(code)!r}, "
                           f"the document {stated_codes.get(code)!r}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"check", "write"}:
        print(__doc__)
        return 2
    stated = installation_matrix((Path(argv[1]) / MATRIX_DOC).read_text(encoding="utf-8"))
    if argv[0] == "write":
        MATRIX_DATA.write_text(_dump(stated), encoding="utf-8")
        print(f"wrote {MATRIX_DATA.relative_to(REPO)}")
        return 0
    kept = yaml.safe_load(MATRIX_DATA.read_text(encoding="utf-8"))
    problems = _differences(kept, stated)
    for problem in problems:
        print(f"{MATRIX_DATA.relative_to(REPO)} differs from {MATRIX_DOC}: {problem}")
    if not problems:
        print(f"{MATRIX_DATA.relative_to(REPO)} says what {MATRIX_DOC} says "
              f"({len(stated['rows'])} rows, {len(stated['actions'])} actions, {len(stated['roles'])} roles)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
