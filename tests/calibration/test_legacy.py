"""The spec's /backend/calibraciones/*.php paths (issue 10 item 8): each one works with the REST
API's auth (JWT + X-Company-Id) and with the browser session (+ CSRF token), calls the same
services (roles and guards included), and refuses another company's ids; /servicio/ot is 410."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.calibration.conftest import TODAY
from tests.factories import PASSWORD

BASE = "/backend/calibraciones"


@pytest.fixture
def legacy(api):
    """legacy(user, company) -> a JWT client whose get/post hit the legacy paths."""
    return lambda user, company: api(user, company)


def test_the_full_path_of_an_order_through_the_legacy_endpoints(world, legacy):
    order = world.create()
    resp = legacy(world.users["RESPONSABLE"], world.company)
    r = resp.get(f"{BASE}/list_technicians.php")
    assert r.status_code == 200, r.get_json()
    techs = {t["username"]: t["id"] for t in r.get_json()["technicians"]}
    assert world.users["TECNICO"].username in techs and world.users["SUPERVISOR"].username not in techs
    assert world.users["SUR_TECNICO"].username not in techs
    r = resp.post(f"{BASE}/update_work_order.php", json={
        "order_id": order.id, "target_date": (TODAY + dt.timedelta(days=5)).isoformat(),
        "technicians": [world.users["TECNICO"].id], "observations": "Traer el certificado anterior"})
    assert r.status_code == 200 and r.get_json()["order"]["state"] == "SCHEDULED", r.get_json()
    r = resp.get(f"{BASE}/list_calibrations.php", query_string={"state": "SCHEDULED"})
    assert [o["number"] for o in r.get_json()["orders"]] == [order.number] and r.get_json()["total"] == 1

    world.execute(order)
    tech = legacy(world.users["TECNICO"], world.company)
    r = tech.post(f"{BASE}/calibrations.php", json={"order_id": order.id, "text": "Estabilizado 2 h"})
    assert r.status_code == 201 and r.get_json()["progress"]["text"] == "Estabilizado 2 h", r.get_json()
    r = tech.post(f"{BASE}/update_logistics.php", json={"order_id": order.id, "status": "IN_TRANSIT",
                                                        "carrier": "DHL", "tracking_number": "JD0001"})
    assert r.status_code == 201, r.get_json()
    detail = tech.get(f"{BASE}/calibrations.php", query_string={"id": order.id}).get_json()["order"]
    assert [p["text"] for p in detail["progress"]] == ["Estabilizado 2 h"]
    assert detail["logistics"][0]["tracking_number"] == "JD0001"
    world.act(order, "SUBMIT_REVIEW", world.users["TECNICO"])

    sup = legacy(world.users["SUPERVISOR"], world.company)
    r = sup.post(f"{BASE}/reject_calibration.php", json={"order_id": order.id})
    assert r.status_code == 422 and r.get_json()["ok"] is False and r.get_json()["field"] == "reason"
    r = sup.post(f"{BASE}/reject_calibration.php", json={"order_id": order.id, "reason": "Falta el punto 50 bar"})
    assert r.status_code == 200 and r.get_json()["order"]["state"] == "IN_PROGRESS"
    assert r.get_json()["order"]["reason"] == "Falta el punto 50 bar"
    world.act(order, "SUBMIT_REVIEW", world.users["TECNICO"])
    r = sup.post(f"{BASE}/approve_calibration.php", json={"order_id": order.id})
    assert r.status_code == 403 and "lista de revisión" in r.get_json()["message"]  # the checklist guard
    world.tick_all(order)
    r = sup.post(f"{BASE}/approve_calibration.php", json={"order_id": order.id})
    assert r.status_code == 200 and r.get_json()["order"]["state"] == "APPROVED", r.get_json()
    r = sup.post(f"{BASE}/share_certificate.php", json={"order_id": order.id})
    assert r.status_code == 200, r.get_json()
    cert = r.get_json()["certificate"]
    assert re.fullmatch(r"CAL-\d{4}-00001", cert["number"]) and cert["shared"] is True
    r = resp.post(f"{BASE}/update_work_order.php", json={"order_id": order.id, "state": "Cerrada"})
    assert r.status_code == 200 and r.get_json()["order"]["state_label"] == "Cerrada", r.get_json()


def test_roles_are_the_workflows(world, legacy):
    order = world.to("IN_REVIEW")
    for code in ("CLIENTE", "TECNICO", "RESPONSABLE"):
        r = legacy(world.users[code], world.company).post(f"{BASE}/approve_calibration.php", json={"order_id": order.id})
        assert r.status_code == 403, code
    r = legacy(world.users["TECNICO"], world.company).post(f"{BASE}/update_work_order.php", json={
        "order_id": order.id, "notes": "x"})
    assert r.status_code == 403
    assert world.order(order.id).state == "IN_REVIEW"


def test_another_companys_ids_are_404_everywhere(world, legacy):
    order = world.to("IN_REVIEW")
    stranger = legacy(world.users["SUR_SUPERVISOR"], world.other)
    calls = [("get", "calibrations.php", {"id": order.id}), ("post", "calibrations.php", {"order_id": order.id, "text": "x"}),
             ("post", "update_work_order.php", {"order_id": order.id, "notes": "x"}),
             ("post", "update_logistics.php", {"order_id": order.id, "status": "SHIPPED"}),
             ("post", "approve_calibration.php", {"order_id": order.id}),
             ("post", "reject_calibration.php", {"order_id": order.id, "reason": "x"}),
             ("post", "share_certificate.php", {"order_id": order.id})]
    for method, path, body in calls:
        if method == "get":
            r = stranger.get(f"{BASE}/{path}", query_string=body)
        else:
            r = stranger.post(f"{BASE}/{path}", json=body)
        assert r.status_code == 404 and r.get_json()["ok"] is False, (path, r.status_code)
    assert stranger.get(f"{BASE}/list_calibrations.php").get_json()["orders"] == []
    # naming this company in the header is refused: not a member
    r = legacy(world.users["SUR_SUPERVISOR"], world.company).get(f"{BASE}/list_calibrations.php")
    assert r.status_code == 403 and r.get_json()["field"] == "X-Company-Id"
    assert world.order(order.id).state == "IN_REVIEW"


def test_a_technician_lists_only_assigned_orders(world, legacy):
    mine = world.to("SCHEDULED")
    world.create()
    numbers = [o["number"] for o in legacy(world.users["TECNICO"], world.company)
               .get(f"{BASE}/list_calibrations.php").get_json()["orders"]]
    assert numbers == [mine.number]
    assert legacy(world.users["OTRO_TECNICO"], world.company).get(
        f"{BASE}/calibrations.php", query_string={"id": mine.id}).status_code == 404


def test_bad_input_is_a_4xx_in_json(world, legacy):
    sup = legacy(world.users["SUPERVISOR"], world.company)
    assert sup.post(f"{BASE}/approve_calibration.php", json={}).get_json()["field"] == "order_id"
    r = sup.post(f"{BASE}/approve_calibration.php", data="no json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.get_json()["message"], r.get_json()
    r = sup.get(f"{BASE}/list_calibrations.php", query_string={"state": "NOPE", "date_from": "mañana"})
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"state", "date_from"}
    order = world.create()
    r = sup.post(f"{BASE}/update_work_order.php", json={"order_id": order.id, "state": "Aprobada"})
    assert r.status_code == 422 and r.get_json()["field"] == "state"


def test_unauthenticated_calls_are_401_and_servicio_ot_is_gone(client):
    assert client.get(f"{BASE}/list_calibrations.php").status_code == 401
    assert client.post(f"{BASE}/approve_calibration.php", json={"order_id": 1}).status_code == 401
    for method in ("get", "post", "put"):
        r = getattr(client, method)("/servicio/ot")
        assert r.status_code == 410 and r.get_json()["replacement"] == f"{BASE}/update_work_order.php"
        assert f"{BASE}/update_work_order.php" in r.get_json()["message"]


def test_the_browser_session_needs_the_csrf_token(world, app, login, monkeypatch):
    order = world.to("RECEIVED")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    c = app.test_client()
    page = c.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = c.post("/login/", data={"username": world.users["RESPONSABLE"].username, "password": PASSWORD,
                                 "csrf_token": token})
    assert r.status_code == 302
    assert c.get(f"{BASE}/list_calibrations.php").status_code == 200  # GET needs no token
    body = {"order_id": order.id, "notes": "Sin token"}
    r = c.post(f"{BASE}/update_work_order.php", json=body)
    assert r.status_code == 400 and r.get_json()["field"] == "X-CSRFToken"
    r = c.post(f"{BASE}/update_work_order.php", json={**body, "notes": "Con token"}, headers={"X-CSRFToken": token})
    assert r.status_code == 200, r.get_json()
    assert world.order(order.id).notes == "Con token"
