"""Tenant isolation over every REST resource of the module: a user of company A cannot list,
read, change, delete or act on B's rows (404), and a POST naming B's row is refused (422)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.certification.conftest import TODAY

# resource -> (attribute of the world holding B's row, a PUT body or None when there is no PUT)
RESOURCES = {
    "operator": ("operator", {"first_name": "Hack"}),
    "auditor": ("auditor", {"first_name": "Hack"}),
    "certification": ("cert", {"name": "Hack"}),
    "product_audit_type": ("audit_type", {"name": "Hack"}),
    "certification_assignment": ("assignment", {"observations": "Hack"}),
    "validation_period": ("period", None),
    "inspection": ("inspection", None),
}
CUSTOM = [("GET", "certification_assignment", "assignment", "status"),
          ("POST", "inspection", "inspection", "annul")]


@pytest.fixture
def pair(make_world, api):
    a, b = make_world(name="Empresa A"), make_world(name="Empresa B")
    for w in (a, b):
        w.assignment = w.assign(TODAY - dt.timedelta(days=3), today=TODAY)
        w.inspection = w.inspect(w.assignment, TODAY - dt.timedelta(days=2), today=TODAY)
        w.period = w.periods(w.assignment)[0]
        w.client = api(w.user, w.company)
    return a, b


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_user_of_company_a_never_sees_or_touches_company_b_rows(pair, resource):
    a, b = pair
    attr, put_body = RESOURCES[resource]
    pk_b, pk_a = getattr(b, attr).id, getattr(a, attr).id
    listed = [row["id"] for row in a.client.get(f"/api/v1/{resource}/").get_json()["result"]]
    assert pk_a in listed and pk_b not in listed
    assert a.client.get(f"/api/v1/{resource}/{pk_b}").status_code == 404
    before = b.counts()
    if put_body is not None:
        assert a.client.put(f"/api/v1/{resource}/{pk_b}", json=put_body).status_code == 404
    assert a.client.delete(f"/api/v1/{resource}/{pk_b}").status_code in (404, 405)
    assert b.client.get(f"/api/v1/{resource}/{pk_b}").status_code == 200
    assert b.counts() == before


@pytest.mark.parametrize("method, resource, attr, action", CUSTOM)
def test_custom_endpoints_answer_404_for_another_company(pair, method, resource, attr, action):
    a, b = pair
    url = f"/api/v1/{resource}/{getattr(b, attr).id}/{action}"
    r = a.client.get(url) if method == "GET" else a.client.post(url, json={"reason": "x"})
    assert r.status_code == 404


FOREIGN_KEYS = [
    ("product_audit_type", lambda a, b: {"certification": b.cert.id, "name": "Ajena"}, "certification"),
    ("certification_assignment", lambda a, b: {"operator": b.operator.id, "certification": a.other_cert.id,
                                               "assigned_on": TODAY.isoformat()}, "operator"),
    ("certification_assignment", lambda a, b: {"operator": a.operator.id, "certification": b.other_cert.id,
                                               "assigned_on": TODAY.isoformat()}, "certification"),
    ("inspection", lambda a, b: {"assignment": b.assignment.id, "audit_type": b.audit_type.id,
                                 "auditor": b.auditor.id, "date": TODAY.isoformat(), "pieces": 1,
                                 "result": "OK"}, "assignment"),
    ("inspection", lambda a, b: {"assignment": a.assignment.id, "audit_type": b.audit_type.id,
                                 "auditor": a.auditor.id, "date": TODAY.isoformat(), "pieces": 1,
                                 "result": "OK"}, "audit_type"),
    ("inspection", lambda a, b: {"assignment": a.assignment.id, "audit_type": a.audit_type.id,
                                 "auditor": b.auditor.id, "date": TODAY.isoformat(), "pieces": 1,
                                 "result": "OK"}, "auditor"),
]


@pytest.mark.parametrize("resource, make_body, field", FOREIGN_KEYS,
                         ids=[f"{r}.{f}" for r, _, f in FOREIGN_KEYS])
def test_a_post_naming_another_company_row_is_refused(pair, resource, make_body, field):
    a, b = pair
    before = a.counts()
    r = a.client.post(f"/api/v1/{resource}/", json=make_body(a, b))
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["field"] == field
    assert a.counts() == before


def test_another_company_header_is_forbidden(pair):
    a, b = pair
    r = a.client.get("/api/v1/operator/", headers={"X-Company-Id": str(b.company.id)})
    assert r.status_code == 403
