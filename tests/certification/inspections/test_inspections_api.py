"""Registering inspections through the REST API: 201 and the count moves; every refusal is
a 422 whose Spanish message names the rule, and nothing is written (CERT-INS-1, CERT-INS-2,
CERT-PER-3, CERT-PER-2: no extra inspection once a period is complete)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.certification.assignments.models import LAPSED, CertificationAssignment
from app.certification.catalogs.models import Auditor, Operator, ProductAuditType
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=30)


@pytest.fixture
def ready(world, small_rules, api):
    """Rules of 60 working days / 3 inspections; an assignment from 30 days ago with 1 done."""
    small_rules(workdays=60, inspections=3)
    world.assignment = world.assign(START, today=TODAY)
    world.inspect(world.assignment, START, today=TODAY)
    world.client = api(world.user, world.company)
    return world


def body(w, **kw):
    data = {"assignment": w.assignment.id, "audit_type": w.audit_type.id, "auditor": w.auditor.id,
            "date": (START + dt.timedelta(days=1)).isoformat(), "pieces": 12, "result": "OK",
            "observations": "Sin incidencias"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not ...}


def test_cert_ins_1_register_inspection_returns_201_and_moves_the_count(ready):
    r = ready.client.post("/api/v1/inspection/", json=body(ready))
    assert r.status_code == 201, r.get_json()
    result = r.get_json()["result"]
    assert result["pieces"] == 12 and result["result"] == "OK" and result["annulled"] is False
    assert result["period"]["number"] == 1
    status = ready.client.get(f"/api/v1/certification_assignment/{ready.assignment.id}/status").get_json()
    assert status["periods"][0]["done"] == 2
    # read-only afterwards, never deleted
    pk = r.get_json()["id"]
    assert ready.client.put(f"/api/v1/inspection/{pk}", json={"pieces": 3}).status_code == 405
    assert ready.client.delete(f"/api/v1/inspection/{pk}").status_code == 405


def test_cert_per_2_the_required_inspection_through_the_api_opens_period_2(ready):
    for day in (START + dt.timedelta(days=1), START + dt.timedelta(days=2)):
        assert ready.client.post("/api/v1/inspection/", json=body(ready, date=day.isoformat())).status_code == 201
    periods = ready.client.get(f"/api/v1/certification_assignment/{ready.assignment.id}/status").get_json()["periods"]
    assert [(p["number"], p["status"], p["done"]) for p in periods] == [(1, "completed", 3), (2, "open", 0)]
    assert periods[0]["completed_on"] == (START + dt.timedelta(days=2)).isoformat()


def _deactivate(model, attr):
    def do(w):
        with company_scope(w.company.id):
            row = w.session.get(model, getattr(w, attr).id)
            row.active = False
            w.session.commit()
    return do


def _lapsed_assignment(w):
    long_ago = TODAY - dt.timedelta(days=400)
    w.expired = w.assign(long_ago, today=long_ago, certification=w.other_cert)
    w.expired_end = w.periods(w.expired)[0].end


def _complete_period(w):
    for n in (1, 2):
        w.inspect(w.assignment, START + dt.timedelta(days=n), today=TODAY)


def _other_company_auditor(w):
    with company_scope(w.other.company.id):
        w.foreign = w.other.auditor.id


REFUSALS = [
    # (case, setup, body changes (callable of the world), field, words in the message)
    ("out_of_period", None, lambda w: {"date": (START - dt.timedelta(days=1)).isoformat()}, "date",
     ["fuera del periodo vigente nº 1"]),
    ("future_date", None, lambda w: {"date": (TODAY + dt.timedelta(days=1)).isoformat()}, "date", ["futura"]),
    ("inactive_operator", _deactivate(Operator, "operator"), lambda w: {}, "assignment", ["operario", "inactivo"]),
    ("inactive_auditor", _deactivate(Auditor, "auditor"), lambda w: {}, "auditor", ["auditor", "inactivo"]),
    ("inactive_audit_type", _deactivate(ProductAuditType, "audit_type"), lambda w: {}, "audit_type",
     ["tipo de auditoría", "inactivo"]),
    ("audit_type_of_another_certification", None, lambda w: {"audit_type": w.other_type.id}, "audit_type",
     ["no pertenece a la certificación 'Laboratorio'"]),
    ("extra_inspection_in_a_completed_period", _complete_period,
     lambda w: {"date": (START + dt.timedelta(days=2)).isoformat()}, "date", ["fuera del periodo vigente nº 2"]),
    ("zero_pieces", None, lambda w: {"pieces": 0}, "pieces", ["«Piezas»", "mayor o igual que 1"]),
    ("fractional_pieces", None, lambda w: {"pieces": 1.5}, "pieces", ["entero"]),
    ("text_pieces", None, lambda w: {"pieces": "muchas"}, "pieces", ["entero"]),
    ("unknown_result", None, lambda w: {"result": "REGULAR"}, "result", ["«Resultado»", "OK, NO OK"]),
    ("missing_date", None, lambda w: {"date": ...}, "date", ["El campo «Fecha» es obligatorio"]),
    ("bad_date", None, lambda w: {"date": "31/02/2026"}, "date", ["«Fecha» debe ser una fecha dd/mm/aaaa o aaaa-mm-dd"]),
    ("missing_auditor", None, lambda w: {"auditor": ...}, "auditor", ["obligatorio"]),
    ("unknown_field", None, lambda w: {"inspector": 3}, "inspector", ["Campo desconocido"]),
    ("auditor_of_another_company", _other_company_auditor, lambda w: {"auditor": w.foreign}, "auditor",
     ["empresa activa"]),
    ("assignment_of_another_company", None, lambda w: {"assignment": w.other.assignment.id}, "assignment",
     ["empresa activa"]),
]


@pytest.mark.parametrize("case, setup, changes, field, words", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_cert_ins_refusals_answer_422_and_write_nothing(ready, make_world, case, setup, changes, field, words):
    other = make_world(name=f"Otra {case}")
    other.assignment = other.assign(START, today=TODAY)
    ready.other = other
    if setup:
        setup(ready)
    before = ready.counts()
    r = ready.client.post("/api/v1/inspection/", json=body(ready, **changes(ready)))
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["message"]
    assert r.get_json().get("field") == field, message
    for word in words:
        assert word in message, message
    assert ready.counts() == before


def test_cert_per_3_the_refusal_names_the_expiry_date(ready):
    _lapsed_assignment(ready)
    r = ready.client.post("/api/v1/inspection/", json=body(
        ready, assignment=ready.expired.id, audit_type=ready.other_type.id,
        date=(TODAY - dt.timedelta(days=399)).isoformat()))
    assert r.status_code == 422 and r.get_json()["field"] == "assignment"
    assert f"caducó el {ready.expired_end:%d/%m/%Y}" in r.get_json()["message"]


def test_cert_per_3_a_registration_that_finds_the_period_over_writes_the_expiry_at_once(ready):
    """Issue 9 item 14 (spec §4.4): the refusal stands, and the expiry is committed on its own."""
    _lapsed_assignment(ready)
    before = ready.counts()
    r = ready.client.post("/api/v1/inspection/", json=body(
        ready, assignment=ready.expired.id, audit_type=ready.other_type.id,
        date=(TODAY - dt.timedelta(days=399)).isoformat()))
    assert r.status_code == 422
    expired = ready.get(CertificationAssignment, ready.expired.id)
    assert (expired.active, expired.expired_on) == (False, ready.expired_end)
    assert ready.periods(expired)[0].status == LAPSED
    after = ready.counts()
    assert after["cert_inspection"] == before["cert_inspection"]
    assert after["audit_entry"] == before["audit_entry"] + 1  # the expiry, nothing of the inspection
    r = ready.client.post("/api/v1/inspection/", json=body(
        ready, assignment=ready.expired.id, audit_type=ready.other_type.id,
        date=(TODAY - dt.timedelta(days=399)).isoformat()))
    assert r.status_code == 422 and f"caducó el {ready.expired_end:%d/%m/%Y}" in r.get_json()["message"]
    assert ready.counts() == after


def test_bad_json_is_a_4xx_not_a_500(ready):
    r = ready.client.post("/api/v1/inspection/", data="{no json", headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422)
    r = ready.client.post("/api/v1/inspection/", json=[1, 2])
    assert r.status_code == 422
