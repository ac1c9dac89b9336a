"""seed() keeps exactly one active rules row (CERT-CFG-1); demo() loads sample records
through the services and is idempotent; `flask seed --demo` runs it for each demo company."""
from __future__ import annotations

from sqlalchemy import func, select

import app.certification as certification
from app.certification import demo as certification_demo
from app.certification.assignments.models import (
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.catalogs.models import Operator
from app.certification.inspections.models import Inspection
from app.certification.rules.models import CertificationRules
from app.core.tenancy import company_scope


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_cert_cfg_1_seed_is_idempotent(session):
    certification.MODULE.seed(session)
    certification.MODULE.seed(session)
    session.commit()
    rules = session.scalars(select(CertificationRules)).all()
    assert [(r.required_workdays, r.required_inspections, r.active) for r in rules] == [(180, 29, True)]


def test_demo_loads_active_completed_and_expired_examples_and_is_idempotent(make_company, session):
    company = make_company(country_code="MX", subdivision=None)
    with company_scope(company.id):
        certification_demo.load(session, company)
        session.commit()
        counts = [_count(session, m) for m in (Operator, CertificationAssignment, ValidationPeriod, Inspection)]
        certification_demo.load(session, company)
        session.commit()
        assert [_count(session, m) for m in (Operator, CertificationAssignment, ValidationPeriod, Inspection)] == counts
        assignments = session.scalars(select(CertificationAssignment)).all()
        statuses = {p.status for p in session.scalars(select(ValidationPeriod))}
    assert any(not a.active for a in assignments) and any(a.active for a in assignments)
    assert statuses == {"open", "completed", "lapsed"}


def test_flask_seed_demo_loads_certifications_in_each_demo_company(runner, session):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    with company_scope(None):
        per_company = session.execute(
            select(Operator.company_id, func.count()).group_by(Operator.company_id)
        ).all()
    assert sorted(n for _, n in per_company) == [4, 5]  # Demo Sur has its own operators (issue 9, item 22)
    with company_scope(None):
        by_company = {}
        for company_id, name in session.execute(select(Operator.company_id, Operator.first_name)).all():
            by_company.setdefault(company_id, set()).add(name)
    norte, sur = by_company.values()
    assert norte.isdisjoint(sur)


def test_demo_companies_have_their_own_people(runner, session, app):
    """Issue 9, item 22: switching company changes who you see."""
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    sm = app.appbuilder.sm
    norte, sur = sm.find_user(username="norte.inst_doctor"), sm.find_user(username="sur.inst_doctor")
    assert norte.get_full_name() != sur.get_full_name() and "Demo" not in sur.get_full_name()
