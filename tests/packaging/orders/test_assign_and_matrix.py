"""ASIG-001, the edit rule and the function x role matrix, every role through the API."""
from __future__ import annotations

import pytest

from app.packaging.catalogs import queries as cat
from tests.packaging.conftest import ROLES, short


def assign(api, w, chief, ot, user_id):
    return api(w.u(chief), w.company).post(f"/api/v1/packaging_work_order/{ot.id}/assign",
                                           json={"asignado_id": user_id})


# --- ASIG-001 ----------------------------------------------------------------------------------

def test_ASIG001_chief_assigns_a_professional_of_the_ots_area(world, api):
    ot = world.ot(2)
    r = assign(api, world, "jefe_desarrollo", ot, world.u("ingeniero").id)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["result"]["responsible"] == [
        {"area": 2, "area_label": "Área de Desarrollo", "user": {"id": world.u("ingeniero").id, "name": "Ingeniero Prueba"}}]
    r = assign(api, world, "jefe_desarrollo", ot, world.u("ingeniero2").id)  # reassigning replaces
    assert [x["user"]["id"] for x in r.get_json()["result"]["responsible"]] == [world.u("ingeniero2").id]


def test_ASIG001_refusals_name_the_reason(world, api):
    dev, closed = world.ot(2), world.ot(8)
    r = assign(api, world, "ingeniero", dev, world.u("ingeniero2").id)
    assert r.status_code == 403 and r.get_json()["message"] == "Tu rol no permite «Asignar OT»."
    r = assign(api, world, "jefe_ventas", dev, world.u("vendedor").id)
    assert r.status_code == 403 and "solo la asigna el jefe de esa área" in r.get_json()["message"]
    r = assign(api, world, "jefe_desarrollo", dev, world.u("disenador").id)
    assert r.status_code == 403 and "no pertenece a «Área de Desarrollo»" in r.get_json()["message"]
    r = assign(api, world, "jefe_catalogacion", closed, world.u("catalogador").id)
    assert r.status_code == 403 and "no admite asignaciones" in r.get_json()["message"]
    r = assign(api, world, "jefe_desarrollo", dev, world.u("sur_ingeniero").id)
    assert r.status_code == 422 and r.get_json()["field"] == "asignado_id"
    r = assign(api, world, "jefe_desarrollo", dev, "uno")
    assert r.status_code == 422 and r.get_json()["field"] == "asignado_id"
    assert world.reload(dev.id).assignments == []


def test_ASIG001_admin_assigns_in_any_area(world, api):
    ot = world.ot(5)
    assert assign(api, world, "administrador", ot, world.u("disenador").id).status_code == 200


def test_ASIG001_page_returns_to_assignments_with_a_message(world, login, client):
    ot = world.ot(2)
    login("jefe_desarrollo")
    page = client.get("/envases/asignaciones").get_data(as_text=True)
    assert f"OT {ot.number}" in page and "Sin asignar" in page
    r = client.post(f"/envases/ots/{ot.id}/asignar", data={"asignado_id": world.u("ingeniero").id})
    assert r.status_code == 302 and "/envases/asignacionesConMensaje" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"OT {ot.number} asignada a Ingeniero Prueba." in page


# --- the edit rule -----------------------------------------------------------------------------

def test_edit_rule_needs_the_users_area_and_an_open_ot(world, api):
    sales, dev, done = world.ot(1), world.ot(2), world.ot(8)
    c = api(world.u("vendedor"), world.company)
    assert c.put(f"/api/v1/packaging_work_order/{sales.id}", json={"client": "Nuevo"}).get_json()["result"]["client"] == "Nuevo"
    r = c.put(f"/api/v1/packaging_work_order/{dev.id}", json={"client": "Nuevo"})
    assert r.status_code == 403 and "solo se edita desde el área en que está" in r.get_json()["message"]
    r = api(world.u("administrador"), world.company).put(f"/api/v1/packaging_work_order/{done.id}", json={"client": "X"})
    assert r.status_code == 403 and "Super Administrador" in r.get_json()["message"]
    r = api(world.u("super_administrador"), world.company).put(f"/api/v1/packaging_work_order/{done.id}",
                                                               json={"client": "X"})
    assert r.status_code == 200
    r = c.put(f"/api/v1/packaging_work_order/{sales.id}", json={"client": ""})
    assert r.status_code == 422 and r.get_json()["field"] == "client"


# --- the function matrix -----------------------------------------------------------------------

PROFESSIONAL = {1: "vendedor", 2: "ingeniero", 3: "disenador", 4: "catalogador", 5: "precatalogador",
                6: "tecnico_muestras"}


def _call(api, w, role, function):
    """Call the endpoint of `function` as a user of `role`, on an OT in that user's area
    (so a `*` cell is allowed by its rule); the status says whether the matrix let it through."""
    user = w.u(short(role))
    c = api(user, w.company)
    area = cat.role_area(role) if cat.role_area(role) in (1, 2, 3, 4, 5, 6) else 1
    state = {1: 1, 2: 2, 3: 5, 4: 7, 5: 6, 6: 17}[area]
    ot = w.ot(state)
    if role == "ENV_TECNICO_MUESTRAS":
        w.sample(ot, state=2)
    if role in ("ENV_VENDEDOR", "ENV_VENDEDOR_EXTERNO"):
        w.session.rollback()
        from app.core.tenancy import company_scope
        with company_scope(w.company.id):
            w.reload(ot.id).creator_id = user.id
            w.session.commit()
    if function == "CREAR_OT":
        return c.post("/api/v1/packaging_work_order/", json={"client": "C", "description": "D", "request_type": 1})
    if function == "EDITAR_OT":
        return c.put(f"/api/v1/packaging_work_order/{ot.id}", json={"client": "Otro"})
    if function == "VER_OTS":
        return c.get("/api/v1/packaging_work_order/")
    if function == "CREAR_GESTION":
        return c.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 2, "note": "?"})
    if function == "ASIGNAR_OT":
        return c.post(f"/api/v1/packaging_work_order/{ot.id}/assign", json={"asignado_id": w.u(PROFESSIONAL[area]).id})
    if function == "MANTENEDORES":  # a catalog of the company (the areas are the platform's: Admin only)
        return c.put(f"/api/v1/packaging_cutting_room/{w.rooms['A'].id}", json={"name": "Sala Norte A"})
    raise AssertionError(function)


@pytest.mark.parametrize("function", ["CREAR_OT", "EDITAR_OT", "VER_OTS", "CREAR_GESTION", "ASIGNAR_OT", "MANTENEDORES"])
def test_function_matrix_every_role_through_the_api(world, api, function):
    for role in ROLES:
        allowed = cat.cell(role, function) in ("X", "*")
        r = _call(api, world, role, function)
        if allowed:
            assert r.status_code in (200, 201), (role, function, r.status_code, r.get_json())
        else:
            assert r.status_code == 403, (role, function, r.status_code, r.get_json())
            if function != "MANTENEDORES":  # FAB's own permission check answers that one
                assert r.get_json()["message"] == f"Tu rol no permite «{cat.function_label(function)}».", role


def test_function_matrix_columns_are_the_specs(world):
    m = cat.matrix()
    assert m["Admin"]["MANTENEDORES"] == "X" and all(m[c]["MANTENEDORES"] == "-" for c in m if c != "Admin")
    assert [c for c in m if m[c]["CREAR_OT"] == "X"] == ["Admin", "JefeVenta", "Vendedor", "JefeDev", "Ingeniero",
                                                         "JefeDis", "Disenador", "Api"]
    assert [c for c in m if m[c]["ASIGNAR_OT"] == "X"] == ["Admin", "JefeVenta", "JefeDev", "JefeDis", "JefeCat",
                                                           "JefeMue", "JefePrecat"]
    assert m["TecMue"]["VER_REPORTES"] == "-" and m["Gerente"]["VER_OTS"] == "X"
    assert cat.roles()["ENV_SUPER_ADMINISTRADOR"]["column"] == "Admin"
