"""Issue 29 item 5: packaging OTs on the shared workflow endpoints. GET .../actions lists what
the caller may do now (WF-004, WF-001..003: it differs per role and area); POST
.../actions/CAMBIO_<id> runs the same command as a management entry of type 1 (the entry
written by the action, the audit, the same refusals: 403 rule, 409 stale, 422 payload);
another company's OT is 404."""
from __future__ import annotations

from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.tenancy import company_scope

URL = "/api/v1/packaging_work_order/{}/actions"


def actions(api, w, user, ot, company=None):
    r = api(w.u(user), company or w.company).get(URL.format(ot.id))
    return r


def perform(api, w, user, ot, action, body=None, **kw):
    return api(w.u(user), w.company).post(f"{URL.format(ot.id)}/{action}", json=body or {}, **kw)


def audit_actions(w, ot):
    w.session.rollback()
    with company_scope(None):
        return list(w.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "packaging_work_order", AuditEntry.entity_id == ot.id).order_by(AuditEntry.id)))


def test_WF004_WF001_get_actions_lists_the_callers_state_changes_per_role(world, api):
    ot = world.ot(2)
    r = actions(api, world, "ingeniero", ot)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["state"] == "2" and body["version"] == ot.version
    assert set(body["actions"]) >= {"CAMBIO_1", "CAMBIO_3", "CAMBIO_5", "CAMBIO_17"}
    assert "CAMBIO_2" not in body["actions"] and "CAMBIO_9" not in body["actions"]
    # the same list as /allowed's states
    states = api(world.u("ingeniero"), world.company).get(
        f"/api/v1/packaging_work_order/{ot.id}/allowed").get_json()["states"]
    assert body["actions"] == [f"CAMBIO_{s}" for s in states]
    # another area (WF-004: only consultations and files), a role without Crear Gestión
    assert actions(api, world, "vendedor", ot).get_json()["actions"] == []
    assert actions(api, world, "gerente", ot).get_json()["actions"] == []
    assert actions(api, world, "disenador", ot).status_code == 404  # FLT-003: Design sees area 3 only
    assert actions(api, world, "jefe_desarrollo", ot).get_json()["actions"] == body["actions"]
    # Admin acts in the OT's area
    assert actions(api, world, "admin", ot).get_json()["actions"] == body["actions"]


def test_WF001_post_action_changes_state_with_its_management_entry_and_audit(world, api):
    ot = world.ot(2)
    before, version = len(world.entries(ot.id)), world.reload(ot.id).version
    r = perform(api, world, "ingeniero", ot, "CAMBIO_5", {"note": "Estructura lista"},
                headers={"If-Match": str(version)})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["state"], body["version"]) == ("5", version + 1)
    assert (body["work_order"]["state"], body["work_order"]["current_area"]) == (5, 3)
    entry = body["management"]
    assert (entry["management_type"], entry["state_from"], entry["state"], entry["area_from"], entry["area"]) == \
        (1, 2, 5, 2, 3)
    assert entry["note"] == "Estructura lista"
    entries = world.entries(ot.id)
    assert len(entries) == before + 1 and entries[-1].user_id == world.u("ingeniero").id
    assert audit_actions(world, ot)[-1] == "CAMBIO_5"
    # the designer now has Design's list; Development no state change
    assert "CAMBIO_7" in actions(api, world, "disenador", ot).get_json()["actions"]
    assert actions(api, world, "jefe_desarrollo", ot).get_json()["actions"] == []


def test_WF001_action_and_management_entry_are_the_same_command(world, api):
    by_action, by_entry = world.ot(2), world.ot(2)
    assert perform(api, world, "ingeniero", by_action, "CAMBIO_3", {"note": "a lab"}).status_code == 200
    r = api(world.u("ingeniero"), world.company).post("/api/v1/packaging_management/", json={
        "work_order": by_entry.id, "management_type": 1, "state": 3, "note": "a lab"})
    assert r.status_code == 201
    shape = lambda e: (e.management_type_id, e.state_from, e.state_to, e.area_from_id, e.area_to_id, e.note)  # noqa: E731
    assert shape(world.entries(by_action.id)[-1]) == shape(world.entries(by_entry.id)[-1])
    assert audit_actions(world, by_action)[-1] == audit_actions(world, by_entry)[-1] == "CAMBIO_3"


def test_WF004_WF001_refusals_are_the_entry_paths_and_write_nothing(world, api):
    ot = world.ot(2)
    before = len(world.entries(ot.id))
    r = perform(api, world, "vendedor", ot, "CAMBIO_1")  # WF-004: another area
    assert r.status_code == 403 and "Cambio de Estado" in r.get_json()["message"]
    r = perform(api, world, "gerente", ot, "CAMBIO_1")  # the matrix: no Crear Gestión
    assert r.status_code == 403 and r.get_json()["message"] == "Tu rol no permite «Crear Gestión»."
    r = perform(api, world, "ingeniero", ot, "CAMBIO_9")  # WF-001: not in Development's list
    assert r.status_code == 403 and "Perdido" in r.get_json()["message"]
    r = perform(api, world, "ingeniero", ot, "CAMBIO_2")
    assert r.status_code == 403 and r.get_json()["message"] == "La OT ya está en «Proceso de Desarrollo»."
    r = perform(api, world, "ingeniero", ot, "CAMBIO_5", headers={"If-Match": str(ot.version - 1)})
    assert r.status_code == 409
    r = perform(api, world, "ingeniero", ot, "CAMBIO_5", {"junk": 1})
    assert r.status_code == 422 and r.get_json()["field"] == "junk"
    r = perform(api, world, "ingeniero", ot, "CAMBIO_5", {"note": "x" * 4001})
    assert r.status_code == 422 and r.get_json()["field"] == "note"
    r = perform(api, world, "ingeniero", ot, "CAMBIO_99")
    assert r.status_code == 422 and r.get_json()["field"] == "action"
    assert len(world.entries(ot.id)) == before and world.reload(ot.id).state == "2"
    assert not [a for a in audit_actions(world, ot) if a.startswith("CAMBIO_")]


def test_WF001_idempotency_key_repeats_the_first_answer_once(world, api):
    ot = world.ot(2)
    key = {"Idempotency-Key": "ot-cambio-5"}
    first = perform(api, world, "jefe_desarrollo", ot, "CAMBIO_5", headers=key)
    again = perform(api, world, "jefe_desarrollo", ot, "CAMBIO_5", headers=key)
    assert first.status_code == again.status_code == 200 and first.get_json() == again.get_json()
    assert [e.state_to for e in world.entries(ot.id)].count("5") == 1


def test_company_isolation_another_companys_ot_is_404(world, api):
    ot = world.ot(2)
    assert actions(api, world, "sur_ingeniero", ot, company=world.other).status_code == 404
    r = api(world.u("sur_ingeniero"), world.other).post(f"{URL.format(ot.id)}/CAMBIO_5", json={})
    assert r.status_code == 404
    # Admin of both companies, working in the other one
    assert actions(api, world, "admin", ot, company=world.other).status_code == 404
    assert world.reload(ot.id).state == "2" and world.entries(ot.id) == []


def test_FLT001_a_seller_does_not_reach_another_sellers_ot(world, api, make_user):
    ot = world.ot(1)
    other = make_user(roles=["ENV_VENDEDOR"], companies=[world.company], username="vendedor_b")
    assert api(other, world.company).get(URL.format(ot.id)).status_code == 404
