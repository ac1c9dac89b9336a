"""CERT-INS-5 (issue 9, item 13): an inspection of the open period can be corrected (date,
type, auditor, pieces, result, observations) by the same rules as a registration, audited
with before and after; never once its period is completed or has lapsed. Service, page and
REST."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.certification.catalogs.models import Auditor, ProductAuditType
from app.certification.inspections.models import Inspection
from app.certification.inspections.services import correct_inspection
from app.core.audit import AuditEntry
from app.core.errors import DomainError
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=20)


def _fix(world, inspection, **changes):
    data = dict(date=inspection.date, audit_type=inspection.audit_type_id, auditor=inspection.auditor_id,
                pieces=inspection.pieces, result=inspection.result, observations=inspection.observations)
    data.update(changes)
    return world.run(correct_inspection, inspection=inspection.id, today=TODAY, **data)


def test_a_correction_changes_the_fields_and_audits_before_and_after(world):
    a = world.assign(START, today=TODAY)
    i = world.inspect(a, START, today=TODAY)
    with company_scope(world.company.id):
        second = Auditor(first_name="Marta", last_name="Sanz", code="AU-2")
        other_type = ProductAuditType(certification=world.cert, name="Coronas")
        world.session.add_all([second, other_type])
        world.session.commit()
    day = START + dt.timedelta(days=1)
    _fix(world, i, date=day, auditor=second.id, audit_type=other_type.id, pieces=9, result="NO_OK",
         observations="Rebaba")
    after = world.get(Inspection, i.id)
    assert (after.date, after.auditor_id, after.audit_type_id, after.pieces, after.result, after.observations) == (
        day, second.id, other_type.id, 9, "NO_OK", "Rebaba")
    assert world.periods(a)[0].done == 1  # the count does not change
    with company_scope(world.company.id):
        entry = world.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "inspection", AuditEntry.action == "update")).one()
    changes = entry.data["changes"]
    assert changes["pieces"] == [5, 9] and changes["auditor"] == [world.auditor.id, second.id]
    assert changes["date"] == [START.isoformat(), day.isoformat()] and changes["result"] == ["OK", "NO_OK"]


@pytest.mark.parametrize("changes, field", [
    ({"date": TODAY + dt.timedelta(days=1)}, "date"),
    ({"date": START - dt.timedelta(days=1)}, "date"),  # before the period
    ({"pieces": 0}, "pieces"),
    ({"result": "QUIZÁ"}, "result"),
])
def test_a_correction_is_revalidated_and_writes_nothing_when_refused(world, changes, field):
    a = world.assign(START, today=TODAY)
    i = world.inspect(a, START, today=TODAY)
    before = world.counts()
    with pytest.raises(DomainError) as refused:
        _fix(world, i, **changes)
    assert refused.value.to_dict().get("field") == field or field in str(refused.value.to_dict())
    assert world.counts() == before and world.get(Inspection, i.id).date == START


def test_the_type_must_belong_to_the_certification(world):
    a = world.assign(START, today=TODAY)
    i = world.inspect(a, START, today=TODAY)
    with pytest.raises(DomainError, match="no pertenece a la certificación"):
        _fix(world, i, audit_type=world.other_type.id)


def _workday(day):
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def _correct(world, inspection, today, **changes):
    data = dict(date=inspection.date, audit_type=inspection.audit_type_id, auditor=inspection.auditor_id,
                pieces=inspection.pieces, result=inspection.result, observations="")
    return world.run(correct_inspection, inspection=inspection.id, today=today, **{**data, **changes})


def test_no_correction_once_the_period_is_completed(world, small_rules):
    small_rules(workdays=5, inspections=1)
    day = _workday(TODAY - dt.timedelta(days=3))
    a = world.assign(day, today=day)
    done = world.inspect(a, day, today=day)  # completes period 1
    before = world.counts()
    with pytest.raises(DomainError, match="periodo ya completado"):
        _correct(world, done, day, pieces=7)
    assert world.counts() == before and world.get(Inspection, done.id).pieces == 5


def test_no_correction_once_the_period_has_lapsed(world, small_rules):
    small_rules(workdays=5, inspections=3)
    day = _workday(TODAY - dt.timedelta(days=60))
    a = world.assign(day, today=day)
    i = world.inspect(a, day, today=day)
    with pytest.raises(DomainError, match="caducó"):
        _correct(world, i, TODAY, pieces=7)
    assert world.get(Inspection, i.id).pieces == 5


def test_the_page_and_the_api_correct_and_refuse(web, api):
    a = web.assign(START, today=TODAY)
    i = web.inspect(a, START, today=TODAY)
    page = web.client.get(f"/certificaciones/operarios/ficha/{web.operator.id}").get_data(as_text=True)
    assert f"/certificaciones/inspecciones/{i.id}/corregir" in page
    form = {"date": START.isoformat(), "audit_type": web.audit_type.id, "auditor": web.auditor.id, "pieces": "0",
            "result": "OK", "observations": "x"}
    r = web.client.post(f"/certificaciones/inspecciones/{i.id}/corregir", data=form)
    assert r.status_code == 422 and 'data-field="pieces"' in r.get_data(as_text=True)
    assert 'value="x"' not in r.get_data(as_text=True) or "x</textarea>" in r.get_data(as_text=True)
    r = web.client.post(f"/certificaciones/inspecciones/{i.id}/corregir", data={**form, "pieces": "8"})
    assert r.status_code == 302
    assert web.get(Inspection, i.id).pieces == 8
    client = api(web.user, web.company)
    r = client.put(f"/api/v1/inspection/{i.id}/correct", json={"result": "NO_OK"})
    assert r.status_code == 200 and r.get_json()["result"]["result"] == "NO_OK"
    assert web.get(Inspection, i.id).pieces == 8  # fields left out keep their value
    assert client.put(f"/api/v1/inspection/{i.id}/correct", json={"pieces": -1}).status_code == 422
    assert client.put("/api/v1/inspection/999999/correct", json={"pieces": 2}).status_code == 404
