"""Company isolation of installation orders, and bad input: always a 4xx naming the field or
the rule, never a 500, never a partial write."""
from __future__ import annotations

import pytest

from tests.installation.conftest import TOMORROW

URL = "/api/v1/installation_order"


def test_company_b_cannot_list_read_or_act_on_company_a_orders(world, api):
    order = world.order_in("PENDING_ACCEPTANCE")
    sur = api(world.users["SUR_GESTOR"], world.other)
    assert sur.get(URL + "/").get_json()["count"] == 0
    assert sur.get(f"{URL}/{order.id}").status_code == 404
    assert sur.get(f"{URL}/{order.id}/actions").status_code == 404
    assert sur.get(f"{URL}/{order.id}/history").status_code == 404
    r = sur.post(f"{URL}/{order.id}/actions/ACCEPT_ORDER", json={})
    assert r.status_code == 404 and "message" in r.get_json()
    # Admin, a member of both, acting in company B does not see A's order either
    admin_in_b = api(world.users["ADMIN"], world.other)
    assert admin_in_b.get(f"{URL}/{order.id}").status_code == 404
    assert world.reload(order.id).state == "PENDING_ACCEPTANCE" and len(world.audit(order.id)) == 1


def test_inst_003_004_a_post_naming_another_companys_doctor_or_equipment_is_refused(world, api):
    gg = api(world.users["GESTOR_GENERAL"], world.company)
    r = gg.post(URL + "/", json=world.order_data(doctor=world.users["SUR_DOCTOR"].id))
    assert r.status_code == 422 and r.get_json()["field"] == "doctor"
    r = gg.post(URL + "/", json=world.order_data(lines={str(world.other_equipment.id): 1}))
    assert r.status_code == 422 and r.get_json()["field"] == "lines"
    assert "no existe o no está activo" in r.get_json()["message"]
    assert world.count_orders() == 0 and world.count_audit() == 0
    # and through EDIT_ORDER
    order = world.order_in("CREATED")
    r = gg.post(f"{URL}/{order.id}/actions/EDIT_ORDER", json={"doctor": world.users["SUR_DOCTOR"].id})
    assert r.status_code == 422 and r.get_json()["field"] == "doctor"
    assert world.reload(order.id).doctor_id == world.users["DOCTOR"].id


def test_x_company_id_of_a_company_not_the_users_is_forbidden(world, api):
    gg = api(world.users["GESTOR_GENERAL"], world.other)
    r = gg.get(URL + "/")
    assert r.status_code == 403 and "X-Company-Id" in r.get_json()["message"]


CREATE_CASES = [
    ("{not json", 422, None, "no es JSON"),
    ("[1, 2]", 422, None, "objeto JSON"),
    ("", 422, None, "Falta el cuerpo"),
    ({"address": "Calle 1", "scheduled_for": TOMORROW.isoformat()}, 422, "doctor", "El campo «Doctor» es obligatorio"),
    ({"doctor": "DOC", "address": "x", "scheduled_for": TOMORROW.isoformat()}, 422, "doctor", "número entero"),
    ({"doctor": "@doctor", "scheduled_for": TOMORROW.isoformat()}, 422, "address", "«Dirección»"),
    ({"doctor": "@doctor", "address": "x", "scheduled_for": "mañana"}, 422, "scheduled_for", "fecha dd/mm/aaaa o aaaa-mm-dd"),
    ({"doctor": "@doctor", "address": "x", "scheduled_for": "2001-01-01"}, 422, "scheduled_for", "fecha pasada"),
    ({"doctor": "@doctor", "address": 7, "scheduled_for": TOMORROW.isoformat()}, 422, "address", "texto"),
    ({"doctor": "@doctor", "address": "x" * 301, "scheduled_for": TOMORROW.isoformat()}, 422, "address", "300"),
    ({"doctor": "@doctor", "address": "x", "scheduled_for": TOMORROW.isoformat(), "color": "red"}, 422, "color",
     "Campo desconocido «color»"),
    ({"doctor": "@doctor", "address": "x", "scheduled_for": TOMORROW.isoformat(), "lines": [1]}, 422, "lines",
     "objeto JSON"),
    ({"doctor": "@doctor", "address": "x", "scheduled_for": TOMORROW.isoformat(), "lines": {"a": 1}}, 422, "lines",
     "«Equipos» debe ser el id numérico"),
    ({"doctor": "@doctor", "address": "x", "scheduled_for": TOMORROW.isoformat(), "lines": {"@eq": 0}}, 422, "lines",
     "entre 1 y 999"),
    ({"doctor": "@doctor", "address": "x", "scheduled_for": TOMORROW.isoformat(), "lines": {"@eq": "dos"}}, 422,
     "lines", "entre 1 y 999"),
    ({"doctor": "@doctor", "address": "x", "scheduled_for": TOMORROW.isoformat(), "lines": {"@old": 1}}, 422,
     "lines", "no está activo"),
    ({"doctor": "@tecnico", "address": "x", "scheduled_for": TOMORROW.isoformat()}, 422, "doctor", "rol Doctor"),
]


def _resolve(value, world):
    refs = {"@doctor": world.users["DOCTOR"].id, "@tecnico": world.users["TECNICO"].id,
            "@eq": str(world.equipment[0].id), "@old": str(world.equipment[2].id)}
    if isinstance(value, dict):
        return {refs.get(k, k): _resolve(v, world) for k, v in value.items()}
    return refs.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("body, status, field, words", CREATE_CASES)
def test_bad_create_input_is_a_4xx_naming_the_problem_and_writes_nothing(world, api, body, status, field, words):
    gg = api(world.users["GESTOR_GENERAL"], world.company)
    if isinstance(body, str):
        r = gg.client.post(URL + "/", data=body, headers=gg.headers({"Content-Type": "application/json"}))
    else:
        r = gg.post(URL + "/", json=_resolve(body, world))
    assert r.status_code == status, r.get_json()
    assert words in r.get_json()["message"]
    if field:
        assert r.get_json().get("field") == field
    assert world.count_orders() == 0 and world.count_audit() == 0


ACTION_CASES = [
    ("PENDING_ACCEPTANCE", "NOPE", {}, 422, "Acción desconocida 'NOPE'"),
    ("PENDING_ACCEPTANCE", "REJECT_ORDER", {}, 422, "El campo «Motivo del rechazo» es obligatorio"),
    ("PENDING_ACCEPTANCE", "REJECT_ORDER", {"reason": ["x"]}, 422, "El campo «Motivo del rechazo» debe ser un texto"),
    ("PENDING_ACCEPTANCE", "ACCEPT_ORDER", {"extra": 1}, 422, "Campo desconocido «extra»"),
    ("PENDING_ACCEPTANCE", "ACCEPT_ORDER", "{oops", 422, "no es JSON"),
    ("PENDING_ACCEPTANCE", "ACCEPT_ORDER", "[]", 422, "objeto JSON"),
    ("REJECTED", "RESCHEDULE_ORDER", {"scheduled_for": "31/13/2030"}, 422, "fecha dd/mm/aaaa o aaaa-mm-dd"),
    ("REJECTED", "RESCHEDULE_ORDER", {"scheduled_for": True}, 422, "fecha dd/mm/aaaa o aaaa-mm-dd"),
    ("CREATED", "EDIT_ORDER", {"requested_for": "ayer"}, 422, "«Fecha solicitada»"),
    ("CREATED", "EDIT_ORDER", {"lines": {"1": -3}}, 422, "entre 1 y 999"),
]


@pytest.mark.parametrize("state, action, body, status, words", ACTION_CASES)
def test_bad_action_input_is_a_4xx_and_changes_nothing(world, api, state, action, body, status, words):
    order = world.order_in(state)
    actor = "GESTOR_GENERAL" if state == "CREATED" else "GESTOR_OPERACIONES"
    client = api(world.users[actor], world.company)
    url = f"{URL}/{order.id}/actions/{action}"
    if isinstance(body, str):
        r = client.client.post(url, data=body, headers=client.headers({"Content-Type": "application/json"}))
    else:
        r = client.post(url, json=body)
    assert r.status_code == status, r.get_json()
    assert words in r.get_json()["message"]
    after = world.reload(order.id)
    assert (after.state, after.version, len(world.audit(order.id))) == (state, 1, 1)


def test_unknown_order_and_stale_version(world, api):
    go = api(world.users["GESTOR_OPERACIONES"], world.company)
    assert go.post(f"{URL}/999999/actions/ACCEPT_ORDER", json={}).status_code == 404
    assert go.get(f"{URL}/999999/history").status_code == 404
    order = world.order_in("PENDING_ACCEPTANCE")
    r = go.post(f"{URL}/{order.id}/actions/ACCEPT_ORDER", json={}, headers={"If-Match": "7"})
    assert r.status_code == 409 and "cambió" in r.get_json()["message"]
    assert world.reload(order.id).state == "PENDING_ACCEPTANCE"


def test_an_if_match_that_is_not_a_version_is_422_naming_the_header(world, api):
    """"²" passes str.isdigit but not int(); 2**63 is beyond any version."""
    go = api(world.users["GESTOR_OPERACIONES"], world.company)
    order = world.order_in("PENDING_ACCEPTANCE")
    for junk in ("²", str(2**63), "uno"):
        r = go.post(f"{URL}/{order.id}/actions/ACCEPT_ORDER", json={}, headers={"If-Match": junk})
        assert r.status_code == 422 and r.get_json()["field"] == "If-Match", (junk, r.get_json())
    assert world.reload(order.id).state == "PENDING_ACCEPTANCE"
