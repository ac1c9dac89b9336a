"""Assignments through the REST API: period 1 on creation (CERT-ASG-1), one active
assignment per operator and certification, reactivation as a new assignment (CERT-ASG-2)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.certification.assignments.models import CertificationAssignment
from app.certification.catalogs.models import Certification, Operator
from app.core.audit import AuditEntry
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

LONG_AGO = TODAY - dt.timedelta(days=400)


@pytest.fixture
def client(world, api):
    return api(world.user, world.company)


def post(client, w, **kw):
    data = {"operator": w.operator.id, "certification": w.cert.id, "assigned_on": TODAY.isoformat(),
            "observations": "Alta inicial"}
    data.update(kw)
    return client.post("/api/v1/certification_assignment/", json=data)


def test_cert_asg_1_creating_an_assignment_returns_it_with_period_1(world, client):
    r = post(client, world)
    assert r.status_code == 201, r.get_json()
    result = r.get_json()["result"]
    assert (result["operator"], result["certification"], result["assigned_on"]) == (
        world.operator.id, world.cert.id, TODAY.isoformat())
    assert (result["active"], result["expired_on"]) == (True, None)
    [period] = result["periods"]
    assert (period["number"], period["start"], period["done"], period["required_inspections"], period["status"]) == (
        1, TODAY.isoformat(), 0, 29, "open")
    assert r.get_json()["id"] == result["id"]


def test_cert_asg_2_a_second_active_assignment_is_refused(world, client):
    assert post(client, world).status_code == 201
    before = world.counts()
    r = post(client, world)
    assert r.status_code == 422
    assert r.get_json()["field"] == "certification"
    assert "solo puede haber una asignación activa" in r.get_json()["message"]
    assert world.counts() == before
    # another certification for the same operator is fine
    assert post(client, world, certification=world.other_cert.id).status_code == 201


@pytest.mark.parametrize("changes, field, words", [
    ({"assigned_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "assigned_on", "no puede ser futura"),
    ({"assigned_on": LONG_AGO.isoformat()}, "assigned_on", "nacería caducada"),
    ({"assigned_on": "ayer"}, "assigned_on", "«Fecha de asignación» debe ser una fecha dd/mm/aaaa"),
    ({"assigned_on": "mañana"}, "assigned_on", "no «mañana»"),
    ({"assigned_on": "20/13/2026"}, "assigned_on", "dd/mm/aaaa o aaaa-mm-dd"),
    ({"operator": None}, "operator", "obligatorio"),
    ({"operator": 999999}, "operator", "empresa activa"),
    ({"certification": "x"}, "certification", "id numérico"),
    ({"color": "rojo"}, "color", "Campo desconocido"),
])
def test_cert_asg_bad_input_is_a_422_naming_the_field(world, client, changes, field, words):
    before = world.counts()
    r = post(client, world, **changes)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["field"] == field
    assert words in r.get_json()["message"]
    assert world.counts() == before


@pytest.mark.parametrize("model, attr, field", [(Operator, "operator", "operator"),
                                                 (Certification, "cert", "certification")])
def test_cert_cat_1_an_inactive_operator_or_certification_cannot_be_assigned(world, client, model, attr, field):
    with company_scope(world.company.id):
        world.session.get(model, getattr(world, attr).id).active = False
        world.session.commit()
    r = post(client, world)
    assert r.status_code == 422 and r.get_json()["field"] == field
    assert "inactiv" in r.get_json()["message"]


def test_cert_asg_2_reactivation_after_expiry_is_a_new_assignment(world, client, runner):
    old = world.assign(LONG_AGO, today=LONG_AGO)
    assert runner.invoke(args=["certification", "expire"]).exit_code == 0
    expired_on = world.get(CertificationAssignment, old.id).expired_on

    too_early = post(client, world, assigned_on=expired_on.isoformat())
    assert too_early.status_code == 422 and too_early.get_json()["field"] == "assigned_on"
    assert f"posterior a la caducidad anterior ({expired_on:%d/%m/%Y})" in too_early.get_json()["message"]

    r = post(client, world)
    assert r.status_code == 201, r.get_json()
    new = r.get_json()["result"]
    assert new["id"] != old.id and new["active"] is True
    assert [p["number"] for p in new["periods"]] == [1]
    again = world.get(CertificationAssignment, old.id)
    assert (again.active, again.expired_on) == (False, expired_on)


def test_cert_asg_2_reactivation_expires_a_lapsed_assignment_the_job_has_not_seen(world, client, session):
    old = world.assign(LONG_AGO, today=LONG_AGO)
    end = world.periods(old)[0].end
    r = post(client, world)
    assert r.status_code == 201, r.get_json()
    again = world.get(CertificationAssignment, old.id)
    assert (again.active, again.expired_on) == (False, end)
    assert world.periods(old)[0].status == "lapsed"
    with company_scope(world.company.id):
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "expire",
                                                          AuditEntry.entity_id == old.id))


def test_assignment_observations_are_editable_and_nothing_else(world, client):
    pk = post(client, world).get_json()["id"]
    r = client.put(f"/api/v1/certification_assignment/{pk}", json={"observations": "  Turno de tarde "})
    assert r.status_code == 200, r.get_json()
    assert client.get(f"/api/v1/certification_assignment/{pk}").get_json()["result"]["observations"] == "Turno de tarde"
    r = client.put(f"/api/v1/certification_assignment/{pk}", json={"assigned_on": "2020-01-01"})
    assert r.status_code in (400, 422)
    assert client.delete(f"/api/v1/certification_assignment/{pk}").status_code == 405
