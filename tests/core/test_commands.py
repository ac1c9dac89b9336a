"""Issue 20 point 2: one request boundary. `run(command, ...)` gives a service the request's
session, user, company and today, commits once when it returns and, on a refusal, rolls
back what it wrote (running a refusal's `aftermath` once, in a transaction of its own)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.core.commands import run
from app.core.errors import ValidationError
from app.core.identity import acting_as
from app.core.tenancy import NonWorkingDay, company_scope
from app.extensions import db

DAY = dt.date(2026, 12, 8)  # a fixed date: what the command writes, not when the test runs


def _days(session, company_id) -> list[str]:
    return list(session.scalars(select(NonWorkingDay.description).where(NonWorkingDay.company_id == company_id)
                                .order_by(NonWorkingDay.id).execution_options(all_companies=True)))


def add_day(*, session, user, company, today, description):
    """A command as the services write them: keyword-only context, no Flask, no commit."""
    session.add(NonWorkingDay(company_id=company.id, date=DAY, description=f"{description} por {user.username}"))
    session.flush()
    return today


def refuse_after_writing(*, session, company, description):
    session.add(NonWorkingDay(company_id=company.id, date=DAY, description=description))
    session.flush()
    error = ValidationError("Fecha rechazada.", field="date")
    error.aftermath = lambda s: s.add(NonWorkingDay(company_id=company.id, date=DAY + dt.timedelta(days=1),
                                                    description="consecuencia"))
    raise error


def test_issue_20_run_fills_the_context_and_commits_once(app, make_company, make_user):
    company = make_company()
    user = make_user(roles=["Admin"], companies=[company])
    with app.test_request_context(), company_scope(company.id), acting_as(user):
        today = run(add_day, description="Inventario")
    db.session.rollback()  # nothing pending: the command's write was committed by run()
    assert _days(db.session, company.id) == [f"Inventario por {user.username}"]
    assert isinstance(today, dt.date)


def test_issue_20_a_refused_command_writes_nothing_but_its_aftermath_once(app, make_company, make_user):
    company = make_company()
    user = make_user(roles=["Admin"], companies=[company])
    with app.test_request_context(), company_scope(company.id), acting_as(user):
        with pytest.raises(ValidationError) as refused:
            run(refuse_after_writing, description="Cierre")
    assert refused.value.field == "date" and refused.value.aftermath is None
    assert _days(db.session, company.id) == ["consecuencia"]
    assert db.session.scalar(select(func.count()).select_from(NonWorkingDay)) == 1
