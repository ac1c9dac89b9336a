"""Issue 10: the order's path through the workflow, as the users of each role walk it."""
from __future__ import annotations

import datetime as dt

import pytest

from app.calibration.instruments.models import Instrument
from app.calibration.orders import checklist, execution, services
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from tests.calibration.conftest import PDF, RESULT, TODAY
from tests.factories import make_user


def test_orders_are_numbered_per_company_and_year(world):
    first, second = world.create(), world.create()
    other = world.create(company=world.other)
    year = TODAY.year
    assert (first.number, second.number) == (f"OC-{year}-00001", f"OC-{year}-00002")
    assert other.number == f"OC-{year}-00001"
    assert world.order(first.id).state == "RECEIVED"


def test_the_client_requests_an_order_but_may_not_write_internal_notes(world):
    order = world.create(user=world.users["CLIENTE"], observations="Urgente")
    assert order.requested_by_id == world.users["CLIENTE"].id
    with pytest.raises(ValidationError, match="notas internas"):
        world.create(user=world.users["CLIENTE"], notes="x")


@pytest.mark.parametrize("code", ["TECNICO", "SUPERVISOR"])
def test_technicians_and_supervisors_do_not_create_orders(world, code):
    with pytest.raises(ActionNotAllowed, match="no permite crear"):
        world.create(user=world.users[code])


def test_schedule_sets_dates_technicians_and_refuses_a_non_technician(world):
    order = world.create()
    with pytest.raises(ValidationError, match="no es un técnico"):
        world.act(order, "SCHEDULE", world.users["RESPONSABLE"], target_date=(TODAY + dt.timedelta(days=3)).isoformat(),
                  technicians=[world.users["SUPERVISOR"].id])
    with pytest.raises(ValidationError, match="no es un técnico"):  # a technician of another company
        world.act(order, "SCHEDULE", world.users["RESPONSABLE"], target_date=(TODAY + dt.timedelta(days=3)).isoformat(),
                  technicians=[world.users["SUR_TECNICO"].id])
    with pytest.raises(ValidationError, match="Técnicos"):
        world.act(order, "SCHEDULE", world.users["RESPONSABLE"], target_date=(TODAY + dt.timedelta(days=3)).isoformat(),
                  technicians=[])
    world.schedule(order)
    order = world.order(order.id)
    assert order.state == "SCHEDULED" and [t.username for t in order.technicians] == ["cal_tecnico"]
    assert order.target_date == TODAY + dt.timedelta(days=7) and order.observations == "Traer certificado anterior"


def test_a_technician_starts_only_an_assigned_order(world):
    order = world.to("SCHEDULED")
    with pytest.raises(ActionNotAllowed, match="asignado"):
        world.act(order, "START", world.users["OTRO_TECNICO"])
    world.act(order, "START", world.users["TECNICO"])
    assert world.order(order.id).state == "IN_PROGRESS" and world.order(order.id).started_on == TODAY


def test_submit_review_needs_a_result_and_an_evidence_file(world):
    order = world.to("SCHEDULED")
    tech = world.users["TECNICO"]
    world.act(order, "START", tech)
    with pytest.raises(ActionNotAllowed, match="al menos un resultado y al menos un archivo de evidencia"):
        world.act(order, "SUBMIT_REVIEW", tech)
    world.in_company(execution.add_result, tech, order=order, data=dict(RESULT))
    with pytest.raises(ActionNotAllowed, match="archivo de evidencia"):
        world.act(order, "SUBMIT_REVIEW", tech)
    world.in_company(execution.add_evidence, tech, order=order, filename="lecturas.csv", data=b"p,v\n1,2\n",
                     storage=world.storage)
    world.act(order, "SUBMIT_REVIEW", tech)
    assert world.order(order.id).state == "IN_REVIEW" and world.order(order.id).completed_on == TODAY


def test_approval_is_refused_without_the_checklist_then_allowed(world):
    order = world.to("IN_REVIEW")
    with pytest.raises(ActionNotAllowed, match="lista de revisión; faltan"):
        world.act(order, "APPROVE", world.users["SUPERVISOR"])
    world.tick_all(order)
    world.act(order, "APPROVE", world.users["SUPERVISOR"])
    order = world.order(order.id)
    assert order.state == "APPROVED" and order.approved_by_id == world.users["SUPERVISOR"].id


def test_approval_is_refused_without_evidence(world):
    order = world.to("IN_REVIEW")
    world.tick_all(order)
    with company_scope(world.company.id):
        for evidence in list(world.order(order.id).evidence):
            world.session.delete(evidence)
        world.session.commit()
    with pytest.raises(ActionNotAllowed, match="al menos un archivo de evidencia"):
        world.act(order, "APPROVE", world.users["SUPERVISOR"])


def test_the_orders_own_technician_may_not_approve_it(world):
    order = world.create()
    world.schedule(order, technicians=[world.users["SUPER_TECNICO"]])
    world.execute(order, tech=world.users["SUPER_TECNICO"])
    world.act(order, "SUBMIT_REVIEW", world.users["SUPER_TECNICO"])
    world.tick_all(order, user=world.users["SUPER_TECNICO"])
    with pytest.raises(ActionNotAllowed, match="independiente"):
        world.act(order, "APPROVE", world.users["SUPER_TECNICO"])
    world.act(order, "APPROVE", world.users["SUPERVISOR"])
    assert world.order(order.id).state == "APPROVED"


def test_reject_loop_returns_the_order_with_its_reason(world):
    order = world.to("IN_REVIEW")
    with pytest.raises(ValidationError, match="Motivo del rechazo"):
        world.act(order, "REJECT", world.users["SUPERVISOR"])
    world.act(order, "REJECT", world.users["SUPERVISOR"], reason="Falta el punto de 20 bar")
    order = world.order(order.id)
    assert order.state == "IN_PROGRESS" and order.reason == "Falta el punto de 20 bar"
    world.in_company(execution.add_result, world.users["TECNICO"], order=order,
                     data={**RESULT, "nominal": "20", "as_found": "20.02"})
    world.act(order, "SUBMIT_REVIEW", world.users["TECNICO"])
    assert world.order(order.id).state == "IN_REVIEW"
    actions = [e.action for e in world.audit(order.id)]
    assert actions.count("SUBMIT_REVIEW") == 2 and "REJECT" in actions


def test_cancel_by_the_manager_with_a_reason_only_before_execution(world):
    order = world.to("SCHEDULED")
    with pytest.raises(ActionNotAllowed, match="Tu rol no permite"):
        world.act(order, "CANCEL", world.users["SUPERVISOR"], reason="x")
    world.act(order, "CANCEL", world.users["RESPONSABLE"], reason="El cliente retira el equipo")
    assert world.order(order.id).state == "CANCELLED"
    running = world.to("IN_PROGRESS")
    with pytest.raises(ActionNotAllowed, match="no está permitida"):
        world.act(running, "CANCEL", world.users["RESPONSABLE"], reason="x")


ROLE_MATRIX = [
    # action, state, allowed role codes (of the four)
    ("SCHEDULE", "RECEIVED", {"RESPONSABLE", "SUPERVISOR"}),
    ("START", "SCHEDULED", {"TECNICO"}),
    ("SUBMIT_REVIEW", "IN_PROGRESS", {"TECNICO"}),
    ("APPROVE", "IN_REVIEW", {"SUPERVISOR"}),
    ("REJECT", "IN_REVIEW", {"SUPERVISOR"}),
    ("CANCEL", "RECEIVED", {"RESPONSABLE"}),
]


@pytest.mark.parametrize("action,state,allowed", ROLE_MATRIX)
def test_each_role_is_allowed_or_refused_as_the_issue_says(world, action, state, allowed):
    order = world.to(state)
    if action == "APPROVE":
        world.tick_all(order)
    payload = {"SCHEDULE": {"target_date": (TODAY + dt.timedelta(days=2)).isoformat(),
                            "technicians": [world.users["TECNICO"].id]},
               "REJECT": {"reason": "x"}, "CANCEL": {"reason": "x"}}.get(action, {})
    for code in ["CLIENTE", "RESPONSABLE", "SUPERVISOR", "TECNICO"]:
        if code in allowed:
            continue
        with pytest.raises(ActionNotAllowed):
            world.act(order, action, world.users[code], **payload)
    world.act(order, action, world.users[sorted(allowed)[0]], **payload)
    assert world.order(order.id).state != state


def test_close_updates_the_instrument_and_needs_a_shared_certificate(world):
    from app.calibration.certificates import services as certificates

    order = world.to("APPROVED")
    world.act(order, "ISSUE_CERTIFICATE", world.users["SUPERVISOR"])
    with pytest.raises(ActionNotAllowed, match="compartido"):
        world.act(order, "CLOSE", world.users["RESPONSABLE"])
    world.act(order, "SHARE_CERTIFICATE", world.users["RESPONSABLE"])
    world.act(order, "CLOSE", world.users["RESPONSABLE"])
    order = world.order(order.id)
    assert order.state == "CLOSED"
    with company_scope(world.company.id):
        instrument = world.session.get(Instrument, world.instrument.id)
        assert instrument.last_calibrated_on == TODAY
        assert instrument.next_due_on == TODAY + dt.timedelta(days=365)
    assert certificates.current(world.session, order) is not None


def test_checklist_ticks_are_audited_and_only_a_supervisor_ticks_in_review(world):
    order = world.to("IN_PROGRESS")
    with pytest.raises(ActionNotAllowed, match="En revisión"):
        world.in_company(checklist.set_ticks, world.users["SUPERVISOR"], order=order, items={"ITEM_ID": True})
    world.act(order, "SUBMIT_REVIEW", world.users["TECNICO"])
    with pytest.raises(ActionNotAllowed, match="supervisor"):
        world.in_company(checklist.set_ticks, world.users["TECNICO"], order=order, items={"ITEM_ID": True})
    with pytest.raises(ValidationError, match="no existe"):
        world.in_company(checklist.set_ticks, world.users["SUPERVISOR"], order=order, items={"NOPE": True})
    world.in_company(checklist.set_ticks, world.users["SUPERVISOR"], order=order, items={"ITEM_ID": True})
    entry = [e for e in world.audit(order.id) if e.action == "CHECKLIST"][-1]
    assert entry.data == {"items": {"ITEM_ID": True}} and entry.user_id == world.users["SUPERVISOR"].id


def test_a_client_may_not_record_results_or_progress(world):
    order = world.to("IN_PROGRESS")
    with pytest.raises(ActionNotAllowed):
        world.in_company(execution.add_result, world.users["CLIENTE"], order=order, data=dict(RESULT))
    with pytest.raises(ActionNotAllowed):
        world.in_company(execution.add_progress, world.users["CLIENTE"], order=order, data={"text": "x"}, today=TODAY)
    with pytest.raises(ActionNotAllowed):  # a technician not assigned
        world.in_company(execution.add_evidence, world.users["OTRO_TECNICO"], order=order, filename="a.pdf", data=PDF,
                         storage=world.storage)


def test_work_order_form_schedules_then_reschedules_and_closes_nothing_early(world):
    order = world.create()
    tech = world.users["TECNICO"].id
    done = world.in_company(services.update_work_order, world.users["SUPERVISOR"], order=order, today=TODAY,
                            data={"target_date": (TODAY + dt.timedelta(days=5)).isoformat(), "technicians": [tech],
                                  "observations": "Listo"})
    assert done.state == "SCHEDULED"
    done = world.in_company(services.update_work_order, world.users["SUPERVISOR"], order=order, today=TODAY,
                            data={"target_date": (TODAY + dt.timedelta(days=9)).isoformat()})
    order = world.order(order.id)
    assert order.state == "SCHEDULED" and order.target_date == TODAY + dt.timedelta(days=9)
    assert [t.id for t in order.technicians] == [tech]
    with pytest.raises(ActionNotAllowed, match="no está permitida"):
        world.in_company(services.update_work_order, world.users["SUPERVISOR"], order=order, today=TODAY,
                         data={"action": "CLOSE"})


def test_a_deactivated_checklist_item_is_no_longer_required(world):
    from sqlalchemy import select

    from app.calibration.orders.models import ChecklistItem

    order = world.to("IN_REVIEW")
    with company_scope(world.company.id):
        items = world.session.scalars(select(ChecklistItem).order_by(ChecklistItem.position)).all()
        assert [i.code for i in items][:2] == ["ITEM_ID", "TRACEABILITY"] and all(i.clause for i in items)
        assert items[0].label.endswith("(etiqueta, número de serie)")
        items[-1].active = False
        world.session.commit()
        codes = [i.code for i in items[:-1]]
    world.in_company(checklist.set_ticks, world.users["SUPERVISOR"], order=order, items={c: True for c in codes})
    world.act(order, "APPROVE", world.users["SUPERVISOR"])
    assert world.order(order.id).state == "APPROVED"


def test_amend_sends_a_closed_order_back_to_review_for_corrections(world):
    from app.calibration.certificates import services as certificates

    order = world.to("APPROVED")
    sup, resp = world.users["SUPERVISOR"], world.users["RESPONSABLE"]
    world.act(order, "ISSUE_CERTIFICATE", sup)
    world.act(order, "SHARE_CERTIFICATE", resp)
    world.act(order, "CLOSE", resp)
    with pytest.raises(ValidationError, match="Motivo de la enmienda"):
        world.act(order, "AMEND", sup)
    world.act(order, "AMEND", sup, reason="Unidad mal transcrita en el punto 1")
    order = world.order(order.id)
    assert order.state == "IN_REVIEW" and order.approved_by_id is None and order.reason.startswith("Unidad")
    result = order.results[0]
    with pytest.raises(ActionNotAllowed, match="supervisor"):
        world.in_company(execution.update_result, world.users["TECNICO"], result=result, data={"unit": "kPa"})
    with company_scope(world.company.id), acting_as(sup):
        fresh = world.session.get(type(result), result.id)
        execution.update_result(session=world.session, user=sup, result=fresh, data={"unit": "kPa"})
        world.session.commit()
    # who corrected the results may not approve them (issue 19 #4): another supervisor does
    with pytest.raises(ActionNotAllowed, match="registraste resultados de esta orden"):
        world.act(order, "APPROVE", sup)
    reviewer = make_user(roles=["CAL_SUPERVISOR"], companies=[world.company], username="cal_revisor")
    world.act(order, "APPROVE", reviewer)
    world.act(order, "ISSUE_CERTIFICATE", sup)
    order = world.order(order.id)
    with company_scope(world.company.id):
        issued = certificates.certificates_of(world.session, order)
        assert len(issued) == 2 and issued[1].replaces_id == issued[0].id
    assert order.results[0].unit == "kPa" and order.state == "CERTIFIED"
