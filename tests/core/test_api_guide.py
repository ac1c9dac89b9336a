"""Issue 22: docs/api.md's examples (curl and Python) run as they are, in order, against a
running server, as a calibration manager: a token, the company from /me, a Rison list and a
refusal that answers 422. A failing example fails the test."""
from __future__ import annotations

import pathlib
import re
import subprocess

import pytest

from app.extensions import db
from tests import factories
from tests.kit import serving

GUIDE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def guide_script() -> str:
    """The guide's examples as one bash script: shell blocks as they are, Python ones fed to
    python3."""
    parts = ["set -euo pipefail"]
    for kind, code in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        parts.append(code if kind == "sh" else f"python3 - <<'PYTHON'\n{code}PYTHON")
    return "\n".join(parts)


@pytest.fixture
def server(app):
    with serving(app) as base:
        yield base


def test_issue_22_the_guide_runs_as_written(server):
    company = factories.make_company()
    user = factories.make_user(roles=["CAL_RESPONSABLE"], companies=[company], username="guia_22")
    db.session.commit()
    script = guide_script()
    assert script.count("curl") >= 3 and "urllib.request" in script
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin:/usr/local/bin", "BASE": server, "API_USER": user.username,
                              "API_PASSWORD": factories.PASSWORD})
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().startswith("0 []")  # the Rison list of a company with no order yet
