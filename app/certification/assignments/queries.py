"""Read models of assignments and their periods for pages, lists and the API (spec §4.5, "en
riesgo"). Lapsed periods read as lapsed before the expiry job has run (CERT-PER-3, decided by
`ValidationPeriod.lapsed_by`). `today` is passed by the caller, read where the request starts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import not_, select
from sqlalchemy.orm import Session

from app.certification.assignments.models import (
    LAPSED,
    OPEN,
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.catalogs.models import Certification, Operator
from app.core.workdays import WorkCalendar


def workdays_left(calendar: WorkCalendar, period: ValidationPeriod, today: dt.date) -> int:
    """Working days from today (or the period's start, if later) to its end, both included."""
    return calendar.workdays_between(max(today, period.start), period.end)



def period_dict(period: ValidationPeriod, today: dt.date) -> dict:
    return {
        "number": period.number, "start": period.start.isoformat(), "end": period.end.isoformat(),
        "required_inspections": period.required_inspections, "done": period.done,
        "status": period.effective_status(today),
        "completed_on": period.completed_on.isoformat() if period.completed_on else None,
    }


def assignment_status(*, session: Session, assignment: CertificationAssignment, today: dt.date) -> dict:
    """GET .../status: the assignment and its periods, lapsed ones shown as such even before
    the expiry job (CERT-PER-3)."""
    periods = list(session.scalars(
        select(ValidationPeriod).where(ValidationPeriod.assignment_id == assignment.id).order_by(ValidationPeriod.number)
    ))
    active, expired_on = expiry_of(assignment, periods, today)
    return {
        "id": assignment.id,
        "active": active,
        "expired_on": expired_on.isoformat() if expired_on else None,
        "periods": [period_dict(p, today) for p in periods],
    }


def expiry_of(assignment: CertificationAssignment, periods, today: dt.date) -> tuple[bool, dt.date | None]:
    """(active, expiry date) of an assignment as users must see it: expired by the job, or
    lapsed already though the job has not run yet (CERT-PER-3, lazily)."""
    if not assignment.active:
        return False, assignment.expired_on
    lapsed = next((p for p in periods if p.effective_status(today) == LAPSED), None)
    return (lapsed is None, lapsed.end if lapsed else None)


@dataclass
class AtRisk:
    period: ValidationPeriod
    operator: Operator
    certification: Certification
    workdays_left: int

    @property
    def missing(self) -> int:
        return self.period.required_inspections - self.period.done


def at_risk(*, session: Session, company, today: dt.date) -> list[AtRisk]:
    """"En riesgo": open periods (not lapsed) ordered by working days left, then by the
    inspections still missing, so a supervisor sees who will lapse first."""
    rows = session.execute(
        select(ValidationPeriod, Operator, Certification)
        .join(CertificationAssignment, CertificationAssignment.id == ValidationPeriod.assignment_id)
        .join(Operator, Operator.id == CertificationAssignment.operator_id)
        .join(Certification, Certification.id == CertificationAssignment.certification_id)
        .where(not_(ValidationPeriod.lapsed_by(today)), ValidationPeriod.status == OPEN)
    ).all()
    calendar = WorkCalendar.for_company(session, company)
    out = [AtRisk(p, o, c, workdays_left(calendar, p, today)) for p, o, c in rows]
    out.sort(key=lambda r: (r.workdays_left, -r.missing, r.operator.last_name))
    return out
