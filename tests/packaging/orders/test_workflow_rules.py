"""WF-001..WF-004 on the seeded dataset, through /allowed and packaging_management (the
caller's view of the rules), and the OT walked from Sales to OT Terminada."""
from __future__ import annotations

import pytest

ALERT = "Pendiente recepción de diseño externo"
# the user of each area who records state changes there
AREA_USER = {1: "vendedor", 2: "ingeniero", 3: "disenador", 4: "catalogador", 5: "precatalogador",
             6: "tecnico_muestras"}


def allowed(api, w, user, ot):
    r = api(w.u(user), w.company).get(f"/api/v1/packaging_work_order/{ot.id}/allowed")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def change(api, w, user, ot, state, **extra):
    return api(w.u(user), w.company).post("/api/v1/packaging_management/",
                                          json={"work_order": ot.id, "management_type": 1, "state": state, **extra})


# --- WF-001 -------------------------------------------------------------------------------------

def test_WF001_sales_first_hop_only_to_development_until_it_went_there(world, api):
    ot = world.ot(1)
    assert allowed(api, world, "vendedor", ot)["states"] == [2]
    r = change(api, world, "vendedor", ot, 9)
    assert r.status_code == 403 and "Perdido" in r.get_json()["message"]
    assert world.reload(ot.id).state == "1"


@pytest.mark.parametrize("rtype", [3, 5])
def test_WF001_art_types_go_first_to_design(world, api, rtype):
    ot = world.ot(1, request_type=rtype)
    assert allowed(api, world, "vendedor", ot)["states"] == [5]
    assert change(api, world, "vendedor", ot, 5).status_code == 201
    ot = world.reload(ot.id)
    assert (ot.state, ot.current_area_id) == ("5", 3)


def test_WF001_sales_normal_list_after_development(world, api):
    ot = world.ot(1, visited=(2,))
    assert allowed(api, world, "vendedor", ot)["states"] == [2, 5, 6, 7, 9, 10, 11, 14, 15, 16, 20, 21]


def test_WF001_sales_special_request_type(world, api):
    ot = world.ot(1, request_type=6, visited=(2,))
    assert allowed(api, world, "vendedor", ot)["states"] == [2, 10, 11, 15, 8]
    assert change(api, world, "vendedor", ot, 5).status_code == 403


def test_WF001_development_lists_and_delivered(world, api):
    full = world.ot(2, request_type=1)
    assert allowed(api, world, "ingeniero", full)["states"] == [1, 3, 4, 5, 6, 7, 12, 16, 17]
    other = world.ot(2, request_type=2)
    assert allowed(api, world, "ingeniero", other)["states"] == [1, 3, 4, 5, 6, 7, 12, 16, 17, 13]
    special = world.ot(2, request_type=6)
    assert allowed(api, world, "ingeniero", special)["states"] == [1, 3, 12, 13]
    world.sample(special)
    assert allowed(api, world, "ingeniero", special)["states"] == [1, 3, 17, 12, 13]


def test_WF001_design_cataloguing_precataloguing_samples(world, api):
    assert allowed(api, world, "disenador", world.ot(5, request_type=1))["states"] == [1, 2, 6, 7, 12, 16]
    assert allowed(api, world, "disenador", world.ot(5, request_type=3))["states"] == [1, 2, 6, 7, 12, 16, 13]
    assert allowed(api, world, "catalogador", world.ot(7))["states"] == [1, 2, 5, 8, 12]
    assert allowed(api, world, "precatalogador", world.ot(6))["states"] == [1, 2, 5, 7, 12]
    samples = world.ot(17)
    world.sample(samples, state=2)
    assert allowed(api, world, "tecnico_muestras", samples)["states"] == [5, 12, 18, 22]


def test_WF001_refused_target_names_the_allowed_states(world, api):
    ot = world.ot(7)
    r = change(api, world, "catalogador", ot, 9)
    assert r.status_code == 403
    assert "Perdido" in r.get_json()["message"] and "OT Terminada" in r.get_json()["message"]


# --- WF-002 -------------------------------------------------------------------------------------

def _samples_ot_with_pending_design(world, api):
    ot = world.ot(2, visited=(2,))
    world.sample(ot)
    assert change(api, world, "ingeniero", ot, 17).status_code == 201
    c = api(world.u("tecnico_muestras"), world.company)
    assert allowed(api, world, "tecnico_muestras", ot)["management_types"] == [1, 2, 3, 8, 9, 11]
    r = c.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 9,
                                                         "provider": "Gráficas Externas", "event_date": "2026-11-20"})
    assert r.status_code == 201, r.get_json()
    return ot


def _back_to_sales(world, api, ot):
    """Issue 21 · 1, the real way back: Samples ends the samples (18), the OT returns to
    Development, which sends it to Sales (1)."""
    assert change(api, world, "tecnico_muestras", ot, 18).status_code == 201
    assert (world.reload(ot.id).state, world.reload(ot.id).current_area_id) == ("18", 2)
    assert change(api, world, "jefe_desarrollo", ot, 1).status_code == 201


def test_WF002_external_design_blocks_vb_cliente_with_its_alert(world, api):
    ot = _samples_ot_with_pending_design(world, api)
    _back_to_sales(world, api, ot)
    seen = allowed(api, world, "vendedor", ot)
    assert ALERT in seen["alerts"] and 16 not in seen["states"] and 14 in seen["states"]
    r = change(api, world, "vendedor", ot, 16)
    assert r.status_code == 403 and r.get_json()["message"] == ALERT
    assert world.reload(ot.id).state == "1"


def test_WF002_reception_releases_the_block(world, api):
    ot = _samples_ot_with_pending_design(world, api)
    c = api(world.u("tecnico_muestras"), world.company)
    assert allowed(api, world, "tecnico_muestras", ot)["management_types"] == [1, 2, 3, 8, 10, 11]
    r = c.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 10,
                                                         "provider": "Gráficas Externas"})
    assert r.status_code == 201
    _back_to_sales(world, api, ot)
    seen = allowed(api, world, "vendedor", ot)
    assert seen["alerts"] == [] and 16 in seen["states"]
    assert change(api, world, "vendedor", ot, 16).status_code == 201


def test_WF002_external_design_needs_a_provider(world, api):
    ot = world.ot(17)
    world.sample(ot)
    r = api(world.u("tecnico_muestras"), world.company).post(
        "/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 9})
    assert r.status_code == 422 and r.get_json()["field"] == "provider"


# --- WF-003 -------------------------------------------------------------------------------------

@pytest.mark.parametrize("waiting", [10, 14, 15, 16])
def test_WF003_waiting_state_returns_to_sales(world, api, waiting):
    ot = world.ot(waiting, visited=(2,))
    states = allowed(api, world, "vendedor", ot)["states"]
    assert waiting not in states and 1 in states
    assert change(api, world, "vendedor", ot, 1).status_code == 201
    ot = world.reload(ot.id)
    assert (ot.state, ot.current_area_id) == ("1", 1)


# --- WF-004 -------------------------------------------------------------------------------------

def test_WF004_in_and_out_of_the_users_area(world, api):
    dev = world.ot(2)
    assert allowed(api, world, "ingeniero", dev)["management_types"] == [1, 2, 3, 6]
    assert allowed(api, world, "vendedor", dev) == {"management_types": [2, 3], "states": [], "alerts": [],
                                                    "can_edit": False}
    assert allowed(api, world, "ingeniero", world.ot(2, request_type=6))["management_types"] == [1, 2, 3]
    assert allowed(api, world, "disenador", world.ot(5))["management_types"] == [1, 2, 3, 8]
    done = world.ot(17)
    world.sample(done, state=2)  # no pending sample: the standard list
    assert allowed(api, world, "tecnico_muestras", done)["management_types"] == [1, 2, 3, 8]


def test_WF004_other_area_may_consult_but_not_change_state(world, api):
    dev = world.ot(2)
    r = change(api, world, "vendedor", dev, 1)
    assert r.status_code == 403 and "Cambio de Estado" in r.get_json()["message"]
    c = api(world.u("vendedor"), world.company)
    r = c.post("/api/v1/packaging_management/", json={"work_order": dev.id, "management_type": 2,
                                                         "note": "¿Medidas finales?", "consulted_area": 2})
    assert r.status_code == 201 and r.get_json()["result"]["management"]["consulted_area"] == 2
    r = c.post("/api/v1/packaging_management/", json={"work_order": dev.id, "management_type": 4, "note": "x"})
    assert r.status_code == 403


def test_WF004_bad_payloads_are_422(world, api):
    ot = world.ot(1)
    c = api(world.u("vendedor"), world.company)
    for body, field in (({"work_order": ot.id, "management_type": 1, "state": 99}, "state"),
                        ({"work_order": ot.id, "management_type": "x"}, "management_type"),
                        ({"work_order": ot.id, "management_type": 5}, "management_type"),
                        ({"work_order": ot.id, "management_type": 2, "junk": 1}, "junk"),
                        ({"management_type": 2}, "work_order")):
        r = c.post("/api/v1/packaging_management/", json=body)
        assert r.status_code == 422 and r.get_json()["field"] == field, (body, r.get_json())


# --- the whole path -----------------------------------------------------------------------------

def test_ot_walked_from_sales_to_ot_terminada_with_the_expected_areas(world, api):
    r = api(world.u("vendedor"), world.company).post("/api/v1/packaging_work_order/", json={
        "client": "Viña Sur", "description": "Caja vino 6 botellas", "request_type": 1})
    assert r.status_code == 201
    ot = world.reload(r.get_json()["id"])
    assert (ot.state, ot.current_area_id, ot.creator_id) == ("1", 1, world.u("vendedor").id)
    # a seller's OT leaves Sales once the sales chief approves it (issue 21 · 2)
    assert change(api, world, "vendedor", ot, 2).status_code == 403
    approve = api(world.u("jefe_ventas"), world.company).post(f"/api/v1/packaging_work_order/{ot.id}/actions/APROBAR_OT")
    assert approve.status_code == 200, approve.get_json()
    path = [("vendedor", 2, 2), ("ingeniero", 5, 3), ("disenador", 1, 1), ("vendedor", 16, 1),
            ("vendedor", 6, 5), ("precatalogador", 7, 4), ("catalogador", 8, 4)]
    for user, state, area in path:
        r = change(api, world, user, ot, state, note=f"a {state}")
        assert r.status_code == 201, (user, state, r.get_json())
        body = r.get_json()["result"]["work_order"]
        assert (body["state"], body["current_area"]) == (state, area)
    entries = [e for e in world.entries(ot.id) if e.management_type_id == 1]
    assert [(e.state_to, e.area_to_id) for e in entries] == [(str(s), a) for _, s, a in path]
    assert allowed(api, world, "catalogador", ot)["states"] == []
