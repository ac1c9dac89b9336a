"""Issue 10 REST API of instruments: the client validates an instrument's reception."""
from __future__ import annotations

from sqlalchemy import select

from app.calibration.instruments.models import Instrument
from app.core.audit import AuditEntry, entity_name
from app.core.tenancy import company_scope


def test_the_client_validates_an_instrument_reception(world, api):
    resp = api(world.users["RESPONSABLE"], world.company)
    assert resp.post(f"/api/v1/instrument/{world.instrument.id}/validate").status_code == 403
    client = api(world.users["CLIENTE"], world.company)
    r = client.post(f"/api/v1/instrument/{world.instrument.id}/validate")
    assert r.status_code == 200 and r.get_json()["validated_by"] == "cal_cliente"
    assert api(world.users["SUR_CLIENTE"], world.other).post(
        f"/api/v1/instrument/{world.instrument.id}/validate").status_code == 404


def test_issue_29_3_an_identity_edit_sends_a_validated_instrument_back_to_reception(world, api, session):
    """Editing the serial (tag, make, model) of a validated instrument clears its validation,
    says why and is in the audit; editing where it is kept (a free-text field) keeps it."""
    pk = world.instrument.id
    client = api(world.users["CLIENTE"], world.company)
    assert client.post(f"/api/v1/instrument/{pk}/validate").status_code == 200
    kept = client.put(f"/api/v1/instrument/{pk}", json={"location": "Laboratorio 2"})
    assert kept.status_code == 200 and "message" not in kept.get_json()
    assert client.get(f"/api/v1/instrument/{pk}").get_json()["result"]["validated_at"] is not None
    changed = client.put(f"/api/v1/instrument/{pk}", json={"serial": "SN-NUEVO-77"})
    assert changed.status_code == 200
    assert "vuelve a Recepción" in changed.get_json()["message"] and "número de serie" in changed.get_json()["message"]
    assert client.get(f"/api/v1/instrument/{pk}").get_json()["result"]["validated_at"] is None
    with company_scope(world.company.id):
        last = session.scalars(select(AuditEntry).where(AuditEntry.entity == entity_name(Instrument), AuditEntry.entity_id == pk,
                                                 AuditEntry.action == "update")
                               .order_by(AuditEntry.id.desc())).first()
    assert "validated_at" in last.data and "serial" in last.data
