"""Operator certifications: registering inspections through the service, the set-based expiry
job over 50,000 assignments, and the operator page's query count with 10 vs 300 inspections."""
from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import insert, select

from bench.common import bench_app, count_statements, median_ms, timed

INSPECTIONS = 10_000
ASSIGNMENTS_FOR_INSPECTIONS = 100
EXPIRY_ASSIGNMENTS = 50_000
TODAY = dt.date.today()


def _company_and_user(app, name: str):
    from app.core.tenancy import Company, Membership
    from app.extensions import db

    company = Company(name=name, tax_id="B00000000", country_code="ES", subdivision="MD")
    db.session.add(company)
    db.session.flush()
    sm = app.appbuilder.sm
    user = sm.add_user(f"bench-{company.id}", "Bench", "User", f"bench{company.id}@example.test",
                       [sm.find_role("CERT_USUARIO")], "bench-Pass-1")
    db.session.add(Membership(user_id=user.id, company_id=company.id))
    db.session.commit()
    return company, user


def _catalog(session, n_operators: int):
    from app.certification.catalogs.models import (
        Auditor,
        Certification,
        Operator,
        ProductAuditType,
    )

    cert = Certification(name="Laboratorio", description="")
    audit_type = ProductAuditType(certification=cert, name="Dientes", description="")
    auditor = Auditor(first_name="Andrés", last_name="Gil")
    operators = [Operator(first_name=f"Op{i}", last_name="Bench") for i in range(n_operators)]
    session.add_all([cert, audit_type, auditor, *operators])
    session.commit()
    return cert, audit_type, auditor, operators


def _workdays(calendar, start: dt.date, n: int) -> list[dt.date]:
    first = start if calendar.is_workday(start) else calendar.next_workday(start)
    return [first] + [calendar.add_workdays(first, k) for k in range(1, n)]


def bench_register(app) -> list[str]:
    """10,000 inspections through services.register_inspection, one commit each."""
    from app.certification.assignments import services as assignment_services
    from app.certification.inspections import services as inspection_services
    from app.core.identity import acting_as
    from app.core.tenancy import company_scope
    from app.core.workdays import WorkCalendar
    from app.extensions import db

    per_assignment = INSPECTIONS // ASSIGNMENTS_FOR_INSPECTIONS
    company, user = _company_and_user(app, "Bench inspecciones")
    with company_scope(company.id), acting_as(user):
        session = db.session
        cert, audit_type, auditor, operators = _catalog(session, ASSIGNMENTS_FOR_INSPECTIONS)
        calendar = WorkCalendar.for_company(session, company)
        start = TODAY - dt.timedelta(days=int(per_assignment * 1.5))
        days = _workdays(calendar, start, per_assignment)
        assignments = []
        for op in operators:
            assignments.append(assignment_services.assign_certification(
                session=session, user=user, company=company, operator=op.id, certification=cert.id,
                assigned_on=start, today=start).id)
            session.commit()
        audit_type_id, auditor_id = audit_type.id, auditor.id  # plain ids: no refresh after each commit
        samples = []
        with count_statements(db.engine) as statements:
            began = time.perf_counter()
            for day in days:
                for assignment in assignments:
                    t0 = time.perf_counter()
                    inspection_services.register_inspection(
                        session=session, user=user, company=company, assignment=assignment,
                        audit_type=audit_type_id, auditor=auditor_id, date=day, pieces=3, result="OK", today=day,
                    )
                    session.commit()
                    samples.append(time.perf_counter() - t0)
            total = time.perf_counter() - began
        from app.certification.assignments.models import ValidationPeriod
        periods = session.scalar(select(db.func.count()).select_from(ValidationPeriod))
    return [
        "| Inspections through the service | Value |",
        "|---|---|",
        f"| Inspections registered (one commit each) | {len(samples):,} |",
        f"| Assignments | {len(assignments)} ({per_assignment} inspections each) |",
        f"| Periods at the end (completions opened the rest) | {periods:,} |",
        f"| Total time | {total:.1f} s |",
        f"| Per inspection, median | {median_ms(samples)} |",
        f"| Throughput | {len(samples) / total:,.0f} inspections/s |",
        f"| SQL statements per inspection (incl. BEGIN/COMMIT) | {len(statements) / len(samples):.1f} |",
    ]


def bench_expiry(app) -> list[str]:
    """The cron job over 50,000 assignments, half of them lapsed."""
    from app.certification.assignments import services
    from app.certification.assignments.models import (
        CertificationAssignment,
        ValidationPeriod,
    )
    from app.core.tenancy import company_scope
    from app.extensions import db

    company, _user = _company_and_user(app, "Bench caducidad")
    with company_scope(company.id):
        session = db.session
        cert, *_ = _catalog(session, 0)
        from app.certification.catalogs.models import Operator

        session.execute(insert(Operator), [
            {"company_id": company.id, "first_name": f"Op{i}", "last_name": "Caducidad", "active": True}
            for i in range(EXPIRY_ASSIGNMENTS)
        ])
        op_ids = session.scalars(select(Operator.id).order_by(Operator.id)).all()
        session.execute(insert(CertificationAssignment), [
            {"company_id": company.id, "operator_id": op, "certification_id": cert.id, "observations": "",
             "assigned_on": TODAY - dt.timedelta(days=400 if i % 2 else 30), "active": True}
            for i, op in enumerate(op_ids)
        ])
        rows = session.execute(select(CertificationAssignment.id, CertificationAssignment.assigned_on)).all()
        session.execute(insert(ValidationPeriod), [
            {"company_id": company.id, "assignment_id": pk, "number": 1, "start": on,
             "end": on + dt.timedelta(days=252), "required_workdays": 180, "required_inspections": 29,
             "done": 3, "status": "open"}
            for pk, on in rows
        ])
        session.commit()
    with company_scope(None), count_statements(db.engine) as statements:
        began = time.perf_counter()
        expired = services.expire_assignments(session=db.session, today=TODAY)
        db.session.commit()
        seconds = time.perf_counter() - began
    return [
        "| Expiry job (`flask certification expire`) | Value |",
        "|---|---|",
        f"| Assignments scanned | {EXPIRY_ASSIGNMENTS:,} |",
        f"| Assignments expired (with one audit entry each) | {expired:,} |",
        f"| Time | {seconds:.2f} s |",
        f"| SQL statements (incl. BEGIN/COMMIT) | {len(statements)} |",
    ]


def bench_operator_page(app) -> list[str]:
    """Queries and time of the operator page with 10 and with 300 inspections."""
    from app.certification.assignments import services as assignment_services
    from app.certification.catalogs.models import Operator
    from app.certification.inspections import services as inspection_services
    from app.core.identity import acting_as
    from app.core.tenancy import company_scope
    from app.core.workdays import WorkCalendar
    from app.extensions import db

    company, user = _company_and_user(app, "Bench ficha")
    result = {}
    with company_scope(company.id), acting_as(user):
        session = db.session
        cert, audit_type, auditor, _ = _catalog(session, 0)
        calendar = WorkCalendar.for_company(session, company)
        for n in (10, 300):
            op = Operator(first_name=f"Con{n}", last_name="Inspecciones")
            session.add(op)
            session.commit()
            start = TODAY - dt.timedelta(days=int(n * 1.5) + 10)
            a = assignment_services.assign_certification(session=session, user=user, company=company, operator=op.id,
                                              certification=cert.id, assigned_on=start, today=start)
            session.commit()
            for day in _workdays(calendar, start, n):
                inspection_services.register_inspection(session=session, user=user, company=company, assignment=a.id,
                                             audit_type=audit_type.id, auditor=auditor.id, date=day, pieces=1,
                                             result="OK", today=day)
                session.commit()
            result[n] = op.id
    client = app.test_client()
    client.post("/login/", data={"username": user.username, "password": "bench-Pass-1"})
    lines = ["| Operator page | Queries | Median time (10 runs) |", "|---|---|---|"]
    for n, pk in result.items():
        url = f"/certificaciones/operarios/ficha/{pk}"
        assert client.get(url).status_code == 200
        with count_statements(db.engine) as statements:
            client.get(url)
        samples = timed(lambda: client.get(url), repeat=10)
        lines.append(f"| {n} inspections | {len(statements)} | {median_ms(samples)} |")
    return lines


def run() -> list[str]:
    app = bench_app("certification")
    lines = [
        "SQLite (bench/certification.db, or BENCH_DATABASE_URL); a company in Madrid (ES-MD holidays); rules of "
        "180 working days / 29 inspections. Statements are counted on the engine and include BEGIN/COMMIT; "
        "each registration is one user action (one commit) and the refresh of the acting user after it.",
        "",
    ]
    for bench in (bench_register, bench_expiry, bench_operator_page):
        with app.app_context():
            lines += bench(app) + [""]
    return lines
