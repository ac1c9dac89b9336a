"""CERT-PER-3: a period whose end has passed short of its count lapses and its assignment
expires on that end date: by `flask certification expire` (set-based, a constant number of
statements) and lazily (pages and API never show it open; no inspection is accepted)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.certification.assignments import services
from app.certification.assignments.models import LAPSED, OPEN, CertificationAssignment
from app.certification.catalogs.models import Operator
from app.core.audit import AuditEntry
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

D = dt.date
LONG_AGO = TODAY - dt.timedelta(days=400)


def test_cert_per_3_cli_expires_lapsed_assignments_on_their_end_date(world, small_rules, runner, session):
    small_rules(workdays=10, inspections=3)
    lapsed = world.assign(D(2026, 1, 7))            # ends 20 Jan 2026
    fresh = world.assign(D(2026, 1, 19), certification=world.other_cert)  # ends 30 Jan 2026
    world.inspect(lapsed, D(2026, 1, 8))

    result = runner.invoke(args=["certification", "expire", "--date", "2026-01-21"])
    assert result.exit_code == 0, result.output
    assert "1 asignaciones caducadas a fecha 21/01/2026" in result.output

    a = world.get(CertificationAssignment, lapsed.id)
    assert (a.active, a.expired_on) == (False, D(2026, 1, 20))
    [period] = world.periods(a)
    assert (period.status, period.done) == (LAPSED, 1)
    assert world.get(CertificationAssignment, fresh.id).active is True
    with company_scope(world.company.id):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "expire"))
    assert (entry.entity, entry.entity_id, entry.from_state, entry.to_state) == (
        "certification_assignment", lapsed.id, "active", "expired")
    assert entry.data == {"expired_on": "2026-01-20", "period": 1, "done": 1, "required_inspections": 3}

    again = runner.invoke(args=["certification", "expire", "--date", "2026-01-21"])
    assert "0 asignaciones caducadas" in again.output


def test_cert_per_3_the_end_date_itself_is_still_inside_the_period(world, small_rules, runner):
    small_rules(workdays=10, inspections=3)
    a = world.assign(D(2026, 1, 7))  # ends 20 Jan
    runner.invoke(args=["certification", "expire", "--date", "2026-01-20"])
    assert world.get(CertificationAssignment, a.id).active is True
    world.inspect(a, D(2026, 1, 20))  # on the last day
    assert world.periods(a)[0].done == 1


def test_cert_per_3_cli_rejects_a_bad_date(runner):
    result = runner.invoke(args=["certification", "expire", "--date", "21/01/2026"])
    assert result.exit_code != 0
    assert "21/01/2026" in result.output


def test_cert_per_3_expiry_runs_a_constant_number_of_statements(make_world, small_rules, session, count_queries):
    small_rules(workdays=5, inspections=3)

    def lapse(n):
        w = make_world(name=f"Empresa con {n}")
        with company_scope(w.company.id):
            ops = [Operator(first_name=f"Op{i}", last_name="Prueba") for i in range(n)]
            session.add_all(ops)
            session.commit()
        for op in ops:
            w.assign(D(2026, 1, 7), operator=op)
        with count_queries() as counter, company_scope(None):
            expired = services.expire_assignments(session=session, today=D(2026, 3, 1))
            session.commit()
        return expired, counter.count

    few, many = lapse(3), lapse(40)
    assert (few[0], many[0]) == (3, 40)
    assert few[1] == many[1] <= 6


def test_cert_per_3_lazily_the_api_shows_the_lapsed_period_before_the_job(world, api):
    a = world.assign(LONG_AGO, today=LONG_AGO)
    [period] = world.periods(a)
    client = api(world.user, world.company)
    status = client.get(f"/api/v1/certification_assignment/{a.id}/status").get_json()
    assert status["active"] is False
    assert status["expired_on"] == period.end.isoformat()
    assert status["periods"][0]["status"] == "lapsed"
    row = client.get(f"/api/v1/certification_assignment/{a.id}").get_json()["result"]
    assert (row["active"], row["expired_on"]) == (False, period.end.isoformat())
    listed = client.get("/api/v1/certification_assignment/").get_json()["result"]
    assert [(r["active"], r["expired_on"]) for r in listed] == [(False, period.end.isoformat())]
    assert client.get(f"/api/v1/validation_period/{period.id}").get_json()["result"]["status"] == "lapsed"
    # the database itself has not been touched
    assert world.get(CertificationAssignment, a.id).active is True
    assert world.periods(a)[0].status == OPEN
