"""Issue 9, item 18: every catalog has its REST resource; workflow definitions for integrators."""
from __future__ import annotations


def test_workflow_definitions_are_readable_by_any_user(api, make_company, make_user):
    company = make_company()
    user = make_user(roles=["CERT_USUARIO"], companies=[company])
    client = api(user, company)
    listing = client.get("/api/v1/workflow/").get_json()["result"]
    assert "installation" in {w["name"] for w in listing}
    body = client.get("/api/v1/workflow/installation").get_json()["result"]
    states = {s["code"]: s for s in body["states"]}
    assert states["CREATED"]["label"] == "Orden Creada" and states["CREATED"]["kind"] == "initial"
    accept = next(t for t in body["transitions"] if t["action"] == "ACCEPT_ORDER")
    assert accept["from"] == "PENDING_ACCEPTANCE" and accept["roles"] and accept["label"]
    assert {r["code"] for r in body["roles"]} >= {"DOCTOR", "TECNICO"}
    r = client.get("/api/v1/workflow/nada")
    assert r.status_code == 404 and "nada" in r.get_json()["message"]


def test_installation_equipment_resource(api, make_company, make_user):
    company, other = make_company(), make_company()
    manager = make_user(roles=["INST_GESTOR_OPERACIONES"], companies=[company])
    client = api(manager, company)
    r = client.post("/api/v1/installation_equipment/", json={"code": "EQ-9", "name": "Sillón", "active": True})
    assert r.status_code == 201, r.get_json()
    pk = r.json["id"]
    assert client.put(f"/api/v1/installation_equipment/{pk}", json={"name": "Sillón dental"}).status_code == 200
    assert client.get(f"/api/v1/installation_equipment/{pk}").get_json()["result"]["name"] == "Sillón dental"
    assert client.delete(f"/api/v1/installation_equipment/{pk}").status_code == 405  # no deleting: catalog rows are deactivated
    other_manager = make_user(roles=["INST_GESTOR_OPERACIONES"], companies=[other])
    assert api(other_manager, other).get(f"/api/v1/installation_equipment/{pk}").status_code == 404
    technician = make_user(roles=["INST_TECNICO"], companies=[company])
    assert api(technician, company).post("/api/v1/installation_equipment/", json={"code": "X", "name": "X"}).status_code == 403


def test_certification_rules_everyone_reads_admin_writes(api, make_company, make_user):
    company = make_company()
    user = make_user(roles=["CERT_USUARIO"], companies=[company])
    admin = make_user(roles=["Admin"], companies=[company])
    assert api(user, company).get("/api/v1/certification_rule/").status_code == 200
    assert api(user, company).post("/api/v1/certification_rule/",
                                   json={"required_workdays": 5, "required_inspections": 2}).status_code == 403
    r = api(admin, company).post("/api/v1/certification_rule/", json={"required_workdays": 5, "required_inspections": 2})
    assert r.status_code == 201, r.get_json()
    rows = api(user, company).get("/api/v1/certification_rule/").get_json()["result"]
    active = [row for row in rows if row["active"]]
    assert len(active) == 1 and active[0]["required_inspections"] == 2
    bad = api(admin, company).post("/api/v1/certification_rule/", json={"required_workdays": 0, "required_inspections": 2})
    assert bad.status_code == 422 and bad.get_json()["field"] == "required_workdays"
