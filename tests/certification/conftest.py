"""Fixtures of the certification tests: a company with its catalogs, and helpers that call
the services as its CERT_USUARIO user, each call being one committed user action."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import holidays
import pytest
from sqlalchemy import func, select

from app.certification.assignments import services as assignment_services
from app.certification.assignments.models import (
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.catalogs.models import (
    Auditor,
    Certification,
    Operator,
    ProductAuditType,
)
from app.certification.inspections import services as inspection_services
from app.certification.inspections.models import Inspection
from app.certification.rules import services as rule_services
from app.certification.rules.models import CertificationRules
from app.core.audit import AuditEntry
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from app.core.workdays import WorkCalendar

TODAY = dt.date.today()


class World(SimpleNamespace):
    """One company: an operator, an auditor, two certifications with an audit type each."""

    def run(self, fn, **kwargs):
        """Call a service as the company's user, commit, and return its result."""
        with company_scope(self.company.id), acting_as(self.user):
            try:
                result = fn(session=self.session, user=self.user, company=self.company, **kwargs)
                self.session.commit()
            except Exception:
                self.session.rollback()
                raise
        return result

    def assign(self, on: dt.date, today: dt.date | None = None, operator=None, certification=None):
        return self.run(
            assignment_services.assign_certification,
            operator=(operator or self.operator).id,
            certification=(certification or self.cert).id,
            assigned_on=on, today=today or on,
        )

    def inspect(self, assignment, on: dt.date, today: dt.date | None = None, **kw):
        data = dict(audit_type=self.audit_type.id, auditor=self.auditor.id, pieces=5, result="OK")
        data.update(kw)
        return self.run(
            inspection_services.register_inspection, assignment=assignment.id if hasattr(assignment, "id") else assignment,
            date=on, today=today or on, **data,
        )

    def workdays_back(self, n: int, until: dt.date) -> list[dt.date]:
        """The company's last n working days up to `until`, oldest first (its own calendar:
        weekends, its country's and subdivision's holidays, its days off)."""
        calendar = WorkCalendar.for_company(self.session, self.company)
        days, day = [], until
        while len(days) < n:
            if calendar.is_workday(day):
                days.append(day)
            day -= dt.timedelta(days=1)
        return days[::-1]

    def periods(self, assignment) -> list[ValidationPeriod]:
        with company_scope(self.company.id):
            self.session.expire_all()
            return list(self.session.scalars(
                select(ValidationPeriod).where(ValidationPeriod.assignment_id == assignment.id)
                .order_by(ValidationPeriod.number)
            ))

    def get(self, model, pk):
        with company_scope(self.company.id):
            self.session.expire_all()
            return self.session.scalar(select(model).where(model.id == pk))

    def counts(self) -> dict:
        """Rows of every table the module writes, plus audit entries: 'nothing written'."""
        with company_scope(None):
            return {
                m.__tablename__: self.session.scalar(select(func.count()).select_from(m))
                for m in (CertificationAssignment, ValidationPeriod, Inspection, AuditEntry)
            } | {"done": self.session.scalar(select(func.sum(ValidationPeriod.done))) or 0}


def build_world(session, make_company, make_user, **company_kw) -> World:
    company = make_company(**company_kw)
    user = make_user(roles=["CERT_USUARIO"], companies=[company])
    with company_scope(company.id):
        cert = Certification(name="Laboratorio", description="Certificación de laboratorio")
        other_cert = Certification(name="Taller", description="Certificación de taller")
        operator = Operator(first_name="Lucía", last_name="Martín", code="OP-1")
        auditor = Auditor(first_name="Andrés", last_name="Gil", code="AU-1")
        audit_type = ProductAuditType(certification=cert, name="Dientes")
        other_type = ProductAuditType(certification=other_cert, name="Soldadura")
        session.add_all([cert, other_cert, operator, auditor, audit_type, other_type])
        session.commit()
    return World(
        session=session, company=company, user=user, cert=cert, other_cert=other_cert, operator=operator,
        auditor=auditor, audit_type=audit_type, other_type=other_type,
    )


@pytest.fixture
def world(session, make_company, make_user):
    """A company in Madrid (ES-MD holidays)."""
    return build_world(session, make_company, make_user, country_code="ES", subdivision="MD")


@pytest.fixture
def make_world(session, make_company, make_user):
    return lambda **kw: build_world(session, make_company, make_user, **kw)


@pytest.fixture
def small_rules(session):
    """Rules of 5 working days and 3 inspections, so that periods can be checked by hand."""
    def set_rules(workdays=5, inspections=3):
        rule_services.activate_rules(
            session=session, user=None,
            rules=CertificationRules(required_workdays=workdays, required_inspections=inspections),
        )
        session.commit()
    return set_rules


def brute_nth_workday(start: dt.date, n: int, country: str, subdiv: str | None) -> dt.date:
    """An independent walk over the calendar: the n-th Monday-to-Friday non-holiday from start."""
    cal = holidays.country_holidays(country, subdiv=subdiv, years=range(start.year, start.year + 3))
    day, count = start, 0
    while True:
        if day.weekday() < 5 and day not in cal:
            count += 1
            if count == n:
                return day
        day += dt.timedelta(days=1)


@pytest.fixture
def web(world, login, client):
    login(world.user.username)
    world.client = client
    return world
