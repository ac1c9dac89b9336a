"""The workflow engine's parts that need no company or request: state attributes, which
database errors are conflicts, and the `flask workflow show` table."""
from __future__ import annotations

from app.core.workflow import Workflow
from tests.core.test_workflow import (
    WF,  # noqa: F401  (registers the test_ticket workflow)
)


def test_cli_workflow_show_prints_the_table(runner):
    result = runner.invoke(args=["workflow", "show", "test_ticket"])
    assert result.exit_code == 0, result.output
    assert "Ticket de prueba (versión 3)" in result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["IN_REVIEW", "APPROVE", "DONE", "REVIEWER"] in lines
    assert ["DONE", "HISTORY", "—", "REVIEWER"] in lines
    bad = runner.invoke(args=["workflow", "show", "nope"])
    assert bad.exit_code != 0 and "No existe el flujo 'nope'" in bad.output


def test_states_keep_their_extra_attributes():
    """Issue 7 item 2: a state may carry module attributes (packaging's default area)."""
    wf = Workflow({
        "code": "attrs", "states": [{"code": "A", "label": "A", "initial": True, "area": 3, "color": "red"},
                                    {"code": "B", "label": "B", "final": True}],
        "transitions": [{"action": "GO", "from": "A", "to": "B", "roles": []}],
    })
    assert wf.states["A"].attrs == {"area": 3, "color": "red"}
    assert wf.states["B"].attrs == {} and wf.states["A"].initial


def test_only_lock_and_serialisation_failures_are_conflicts():
    """Issue 7 item 2: a lost race is a 409; any other database error stays an error."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from app.core.db import is_lock_failure

    class PgError(Exception):
        def __init__(self, sqlstate):
            super().__init__("x")
            self.sqlstate = sqlstate

    class OperationalErrorStub(Exception):
        pass

    OperationalErrorStub.__name__ = "OperationalError"
    for code in ("40001", "40P01", "55P03"):
        assert is_lock_failure(OperationalError("SELECT", {}, PgError(code)))
    assert is_lock_failure(OperationalError("UPDATE", {}, OperationalErrorStub("database is locked")))
    assert not is_lock_failure(OperationalError("SELECT", {}, OperationalErrorStub("no such column: x")))
    assert not is_lock_failure(OperationalError("SELECT", {}, PgError("08006")))  # connection lost
    assert not is_lock_failure(ProgrammingError("SELECT", {}, PgError("42703")))
