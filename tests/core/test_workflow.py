"""The workflow engine on a small workflow (tests/core/ticket_workflow.yaml)."""
from __future__ import annotations

import os
import threading

import pytest
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed

from app.core.api import WorkflowActionsApi
from app.core.audit import AuditEntry
from app.core.errors import ActionNotAllowed, Conflict, ValidationError
from app.core.tenancy import TenantMixin, company_scope
from app.core.workflow import Workflow, register_workflow
from tests.factories import api_clients, app_with_api

HERE = os.path.dirname(__file__)


class TicketBase(DeclarativeBase):
    pass


class Ticket(TenantMixin, TicketBase):
    """A tenant row bound to the test workflow (its own metadata: not part of the schema)."""

    __tablename__ = "wf_test_ticket"
    __entity__ = "ticket"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(50), default="")
    owner_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="OPEN")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


def _has_title(ticket, *, user, session, payload, today):
    return None if ticket.title else "Para aprobar, el ticket necesita un título."


def _on_reject(ticket, *, user, session, payload, transition, today):
    ticket.title = f"{ticket.title} (rechazado: {payload['reason']})"
    return {"rejected_by": user.username}


WF = register_workflow(Workflow.from_yaml(os.path.join(HERE, "ticket_workflow.yaml"))).bind(
    Ticket,
    owns=lambda ticket, user, roles: "WF_AGENT" not in roles or ticket.owner_id == user.id,
    guards={"has_title": _has_title},
    effects={"REJECT": _on_reject},
)


class TicketApi(WorkflowActionsApi):
    datamodel = SQLAInterface(Ticket)
    resource_name = "test_ticket"
    class_permission_name = "TestTicket"
    workflow = WF


def _workflow_roles(sm):
    for name in ("WF_AGENT", "WF_REVIEWER"):
        role = sm.find_role(name) or sm.add_role(name)
        sm.add_permission_role(role, sm.find_permission_view_menu("can_read", "TestTicket"))


@pytest.fixture(scope="module")
def wf_app(database_url, app):
    """A second app with the ticket API registered (the reusable action endpoints)."""
    with app_with_api(database_url, TicketApi, TicketBase.metadata, setup=_workflow_roles) as other:
        yield other


@pytest.fixture
def world(wf_app, make_company, make_user, session):
    """Two companies, an agent, a reviewer, an Admin, and an open ticket of the agent's."""
    a, b = make_company(), make_company()
    agent = make_user(roles=["WF_AGENT"], companies=[a])
    reviewer = make_user(roles=["WF_REVIEWER"], companies=[a])
    other_agent = make_user(roles=["WF_AGENT"], companies=[a])
    admin = make_user(roles=["Admin"], companies=[a, b])
    with company_scope(a.id):
        ticket = Ticket(title="Impresora", owner_id=agent.id)
        session.add(ticket)
        session.commit()
    yield dict(a=a, b=b, agent=agent, reviewer=reviewer, other_agent=other_agent, admin=admin, ticket=ticket)
    session.rollback()
    session.execute(Ticket.__table__.delete())
    session.commit()


def _audit(session, ticket_id):
    """The ticket's workflow audit entries (not the plain create/update ones)."""
    session.rollback()  # a fresh snapshot: SQLite's WAL would show the old one
    return session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "ticket", AuditEntry.entity_id == ticket_id,
                                 AuditEntry.action.not_in(["create", "update"]))
        .order_by(AuditEntry.id).execution_options(all_companies=True)
    ).all()


def _reload(session, ticket_id):
    session.rollback()
    with company_scope(None):
        return session.get(Ticket, ticket_id)


def test_machine_is_a_strict_statemachine():
    assert issubclass(WF.machine_class, StateMachine)
    t = Ticket(state="OPEN", title="x")
    machine = WF.machine_class(model=t, state_field="state")
    with pytest.raises(TransitionNotAllowed):
        machine.send("APPROVE")  # illegal in OPEN: refused, not silently ignored
    with pytest.raises(TransitionNotAllowed):
        machine.send("NO_SUCH_EVENT")
    machine.send("SUBMIT")
    assert t.state == "IN_REVIEW"


def test_available_actions_by_state_role_and_ownership(world):
    t = world["ticket"]
    assert [x.action for x in WF.available_actions(t, world["agent"])] == ["SUBMIT", "COMMENT"]
    assert [x.action for x in WF.available_actions(t, world["reviewer"])] == ["COMMENT"]
    assert [x.action for x in WF.available_actions(t, world["other_agent"])] == []  # not theirs
    assert WF.available_actions(t, world["admin"]) == []  # Admin is not in the workflow


def test_perform_moves_state_bumps_version_and_audits(world, session):
    t, agent = world["ticket"], world["agent"]
    with company_scope(world["a"].id):
        WF.perform(t, "SUBMIT", agent, session=session, note="listo")
        session.commit()
    t = _reload(session, t.id)
    assert (t.state, t.version) == ("IN_REVIEW", 2)
    [entry] = _audit(session, t.id)
    assert (entry.action, entry.from_state, entry.to_state) == ("SUBMIT", "OPEN", "IN_REVIEW")
    assert entry.user_id == agent.id and entry.workflow_version == 3 and entry.company_id == world["a"].id
    assert entry.data == {"note": "listo"}


def test_self_transition_keeps_state_and_is_audited(world, session):
    with company_scope(world["a"].id):
        WF.perform(world["ticket"], "COMMENT", world["reviewer"], session=session, text="hola")
        session.commit()
    t = _reload(session, world["ticket"].id)
    assert (t.state, t.version) == ("OPEN", 2)
    assert [e.action for e in _audit(session, t.id)] == ["COMMENT"]


@pytest.mark.parametrize(
    "who, action, fields, error, words",
    [
        ("agent", "APPROVE", {}, ActionNotAllowed, "no está permitida en el estado «Abierto»"),
        ("reviewer", "SUBMIT", {}, ActionNotAllowed, "pueden hacerlo: Agente"),
        ("admin", "SUBMIT", {}, ActionNotAllowed, "tampoco el administrador"),
        ("other_agent", "SUBMIT", {}, ActionNotAllowed, "quien tiene asignado"),
        ("agent", "FLY", {}, ValidationError, "Acción desconocida 'FLY'"),
        ("agent", "COMMENT", {}, ValidationError, "El campo «Texto» es obligatorio"),
        ("agent", "COMMENT", {"text": 5}, ValidationError, "El campo «Texto» debe ser un texto"),
        ("agent", "SUBMIT", {"color": "red"}, ValidationError, "Campo desconocido «color»"),
        # issue 9 #19: who may not act is refused (403) whatever the payload says
        ("reviewer", "SUBMIT", {"color": "red"}, ActionNotAllowed, "pueden hacerlo: Agente"),
        ("other_agent", "SUBMIT", {"color": "red"}, ActionNotAllowed, "quien tiene asignado"),
        ("agent", "REOPEN", {"due": "2030-01-01"}, ActionNotAllowed, "no está permitida en el estado «Abierto»"),
        ("agent", "REOPEN@REJECTED", {"due": 20301231}, ValidationError, "El campo «Fecha» debe ser una fecha dd/mm/aaaa o aaaa-mm-dd"),
        ("agent", "REOPEN@REJECTED", {"due": "20301231"}, ValidationError, "El campo «Fecha» debe ser una fecha dd/mm/aaaa o aaaa-mm-dd"),
        ("agent", "REOPEN@REJECTED", {"due": "2030-02-30"}, ValidationError, "El campo «Fecha» debe ser una fecha dd/mm/aaaa o aaaa-mm-dd"),
    ],
)
def test_refusals_say_why_and_change_nothing(world, session, who, action, fields, error, words):
    t = world["ticket"]
    action, _, state = action.partition("@")
    with company_scope(world["a"].id):
        if state:
            t.state = state
            session.commit()
        with pytest.raises(error) as info:
            WF.perform(t, action, world[who], session=session, **fields)
    assert words in info.value.message
    t = _reload(session, t.id)
    assert (t.state, t.version) == (state or "OPEN", 1)
    assert _audit(session, t.id) == []


def test_bind_refuses_guards_and_effects_the_yaml_and_code_disagree_on():
    wf = Workflow.from_yaml(os.path.join(HERE, "ticket_workflow.yaml"))
    with pytest.raises(ValueError, match="has_title"):
        wf.bind(Ticket)
    with pytest.raises(ValueError, match="FLY"):
        wf.bind(Ticket, guards={"has_title": _has_title}, effects={"FLY": _on_reject})


def test_guard_refuses_with_its_message(world, session):
    t = world["ticket"]
    with company_scope(world["a"].id):
        t.title = ""
        t.state = "IN_REVIEW"
        session.commit()
        with pytest.raises(ActionNotAllowed, match="necesita un título"):
            WF.perform(t, "APPROVE", world["reviewer"], session=session)
    assert _reload(session, t.id).state == "IN_REVIEW"


def test_effect_runs_in_the_same_transaction_and_payload_types(world, session):
    t = world["ticket"]
    with company_scope(world["a"].id):
        WF.perform(t, "SUBMIT", world["agent"], session=session)
        WF.perform(t, "REJECT", world["reviewer"], session=session, reason="faltan datos")
        session.commit()
        with pytest.raises(ValidationError, match="«Fecha» debe ser una fecha"):
            WF.perform(t, "REOPEN", world["agent"], session=session, due="mañana")
        t = _reload(session, t.id)
        with pytest.raises(ValidationError, match="«Piezas» debe ser un número entero"):
            WF.perform(t, "REOPEN", world["agent"], session=session, pieces="dos")
        t = _reload(session, t.id)
        WF.perform(t, "REOPEN", world["agent"], session=session, due="2026-12-01", pieces="2")
        session.commit()
    t = _reload(session, t.id)
    assert t.state == "OPEN" and "rechazado: faltan datos" in t.title
    entries = _audit(session, t.id)
    assert [e.action for e in entries] == ["SUBMIT", "REJECT", "REOPEN"]
    assert entries[1].data == {"reason": "faltan datos", "rejected_by": world["reviewer"].username}
    assert entries[2].data == {"due": "2026-12-01", "pieces": 2}


def test_read_action_changes_no_state_and_writes_no_audit_row(world, session):
    """Issue 9 #10: reading (e.g. VIEW_ORDER_HISTORY) adds no self-transition row to the
    timeline it shows."""
    t = world["ticket"]
    with company_scope(world["a"].id):
        t.state = "DONE"
        session.commit()
        WF.perform(t, "HISTORY", world["reviewer"], session=session)
        session.commit()
    t = _reload(session, t.id)
    assert (t.state, t.version) == ("DONE", 1)
    assert [e.action for e in _audit(session, t.id)] == []


def test_stale_version_is_a_conflict(world, session):
    t = world["ticket"]
    with company_scope(world["a"].id):
        with pytest.raises(Conflict, match="cambió mientras lo mirabas"):
            WF.perform(t, "SUBMIT", world["agent"], session=session, expected_version=7)
    assert _reload(session, t.id).state == "OPEN"


# --- the uniform REST endpoints -----------------------------------------------------------

@pytest.fixture
def wf_api(wf_app):
    return api_clients(wf_app)


def test_api_actions_and_perform(world, wf_api, session):
    t, a = world["ticket"], world["a"]
    agent = wf_api(world["agent"], a)
    r = agent.get(f"/api/v1/test_ticket/{t.id}/actions")
    assert r.status_code == 200 and r.get_json()["actions"] == ["SUBMIT", "COMMENT"]
    r = agent.post(f"/api/v1/test_ticket/{t.id}/actions/SUBMIT", json={"note": "ok"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"id": t.id, "state": "IN_REVIEW", "version": 2}


@pytest.mark.parametrize(
    "who, action, body, headers, status, words",
    [
        ("reviewer", "SUBMIT", {}, {}, 403, "pueden hacerlo"),
        ("admin", "SUBMIT", {}, {}, 403, "tampoco el administrador"),
        ("agent", "NOPE", {}, {}, 422, "Acción desconocida"),
        ("agent", "COMMENT", {"text": ["x"]}, {}, 422, "«Texto»"),
        ("agent", "COMMENT", "{not json", {}, 422, "no es JSON"),
        ("agent", "COMMENT", [1, 2], {}, 422, "objeto JSON"),
        ("agent", "SUBMIT", {}, {"If-Match": "9"}, 409, "cambió"),
        ("agent", "SUBMIT", {}, {"If-Match": "abc"}, 422, "If-Match"),
    ],
)
def test_api_refusals(world, wf_api, session, who, action, body, headers, status, words):
    t = world["ticket"]
    client = wf_api(world[who], world["a"])
    if isinstance(body, str):
        r = client.client.post(
            f"/api/v1/test_ticket/{t.id}/actions/{action}", data=body,
            headers=client.headers({"Content-Type": "application/json", **headers}),
        )
    else:
        r = client.post(f"/api/v1/test_ticket/{t.id}/actions/{action}", json=body, headers=headers)
    assert r.status_code == status, r.get_json()
    assert words in r.get_json()["message"]
    assert (_reload(session, t.id).state, _audit(session, t.id)) == ("OPEN", [])


def test_api_other_company_is_404(world, wf_api):
    admin_in_b = wf_api(world["admin"], world["b"])
    t = world["ticket"]
    assert admin_in_b.get(f"/api/v1/test_ticket/{t.id}/actions").status_code == 404
    r = admin_in_b.post(f"/api/v1/test_ticket/{t.id}/actions/SUBMIT", json={})
    assert r.status_code == 404 and "message" in r.get_json()
    assert admin_in_b.get(f"/api/v1/test_ticket/{t.id}").status_code == 404


# --- the race -------------------------------------------------------------------------------

def test_two_threads_racing_one_wins_one_conflicts(world, wf_app, session, postgres_only):
    """APPROVE and REJECT on the same ticket at once: one wins, the other gets 409."""
    from app.extensions import db

    t = world["ticket"]
    with company_scope(world["a"].id):
        t.state = "IN_REVIEW"
        session.commit()
    barrier = threading.Barrier(2)
    outcome = {}

    def act(action, fields):
        with wf_app.app_context(), company_scope(world["a"].id):
            reviewer = db.session.get(type(world["reviewer"]), world["reviewer"].id)
            ticket = db.session.get(Ticket, t.id)
            assert ticket.version == 1
            barrier.wait()
            try:
                WF.perform(ticket, action, reviewer, session=db.session, **fields)
                db.session.commit()
                outcome[action] = "ok"
            except Conflict:
                outcome[action] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=("APPROVE", {})),
               threading.Thread(target=act, args=("REJECT", {"reason": "no"}))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcome.values()) == ["conflict", "ok"]
    final = _reload(session, t.id)
    winner = next(a for a, v in outcome.items() if v == "ok")
    assert final.state == {"APPROVE": "DONE", "REJECT": "REJECTED"}[winner]
    assert final.version == 2
    assert [e.action for e in _audit(session, t.id)] == [winner]


def test_two_api_calls_with_the_same_version_one_conflicts(world, wf_api, session):
    """Two people clicking on the same page version: the second gets 409 (both databases)."""
    t = world["ticket"]
    agent = wf_api(world["agent"], world["a"])
    first = agent.post(f"/api/v1/test_ticket/{t.id}/actions/COMMENT", json={"text": "a"}, headers={"If-Match": "1"})
    second = agent.post(f"/api/v1/test_ticket/{t.id}/actions/COMMENT", json={"text": "b"}, headers={"If-Match": "1"})
    assert (first.status_code, second.status_code) == (200, 409)
    assert len(_audit(session, t.id)) == 1


# --- page ------------------------------------------------------------------------------

def test_workflow_page_draws_the_diagram(world, login, client):
    login(world["admin"].username)
    r = client.get("/flujos/test_ticket")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert r'\"IN_REVIEW\" -\u003e \"DONE\"' in html and "vendor/viz/viz-global.js" in html
    assert "Aprobar" in html
    assert client.get("/flujos/nope").status_code == 404
    assert client.get("/static/vendor/viz/viz-global.js").status_code == 200


def test_creating_a_row_is_audited_with_its_values(world, session):
    with company_scope(None):
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.entity == "ticket")).all()
    assert (entry.action, entry.entity_id, entry.company_id) == ("create", world["ticket"].id, world["a"].id)
    assert entry.data["title"] == "Impresora" and entry.data["state"] == "OPEN"
    assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 1


def test_a_broken_query_inside_an_action_is_not_a_conflict(world, session):
    """An effect that fails with a database error other than a lock is not reported as
    "someone else changed it" (it is a bug to see, not a race to retry)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    def broken(ticket, *, user, session, payload, transition, today):
        session.execute(text("SELECT no_such_column FROM wf_test_ticket"))

    WF.binding.effects["COMMENT"] = broken
    try:
        with company_scope(world["a"].id), pytest.raises(DBAPIError) as info:
            WF.perform(world["ticket"], "COMMENT", world["agent"], session=session, text="hola")
        assert not isinstance(info.value, Conflict)
    finally:
        del WF.binding.effects["COMMENT"]
    assert _reload(session, world["ticket"].id).version == 1
