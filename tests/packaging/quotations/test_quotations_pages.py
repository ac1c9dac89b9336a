"""Quotation pages (module COTIZADOR): the menu, the form with its lines (typed values kept,
each error beside its field, 422), the detail page with its totals and the workflow actions
(SUBMIT / APPROVE / REJECT with its reason), and the demo quotations."""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.tenancy import company_scope
from app.packaging.quotations.models import Quotation
from tests.packaging.quotations.helpers import quote, stored

BASE = "/envases/cotizaciones"


def form(client_name="Cliente Web", lines=(("Caja A", "10", "1500", "CLP"),), **extra):
    data = {"client": client_name, "work_order": "", "notes": "", **extra}
    for name, i in (("item", 0), ("quantity", 1), ("unit_price", 2), ("currency", 3)):
        data[f"line-{name}"] = [line[i] for line in lines]
    return data


def test_menu_cotizaciones_for_quotation_roles_only(world, login, client, app):
    login("vendedor")
    assert f'href="{BASE}/"' in client.get("/envases/ots/").get_data(as_text=True)
    other = app.test_client()
    login("ingeniero", test_client=other)
    assert f'href="{BASE}/"' not in other.get("/envases/ots/").get_data(as_text=True)
    assert other.get(f"{BASE}/").status_code == 403


def test_new_quotation_form_keeps_typed_values_and_errors_beside_fields(world, login, client):
    login("vendedor")
    page = client.get(f"{BASE}/nueva").get_data(as_text=True)
    assert 'name="line-item"' in page and "Peso chileno (CLP)" in page and 'id="add-line"' in page
    r = client.post(f"{BASE}/nueva", data=form("", lines=(("Caja A", "diez", "1500", "USD"), ("", "", "", "CLP"),
                                                          ("Caja B", "5", "-2", "UF"))))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "El campo «Cliente» es obligatorio." in html
    assert "El campo «Cantidad (línea 1)» debe ser un número" in html and 'value="diez"' in html
    assert "Precio unitario (línea 2)" in html and 'value="-2"' in html  # the blank row was dropped
    assert '<option value="USD" selected>' in html and '<option value="UF" selected>' in html
    with company_scope(None):
        assert world.session.scalar(select(func.count()).select_from(Quotation)) == 0


def test_new_quotation_created_from_the_page_then_submitted_from_its_detail(world, login, client):
    ot = world.ot(1)
    login("vendedor")
    r = client.post(f"{BASE}/nueva", data=form(lines=(("Caja A", "10", "1500", "CLP"), ("Flete", "1", "12,5", "USD")),
                                               work_order=str(ot.id)))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    detail = client.get(r.headers["Location"])
    html = detail.get_data(as_text=True)
    assert "Cotización 1 creada en borrador." in html and "Borrador" in html and f"OT {ot.number}" in html
    assert "15.000,00" in html and "12,50" in html  # totals per currency, in Spanish
    assert 'data-action="SUBMIT"' in html and 'id="edit-quotation"' in html
    q = stored(world, int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    r = client.post(f"{BASE}/{q.id}/accion/SUBMIT", data={"version": q.version})
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Cotización 1 enviada a aprobación." in html and "Enviada" in html and 'id="edit-quotation"' not in html


def test_edit_page_only_for_the_creators_draft(world, login, client, app):
    q = quote(world, world.u("vendedor"))
    login("vendedor")
    page = client.get(f"{BASE}/{q.id}/editar").get_data(as_text=True)
    assert 'value="Caja 30x20x15"' in page and 'value="350.5"' in page
    r = client.post(f"{BASE}/{q.id}/editar", data=form("Cliente Editado", lines=(("Caja Z", "2", "10", "CLP"),),
                                                       version=str(q.version)))
    assert r.status_code == 302 and stored(world, q.id).client == "Cliente Editado"
    assert [line.item for line in stored(world, q.id).lines] == ["Caja Z"]
    chief = app.test_client()
    login("jefe_ventas", test_client=chief)
    r = chief.get(f"{BASE}/{q.id}/editar")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{BASE}/{q.id}")
    assert "Solo quien creó la cotización" in chief.get(r.headers["Location"]).get_data(as_text=True)


def test_reject_from_the_page_needs_a_reason_shown_beside_its_field(world, login, client):
    q = quote(world, world.u("vendedor"), state="SUBMITTED")
    login("jefe_ventas")
    html = client.get(f"{BASE}/{q.id}").get_data(as_text=True)
    assert 'data-action="APPROVE"' in html and 'data-action="REJECT"' in html
    r = client.post(f"{BASE}/{q.id}/accion/REJECT", data={"version": q.version, "reason": ""})
    assert r.status_code == 422
    assert "El campo «Motivo del rechazo» es obligatorio." in r.get_data(as_text=True)
    r = client.post(f"{BASE}/{q.id}/accion/REJECT", data={"version": q.version, "reason": "Sin stock"})
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Cotización 1 rechazada." in html and "Sin stock" in html and "Rechazada" in html


def test_demo_loads_quotations_in_every_state(session, make_company, make_user):
    from app.packaging import demo

    company = make_company(name="Demo Cotizaciones")
    for role in ("ENV_VENDEDOR", "ENV_JEFE_VENTAS", "ENV_INGENIERO", "ENV_DISENADOR", "ENV_PRECATALOGADOR",
                 "ENV_CATALOGADOR", "ENV_TECNICO_MUESTRAS", "ENV_JEFE_DESARROLLO"):
        make_user(roles=[role], companies=[company])
    with company_scope(company.id):
        demo.load(session, company)
        session.commit()
        demo.load(session, company)
        session.commit()
        rows = session.scalars(select(Quotation).order_by(Quotation.number)).all()
    assert [q.state for q in rows] == ["DRAFT", "SUBMITTED", "APPROVED", "REJECTED"]
    assert rows[2].work_order is not None and rows[3].reject_reason
