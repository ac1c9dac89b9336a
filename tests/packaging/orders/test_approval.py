"""Issue 21 · 2: «Aprobar OT» (function matrix: Admin and Jefe de Ventas) gates a seller's OT:
it does not leave Sales until approved (docs/decisions.md «Issue 21 · 2»). The action is the
workflow's APROBAR_OT on the shared actions endpoints, with its audit, its log entry and its
refusals; the matrix's twelve cells are each proved; «Ver Reportes»' twelve cells on the
placeholder page; and the roles outside the matrix, by their nearest column."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.audit import AuditEntry, actor_name
from app.core.errors import ActionNotAllowed
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from app.packaging.catalogs import queries as cat
from app.packaging.orders import services
from app.packaging.orders.workflow import WF
from tests.packaging.conftest import TODAY

URL = "/api/v1/packaging_work_order/{}/actions"
# the spec's matrix, «Aprobar OT» and «Ver Reportes» rows, column by column (conftest's users)
APPROVE_ROW = {"administrador": True, "gerente": False, "jefe_ventas": True, "vendedor": False,
               "jefe_desarrollo": False, "ingeniero": False, "jefe_diseno": False, "disenador": False,
               "jefe_catalogacion": False, "catalogador": False, "jefe_muestras": False, "tecnico_muestras": False}
REPORTS_ROW = {**{user: True for user in APPROVE_ROW}, "tecnico_muestras": False}
# the roles the spec's matrix leaves out take their nearest column (seed/catalogs/packaging.yaml)
APPROVE_ROW_OUTSIDE = {"super_administrador": True, "jefe_precatalogacion": False, "precatalogador": False,
                       "gerente_comercial": False, "vendedor_externo": False, "api": False}
REPORTS_ROW_OUTSIDE = {"super_administrador": True, "jefe_precatalogacion": True, "precatalogador": True,
                       "gerente_comercial": True, "vendedor_externo": False, "api": False}


def approve(api, w, user, ot, **kw):
    return api(w.u(user), w.company).post(f"{URL.format(ot.id)}/APROBAR_OT", json={}, **kw)


def test_aprobar_ot_a_sellers_ot_waits_in_sales_until_the_chief_approves(world, api):
    ot = world.create()  # by the seller: not approved
    seller = api(world.u("vendedor"), world.company)
    seen = seller.get(f"/api/v1/packaging_work_order/{ot.id}/allowed").get_json()
    assert seen["states"] == [] and "espera la aprobación" in seen["alerts"][0]
    r = seller.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 1, "state": 2})
    assert r.status_code == 403 and "espera la aprobación de la jefatura de ventas" in r.get_json()["message"]
    assert seller.get(URL.format(ot.id)).get_json()["actions"] == []
    chief = api(world.u("jefe_ventas"), world.company)
    assert chief.get(URL.format(ot.id)).get_json()["actions"] == ["APROBAR_OT"]
    r = approve(api, world, "jefe_ventas", ot)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["state"] == "1" and body["work_order"]["approved"] is True
    assert body["work_order"]["approved_by"] == actor_name(world.u("jefe_ventas"))
    assert world.entries(ot.id)[-1].note == "OT aprobada." and world.entries(ot.id)[-1].management_type_id == 4
    world.session.rollback()
    with company_scope(None):
        audit = world.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "packaging_work_order", AuditEntry.entity_id == ot.id)
            .order_by(AuditEntry.id)).all()
    assert [(a.action, a.from_state, a.to_state) for a in audit][-1] == ("APROBAR_OT", "1", "1")
    # approved: the seller sends it on, and nobody approves it again
    assert seller.get(URL.format(ot.id)).get_json()["actions"] == ["CAMBIO_2"]
    assert chief.get(URL.format(ot.id)).get_json()["actions"] == ["CAMBIO_2"]
    r = approve(api, world, "jefe_ventas", ot)
    assert r.status_code == 403 and "ya está aprobada" in r.get_json()["message"]
    r = seller.post(f"{URL.format(ot.id)}/CAMBIO_2", json={})
    assert r.status_code == 200 and r.get_json()["work_order"]["current_area"] == 2


def test_aprobar_ot_an_approvers_own_ot_needs_no_approval(world, api):
    ot = world.create(user=world.u("jefe_ventas"))
    shown = api(world.u("jefe_ventas"), world.company).get(f"/api/v1/packaging_work_order/{ot.id}").get_json()
    assert shown["result"]["approved"] is True
    assert api(world.u("jefe_ventas"), world.company).get(URL.format(ot.id)).get_json()["actions"] == ["CAMBIO_2"]


def test_aprobar_ot_refusals_state_stale_version_and_other_company(world, api):
    moved = world.ot(2, approved=False)  # left Sales before approval existed
    r = approve(api, world, "jefe_ventas", moved)
    assert r.status_code == 403 and "no está permitida en el estado" in r.get_json()["message"]
    ot = world.create()
    r = approve(api, world, "jefe_ventas", ot, headers={"If-Match": "99"})
    assert r.status_code == 409
    r = api(world.u("jefe_ventas"), world.company).post(f"{URL.format(ot.id)}/APROBAR_OT", json={"note": "x"})
    assert r.status_code == 422 and r.get_json()["field"] == "note"
    r = api(world.u("admin"), world.other).post(f"{URL.format(ot.id)}/APROBAR_OT", json={})
    assert r.status_code == 404
    assert world.reload(ot.id).approved_at is None


@pytest.mark.parametrize("user", [*APPROVE_ROW, *APPROVE_ROW_OUTSIDE])
def test_aprobar_ot_matrix_cell(world, api, user):
    """The matrix's «Aprobar OT» cell of each of its twelve columns: X approves (through the
    endpoint), "-" is refused with the matrix's reason (by the command; through the endpoint
    403, or 404 where FLT-002..004 hide the OT from that role)."""
    ot = world.create()
    allowed = {**APPROVE_ROW, **APPROVE_ROW_OUTSIDE}[user]
    listed = api(world.u(user), world.company).get(URL.format(ot.id))
    r = approve(api, world, user, ot)
    if allowed:
        assert listed.get_json()["actions"] == ["APROBAR_OT"]
        assert r.status_code == 200, r.get_json()
        assert world.reload(ot.id).approved_by_id == world.u(user).id
        return
    assert r.status_code in (403, 404)
    if listed.status_code == 200:
        assert "APROBAR_OT" not in listed.get_json()["actions"]
        assert r.status_code == 403 and r.get_json()["message"] == "Tu rol no permite «Aprobar OT»."
    who = world.u(user)
    with company_scope(world.company.id), acting_as(who), pytest.raises(ActionNotAllowed,
                                                                        match="Tu rol no permite «Aprobar OT»"):
        services.act(session=world.session, user=who, company=world.company, today=TODAY,
                     ot=world.reload(ot.id), action="APROBAR_OT", data={})
    assert world.reload(ot.id).approved_at is None


@pytest.mark.parametrize("user", [*REPORTS_ROW, *REPORTS_ROW_OUTSIDE])
def test_ver_reportes_matrix_cell_on_the_placeholder_page(world, login, client, user):
    login(user)
    r = client.get("/envases/reportes")
    page = r.get_data(as_text=True)
    if {**REPORTS_ROW, **REPORTS_ROW_OUTSIDE}[user]:
        assert r.status_code == 200 and "Reportes de envases" in page and "Aún no hay reportes" in page
    elif user == "api":  # the API role has no web pages at all (issue 21 item 9)
        assert r.status_code == 403 and "accede solo por la API REST" in page
    else:
        assert r.status_code == 403 and "Tu rol no permite «Ver Reportes»." in page


def test_aprobar_ot_from_the_ot_page(world, login, client, app):
    ot = world.create()
    login("vendedor")
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert "Sin aprobar" in page and 'id="approve-form"' not in page and "espera la aprobación" in page
    assert client.post(f"/envases/ots/{ot.id}/aprobar").status_code == 302  # refused: flashed, nothing done
    assert world.reload(ot.id).approved_at is None
    client = login("jefe_ventas", test_client=app.test_client())
    assert 'id="approve-form"' in client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    r = client.post(f"/envases/ots/{ot.id}/aprobar", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert f"OT {ot.number} aprobada." in page and "Aprobada por" in page and 'id="approve-form"' not in page


def test_aprobar_ot_workflow_roles_are_the_matrix_column():
    wanted = {"Admin", "ENV_ADMINISTRADOR", "ENV_JEFE_VENTAS", "ENV_SUPER_ADMINISTRADOR"}
    assert set(WF.transitions_for_action("APROBAR_OT")[0].roles) == wanted
    assert {role for role in cat.roles() if cat.cell(role, "APROBAR_OT") == cat.YES} | {"Admin"} == wanted
