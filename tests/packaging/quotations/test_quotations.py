"""Quotations (module COTIZADOR): the function matrix for creating (Crear Cotización) and
deciding (Aprobar Cotización) through the API, the states draft -> submitted -> approved |
rejected, who edits a draft, the lines and their totals per currency, numbering per company."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.tenancy import company_scope
from app.packaging import rules
from app.packaging.catalogs import queries as cat
from app.packaging.quotations.models import Quotation, QuotationLine
from app.packaging.quotations.workflow import QWF
from tests.packaging.conftest import ROLES, short
from tests.packaging.quotations.helpers import LINE, URL, quote, stored

EVERYONE = [short(r) for r in ROLES] + ["admin"]


def can(w, who, function):
    return rules.can(rules.actor_for(w.session, w.u(who), w.company.id), function)


def count(w, model) -> int:
    w.session.rollback()
    with company_scope(None):
        return w.session.scalar(select(func.count()).select_from(model))


def act(api, w, who, q, action, body=None, **kw):
    return api(w.u(who), w.company).post(f"{URL}{q.id}/actions/{action}", json=body, **kw)


# --- the matrix -----------------------------------------------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
def test_matrix_create_quotation_per_role(world, api, who):
    r = api(world.u(who), world.company).post(URL, json={"client": "Cliente Uno", "lines": [LINE]})
    if can(world, who, "CREAR_COTIZACION"):
        assert r.status_code == 201, r.get_json()
        body = r.get_json()["result"]
        assert body["state"] == "DRAFT" and body["state_label"] == "Borrador"
        assert body["creator"]["id"] == world.u(who).id and body["number"] == 1
    else:
        assert r.status_code == 403, (who, r.get_json())
        assert count(world, Quotation) == 0


def test_matrix_create_refusal_names_the_function(world, api):
    r = api(world.u("gerente"), world.company).post(URL, json={"client": "X", "lines": [LINE]})
    assert r.status_code == 403 and r.get_json()["message"] == "Tu rol no permite «Crear Cotización»."


@pytest.mark.parametrize("who", EVERYONE)
def test_matrix_approve_quotation_per_role(world, api, who):
    q = quote(world, world.u("vendedor"), state="SUBMITTED")
    r = act(api, world, who, q, "APPROVE")
    if can(world, who, "APROBAR_COTIZACION"):
        assert r.status_code == 200, (who, r.get_json())
        assert r.get_json()["state"] == "APPROVED" and r.get_json()["decided_by"]["id"] == world.u(who).id
    else:
        # 404 exactly when the quotation is not theirs to see (COT-001), else 403
        hidden = api(world.u(who), world.company).get(f"/api/v1/packaging_quotation/{q.id}").status_code == 404
        assert r.status_code == (404 if hidden else 403), (who, r.get_json())
        assert stored(world, q.id).state == "SUBMITTED"


def test_matrix_seller_may_not_approve_their_own_quotation(world, api):
    q = quote(world, world.u("vendedor"), state="SUBMITTED")
    r = act(api, world, "vendedor", q, "APPROVE")
    assert r.status_code == 403 and "Tu rol no permite «Aprobar»" in r.get_json()["message"]
    assert "Jefe de Ventas" in r.get_json()["message"]


def test_workflow_roles_are_the_matrix_roles():
    """SUBMIT = Crear Cotización, APPROVE and REJECT = Aprobar Cotización (ENV roles and Admin)."""
    for action, function in (("SUBMIT", "CREAR_COTIZACION"), ("APPROVE", "APROBAR_COTIZACION"),
                             ("REJECT", "APROBAR_COTIZACION")):
        wanted = {r for r in cat.roles() if cat.cell(r, function) == cat.YES} | {"Admin"}
        assert set(QWF.transitions_for_action(action)[0].roles) == wanted, action


# --- the states -----------------------------------------------------------------------------

def test_state_machine_submit_then_approve(world, api):
    q = quote(world, world.u("vendedor"))
    c = api(world.u("vendedor"), world.company)
    assert c.get(f"{URL}{q.id}/actions").get_json()["actions"] == ["SUBMIT"]
    assert api(world.u("jefe_ventas"), world.company).get(f"{URL}{q.id}/actions").get_json()["actions"] == []
    r = act(api, world, "vendedor", q, "SUBMIT")
    assert r.status_code == 200 and r.get_json()["state"] == "SUBMITTED" and r.get_json()["version"] == 2
    assert c.get(f"{URL}{q.id}/actions").get_json()["actions"] == []
    assert api(world.u("jefe_ventas"), world.company).get(f"{URL}{q.id}/actions").get_json()["actions"] == \
        ["APPROVE", "REJECT"]
    assert act(api, world, "jefe_ventas", q, "APPROVE").get_json()["state"] == "APPROVED"
    r = act(api, world, "jefe_ventas", q, "REJECT", {"reason": "tarde"})
    assert r.status_code == 403 and "no está permitida en el estado «Aprobada»" in r.get_json()["message"]
    with company_scope(None):
        actions = world.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "packaging_quotation", AuditEntry.entity_id == q.id).order_by(AuditEntry.id)).all()
    assert actions == ["CREAR_COTIZACION", "SUBMIT", "APPROVE"]


def test_state_machine_reject_needs_a_reason(world, api):
    q = quote(world, world.u("vendedor"), state="SUBMITTED")
    r = act(api, world, "gerente_comercial", q, "REJECT", {})
    assert r.status_code == 422 and r.get_json()["field"] == "reason"
    assert "Motivo del rechazo" in r.get_json()["message"] and stored(world, q.id).state == "SUBMITTED"
    r = act(api, world, "gerente_comercial", q, "REJECT", {"reason": "Precio fuera de lista"})
    assert r.status_code == 200 and r.get_json()["state"] == "REJECTED"
    assert r.get_json()["reject_reason"] == "Precio fuera de lista"
    assert act(api, world, "gerente_comercial", q, "APPROVE").status_code == 403


def test_state_machine_no_lines_cannot_be_submitted(world, api):
    q = quote(world, world.u("vendedor"), lines=())
    r = act(api, world, "vendedor", q, "SUBMIT")
    assert r.status_code == 403 and "no tiene líneas" in r.get_json()["message"]
    assert stored(world, q.id).state == "DRAFT"


def test_state_machine_only_the_creator_or_an_admin_submits(world, api):
    q = quote(world, world.u("vendedor"))
    r = act(api, world, "jefe_ventas", q, "SUBMIT")
    assert r.status_code == 403 and "Solo quien creó la cotización" in r.get_json()["message"]
    assert stored(world, q.id).state == "DRAFT"
    assert act(api, world, "administrador", q, "SUBMIT").status_code == 200


def test_state_machine_stale_version_is_409(world, api):
    q = quote(world, world.u("vendedor"))
    r = act(api, world, "vendedor", q, "SUBMIT", headers={"If-Match": "7"})
    assert r.status_code == 409 and stored(world, q.id).state == "DRAFT"


# --- editing a draft ------------------------------------------------------------------------

def test_edit_draft_by_creator_replaces_lines_and_totals_per_currency(world, api):
    q = quote(world, world.u("vendedor"))
    lines = [{"item": "Caja A", "quantity": "10", "unit_price": "1500", "currency": "CLP"},
             {"item": "Caja B", "quantity": "2,5", "unit_price": "100", "currency": "CLP"},
             {"item": "Bandeja", "quantity": 3, "unit_price": 0.5, "currency": "USD"}]
    r = api(world.u("vendedor"), world.company).put(f"{URL}{q.id}", json={"client": "Cliente Dos", "lines": lines})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()["result"]
    assert body["client"] == "Cliente Dos" and [x["item"] for x in body["lines"]] == ["Caja A", "Caja B", "Bandeja"]
    assert body["totals"] == [
        {"currency": "CLP", "currency_label": "Peso chileno (CLP)", "total": "15250.00"},
        {"currency": "USD", "currency_label": "Dólar estadounidense (USD)", "total": "1.50"}]
    assert body["version"] == 2 and count(world, QuotationLine) == 3


def test_edit_refused_for_others_and_after_submitting(world, api):
    q = quote(world, world.u("vendedor"))
    r = api(world.u("jefe_ventas"), world.company).put(f"{URL}{q.id}", json={"client": "X"})
    assert r.status_code == 403 and "Solo quien creó la cotización" in r.get_json()["message"]
    assert api(world.u("administrador"), world.company).put(f"{URL}{q.id}", json={"client": "Admin"}).status_code == 200
    act(api, world, "vendedor", q, "SUBMIT")
    r = api(world.u("vendedor"), world.company).put(f"{URL}{q.id}", json={"lines": []})
    assert r.status_code == 403 and "solo se modifica en borrador" in r.get_json()["message"]
    assert stored(world, q.id).client == "Admin" and len(stored(world, q.id).lines) == 1


def test_edit_with_a_stale_version_is_409(world, api):
    q = quote(world, world.u("vendedor"))
    r = api(world.u("vendedor"), world.company).put(f"{URL}{q.id}", json={"client": "X"}, headers={"If-Match": "5"})
    assert r.status_code == 409 and stored(world, q.id).client == "Cliente Uno"


# --- input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, field, words", [
    ({"lines": [LINE]}, "client", "«Cliente» es obligatorio"),
    ({"client": "X", "lines": [{**LINE, "quantity": "0"}]}, "lines.0.quantity", "Cantidad (línea 1)"),
    ({"client": "X", "lines": [LINE, {**LINE, "unit_price": "-1"}]}, "lines.1.unit_price", "Precio unitario (línea 2)"),
    ({"client": "X", "lines": [{**LINE, "currency": "EUR"}]}, "lines.0.currency", "Peso chileno (CLP)"),
    ({"client": "X", "lines": [{**LINE, "quantity": "1.555"}]}, "lines.0.quantity", "como mucho 2 decimales"),
    ({"client": "X", "lines": [{**LINE, "item": ""}]}, "lines.0.item", "«Ítem (línea 1)» es obligatorio"),
    ({"client": "X", "lines": [{**LINE, "color": "rojo"}]}, "lines.0.color", "Campo desconocido"),
    ({"client": "X", "lines": "muchas"}, "lines", "lista de líneas"),
    ({"client": "X", "lines": [LINE], "total": 5}, "total", "Campo desconocido"),
    ({"client": "X", "work_order": 999999}, "work_order", "no corresponde"),
])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(world, api, body, field, words):
    r = api(world.u("vendedor"), world.company).post(URL, json=body)
    assert r.status_code == 422 and r.get_json()["field"] == field, r.get_json()
    assert words in r.get_json()["message"]
    assert count(world, Quotation) == 0 and count(world, QuotationLine) == 0


def test_every_line_error_at_once(world, api):
    r = api(world.u("vendedor"), world.company).post(URL, json={"client": "", "lines": [
        {**LINE, "quantity": "x"}, {**LINE, "currency": ""}]})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"client", "lines.0.quantity", "lines.1.currency"}


def test_work_order_must_be_one_the_user_sees_in_the_company(world, api):
    mine, theirs = world.ot(1), world.ot(1, creator=world.u("vendedor_externo"))
    with company_scope(world.other.id):
        from app.packaging.orders.models import WorkOrder

        foreign = WorkOrder(company_id=world.other.id, number=1, client="Sur", description="x", request_type_id=1,
                            current_area_id=1, creator_id=world.u("sur_vendedor").id, state="1", version=1)
        world.session.add(foreign)
        world.session.commit()
    c = api(world.u("vendedor"), world.company)
    r = c.post(URL, json={"client": "X", "work_order": mine.id, "lines": [LINE]})
    assert r.status_code == 201 and r.get_json()["result"]["work_order"] == {"id": mine.id, "number": mine.number}
    for pk in (theirs.id, foreign.id):
        r = c.post(URL, json={"client": "X", "work_order": pk, "lines": [LINE]})
        assert r.status_code == 422 and r.get_json()["field"] == "work_order"


def test_numbers_run_per_company(world, api):
    a = quote(world, world.u("vendedor"))
    b = quote(world, world.u("jefe_ventas"))
    r = api(world.u("sur_vendedor"), world.other).post(URL, json={"client": "Sur", "lines": [LINE]})
    assert (a.number, b.number, r.get_json()["result"]["number"]) == (1, 2, 1)
