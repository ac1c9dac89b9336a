"""Reference data (the YAML and the machine agree, seed is idempotent, catalogs read by every
ENV role and written by Admin), the demo, and the pages (form errors beside fields, the
detail offering only what the rules allow, WF-002's alert, files)."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from app.packaging.catalogs import queries as cat
from app.packaging.catalogs.models import (
    Area,
    ManagementType,
    OtState,
    RequestType,
    RoleArea,
)
from app.packaging.orders.workflow import WF
from app.packaging.seed import seed as seed_catalogs
from tests.packaging.conftest import ROLES, short


def test_states_areas_and_machine_agree_with_the_spec(session):
    assert list(cat.states()) == [*range(1, 19), 20, 21, 22]
    assert {s: cat.states()[s]["area"] for s in (1, 2, 5, 6, 7, 8, 17, 12)} == {
        1: 1, 2: 2, 5: 3, 6: 5, 7: 4, 8: 4, 17: 6, 12: None}
    opened = [str(s) for s in cat.states() if s not in (8, 9, 11)]
    for source in opened:  # every open state reaches every other state; the guards decide
        changes = {t.target for t in WF.transitions_for(source) if t.action != "APROBAR_OT"}
        assert changes == {str(s) for s in cat.states()} - {source}
    assert not WF.transitions_for("8") and WF.states["8"].final
    assert session.scalar(select(func.count()).select_from(OtState)) == 21
    assert session.get(Area, 4).name == "Área de Catalogación" and session.get(Area, 5).name == "Área de Precatalogación"
    assert session.get(Area, 6).description == "Sala de corte, muestras físicas"  # quoted: a comma is not a key
    assert session.get(ManagementType, 9).name == "Envío Diseño Externo"
    assert session.get(RequestType, 6).name == "OT Especial"
    assert {r.id: r.role_name for r in session.scalars(select(RoleArea))}[19] == "ENV_VENDEDOR_EXTERNO"
    assert len(ROLES) == 18


def test_seed_is_idempotent_and_keeps_labels(session):
    """Issue 20 · 7: the names are the rows' (tests/packaging/catalogs/test_labels.py)."""
    session.get(Area, 1).name = "Otro"
    session.commit()
    seed_catalogs(session)
    seed_catalogs(session)
    session.commit()
    assert session.get(Area, 1).name == "Otro"
    assert session.scalar(select(func.count()).select_from(Area)) == 9


def test_catalogs_read_by_every_env_role_written_by_admin(world, api):
    for role in ROLES:
        c = api(world.u(short(role)), world.company)
        for resource in ("packaging_area", "packaging_state", "packaging_management_type", "packaging_request_type",
                         "packaging_role_area", "packaging_cutting_room"):
            assert c.get(f"/api/v1/{resource}/").status_code == 200, (role, resource)
    assert api(world.u("vendedor"), world.company).put("/api/v1/packaging_state/2", json={"name": "X"}).status_code == 403
    r = api(world.u("administrador"), world.company).post("/api/v1/packaging_cutting_room/", json={"name": "Sala 9"})
    assert r.status_code == 201
    r = api(world.u("administrador"), world.company).post("/api/v1/packaging_cutting_room/", json={"name": "Sala 9"})
    assert r.status_code == 422 and r.get_json()["field"] == "name"


def test_new_ot_form_keeps_what_was_typed_and_shows_errors_beside_fields(world, login, client):
    login("vendedor")
    r = client.post("/envases/ots/nueva", data={"client": "Viña Sur", "description": "", "request_type": "9"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="Viña Sur"' in page
    assert "«Descripción»" in page and "«Tipo de solicitud»" in page
    r = client.post("/envases/ots/nueva", data={"client": "Viña Sur", "description": "Caja", "request_type": "1"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Proceso de Ventas" in page and "Área de Ventas" in page and "Viña Sur" in page


def test_detail_offers_only_allowed_types_and_states_and_shows_the_alert(world, login, client, api):
    ot = world.ot(17, visited=(2,))
    world.sample(ot)
    api(world.u("tecnico_muestras"), world.company).post("/api/v1/packaging_management/", json={
        "work_order": ot.id, "management_type": 9, "provider": "Gráficas Externas"})
    login("tecnico_muestras")
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert "Pendiente recepción de diseño externo" in page
    assert "Recepción Diseño Externo" in page and "Envío Diseño Externo</option>" not in page
    assert ">Muestra Terminada<" in page and ">Proceso de Ventas<" not in page
    assert "Pendiente de recepción" in page and "Gráficas Externas" in page


def test_management_page_file_upload_checked_and_state_change_moves_area(world, login, client):
    ot = world.ot(1)
    login("vendedor")
    r = client.post(f"/envases/ots/{ot.id}/gestion", data={"management_type": "3", "note": "plano",
                                                          "file": (io.BytesIO(b"not a pdf"), "plano.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "plano.pdf" in r.get_data(as_text=True)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    r = client.post(f"/envases/ots/{ot.id}/gestion", data={"management_type": "3", "note": "plano",
                                                          "file": (io.BytesIO(pdf), "plano.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    r = client.post(f"/envases/ots/{ot.id}/gestion", data={"management_type": "1", "state": "9"})
    assert r.status_code == 403 and "Perdido" in r.get_data(as_text=True)
    r = client.post(f"/envases/ots/{ot.id}/gestion", data={"management_type": "1", "state": "2", "note": "a dev"})
    assert r.status_code == 302
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert "Proceso de Desarrollo" in page and "Área de Desarrollo" in page and "plano.pdf" in page
    assert [e.management_type_id for e in world.entries(ot.id)] == [3, 1]


def test_mantenedores_are_admin_only(world, login, client, app):
    login("vendedor")
    assert client.get("/envases/mantenedores/area/list/").status_code == 403
    admin = login("administrador", test_client=app.test_client())
    assert "Área de Muestras" in admin.get("/envases/mantenedores/area/list/").get_data(as_text=True)


def test_profile_page_shows_area_and_cutting_room(world, login, client):
    login("tecnico_muestras")
    page = client.get("/envases/perfil").get_data(as_text=True)
    assert "Área de Muestras" in page and "Sala Norte A" in page and "Técnico de Muestras" in page


def test_demo_loads_ots_with_real_history(session, make_company, make_user):
    from app.core.tenancy import company_scope
    from app.packaging import demo
    from app.packaging.orders.models import WorkOrder

    company = make_company(name="Demo Envases")
    for role in ("ENV_VENDEDOR", "ENV_INGENIERO", "ENV_DISENADOR", "ENV_PRECATALOGADOR", "ENV_CATALOGADOR",
                 "ENV_TECNICO_MUESTRAS", "ENV_JEFE_DESARROLLO", "ENV_JEFE_VENTAS"):
        make_user(roles=[role], companies=[company])
    with company_scope(company.id):
        demo.load(session, company)
        session.commit()
        demo.load(session, company)
        session.commit()
        states = sorted(int(o.state) for o in session.scalars(select(WorkOrder)))
    assert states == [1, 2, 5, 8, 14, 17]


def test_state_change_that_hides_the_ot_returns_to_the_list_with_the_message(world, login, client):
    ot = world.ot(2)  # unassigned in Development: the engineer sees it until it leaves the area
    login("ingeniero")
    r = client.post(f"/envases/ots/{ot.id}/gestion", data={"management_type": "1", "state": "5"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/envases/ots/")
    assert f"Gestión registrada en la OT {ot.number}: «Proceso de Diseño», Área de Diseño e Impresión." in \
        client.get(r.headers["Location"]).get_data(as_text=True)


def test_profile_api_takes_only_members_of_the_company(world, api):
    c = api(world.u("administrador"), world.company)
    r = c.post("/api/v1/packaging_profile/", json={"user": world.u("sur_vendedor").id, "area": 1})
    assert r.status_code == 422 and "user" in r.get_json()["field"]
    r = c.post("/api/v1/packaging_profile/", json={"user": world.u("ingeniero").id, "area": 2,
                                                   "boss": world.u("jefe_desarrollo").id})
    assert r.status_code == 201, r.get_json()
    assert api(world.u("ingeniero"), world.company).get("/api/v1/packaging_profile/").status_code == 403
