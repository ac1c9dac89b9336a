"""The paths a user walks through the REST API: happy path to ORDER_CLOSED, the
reject/reschedule loop, cancel and reopen, deleting, and each rule of the DESIGN readings."""
from __future__ import annotations

import datetime as dt

from app.core.tenancy import company_scope
from app.installation.models import DoctorContact, EquipmentTemplate, InstallationOrder
from tests.installation.conftest import TOMORROW, WF

URL = "/api/v1/installation_order"


def act(client, order_id, action, **payload):
    return client.post(f"{URL}/{order_id}/actions/{action}", json=payload)


def ok(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_inst_001_020_happy_path_created_to_closed_with_every_audit_entry(world, api):
    u = world.users
    gg, go, gc = api(u["GESTOR_GENERAL"], world.company), api(u["GESTOR_OPERACIONES"], world.company), \
        api(u["GESTOR_CUENTA"], world.company)
    doctor, tech = api(u["DOCTOR"], world.company), api(u["TECNICO"], world.company)

    r = gg.post(URL + "/", json=world.order_data(notes="Planta 2"))
    assert r.status_code == 201, r.get_json()
    created = r.get_json()["result"]
    oid = created["id"]
    assert created["state"] == "CREATED" and created["number"] == 1
    assert created["actions"] == ["EDIT_ORDER", "DELETE_ORDER"]
    assert [line["quantity"] for line in created["lines"]] == [2, 1]

    steps = [
        (gg, "EDIT_ORDER", {"patient_ref": "PAC-777"}, "PENDING_ACCEPTANCE"),
        (go, "ACCEPT_ORDER", {}, "ACCEPTED"),
        (gc, "CONTACT_DOCTOR", {"channel": "teléfono", "note": "Confirma la visita del martes"}, "ACCEPTED"),
        (gc, "CONFIRM_EQUIPMENT", {}, "DOCTOR_CONFIRMATION"),
        (doctor, "CONFIRM_ORDER", {}, "EQUIPMENT_TEMPLATES"),
        (go, "PREPARE_ORDER", {}, "ORDER_PREPARATION"),
        (go, "ASSIGN_TECHNICIANS", {"technicians": [u["TECNICO"].id]}, "TECHNICIAN_ASSIGNMENT"),
        (go, "LOAD_ORDER", {}, "ORDER_LOADED"),
        (tech, "SEND_ORDER", {}, "ORDER_IN_TRANSIT"),
        (tech, "ARRIVE_LOCATION", {}, "ARRIVED_LOCATION"),
        (tech, "INSTALL_ORDER", {}, "ORDER_INSTALLED"),
        (tech, "COMPLETE_ORDER", {}, "ORDER_COMPLETED"),
        (tech, "RETURN_BASE", {}, "TECHNICIAN_RETURN"),
        (go, "CLOSE_ORDER", {}, "ORDER_CLOSED"),
        (go, "VIEW_ORDER_HISTORY", {}, "ORDER_CLOSED"),
    ]
    version = 1
    for client, action, payload, state in steps:
        r = client.post(f"{URL}/{oid}/actions/{action}", json=payload, headers={"If-Match": str(version)})
        body = ok(r)
        assert body["state"] == state, action
        version = body["version"]
    assert version == 1 + len(steps) - 1  # every transition but the read action bumps the version

    order = world.reload(oid)
    assert order.patient_ref == "PAC-777" and order.notes == "Planta 2"
    with company_scope(world.company.id):
        order = world.session.get(InstallationOrder, oid)
        assert [(t.equipment_id, t.quantity) for t in order.templates] == [
            (line.equipment_id, line.quantity) for line in order.lines]
        assert [c.channel for c in order.contacts] == ["teléfono"]

    entries = world.audit(oid)
    assert [e.action for e in entries] == ["CREATE_ORDER"] + [s[1] for s in steps]
    assert [(e.from_state, e.to_state) for e in entries[:3]] == [
        (None, "CREATED"), ("CREATED", "PENDING_ACCEPTANCE"), ("PENDING_ACCEPTANCE", "ACCEPTED")]
    assert all(e.workflow_version == WF.version and e.company_id == world.company.id for e in entries)
    users = {u[code].id: code for code in u}
    assert [users[e.user_id] for e in entries[-7:-2]] == ["TECNICO"] * 5
    assert entries[1].data["changes"] == {"patient_ref": ["PAC-001", "PAC-777"]}
    assert entries[7].data["technicians"] == ["tecnico"]

    history = go.get(f"{URL}/{oid}/history").get_json()["history"]
    assert [h["action"] for h in history] == [e.action for e in entries]
    assert history[0]["action_label"] == "Crear la orden" and history[2]["action_label"] == "Aprobar la orden"
    assert go.get(f"{URL}/{oid}/actions").get_json()["actions"] == ["VIEW_ORDER_HISTORY"]


def test_inst_033_reject_and_reschedule_loop(world, api):
    go = api(world.users["GESTOR_OPERACIONES"], world.company)
    order = world.order_in("PENDING_ACCEPTANCE")
    first, second = TOMORROW + dt.timedelta(days=3), TOMORROW + dt.timedelta(days=10)

    r = act(go, order.id, "REJECT_ORDER")
    assert r.status_code == 422 and "'reason'" in r.get_json()["message"]  # the reason is required
    assert ok(act(go, order.id, "REJECT_ORDER", reason="Sin stock del monitor"))["state"] == "REJECTED"
    past = act(go, order.id, "RESCHEDULE_ORDER", scheduled_for="2020-01-01")
    assert past.status_code == 422 and "fecha pasada" in past.get_json()["message"]
    assert ok(act(go, order.id, "RESCHEDULE_ORDER", scheduled_for=first.isoformat()))["state"] == "PENDING_ACCEPTANCE"
    assert ok(act(go, order.id, "REJECT_ORDER", reason="Sigue sin stock"))["state"] == "REJECTED"
    assert ok(act(go, order.id, "RESCHEDULE_ORDER", scheduled_for=second.isoformat()))["state"] == "PENDING_ACCEPTANCE"
    assert ok(act(go, order.id, "ACCEPT_ORDER"))["state"] == "ACCEPTED"

    assert world.reload(order.id).scheduled_for == second
    entries = world.audit(order.id)[1:]
    assert [e.action for e in entries] == [
        "REJECT_ORDER", "RESCHEDULE_ORDER", "REJECT_ORDER", "RESCHEDULE_ORDER", "ACCEPT_ORDER"]
    assert entries[0].data == {"reason": "Sin stock del monitor"}
    assert entries[3].data == {"scheduled_for": second.isoformat(), "previous_scheduled_for": first.isoformat()}


def test_inst_cancel_by_the_doctor_and_reopen(world, api, client, login):
    """Issue 9 #9: REJECT_RESCHEDULE and REOPEN_ORDER ask for a reason, and the reasons are
    shown on the order page's timeline."""
    order = world.order_in("DOCTOR_CONFIRMATION")
    doctor = api(world.users["DOCTOR"], world.company)
    assert doctor.get(f"{URL}/{order.id}/actions").get_json()["actions"] == ["CONFIRM_ORDER", "REJECT_RESCHEDULE"]
    assert act(doctor, order.id, "REJECT_RESCHEDULE").status_code == 422  # the reason is required
    assert ok(act(doctor, order.id, "REJECT_RESCHEDULE", reason="Esa fecha no me va"))["state"] == "ORDER_CANCELLED"
    assert doctor.get(f"{URL}/{order.id}/actions").get_json()["actions"] == []
    assert act(doctor, order.id, "REOPEN_ORDER", reason="x").status_code == 403

    gc = api(world.users["GESTOR_CUENTA"], world.company)
    assert gc.get(f"{URL}/{order.id}/actions").get_json()["actions"] == ["REOPEN_ORDER"]
    assert act(gc, order.id, "REOPEN_ORDER").status_code == 422
    assert ok(act(gc, order.id, "REOPEN_ORDER", reason="El doctor llamó de nuevo"))["state"] == "PENDING_ACCEPTANCE"
    assert [e.action for e in world.audit(order.id)[1:]] == ["REJECT_RESCHEDULE", "REOPEN_ORDER"]
    login("gestor_cuenta")
    html = client.get(f"/instalacion/orden/{order.id}").get_data(as_text=True)
    assert "Esa fecha no me va" in html and "El doctor llamó de nuevo" in html


def test_inst_admin_sees_everything_and_is_refused_every_action(world, api):
    admin = api(world.users["ADMIN"], world.company)
    for state in ("CREATED", "PENDING_ACCEPTANCE", "ORDER_LOADED", "ORDER_CLOSED"):
        order = world.order_in(state)
        assert admin.get(f"{URL}/{order.id}").status_code == 200
        assert admin.get(f"{URL}/{order.id}/actions").get_json()["actions"] == []
        for t in WF.transitions_for(state):
            r = act(admin, order.id, t.action, **({"reason": "x"} if "reason" in t.payload else {}))
            assert r.status_code == 403 and "tampoco el administrador" in r.get_json()["message"]
        assert world.reload(order.id).version == 1
    r = admin.post(URL + "/", json=world.order_data())
    assert r.status_code == 403 and "tampoco el administrador" in r.get_json()["message"]
    assert admin.get(URL + "/").get_json()["count"] == 4


def test_inst_011_lists_are_scoped_by_role(world, api, make_user):
    mine = world.order_in("ORDER_LOADED")  # doctor DOCTOR, technician TECNICO
    other_doctor = world.create(doctor=world.users["OTHER_DOCTOR"].id)
    unassigned = world.order_in("PENDING_ACCEPTANCE", technician=False)

    def ids(user):
        body = api(user, world.company).get(URL + "/?q=(page_size:100)").get_json()
        return sorted(body["ids"])

    for code in ("GESTOR_CUENTA", "GESTOR_OPERACIONES", "GESTOR_GENERAL", "ADMIN"):
        assert ids(world.users[code]) == sorted([mine.id, other_doctor.id, unassigned.id]), code
    assert ids(world.users["DOCTOR"]) == sorted([mine.id, unassigned.id])
    assert ids(world.users["OTHER_DOCTOR"]) == [other_doctor.id]
    assert ids(world.users["TECNICO"]) == [mine.id]
    assert ids(world.users["OTHER_TECNICO"]) == []
    outsider = make_user(roles=["AUDITOR"], companies=[world.company])
    assert api(outsider, world.company).get(URL + "/").status_code == 403  # no permission on the entity


def test_inst_002_numbers_are_sequential_per_company(world, api):
    gg = api(world.users["GESTOR_GENERAL"], world.company)
    numbers = [gg.post(URL + "/", json=world.order_data()).get_json()["result"]["number"] for _ in range(3)]
    sur = api(world.users["SUR_GESTOR"], world.other)
    r = sur.post(URL + "/", json={"doctor": world.users["SUR_DOCTOR"].id, "address": "Calle 5",
                                  "scheduled_for": TOMORROW.isoformat()})
    assert r.status_code == 201, r.get_json()
    assert numbers == [1, 2, 3] and r.get_json()["result"]["number"] == 1
    # a refused creation does not consume a number
    assert gg.post(URL + "/", json=world.order_data(doctor=999999)).status_code == 422
    assert gg.post(URL + "/", json=world.order_data()).get_json()["result"]["number"] == 4


def test_inst_001_doctor_creates_only_for_themselves(world, api):
    doctor = api(world.users["DOCTOR"], world.company)
    r = doctor.post(URL + "/", json=world.order_data(doctor=None))
    assert r.status_code == 201 and r.get_json()["result"]["doctor"]["id"] == world.users["DOCTOR"].id
    r = doctor.post(URL + "/", json=world.order_data(doctor=world.users["OTHER_DOCTOR"].id))
    assert r.status_code == 422 and r.get_json()["field"] == "doctor"
    tech = api(world.users["TECNICO"], world.company)
    assert tech.post(URL + "/", json=world.order_data()).status_code == 403


def test_no_put_and_no_delete_routes(world, api):
    order = world.order_in("CREATED")
    go = api(world.users["GESTOR_OPERACIONES"], world.company)
    assert go.put(f"{URL}/{order.id}", json={"address": "x"}).status_code in (404, 405)
    assert go.delete(f"{URL}/{order.id}").status_code in (404, 405)
    assert world.reload(order.id).address == "Calle Mayor 1, Madrid" and world.reload(order.id).deleted_at is None
