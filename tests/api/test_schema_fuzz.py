"""Schema fuzzing of the whole REST API (schemathesis over /api/v1/_openapi): whatever
the input, the answer is never a 5xx, and every error is JSON with a message."""
from __future__ import annotations

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, settings

from tests.factories import PASSWORD, make_company, make_user


def _token(client, username):
    r = client.post("/api/v1/security/login", json={"username": username, "password": PASSWORD, "provider": "db"})
    return r.get_json()["access_token"]


@pytest.fixture(scope="session")
def api_schema(app):
    with app.app_context():
        admin = make_user(roles=["Admin"], username="fuzz_schema_reader")
        token = _token(app.test_client(), admin.username)
    return schemathesis.openapi.from_wsgi(
        "/api/v1/_openapi", app, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.fixture
def fuzz_headers(client):
    company = make_company()
    admin = make_user(roles=["Admin"], companies=[company])
    return {"Authorization": f"Bearer {_token(client, admin.username)}", "X-Company-Id": str(company.id)}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_input_reaches_a_server_error(case, fuzz_headers):
    if case.path.startswith("/security/login") or case.path.startswith("/security/refresh"):
        case.headers = {}
    from app.extensions import db

    db.session.commit()
    token = _cv_app.set(None)  # the request gets its own app context and session, as in production
    try:
        response = case.call(headers=fuzz_headers)
    finally:
        _cv_app.reset(token)
    assert response.status_code < 500, (case.method, case.path, case.body, response.status_code, response.text[:300])
    if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith("application/json"):
        assert "message" in response.json(), response.text[:300]
