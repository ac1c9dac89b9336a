"""CERT-CAT-1: catalogs (required names, unique codes, deactivate instead of delete, inactive
items not chosen for new records)."""
from __future__ import annotations

import pytest

from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY


@pytest.mark.parametrize("resource", ["operator", "auditor"])
def test_cert_cat_1_people_need_names_and_unique_codes(world, api, resource):
    client = api(world.user, world.company)
    r = client.post(f"/api/v1/{resource}/", json={"first_name": "Eva", "last_name": "Sanz", "code": "X-9"})
    assert r.status_code == 201, r.get_json()
    r = client.post(f"/api/v1/{resource}/", json={"first_name": "Ana", "last_name": "Ruiz", "code": "X-9"})
    assert r.status_code == 422 and r.get_json()["field"] == "code"
    r = client.post(f"/api/v1/{resource}/", json={"first_name": "  ", "last_name": "Ruiz"})
    assert r.status_code == 422 and r.get_json()["field"] == "first_name"
    # no code is fine, twice
    for _ in range(2):
        assert client.post(f"/api/v1/{resource}/", json={"first_name": "Sin", "last_name": "Código"}).status_code == 201


@pytest.mark.parametrize("resource, attr", [("operator", "operator"), ("certification", "cert"),
                                            ("product_audit_type", "audit_type"), ("auditor", "auditor")])
def test_cert_cat_1_items_with_history_are_deactivated_not_deleted(world, api, resource, attr):
    a = world.assign(TODAY)
    world.inspect(a, TODAY)
    client = api(world.user, world.company)
    pk = getattr(world, attr).id
    r = client.delete(f"/api/v1/{resource}/{pk}")
    assert r.status_code == 422, r.get_json()
    assert "Desactívalo" in r.get_json()["message"]
    assert client.put(f"/api/v1/{resource}/{pk}", json={"active": False}).status_code == 200
    assert client.get(f"/api/v1/{resource}/{pk}").get_json()["result"]["active"] is False


def test_cert_cat_1_items_without_history_can_be_deleted(world, api):
    client = api(world.user, world.company)
    pk = client.post("/api/v1/operator/", json={"first_name": "Temporal", "last_name": "X"}).get_json()["id"]
    assert client.delete(f"/api/v1/operator/{pk}").status_code == 200


def test_cert_cat_1_audit_types_belong_to_an_active_certification(world, api, session):
    client = api(world.user, world.company)
    r = client.post("/api/v1/product_audit_type/", json={"certification": world.cert.id, "name": "Coronas"})
    assert r.status_code == 201, r.get_json()
    with company_scope(world.company.id):
        from app.certification.catalogs.models import Certification

        session.get(Certification, world.other_cert.id).active = False
        session.commit()
    r = client.post("/api/v1/product_audit_type/", json={"certification": world.other_cert.id, "name": "Puentes"})
    assert r.status_code == 422 and r.get_json()["field"] == "certification"
    assert "inactiva" in r.get_json()["message"]


def test_cert_cat_1_an_audit_type_with_inspections_keeps_its_certification(world, api):
    a = world.assign(TODAY)
    world.inspect(a, TODAY)
    client = api(world.user, world.company)
    r = client.put(f"/api/v1/product_audit_type/{world.audit_type.id}", json={"certification": world.other_cert.id})
    assert r.status_code == 422 and r.get_json()["field"] == "certification"
    assert client.put(f"/api/v1/product_audit_type/{world.audit_type.id}",
                      json={"description": "Piezas dentales"}).status_code == 200
