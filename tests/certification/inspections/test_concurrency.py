"""Concurrency on PostgreSQL: 16 threads registering the last inspections of a period at once
leave exactly the required count in it, exactly one new open period and no lost inspection
(CERT-PER-2 under row locks, backed by the CHECK and partial unique constraints)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from app.certification.assignments.models import COMPLETED, OPEN
from app.certification.inspections import services
from app.certification.inspections.models import Inspection
from app.core.errors import DomainError
from app.core.identity import acting_as
from app.core.tenancy import Company, company_scope
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=60)
THREADS = 16


def race(app, w, dates: list[dt.date]) -> list[str]:
    """Register one inspection per date, each in its own thread, session and transaction."""
    barrier = threading.Barrier(len(dates))
    outcomes: list[str] = []

    def one(day):
        from app.extensions import db

        with app.app_context(), company_scope(w.company.id), acting_as(w.user):
            barrier.wait()
            try:
                services.register_inspection(
                    session=db.session, user=w.user, company=db.session.get(Company, w.company_id),
                    assignment=w.assignment_id, audit_type=w.audit_type_id, auditor=w.auditor_id,
                    date=day, pieces=1, result="OK", today=dt.date.today(),
                )
                db.session.commit()
                outcomes.append("ok")
            except DomainError as exc:
                db.session.rollback()
                outcomes.append(f"refused: {exc.message}")
            except Exception as exc:  # a lost race that is not a clear refusal fails the test
                db.session.rollback()
                outcomes.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(d,)) for d in dates]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.fixture
def prepared(world, postgres_only):
    def prepare(done: int):
        a = world.assign(START, today=TODAY)
        for n in range(done):
            world.inspect(a, START + dt.timedelta(days=n % 5), today=TODAY)
        world.assignment = a
        world.assignment_id, world.audit_type_id, world.auditor_id = a.id, world.audit_type.id, world.auditor.id
        world.company_id = world.company.id
        return world
    return prepare


def test_cert_per_2_sixteen_threads_bring_the_period_to_exactly_29(app, prepared, session):
    w = prepared(29 - THREADS)
    dates = [START + dt.timedelta(days=10 + i) for i in range(THREADS)]
    outcomes = race(app, w, dates)
    assert outcomes.count("ok") == THREADS, outcomes
    first, second, *rest = w.periods(w.assignment)
    assert rest == []
    assert (first.status, first.done, first.completed_on) == (COMPLETED, 29, max(dates))
    assert (second.status, second.done) == (OPEN, 0)
    with company_scope(w.company.id):
        stored = session.scalar(select(func.count()).select_from(Inspection).where(Inspection.period_id == first.id))
    assert stored == 29


def test_cert_per_2_sixteen_threads_racing_for_the_last_8_places(app, prepared, session):
    w = prepared(21)
    day = START + dt.timedelta(days=20)
    outcomes = race(app, w, [day] * THREADS)
    assert outcomes.count("ok") == 8, outcomes
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == 8 and all("fuera del periodo vigente nº 2" in o for o in refused), refused
    periods = w.periods(w.assignment)
    assert [(p.number, p.status, p.done) for p in periods] == [(1, COMPLETED, 29), (2, OPEN, 0)]
    with company_scope(w.company.id):
        assert session.scalar(select(func.count()).select_from(Inspection)) == 29
