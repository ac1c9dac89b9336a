"""Issue 21 item 12, reception gates orders: an order of an instrument the client has not
validated in «Recepción» waits in RECEIVED (SCHEDULE refused), is not started (START) nor
certified (ISSUE_CERTIFICATE) while its instrument is back in reception; the page, the REST API
and the legacy path say why, and the same action goes through once the client validates."""
from __future__ import annotations

import datetime as dt

import pytest

from app.calibration.instruments import services as instrument_services
from app.calibration.instruments.models import Instrument
from app.calibration.orders import services
from app.core.errors import ActionNotAllowed
from app.core.tenancy import company_scope
from tests.calibration.conftest import TODAY

RULE = "Regla de recepción"


def pending_order(world):
    """A new instrument the client has not validated yet, and an order of it (RECEIVED)."""
    with company_scope(world.company.id):
        instrument = Instrument(tag="TER-009", description="Termómetro", make="Fluke", model="1524", serial="T-9",
                                unit="°C", interval_days=365, active=True)
        world.session.add(instrument)
        world.session.commit()
    order = world.run(services.create_order, company=world.company, today=TODAY, data={"instrument": instrument.id})
    return world.order(order.id), instrument


def schedule_payload(world):
    return {"target_date": (TODAY + dt.timedelta(days=3)).isoformat(), "technicians": [world.users["TECNICO"].id]}


def validate(world, instrument):
    world.run(instrument_services.validate_instrument, user=world.users["CLIENTE"],
              instrument=world.session.get(Instrument, instrument.id))


def test_reception_rule_schedule_waits_for_the_client_then_goes_through(world):
    """Issue 21 · 12: the service refuses SCHEDULE naming the rule; after «Recepción» it schedules."""
    order, instrument = pending_order(world)
    with pytest.raises(ActionNotAllowed) as refused:
        world.act(order, "SCHEDULE", world.users["RESPONSABLE"], **schedule_payload(world))
    assert "espera en «Recibida»" in refused.value.message and "TER-009" in refused.value.message
    assert RULE in refused.value.message
    assert world.order(order.id).state == "RECEIVED"
    assert [e.action for e in world.audit(order.id)] == ["CREATE_ORDER"]  # the refusal wrote nothing
    validate(world, instrument)
    assert world.act(order, "SCHEDULE", world.users["RESPONSABLE"], **schedule_payload(world)).state == "SCHEDULED"


def test_reception_rule_on_the_order_page(world, client, login):
    """Issue 21 · 12: the page says what the order waits for; its SCHEDULE button is refused
    with the rule, and works once the client validated the instrument."""
    order, instrument = pending_order(world)
    login(world.users["RESPONSABLE"].username)
    html = client.get(f"/calibracion/orden/{order.id}").get_data(as_text=True)
    assert 'id="reception-notice"' in html and "TER-009" in html and RULE in html
    data = {**schedule_payload(world), "technicians": str(world.users["TECNICO"].id), "version": order.version}
    r = client.post(f"/calibracion/orden/{order.id}/accion/SCHEDULE", data=data)
    assert r.status_code == 403 and RULE in r.get_data(as_text=True)
    assert world.order(order.id).state == "RECEIVED"
    validate(world, instrument)
    assert 'id="reception-notice"' not in client.get(f"/calibracion/orden/{order.id}").get_data(as_text=True)
    r = client.post(f"/calibracion/orden/{order.id}/accion/SCHEDULE", data=data)
    assert r.status_code in (200, 302) and world.order(order.id).state == "SCHEDULED"


def test_reception_rule_on_the_rest_api(world, api):
    """Issue 21 · 12: the order's JSON carries `reception`; the action is a 403 naming the rule."""
    order, instrument = pending_order(world)
    resp = api(world.users["RESPONSABLE"], world.company)
    body = resp.get(f"/api/v1/calibration_order/{order.id}").get_json()["result"]
    assert body["reception"]["validated"] is False and RULE in body["reception"]["message"]
    r = resp.post(f"/api/v1/calibration_order/{order.id}/actions/SCHEDULE", json=schedule_payload(world))
    assert r.status_code == 403 and RULE in r.get_json()["message"], r.get_json()
    r = api(world.users["CLIENTE"], world.company).post(f"/api/v1/instrument/{instrument.id}/validate")
    assert r.status_code == 200, r.get_json()
    body = resp.get(f"/api/v1/calibration_order/{order.id}").get_json()["result"]
    assert body["reception"]["validated"] is True and body["reception"]["message"] is None
    r = resp.post(f"/api/v1/calibration_order/{order.id}/actions/SCHEDULE", json=schedule_payload(world))
    assert r.status_code == 200 and r.get_json()["state"] == "SCHEDULED", r.get_json()


def test_reception_rule_on_the_legacy_path(world, api):
    """Issue 21 · 12: update_work_order.php schedules through the same guard."""
    order, instrument = pending_order(world)
    resp = api(world.users["RESPONSABLE"], world.company)
    data = {"order_id": order.id, **schedule_payload(world)}
    r = resp.post("/backend/calibraciones/update_work_order.php", json=data)
    assert r.status_code == 403 and r.get_json()["ok"] is False and RULE in r.get_json()["message"]
    validate(world, instrument)
    r = resp.post("/backend/calibraciones/update_work_order.php", json=data)
    assert r.status_code == 200 and r.get_json()["order"]["state"] == "SCHEDULED", r.get_json()


def test_reception_rule_an_identity_edit_stops_start_and_certificate(world, api):
    """Issue 21 · 12 with issue 29 · 3: a scheduled order whose instrument's serial was edited
    (back to reception) is not started, an approved one not certified, until validated again."""
    scheduled = world.to("SCHEDULED")
    approved = world.to("APPROVED")
    manager = api(world.users["RESPONSABLE"], world.company)
    r = manager.put(f"/api/v1/instrument/{world.instrument.id}", json={"serial": "SN-2"})
    assert r.status_code == 200 and "vuelve a Recepción" in r.get_json()["message"], r.get_json()
    tech = api(world.users["TECNICO"], world.company)
    r = tech.post(f"/api/v1/calibration_order/{scheduled.id}/actions/START")
    assert r.status_code == 403 and RULE in r.get_json()["message"], r.get_json()
    r = tech.post("/backend/calibraciones/update_work_order.php", json={"order_id": scheduled.id, "action": "START"})
    assert r.status_code == 403 and r.get_json()["ok"] is False and RULE in r.get_json()["message"]
    body = tech.get(f"/api/v1/calibration_order/{scheduled.id}").get_json()["result"]["reception"]
    assert body["validated"] is False and body["message"].startswith("El instrumento MAN-001")  # not RECEIVED
    sup = api(world.users["SUPERVISOR"], world.company)
    r = sup.post(f"/api/v1/calibration_order/{approved.id}/actions/ISSUE_CERTIFICATE")
    assert r.status_code == 403 and RULE in r.get_json()["message"], r.get_json()
    validate(world, world.instrument)
    assert tech.post(f"/api/v1/calibration_order/{scheduled.id}/actions/START").status_code == 200
    r = sup.post(f"/api/v1/calibration_order/{approved.id}/actions/ISSUE_CERTIFICATE")
    assert r.status_code == 200 and r.get_json()["state"] == "CERTIFIED", r.get_json()
