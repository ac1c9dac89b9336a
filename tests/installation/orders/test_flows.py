"""The paths a user walks through the REST API: happy path to ORDER_CLOSED, the
reject/reschedule loop, cancel and reopen, deleting, and each rule of the DESIGN readings."""
from __future__ import annotations

import datetime as dt

from app.core.tenancy import company_scope
from app.installation.orders.models import (
    DoctorContact,
    EquipmentTemplate,
    InstallationOrder,
)
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
        (gc, "CONTACT_DOCTOR", {"channel": "PHONE", "note": "Confirma la visita del martes"}, "ACCEPTED"),
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
        assert [c.channel for c in order.contacts] == ["PHONE"]

    entries = world.audit(oid)
    # the read action writes no row (issue 9 #10)
    assert [e.action for e in entries] == ["CREATE_ORDER"] + [s[1] for s in steps[:-1]]
    assert [(e.from_state, e.to_state) for e in entries[:3]] == [
        (None, "CREATED"), ("CREATED", "PENDING_ACCEPTANCE"), ("PENDING_ACCEPTANCE", "ACCEPTED")]
    assert all(e.workflow_version == WF.version and e.company_id == world.company.id for e in entries)
    users = {u[code].id: code for code in u}
    assert [users[e.user_id] for e in entries[-6:-1]] == ["TECNICO"] * 5
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
    assert r.status_code == 422 and "«Motivo del rechazo»" in r.get_json()["message"]  # the reason is required
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
    # issue 9 #10: the current reason on the page; the full timeline is for ORDER_CLOSED's managers
    assert "El doctor llamó de nuevo" in html and "Motivo de la reapertura" in html
    assert "Esa fecha no me va" not in html and 'order-timeline' not in html


def test_inst_032_delete_order_soft_deletes_in_created_only(world, api):
    order = world.order_in("CREATED")
    doctor = api(world.users["DOCTOR"], world.company)
    assert ok(act(doctor, order.id, "DELETE_ORDER"))["state"] == "CREATED"
    row = world.reload(order.id)
    assert row is not None and row.deleted_at is not None  # kept, marked
    go = api(world.users["GESTOR_OPERACIONES"], world.company)
    assert go.get(f"{URL}/{order.id}").status_code == 404
    assert go.get(URL + "/").get_json()["count"] == 0
    assert act(go, order.id, "EDIT_ORDER").status_code == 404
    assert [e.action for e in world.audit(order.id)] == ["CREATE_ORDER", "DELETE_ORDER"]
    # in any other state DELETE_ORDER is refused by the matrix
    pending = world.order_in("PENDING_ACCEPTANCE")
    r = act(go, pending.id, "DELETE_ORDER")
    assert r.status_code == 403 and "no está permitida en el estado «Pendiente de Aceptación»" in r.get_json()["message"]


def test_inst_031_edit_order_saves_and_submits(world, api):
    order = world.order_in("CREATED")
    gc = api(world.users["GESTOR_CUENTA"], world.company)
    new_date = (TOMORROW + dt.timedelta(days=5)).isoformat()
    lines = {str(world.equipment[1].id): 4}
    body = ok(act(gc, order.id, "EDIT_ORDER", address="Av. Sur 9", scheduled_for=new_date, lines=lines))
    assert body["state"] == "PENDING_ACCEPTANCE"
    shown = gc.get(f"{URL}/{order.id}").get_json()["result"]
    assert shown["address"] == "Av. Sur 9" and shown["scheduled_for"] == new_date
    assert [(line["equipment"], line["quantity"]) for line in shown["lines"]] == [(world.equipment[1].id, 4)]


def test_inst_031_an_order_without_equipment_cannot_be_submitted(world, api):
    gg = api(world.users["GESTOR_GENERAL"], world.company)
    r = gg.post(URL + "/", json=world.order_data(lines=None))
    assert r.status_code == 201
    oid = r.get_json()["id"]
    r = act(gg, oid, "EDIT_ORDER")
    assert r.status_code == 422 and r.get_json()["field"] == "lines"
    assert world.reload(oid).state == "CREATED"
    assert ok(act(gg, oid, "EDIT_ORDER", lines={str(world.equipment[0].id): 1}))["state"] == "PENDING_ACCEPTANCE"


def test_inst_030_034_contact_doctor_is_recorded_and_confirm_equipment_needs_one(world, api, session):
    order = world.order_in("ACCEPTED")
    with company_scope(world.company.id):
        session.query(DoctorContact).delete()
        session.commit()
    gc = api(world.users["GESTOR_CUENTA"], world.company)
    r = act(gc, order.id, "CONFIRM_EQUIPMENT")
    assert r.status_code == 403 and "registra antes al menos un contacto" in r.get_json()["message"]
    bad = act(gc, order.id, "CONTACT_DOCTOR", channel="paloma", note="x")
    assert bad.status_code == 422 and "«Canal»" in bad.get_json()["message"]
    assert ok(act(gc, order.id, "CONTACT_DOCTOR", channel="EMAIL", note="Enviado el detalle"))["state"] == "ACCEPTED"
    assert ok(act(gc, order.id, "CONFIRM_EQUIPMENT"))["state"] == "DOCTOR_CONFIRMATION"
    contacts = gc.get(f"{URL}/{order.id}").get_json()["result"]["contacts"]
    assert [(c["channel"], c["note"], c["by"]) for c in contacts] == [("EMAIL", "Enviado el detalle", "Gestor_Cuenta Prueba")]


def test_inst_035_confirm_order_creates_one_template_per_line(world, api, session):
    order = world.order_in("DOCTOR_CONFIRMATION")
    ok(act(api(world.users["DOCTOR"], world.company), order.id, "CONFIRM_ORDER"))
    with company_scope(world.company.id):
        templates = session.query(EquipmentTemplate).filter_by(order_id=order.id).all()
        lines = session.get(InstallationOrder, order.id).lines
        assert sorted((t.line_id, t.quantity) for t in templates) == sorted((line.id, line.quantity) for line in lines)
        assert len(templates) == 2


def test_inst_036_assign_technicians_needs_technicians_of_the_company(world, api):
    order = world.order_in("ORDER_PREPARATION", technician=False)
    go = api(world.users["GESTOR_OPERACIONES"], world.company)
    cases = [
        ({"technicians": []}, "al menos un elemento"),
        ({}, "El campo «Técnicos» es obligatorio"),
        ({"technicians": "5"}, "lista de ids"),
        ({"technicians": [world.users["DOCTOR"].id]}, "no es un técnico de la empresa"),
        ({"technicians": [world.users["SUR_TECNICO"].id]}, "no es un técnico de la empresa"),
        ({"technicians": [999999]}, "no es un técnico de la empresa"),
    ]
    for payload, words in cases:
        r = go.post(f"{URL}/{order.id}/actions/ASSIGN_TECHNICIANS", json=payload)
        assert r.status_code == 422 and words in r.get_json()["message"], (payload, r.get_json())
    assert world.reload(order.id).state == "ORDER_PREPARATION" and len(world.audit(order.id)) == 1
    two = [world.users["TECNICO"].id, world.users["OTHER_TECNICO"].id]
    assert ok(act(go, order.id, "ASSIGN_TECHNICIANS", technicians=two))["state"] == "TECHNICIAN_ASSIGNMENT"
    shown = go.get(f"{URL}/{order.id}").get_json()["result"]["technicians"]
    assert sorted(t["id"] for t in shown) == sorted(two)


def test_inst_010_other_doctor_and_unassigned_technician_are_refused(world, api):
    """Through the API they do not even see the order (404); the engine, given the order,
    refuses them with the ownership reason (403)."""
    from app.core.errors import ActionNotAllowed
    from app.installation.orders import workflow as matrix

    confirming = world.order_in("DOCTOR_CONFIRMATION")
    loaded = world.order_in("ORDER_LOADED")  # assigned to TECNICO only
    other_doctor = api(world.users["OTHER_DOCTOR"], world.company)
    other_tech = api(world.users["OTHER_TECNICO"], world.company)
    assert act(other_doctor, confirming.id, "CONFIRM_ORDER").status_code == 404
    assert act(other_tech, loaded.id, "SEND_ORDER").status_code == 404
    assert other_doctor.get(f"{URL}/{confirming.id}").status_code == 404
    assert other_tech.get(URL + "/").get_json()["count"] == 0

    with company_scope(world.company.id):
        for user, order, action in ((world.users["OTHER_DOCTOR"], confirming, "CONFIRM_ORDER"),
                                    (world.users["OTHER_TECNICO"], loaded, "SEND_ORDER")):
            fresh = world.session.get(InstallationOrder, order.id)
            assert matrix.WF.available_actions(fresh, user) == []
            try:
                matrix.WF.perform(fresh, action, user, session=world.session)
                raise AssertionError("refusal expected")
            except ActionNotAllowed as exc:
                assert "solo puede hacerla quien tiene asignado" in exc.message
    assert world.reload(confirming.id).state == "DOCTOR_CONFIRMATION"
    assert world.reload(loaded.id).state == "ORDER_LOADED"
    # their own order and assignment work
    assert ok(act(api(world.users["TECNICO"], world.company), loaded.id, "SEND_ORDER"))["state"] == "ORDER_IN_TRANSIT"


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
