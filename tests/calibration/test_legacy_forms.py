"""Issue 21 item 13, legacy automations post forms: every /backend/calibraciones/*.php endpoint
called as a jQuery page of the old portal calls it (the browser session, `$.post` with an
object: form-encoded, arrays as `name[]=...`, the CSRF token as the `csrf_token` field) and
as an automation does (JSON and a JWT) gives the same effect; every error on those paths is
JSON {"ok": false, "message"}."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app.calibration.orders import execution, services
from tests.calibration.conftest import CERTIFICATE_DATA, PDF, RESULT, TODAY
from tests.factories import PASSWORD, make_user

BASE = "/backend/calibraciones"
VOLATILE = {"id", "order_id", "number", "version", "approved_at", "sha256", "verification_code", "url", "at",
            "uploaded_at", "issued_at", "shared_at", "validated_at", "created_at", "replaces", "superseded_by",
            "size"}  # a certificate PDF's size follows its numbers


class FormCaller:
    """The old portal's page: the session cookie, form bodies, the token as a form field."""

    def __init__(self, app, user):
        self.client = app.test_client()
        page = self.client.get("/login/").get_data(as_text=True)
        self.token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        r = self.client.post("/login/", data={"username": user.username, "password": PASSWORD,
                                              "csrf_token": self.token})
        assert r.status_code == 302

    def post(self, name, data):
        form = {"csrf_token": self.token}
        for key, value in data.items():
            form[f"{key}[]" if isinstance(value, list) else key] = value  # jQuery's $.param
        return self.client.post(f"{BASE}/{name}", data=form)

    def get(self, name, params=None):
        return self.client.get(f"{BASE}/{name}", query_string=params or {})


class JsonCaller:
    """An automation: a JWT, X-Company-Id and JSON bodies."""

    def __init__(self, api, user, company):
        self.api = api(user, company)

    def post(self, name, data):
        return self.api.post(f"{BASE}/{name}", json=data)

    def get(self, name, params=None):
        return self.api.get(f"{BASE}/{name}", query_string=params or {})


def stable(value):
    """An answer without what differs between two orders (ids, numbers, hashes, instants)."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def walk(world, order, caller) -> list:
    """One order from RECEIVED to CLOSED through every legacy endpoint; the answers, stable."""
    as_ = {code: caller(world.users[code]) for code in ("RESPONSABLE", "TECNICO", "SUPERVISOR")}
    tech_id = world.users["TECNICO"].id
    steps = [
        ("RESPONSABLE", "get", "list_technicians.php", None),
        ("RESPONSABLE", "post", "update_work_order.php", {
            "order_id": order.id, "target_date": (TODAY + dt.timedelta(days=5)).isoformat(),
            "window_start": TODAY.isoformat(), "window_end": (TODAY + dt.timedelta(days=6)).isoformat(),
            "technicians": [tech_id], "notes": "Llevar patrón P-07", "observations": "Traer el certificado anterior"}),
        ("RESPONSABLE", "post", "list_calibrations.php", {"state": "SCHEDULED", "technician_id": tech_id}),
        ("TECNICO", "post", "update_work_order.php", {"order_id": order.id, "action": "START"}),
        ("TECNICO", "post", "calibrations.php", {"order_id": order.id, "text": "Estabilizado 2 h",
                                                 "entry_date": TODAY.isoformat()}),
        ("TECNICO", "post", "update_logistics.php", {"order_id": order.id, "status": "IN_TRANSIT", "carrier": "DHL",
                                                     "tracking_number": "JD0001", "event_date": TODAY.isoformat(),
                                                     "responsible": "Ana Ruiz"}),
        "WORK",
        ("TECNICO", "get", "calibrations.php", {"id": order.id}),
        ("TECNICO", "post", "update_work_order.php", {"order_id": order.id, "action": "SUBMIT_REVIEW"}),
        ("SUPERVISOR", "post", "reject_calibration.php", {"order_id": order.id, "reason": "Falta el punto de 50 bar"}),
        ("TECNICO", "post", "update_work_order.php", {"order_id": order.id, "action": "SUBMIT_REVIEW"}),
        ("SUPERVISOR", "post", "approve_calibration.php", {"order_id": order.id}),  # 403: the checklist
        "TICKS",
        ("SUPERVISOR", "post", "approve_calibration.php", {"order_id": order.id}),
        ("SUPERVISOR", "post", "share_certificate.php", {"order_id": order.id}),
        ("RESPONSABLE", "post", "update_work_order.php", {"order_id": order.id, "state": "Cerrada"}),
        ("RESPONSABLE", "get", "list_calibrations.php", {"state": "CLOSED", "page_size": "5"}),
    ]
    answers = []
    for step in steps:
        if step == "WORK":
            tech = world.users["TECNICO"]
            world.in_company(services.update_order, tech, order=order, data=dict(CERTIFICATE_DATA))
            world.in_company(execution.add_result, tech, order=order, data=dict(RESULT))
            world.in_company(execution.add_evidence, tech, order=order, filename="informe.pdf", data=PDF,
                             storage=world.storage)
            continue
        if step == "TICKS":
            world.tick_all(order)
            continue
        who, method, name, data = step
        r = as_[who].get(name, data) if method == "get" else as_[who].post(name, data)
        assert r.is_json, (name, r.status_code, r.get_data(as_text=True)[:200])
        answers.append((name, r.status_code, stable(r.get_json())))
    return answers


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_issue_21_13_form_posts_with_the_session_do_what_json_with_a_jwt_does(world, app, api, csrf_on):
    """Every endpoint, both ways, one order each: the same answers and the same end state."""
    by_form, by_json = world.create(), world.create()
    form_answers = walk(world, by_form, lambda user: FormCaller(app, user))
    json_answers = walk(world, by_json, lambda user: JsonCaller(api, user, world.company))
    assert [(n, s) for n, s, _ in form_answers] == [
        ("list_technicians.php", 200), ("update_work_order.php", 200), ("list_calibrations.php", 200),
        ("update_work_order.php", 200), ("calibrations.php", 201), ("update_logistics.php", 201),
        ("calibrations.php", 200), ("update_work_order.php", 200), ("reject_calibration.php", 200),
        ("update_work_order.php", 200), ("approve_calibration.php", 403), ("approve_calibration.php", 200),
        ("share_certificate.php", 200), ("update_work_order.php", 200), ("list_calibrations.php", 200)]
    listed = form_answers[2][2]
    assert listed["total"] == 1 and listed["orders"][0]["state"] == "SCHEDULED"  # the form's filter applied
    assert form_answers[1][2]["order"]["technicians"] == [{"name": json_answers[1][2]["order"]["technicians"][0]["name"]}]
    for mine, theirs in zip(form_answers[:-1], json_answers[:-1]):
        assert mine == theirs, mine[0]
    assert json_answers[-1][2]["total"] == 2  # both orders closed
    for order in (by_form, by_json):
        done = world.order(order.id)
        assert done.state == "CLOSED" and done.notes == "Llevar patrón P-07"
        assert done.window_end == TODAY + dt.timedelta(days=6) and [t.username for t in done.technicians] == ["cal_tecnico"]


def test_issue_21_13_the_csrf_token_as_a_form_field_or_header_and_nothing_else(world, app, csrf_on):
    order = world.create()
    page = FormCaller(app, world.users["RESPONSABLE"])
    r = page.client.post(f"{BASE}/update_work_order.php", data={"order_id": order.id, "notes": "Sin token"})
    assert r.status_code == 400 and r.get_json() == {
        "ok": False, "field": "X-CSRFToken",
        "message": "Falta el token CSRF o ha caducado (cabecera X-CSRFToken o campo csrf_token)."}
    r = page.client.post(f"{BASE}/update_work_order.php", data={"order_id": order.id, "notes": "Mal",
                                                                "csrf_token": "no-es-el-token"})
    assert r.status_code == 400 and r.get_json()["field"] == "X-CSRFToken"
    assert page.post("update_work_order.php", {"order_id": order.id, "notes": "Con campo"}).status_code == 200
    r = page.client.post(f"{BASE}/update_work_order.php", data={"order_id": order.id, "notes": "Con cabecera"},
                         headers={"X-CSRFToken": page.token})
    assert r.status_code == 200 and world.order(order.id).notes == "Con cabecera"


def test_issue_21_13_a_form_filter_is_applied_and_bad_form_input_names_its_field(world, app, csrf_on):
    scheduled, received = world.to("SCHEDULED"), world.create()
    page = FormCaller(app, world.users["RESPONSABLE"])
    r = page.post("list_calibrations.php", {"state": "RECEIVED"})
    assert [o["number"] for o in r.get_json()["orders"]] == [received.number]
    r = page.post("list_calibrations.php", {"overdue": "true", "state": "SCHEDULED"})
    assert r.status_code == 200 and r.get_json()["total"] == 0
    r = page.post("list_calibrations.php", {"state": "NOPE", "date_from": "mañana"})
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"state", "date_from"}
    r = page.post("approve_calibration.php", {})
    assert r.status_code == 422 and r.get_json()["field"] == "order_id" and r.get_json()["ok"] is False
    r = page.post("update_work_order.php", {"order_id": scheduled.id, "technicians": ["x"]})
    assert r.status_code == 422 and r.get_json()["field"] == "technicians"
    r = page.client.post(f"{BASE}/update_work_order.php", data={"csrf_token": page.token, "order_id": scheduled.id,
                                                                "technicians": str(world.users["OTRO_TECNICO"].id)})
    assert r.status_code == 200, r.get_json()  # a lone `technicians=<id>` is that one technician
    assert [t["id"] for t in r.get_json()["order"]["technicians"]] == [world.users["OTRO_TECNICO"].id]


def test_issue_21_13_every_error_on_the_legacy_paths_is_json(world, app, client, api, monkeypatch):
    """401 (no session, no token), 403 (no role), 404 (no such path or order), 405 (wrong
    method), 422 and 500: JSON {"ok": false, "message"}, never a page."""
    calls = [
        (client.get(f"{BASE}/list_calibrations.php"), 401),
        (client.post(f"{BASE}/approve_calibration.php", data={"order_id": "1"}), 401),
        (client.get(f"{BASE}/approve_calibration.php"), 405),
        (client.get(f"{BASE}/no_existe.php"), 404),
    ]
    nobody = api(make_user(roles=[], companies=[world.company], username="sin_rol"), world.company)
    calls.append((nobody.get(f"{BASE}/list_calibrations.php"), 403))
    sup = api(world.users["SUPERVISOR"], world.company)
    calls += [
        (sup.client.delete(f"{BASE}/list_calibrations.php", headers=sup.headers()), 405),
        (sup.get(f"{BASE}/calibrations.php", query_string={"id": 999999}), 404),
        (sup.post(f"{BASE}/approve_calibration.php", data="order_id=", headers={"Content-Type": "text/plain"}), 422),
    ]
    monkeypatch.setattr("app.calibration.orders.queries.visible_orders",
                        lambda **_: (_ for _ in ()).throw(RuntimeError("secreto interno")))
    calls.append((sup.get(f"{BASE}/list_calibrations.php"), 500))
    for r, status in calls:
        assert r.status_code == status and r.is_json, (status, r.status_code, r.get_data(as_text=True)[:120])
        body = r.get_json()
        assert body["ok"] is False and body["message"] and "secreto" not in body["message"], body
    assert calls[2][0].headers["Allow"]  # 405 names the methods it takes
