"""The inspection form and the operator page as a daily user sees them (issue 9 items 7, 15)."""
from __future__ import annotations

import datetime as dt

from app.certification.catalogs.models import Operator
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=30)


def test_the_form_offers_only_operators_with_an_active_assignment(web, session):
    with company_scope(web.company.id):
        idle = Operator(first_name="Sin", last_name="Certificación", code="OP-9")
        session.add(idle)
        session.commit()
    html = web.client.get("/certificaciones/inspecciones/registrar").get_data(as_text=True)
    assert "Certificación (OP-9)" not in html and "Lucía Martín" not in html  # nobody holds one yet
    web.assign(START, today=TODAY)
    html = web.client.get("/certificaciones/inspecciones/registrar").get_data(as_text=True)
    assert "Lucía Martín" in html and "OP-9" not in html


def test_every_input_error_comes_back_at_once_beside_its_field_with_the_typed_values(web):
    a = web.assign(START, today=TODAY)
    before = web.counts()
    r = web.client.post("/certificaciones/inspecciones/registrar", data={
        "operator": web.operator.id, "assignment": a.id, "audit_type": web.audit_type.id, "auditor": "",
        "date": "mañana", "pieces": "0", "result": "OK", "observations": "Texto tecleado"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for field, words in (("date", "«Fecha» debe ser una fecha dd/mm/aaaa o aaaa-mm-dd"),
                         ("pieces", "«Piezas» debe ser un número entero mayor o igual que 1"),
                         ("auditor", "El campo «Auditor» es obligatorio")):
        assert f'data-field="{field}">' in html and words in html
    assert "Texto tecleado" in html
    assert web.counts() == before


def test_the_operator_page_says_who_registered_and_annulled_and_when_a_period_has_none(web):
    a = web.assign(START, today=TODAY)
    page = web.client.get(f"/certificaciones/operarios/ficha/{web.operator.id}").get_data(as_text=True)
    assert "Sin inspecciones." in page
    i = web.inspect(a, START, today=TODAY)
    web.client.post(f"/certificaciones/inspecciones/{i.id}/anular", data={"reason": "Lote equivocado"})
    page = web.client.get(f"/certificaciones/operarios/ficha/{web.operator.id}").get_data(as_text=True)
    name = f"{web.user.first_name} {web.user.last_name}"
    assert f'<td class="registered-by">{name}</td>' in page
    assert f"(por {name})" in page
    assert "Sin inspecciones." not in page
