"""CERT-INS-4: annulment with a reason, only in the open period, out of the count, audited;
inspections are never deleted. CERT-CAT-1: catalogs/test_catalogs.py."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=30)


@pytest.fixture
def ready(world, small_rules, api):
    small_rules(workdays=60, inspections=3)
    world.assignment = world.assign(START, today=TODAY)
    world.first = world.inspect(world.assignment, START, today=TODAY)
    world.client = api(world.user, world.company)
    return world


def annul(w, pk, **body):
    return w.client.post(f"/api/v1/inspection/{pk}/annul", json=body)


def test_cert_ins_4_annulment_takes_the_inspection_out_of_the_count_and_is_audited(ready, session):
    r = annul(ready, ready.first.id, reason="Pieza de otro lote")
    assert r.status_code == 200, r.get_json()
    result = r.get_json()["result"]
    assert (result["annulled"], result["annul_reason"]) == (True, "Pieza de otro lote")
    assert result["annulled_at"]
    assert ready.periods(ready.assignment)[0].done == 0
    with company_scope(ready.company.id):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "annul"))
    assert (entry.entity, entry.entity_id, entry.user_id) == ("inspection", ready.first.id, ready.user.id)
    assert entry.data["reason"] == "Pieza de otro lote"
    # still listed, marked annulled
    listed = ready.client.get("/api/v1/inspection/").get_json()["result"]
    assert [(i["id"], i["annulled"]) for i in listed] == [(ready.first.id, True)]


@pytest.mark.parametrize("body, words", [({}, "obligatorio"), ({"reason": "   "}, "obligatorio"),
                                         ({"reason": 5}, "texto")])
def test_cert_ins_4_annulment_needs_a_reason(ready, body, words):
    before = ready.counts()
    r = annul(ready, ready.first.id, **body)
    assert r.status_code == 422 and r.get_json()["field"] == "reason"
    assert words in r.get_json()["message"]
    assert ready.counts() == before


def test_cert_ins_4_annulling_twice_is_refused(ready):
    assert annul(ready, ready.first.id, reason="Error").status_code == 200
    r = annul(ready, ready.first.id, reason="Otra vez")
    assert r.status_code == 422 and "ya está anulada" in r.get_json()["message"]


def test_cert_ins_4_only_inspections_of_the_open_period_can_be_annulled(ready):
    for n in (1, 2):
        ready.inspect(ready.assignment, START + dt.timedelta(days=n), today=TODAY)
    before = ready.counts()
    r = annul(ready, ready.first.id, reason="Tarde")
    assert r.status_code == 422
    assert "Solo se pueden anular inspecciones del periodo vigente (nº 2)" in r.get_json()["message"]
    assert ready.counts() == before


def test_cert_ins_4_an_annulled_inspection_does_not_date_the_completion(ready):
    late = ready.inspect(ready.assignment, START + dt.timedelta(days=9), today=TODAY)
    assert annul(ready, late.id, reason="Duplicada").status_code == 200
    for n in (1, 2):
        ready.inspect(ready.assignment, START + dt.timedelta(days=n), today=TODAY)
    first, second = ready.periods(ready.assignment)
    assert first.completed_on == START + dt.timedelta(days=2)


def test_cert_ins_4_no_delete_route_and_unknown_inspections_are_404(ready):
    assert ready.client.delete(f"/api/v1/inspection/{ready.first.id}").status_code == 405
    assert annul(ready, 999999, reason="x").status_code == 404


# --- CERT-CAT-1 ----------------------------------------------------------------------------
