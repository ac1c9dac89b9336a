"""Issue 19, points 1 and 4 (calibration orders): a client's history hides the lab's internal
notes as the client's page does; the independence of the review is read from the order's
audit trail. Point 6 (the certificate's layout): certificates/test_hardening_19.py."""
from __future__ import annotations

import json

import pytest

from app.calibration.orders import execution, services
from app.core.errors import ActionNotAllowed
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from tests.calibration.conftest import PDF, RESULT, TODAY
from tests.factories import make_user

SECRET = "Nota interna: el cliente debe dos facturas"


# --- 1. the history API hides internal notes from clients -----------------------------------

def test_hardening_19_1_client_history_hides_internal_notes(world, api, login, client):
    order = world.create(notes=SECRET)  # CREATE_ORDER carries the notes
    world.act(order, "SCHEDULE", world.users["RESPONSABLE"], target_date="2099-01-15",
              technicians=[world.users["TECNICO"].id], notes=SECRET + " (programada)", observations="Visible")
    resp = api(world.users["RESPONSABLE"], world.company)
    assert resp.put(f"/api/v1/calibration_order/{order.id}", json={"notes": SECRET + " (editada)"}).status_code == 200

    url = f"/api/v1/calibration_order/{order.id}/history"
    r = api(world.users["CLIENTE"], world.company).get(url)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "Nota interna" not in body and '"notes"' not in body, body
    history = r.get_json()["history"]
    assert [h["action"] for h in history] == ["CREATE_ORDER", "SCHEDULE", "UPDATE_ORDER"]
    assert history[1]["data"]["observations"] == "Visible"  # what the client may read stays
    # the client's page shows none of it either: the same rule
    login("cal_cliente")
    page = client.get(f"/calibracion/orden/{order.id}").get_data(as_text=True)
    assert "Nota interna" not in page and "Notas internas" not in page
    # lab staff read every note in the history and on the page
    for code in ("RESPONSABLE", "SUPERVISOR", "TECNICO"):
        staff = json.dumps(api(world.users[code], world.company).get(url).get_json())
        assert staff.count("Nota interna") >= 3, code


# --- 4. independence from the audit trail ------------------------------------------------------

def _in_review(world, extra=None):
    """An order in review whose work was done by the technician plus what `extra` does."""
    order = world.create()
    world.schedule(order)
    world.execute(order)
    if extra:
        extra(order)
    world.act(order, "SUBMIT_REVIEW", world.users["TECNICO"])
    world.tick_all(order)
    return order


def _as(world, user, fn, **kw):
    with company_scope(world.company.id), acting_as(user):
        out = fn(session=world.session, user=user, **kw)
        world.session.commit()
        return out


@pytest.mark.parametrize("work, reason", [
    ("result", "registraste resultados de esta orden"),
    ("evidence", "adjuntaste evidencias de esta orden"),
    ("progress", "ejecutaste esta orden"),
    ("standards", "registraste el método, las condiciones ambientales o los patrones"),
    ("corrected", "registraste resultados de esta orden"),
])
def test_hardening_19_4_who_did_the_work_may_not_approve(world, work, reason):
    sup, other_sup = world.users["SUPERVISOR"], make_user(roles=["CAL_SUPERVISOR"], companies=[world.company],
                                                          username="cal_supervisor_dos")

    def extra(order):
        fresh = world.order(order.id)
        if work == "result":
            _as(world, sup, execution.add_result, order=fresh, data=dict(RESULT, measurand="Presión 2"))
        elif work == "evidence":
            _as(world, sup, execution.add_evidence, order=fresh, filename="hoja.pdf", data=PDF, storage=world.storage)
        elif work == "progress":
            _as(world, sup, execution.add_progress, order=fresh, data={"text": "Patrón estabilizado"},
                today=TODAY)
        elif work == "standards":
            _as(world, sup, services.update_order, order=fresh, data={"standards": "Patrón P-07"})

    order = _in_review(world, None if work == "corrected" else extra)
    if work == "corrected":  # a supervisor's correction in review is entering results too
        result = world.order(order.id).results[0]
        with company_scope(world.company.id), acting_as(sup):
            fresh = world.session.get(type(result), result.id)
            execution.update_result(session=world.session, user=sup, result=fresh, data={"unit": "kPa"})
            world.session.commit()
    assert not any(t.id == sup.id for t in world.order(order.id).technicians)  # not an assigned technician
    with pytest.raises(ActionNotAllowed) as refused:
        world.act(order, "APPROVE", sup)
    message = refused.value.message
    assert message.startswith("No puedes aprobar: ") and reason in message, message
    assert "independiente" in message
    assert world.order(order.id).state == "IN_REVIEW"
    world.act(order, "APPROVE", other_sup)  # a supervisor who did none of it approves
    assert world.order(order.id).state == "APPROVED"


def test_hardening_19_4_the_refusal_names_every_reason_and_a_reviewer_is_not_a_worker(world):
    sup = world.users["SUPER_TECNICO"]  # supervisor and technician: assigned, ran it, entered everything
    order = world.create()
    world.schedule(order, technicians=[sup])
    world.execute(order, tech=sup)
    world.act(order, "SUBMIT_REVIEW", sup)
    world.tick_all(order, user=sup)
    with pytest.raises(ActionNotAllowed) as refused:
        world.act(order, "APPROVE", sup)
    assert refused.value.message == (
        "No puedes aprobar: eres técnico asignado de esta orden, ejecutaste esta orden (inicio, avances o envío a "
        "revisión), registraste resultados de esta orden, registraste el método, las condiciones ambientales o los "
        "patrones de esta orden y adjuntaste evidencias de esta orden. La revisión debe "
        "ser independiente de quien hizo el trabajo (ISO/IEC 17025 §7.7).")
    # unassigning them does not make them independent: the trail remembers
    world.act(order, "REJECT", world.users["SUPERVISOR"], reason="Falta un punto")
    with company_scope(world.company.id):
        world.order(order.id).technicians = [world.users["TECNICO"]]
        world.session.commit()
    world.act(order, "SUBMIT_REVIEW", world.users["TECNICO"])
    with pytest.raises(ActionNotAllowed, match="ejecutaste esta orden"):
        world.act(order, "APPROVE", sup)
    # ticking the checklist, scheduling and editing notes are not the work
    world.tick_all(order)
    world.act(order, "APPROVE", world.users["SUPERVISOR"])
    assert world.order(order.id).state == "APPROVED"


def test_hardening_19_4_the_refusal_reaches_the_api_as_a_403_with_its_reason(world, api):
    order = _in_review(world, lambda o: _as(world, world.users["SUPERVISOR"], execution.add_result,
                                            order=world.order(o.id), data=dict(RESULT)))
    r = api(world.users["SUPERVISOR"], world.company).post(f"/api/v1/calibration_order/{order.id}/actions/APPROVE")
    assert r.status_code == 403 and "registraste resultados de esta orden" in r.get_json()["message"]
    assert world.order(order.id).state == "IN_REVIEW"
