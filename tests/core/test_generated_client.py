"""Issue 22: an integrator generates a Python client from the served OpenAPI document with
openapi-python-client (docs/api.md, docs/openapi-python-client.yaml) and, as a user without
admin rights, signs in, reads /me for its company, lists calibration orders with a Rison
filter, creates an instrument and an order and reads the order's number from the parsed
answer. The generator must run with no warning (its output is read)."""
from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import pathlib
import subprocess
import sys

import httpx
import pytest

from tests import factories

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATOR = pathlib.Path(sys.executable).parent / "openapi-python-client"


def _module(package: pathlib.Path, operation_id: str):
    """The generated module of an operation (its file is named by the operationId)."""
    path = next(package.rglob(f"{operation_id}.py"))
    dotted = ".".join(path.relative_to(package.parent).with_suffix("").parts)
    return importlib.import_module(dotted)


@pytest.fixture
def generated(tmp_path, client):
    company = factories.make_company()
    user = factories.make_user(roles=["CAL_RESPONSABLE"], companies=[company], username="integrador_22")
    document = factories.ApiClient(client, user, company).get("/api/v1/_openapi").get_json()
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    package = tmp_path / "backoffice_client"
    run = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(tmp_path / "openapi.json"), "--output-path", str(package),
         "--meta", "none", "--config", str(ROOT / "docs" / "openapi-python-client.yaml")],
        capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("backoffice_client"), package, user, company
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "backoffice_client" or m.startswith("backoffice_client.")]:
            del sys.modules[name]


def test_issue_22_a_generated_client_works_for_an_integrator(app, generated):
    client_package, package, user, company = generated
    transport = httpx.WSGITransport(app=app)
    anonymous = client_package.Client(base_url="http://localhost", httpx_args={"transport": transport})
    models = importlib.import_module("backoffice_client.models")
    token = _module(package, "security_login").sync(client=anonymous, body=models.SecurityLoginBody(
        username=user.username, password=factories.PASSWORD, provider=models.SecurityLoginBodyProvider("db"))).access_token

    signed_in = client_package.AuthenticatedClient(base_url="http://localhost", token=token,
                                                   httpx_args={"transport": transport})
    me = _module(package, "me_get").sync_detailed(client=signed_in)
    companies = json.loads(me.content)["companies"]
    assert [c["id"] for c in companies] == [company.id]
    acting = signed_in.with_headers({"X-Company-Id": str(companies[0]["id"])})

    instrument = _module(package, "instrument_post").sync(client=acting, body=models.InstrumentApiPost(
        tag="MAN-22", description="Manómetro 0-10 bar", interval_days=365))
    assert isinstance(instrument.id, int)

    created = _module(package, "calibration_order_post").sync(client=acting, body=models.CalibrationOrderApiPost(
        instrument=instrument.id, requested_on=dt.date(2026, 3, 2)))
    assert isinstance(created.id, int)
    assert created.result.number.startswith("OC-") and created.result.state == "RECEIVED"

    listing = _module(package, "calibration_order_get_list").sync_detailed(
        client=acting, q="(filters:!((col:state,opr:eq,value:RECEIVED)),page:0,page_size:25)")
    assert listing.status_code == 200
    assert [row["id"] for row in json.loads(listing.content)["result"]] == [created.id]


def test_issue_22_an_instrument_without_its_interval_takes_the_documented_default(app, client):
    """The document has `interval_days` optional: the server agrees (a year), and still refuses
    an interval out of range."""
    company = factories.make_company()
    user = factories.make_user(roles=["CAL_RESPONSABLE"], companies=[company], username="integrador_22b")
    api = factories.ApiClient(client, user, company)
    document = api.get("/api/v1/_openapi").get_json()
    assert "interval_days" not in document["components"]["schemas"]["InstrumentApi.post"].get("required", [])
    created = api.post("/api/v1/instrument/", json={"tag": "TER-22", "description": "Termómetro"})
    assert created.status_code == 201, created.get_json()
    assert api.get(f"/api/v1/instrument/{created.get_json()['id']}").get_json()["result"]["interval_days"] == 365
    refused = api.post("/api/v1/instrument/", json={"tag": "TER-23", "description": "Termómetro", "interval_days": 0})
    assert refused.status_code == 422 and refused.get_json()["field"] == "interval_days"
