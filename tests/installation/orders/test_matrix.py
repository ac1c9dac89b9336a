"""The matrix is the single source of truth: the YAML says what the spec's table says, and the
whole matrix (every state x role x action) behaves as the YAML says through the REST API."""
from __future__ import annotations

import os

import pytest
import yaml
from statemachine import StateMachine

from app.core.workflow import Workflow
from app.installation.orders import workflow as matrix
from tests.installation.conftest import ROLE_CODES, WF, fab_role, valid_payload

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# What the spec's matrix says, kept in the repository (CI compares it with the document:
# scripts/spec_facts.py check)
SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spec_matrix.yaml")
YAML = os.path.join(REPO, "seed", "workflows", "installation.yaml")

# The DESIGN readings: actions that keep the state, and the read action.
SELF_TRANSITIONS = {"DELETE_ORDER", "CONTACT_DOCTOR"}
READ_ACTIONS = {"VIEW_ORDER_HISTORY"}

with open(SPEC, encoding="utf-8") as _fh:
    SPEC_FACTS = yaml.safe_load(_fh)


def spec_rows() -> list[dict]:
    """The spec's table: state, label, roles, actions, resulting states."""
    return SPEC_FACTS["rows"]


def spec_bullets(heading: str) -> dict[str, str]:
    """The spec's action labels ("Acciones del Sistema") or role descriptions ("Roles del Sistema")."""
    return SPEC_FACTS[{"Acciones del Sistema": "actions", "Roles del Sistema": "roles"}[heading]]


def test_spec_table_is_read():
    rows = spec_rows()
    assert len(rows) == 16 and rows[0]["state"] == "CREATED" and rows[-1]["state"] == "ORDER_CLOSED"


def test_yaml_states_are_the_spec_rows_in_order_with_their_labels():
    assert [(r["state"], r["label"]) for r in spec_rows()] == [(c, s.label) for c, s in WF.states.items()]
    assert WF.initial_state == "CREATED"
    assert {c for c, s in WF.states.items() if s.final} == {"ORDER_CLOSED"}  # ORDER_CANCELLED reopens
    assert WF.version >= 1


@pytest.mark.parametrize("row", spec_rows(), ids=lambda r: r["state"])
def test_yaml_transitions_say_what_each_spec_row_says(row):
    transitions = WF.transitions_for(row["state"])
    # the same actions, in the spec's order
    assert [t.action for t in transitions] == row["actions"]
    # each action is given to exactly the row's roles (the FAB role of each spec code)
    for t in transitions:
        assert sorted(t.roles) == sorted(fab_role(code) for code in row["roles"]), t.action
    # the state-changing actions lead exactly to the row's resulting states (paired in order
    # when there is one result per action); the rest are the DESIGN's self/read readings
    moving = [t for t in transitions if not t.is_read and t.target != t.source]
    assert [t.target for t in moving] == row["results"]
    for t in transitions:
        if t.is_read:
            assert t.action in READ_ACTIONS
        elif t.target == t.source:
            assert t.action in SELF_TRANSITIONS


def test_yaml_has_no_transition_the_spec_does_not():
    assert len(WF.transitions) == sum(len(r["actions"]) for r in spec_rows())
    raw = yaml.safe_load(open(YAML, encoding="utf-8"))
    assert {t["action"] for t in raw["transitions"]} == set(raw["actions"])


def test_action_labels_are_the_specs():
    assert {code: WF.action_label(code) for code in WF.action_codes} == spec_bullets("Acciones del Sistema")


def test_roles_are_the_specs_with_their_descriptions():
    described = spec_bullets("Roles del Sistema")
    assert {code: spec["description"] for code, spec in WF.roles.items()} == described
    assert {spec["role"] for spec in WF.roles.values()} == {
        "INST_GESTOR_CUENTA", "INST_GESTOR_OPERACIONES", "INST_GESTOR_GENERAL", "INST_DOCTOR", "INST_TECNICO"}


def test_machine_is_strict_and_built_from_the_yaml():
    assert issubclass(WF.machine_class, StateMachine)
    fresh = Workflow.from_yaml(YAML)
    assert fresh.table() == WF.table()
    events = {e for t in WF.transitions if not t.is_read for e in [t.action]}
    assert events == set(WF.action_codes) - READ_ACTIONS


def test_roles_yaml_write_permission_is_given_to_the_creators_of_the_matrix():
    """INST-001: `write` on InstallationOrder (create) = the roles holding CREATED."""
    roles = yaml.safe_load(open(os.path.join(REPO, "seed", "roles", "installation.yaml"), encoding="utf-8"))["roles"]
    writers = {name for name, spec in roles.items() if "InstallationOrder" in (spec.get("write") or [])}
    readers = {name for name, spec in roles.items() if "InstallationOrder" in (spec.get("read") or [])}
    assert writers == matrix.creator_roles() == {
        fab_role(c) for c in ("GESTOR_CUENTA", "GESTOR_OPERACIONES", "GESTOR_GENERAL", "DOCTOR")}
    assert writers | readers == matrix.MATRIX_ROLES  # every matrix role reads (action endpoints)


# --- the whole matrix, through the REST API --------------------------------------------------

ACTORS = ROLE_CODES + ["ADMIN"]


def _allowed(state: str, actor: str, action: str):
    role = fab_role(actor) if actor != "ADMIN" else "Admin"
    return next((t for t in WF.transitions_for(state, action) if role in t.roles), None)


@pytest.mark.parametrize("state", list(WF.states))
def test_whole_matrix(state, world, api):
    """For every role (and Admin) and every action code in `state`: 200 exactly when the
    matrix allows it, otherwise 403 with a reason and nothing changed."""
    clients = {actor: api(world.users[actor], world.company) for actor in ACTORS}
    untouched = world.order_in(state)
    before = (untouched.version, len(world.audit(untouched.id)))
    outcomes = []
    for actor in ACTORS:
        for action in WF.action_codes:
            transition = _allowed(state, actor, action)
            order = world.order_in(state) if transition else untouched
            r = clients[actor].post(
                f"/api/v1/installation_order/{order.id}/actions/{action}", json=valid_payload(action, world)
            )
            body = r.get_json()
            if transition:
                assert r.status_code == 200, (state, actor, action, body)
                after = world.reload(order.id)
                expected = transition.target or state
                assert after.state == body["state"] == expected
                last = world.audit(order.id)[-1]
                if transition.is_read:  # a read action writes no row (issue 9 #10)
                    assert last.action != action
                else:
                    assert (last.action, last.from_state, last.to_state, last.user_id) == (
                        action, state, expected, world.users[actor].id)
                    assert last.workflow_version == WF.version
                outcomes.append((actor, action))
            else:
                assert r.status_code == 403, (state, actor, action, body)
                assert body["message"] and ("no está permitida" in body["message"] or "pueden hacerlo" in body["message"])
                if actor == "ADMIN" and WF.transitions_for(state, action):
                    assert "tampoco el administrador" in body["message"]
    after = world.reload(untouched.id)
    assert (after.state, after.version, len(world.audit(untouched.id))) == (state, *before)
    assert after.deleted_at is None
    assert len(outcomes) == sum(len(t.roles) for t in WF.transitions_for(state))
