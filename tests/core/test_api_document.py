"""Issue 22: the contract an integrator is held to. Every signed-in user reads the OpenAPI
document (anonymous callers do not), it stays valid, and it says what the server takes: the
permission of each operation, the company header, `q` as Rison. `GET /api/v1/me` tells a
user without admin rights which companies it may act for."""
from __future__ import annotations

import openapi_spec_validator
import prison
import pytest

from tests import factories


@pytest.fixture
def technician(client):
    company = factories.make_company()
    user = factories.make_user(roles=["CAL_TECNICO"], companies=[company], username="tec_22")
    return factories.ApiClient(client, user, company), user, company


def test_issue_22_every_signed_in_user_reads_a_valid_document(client, technician):
    api, _, _ = technician
    answer = api.get("/api/v1/_openapi")
    assert answer.status_code == 200
    document = answer.get_json()
    openapi_spec_validator.validate(document)
    assert client.get("/api/v1/_openapi").status_code == 401


def test_issue_22_operations_state_permission_company_header_and_rison(technician):
    api, _, company = technician
    document = api.get("/api/v1/_openapi").get_json()
    listing = document["paths"]["/api/v1/calibration_order/"]["get"]
    assert listing["x-permission"] == "can_read on CalibrationOrder"
    names = {(p["in"], p["name"]): p for p in listing["parameters"]}
    assert names[("header", "X-Company-Id")]["example"] == "1"
    q = names[("query", "q")]
    assert q["schema"] == {"type": "string"} and "content" not in q
    # the example is a Rison the server takes
    assert prison.loads(q["example"]) == {"page": 0, "page_size": 25}
    assert api.get(f"/api/v1/calibration_order/?q={q['example']}").status_code == 200
    assert "jwt" in document["components"]["securitySchemes"]
    me = document["paths"]["/api/v1/me"]["get"]
    assert not any(p["name"] == "X-Company-Id" for p in me.get("parameters", []))


def test_issue_22_me_names_the_user_roles_and_companies(client, technician):
    api, user, company = technician
    other = factories.make_company()  # not the technician's
    answer = api.get("/api/v1/me")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["username"] == "tec_22" and body["id"] == user.id
    assert [c["id"] for c in body["companies"]] == [company.id] and other.id not in [c["id"] for c in body["companies"]]
    assert body["company_id"] == company.id
    assert body["roles"] == [{"name": "CAL_TECNICO", "label": body["roles"][0]["label"]}]
    assert body["roles"][0]["label"] != "CAL_TECNICO"  # the role by its label
    assert client.get("/api/v1/me").status_code == 401


def test_issue_22_a_login_body_error_is_one_spanish_sentence(client):
    answer = client.post("/api/v1/security/login", json={"username": "x", "provider": "db"})
    assert answer.status_code == 400
    assert answer.get_json() == {"message": "El campo «password» falta o no es válido.", "field": "password"}
