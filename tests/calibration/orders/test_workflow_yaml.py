"""Issue 10: seed/workflows/calibration.yaml has the issue's states, actions and roles, and the
core engine's `final_reachable: false` is what lets CLOSED be reopened by AMEND."""
from __future__ import annotations

import pytest
from statemachine.exceptions import InvalidDefinition

from app.calibration.orders.workflow import WF
from app.core.workflow import Workflow


def test_states_actions_and_roles_are_the_issues():
    assert list(WF.states) == ["RECEIVED", "SCHEDULED", "IN_PROGRESS", "IN_REVIEW", "APPROVED", "CERTIFIED", "CLOSED",
                               "CANCELLED"]
    assert [WF.state_label(s) for s in WF.states][:3] == ["Recibida", "Programada", "En ejecución"]
    table = {(a, f, t, r) for f, a, t, r in WF.table()}
    assert table == {
        ("SCHEDULE", "RECEIVED", "SCHEDULED", "RESPONSABLE, SUPERVISOR"),
        ("RESCHEDULE", "SCHEDULED", "SCHEDULED", "RESPONSABLE, SUPERVISOR"),
        ("START", "SCHEDULED", "IN_PROGRESS", "TECNICO"),
        ("SUBMIT_REVIEW", "IN_PROGRESS", "IN_REVIEW", "TECNICO"),
        ("APPROVE", "IN_REVIEW", "APPROVED", "SUPERVISOR"),
        ("REJECT", "IN_REVIEW", "IN_PROGRESS", "SUPERVISOR"),
        ("ISSUE_CERTIFICATE", "APPROVED", "CERTIFIED", "SUPERVISOR"),
        ("SHARE_CERTIFICATE", "CERTIFIED", "CERTIFIED", "SUPERVISOR, RESPONSABLE"),
        ("CLOSE", "CERTIFIED", "CLOSED", "RESPONSABLE, SUPERVISOR"),
        ("CANCEL", "RECEIVED", "CANCELLED", "RESPONSABLE"),
        ("CANCEL", "SCHEDULED", "CANCELLED", "RESPONSABLE"),
        ("AMEND", "CERTIFIED", "IN_REVIEW", "SUPERVISOR"),
        ("AMEND", "CLOSED", "IN_REVIEW", "SUPERVISOR"),
    }
    assert {code: spec["role"] for code, spec in WF.roles.items()} == {
        "CLIENTE": "CAL_CLIENTE", "RESPONSABLE": "CAL_RESPONSABLE", "SUPERVISOR": "CAL_SUPERVISOR",
        "TECNICO": "CAL_TECNICO"}
    for action in ("SCHEDULE", "RESCHEDULE", "REJECT", "CANCEL", "AMEND"):
        assert all(spec.get("label") for spec in WF.actions[action]["payload"].values())


def test_without_final_reachable_false_a_reopenable_flow_is_refused():
    definition = {
        "code": "probe", "states": [{"code": "A", "initial": True}, {"code": "B"}, {"code": "X", "final": True}],
        "actions": {}, "transitions": [{"action": "GO", "from": "A", "to": "B", "roles": []},
                                       {"action": "BACK", "from": "B", "to": "A", "roles": []},
                                       {"action": "DROP", "from": "A", "to": "X", "roles": []},
                                       {"action": "LOOP", "from": "B", "to": "B", "roles": []}],
    }
    Workflow(definition)  # every state reaches X
    trapped = {**definition, "transitions": definition["transitions"] + [{"action": "ON", "from": "B", "to": "C", "roles": []}],
               "states": definition["states"] + [{"code": "C"}]}
    trapped["transitions"].append({"action": "OFF", "from": "C", "to": "B", "roles": []})
    trapped["transitions"] = [t for t in trapped["transitions"] if t["action"] != "BACK"]
    with pytest.raises(InvalidDefinition):
        Workflow(trapped)
    Workflow({**trapped, "final_reachable": False})
