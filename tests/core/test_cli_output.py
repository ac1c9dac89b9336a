"""Issue 9, item 21: `flask` commands print no FAB warnings about search filters."""
from __future__ import annotations

import os
import subprocess
import sys

from config import BASE_DIR


def test_flask_commands_print_no_filter_warnings(tmp_path):
    env = {**os.environ, "FLASK_APP": "run.py", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    result = subprocess.run([flask, "db", "upgrade"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    assert "Running upgrade" in output or "INFO" in output
    assert "Filter type not supported" not in output, output[-2000:]
