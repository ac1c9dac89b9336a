"""Issue 19, point 6 (calibration certificates): a long «standards» wraps and paginates in the
certificate, and a layout that still fails is a 422 naming the field that leaves the order
APPROVED and issuable again."""
from __future__ import annotations

import io

from pypdf import PdfReader

from app.calibration.certificates.models import Certificate
from app.core import pdf
from app.core.tenancy import company_scope
from tests.factories import make_user

# --- 6. long text wraps and paginates; a failed issue is a 422 naming the field -----------------

LONG_STANDARDS = "\n".join(f"Patrón P-{i:02d}: manómetro ref., cert. ENAC {1000 + i}/2026, CEM" for i in range(70))


def _pdf_text(world, order) -> tuple[int, str]:
    with company_scope(world.company.id):
        cert = world.session.query(Certificate).filter_by(order_id=order.id).one()
        reader = PdfReader(io.BytesIO(world.storage.open(world.company.id, cert.storage_key)))
    return len(reader.pages), " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_hardening_19_6_seventy_lines_of_standards_paginate_in_the_certificate(world, api):
    assert len(LONG_STANDARDS) <= 4000 and LONG_STANDARDS.count("\n") == 69
    order = world.to("IN_REVIEW")
    sup = api(world.users["SUPERVISOR"], world.company)
    assert sup.put(f"/api/v1/calibration_order/{order.id}", json={"standards": LONG_STANDARDS}).status_code == 200
    world.tick_all(order)
    other = make_user(roles=["CAL_SUPERVISOR"], companies=[world.company], username="cal_supervisor_tres")
    # (the supervisor who wrote the standards may not approve: issue 19 #4)
    assert api(other, world.company).post(f"/api/v1/calibration_order/{order.id}/actions/APPROVE").status_code == 200
    r = sup.post(f"/api/v1/calibration_order/{order.id}/actions/ISSUE_CERTIFICATE")
    assert r.status_code == 200, r.get_json()
    assert world.order(order.id).state == "CERTIFIED"
    pages, text = _pdf_text(world, order)
    assert pages > 1
    assert "Patrón P-00: manómetro ref., cert. ENAC 1000/2026, CEM" in text
    assert "Patrón P-69: manómetro ref., cert. ENAC 1069/2026, CEM" in text  # the last line is printed
    assert f"Página {pages} de {pages}" in text


def test_hardening_19_6_a_certificate_that_cannot_be_laid_out_is_a_422_and_stays_retryable(world, api, monkeypatch):
    """Should the layout still fail (here: long texts forced back into one table row, as
    before the fix), the issue is refused naming the field, nothing is written, and the same
    order is issued once it can be laid out."""
    order = world.to("APPROVED")
    with company_scope(world.company.id):
        world.order(order.id).standards = LONG_STANDARDS
        world.session.commit()
    monkeypatch.setattr(pdf, "ROW_CHARS", 10**6)
    monkeypatch.setattr(pdf, "ROW_LINES", 10**6)
    sup = api(world.users["SUPERVISOR"], world.company)
    r = sup.post(f"/api/v1/calibration_order/{order.id}/actions/ISSUE_CERTIFICATE")
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.get_json()["field"] == "standards"
    assert "«Patrones utilizados y trazabilidad» es demasiado largo" in r.get_json()["message"]
    assert world.order(order.id).state == "APPROVED"
    with company_scope(world.company.id):
        assert world.session.query(Certificate).filter_by(order_id=order.id).count() == 0
    assert [e.action for e in world.audit(order.id)][-1] == "APPROVE"
    monkeypatch.undo()
    r = sup.post(f"/api/v1/calibration_order/{order.id}/actions/ISSUE_CERTIFICATE")
    assert r.status_code == 200, r.get_json()
    pages, text = _pdf_text(world, order)
    assert pages > 1 and "Patrón P-69" in text
    with company_scope(world.company.id):  # the number given back by the failed try is the one used
        assert world.session.query(Certificate).filter_by(order_id=order.id).one().number.endswith("-00001")


def test_hardening_19_6_the_printed_texts_have_limits_named_on_refusal(world, api):
    order = world.to("IN_REVIEW")
    sup = api(world.users["SUPERVISOR"], world.company)
    for field, size, label in (("standards", 4001, "Patrones utilizados y trazabilidad"),
                               ("method", 201, "Método de calibración"),
                               ("environment", 201, "Condiciones ambientales")):
        r = sup.put(f"/api/v1/calibration_order/{order.id}", json={field: "x" * size})
        assert r.status_code == 422 and r.get_json()["field"] == field and label in r.get_json()["message"], r.get_json()
    # the amendment reason the certificate prints may be as long as the AMEND that gives it
    assert Certificate.amendment_reason.property.columns[0].info["max_length"] == 4000
