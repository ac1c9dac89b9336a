"""Demo records of operator certifications for `flask seed --demo` (seed/demo/certification.yaml).
Idempotent: catalog rows are found by name or code, and an operator's certification that
already has an assignment is left alone. Inspections go through the service, as the form's."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.certification.assignments import services as assignment_services
from app.certification.assignments.models import CertificationAssignment
from app.certification.catalogs.models import (
    Auditor,
    Certification,
    Operator,
    ProductAuditType,
)
from app.certification.inspections import services as inspection_services
from app.core.cli import demo_for_company
from app.core.errors import ValidationError
from app.core.seeds import load_seed
from app.core.workdays import WorkCalendar

DEMO_FILE = "demo/certification.yaml"


def _get_or_add(session, model, where: dict, **values):
    row = session.scalar(select(model).filter_by(**where))
    if row is None:
        row = model(**where, **values)
        session.add(row)
        session.flush()
    return row


def load(session, company, today: dt.date | None = None) -> None:
    """Sample records for `flask seed --demo` (idempotent; runs in company_scope(company.id)).
    Dates count from today, read here unless given (the start of the command)."""
    today = today or dt.date.today()
    data = demo_for_company(load_seed(DEMO_FILE), company)
    certs, types = {}, {}
    for spec in data["certifications"]:
        cert = _get_or_add(session, Certification, {"name": spec["name"]}, description=spec["description"])
        certs[cert.name] = cert
        types[cert.name] = [_get_or_add(session, ProductAuditType, {"certification_id": cert.id, "name": name})
                            for name in spec["audit_types"]]
    operators = {spec["code"]: _get_or_add(session, Operator, {"code": spec["code"]},
                                           **{k: v for k, v in spec.items() if k != "code"})
                 for spec in data["operators"]}
    auditors = [_get_or_add(session, Auditor, {"code": spec["code"]}, **{k: v for k, v in spec.items() if k != "code"})
                for spec in data["auditors"]]
    calendar = WorkCalendar.for_company(session, company)
    for spec in data["assignments"]:
        operator, cert = operators[spec["operator"]], certs[spec["certification"]]
        exists = session.scalar(select(CertificationAssignment.id).filter_by(
            operator_id=operator.id, certification_id=cert.id))
        if exists:
            continue
        start = today - dt.timedelta(days=spec["days_ago"])
        assignment = assignment_services.assign_certification(
            session=session, user=None, company=company, operator=operator.id, certification=cert.id,
            assigned_on=start, observations="Datos de demostración", today=start,
        )
        day = start if calendar.is_workday(start) else calendar.next_workday(start)
        for n in range(spec["inspections"]):
            if day > today:
                break
            try:
                inspection_services.register_inspection(
                    session=session, user=None, company=company, assignment=assignment.id,
                    audit_type=types[cert.name][n % len(types[cert.name])].id, auditor=auditors[n % len(auditors)].id,
                    date=day, pieces=5 + n % 7, result="NO_OK" if n % 9 == 4 else "OK",
                    observations="", today=day,
                )
            except ValidationError:
                break  # the period lapsed before this date: the demo shows an expired certification
            day = calendar.add_workdays(day, spec["every"])
    assignment_services.expire_assignments(session=session, today=today)
