"""Read models of inspections for pages and the API: the operator's page (spec §4.5) with its
certifications, periods and inspections, and what the inspection form offers. Lapsed periods
read as lapsed before the expiry job has run (CERT-PER-3, decided by
`ValidationPeriod.lapsed_by`). `today` is passed by the caller, read where the request starts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import and_, not_, select
from sqlalchemy.orm import Session, selectinload

from app.certification.assignments.models import (
    OPEN,
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.assignments.queries import expiry_of, period_dict, workdays_left
from app.certification.assignments.services import current_open_period
from app.certification.catalogs.models import (
    FIELD_LABELS,
    Auditor,
    Certification,
    Operator,
    ProductAuditType,
)
from app.certification.catalogs.services import visible
from app.certification.inspections.models import Inspection
from app.core import validation as v
from app.core.audit import AuditEntry
from app.core.errors import NotFound
from app.core.localization import format_date as fmt
from app.core.workdays import WorkCalendar


@dataclass
class PeriodView:
    """One period as the pages show it."""

    period: ValidationPeriod
    status: str
    workdays_left: int
    inspections: list[Inspection] = field(default_factory=list)
    authors: dict[int, dict[str, str]] = field(default_factory=dict)  # who registered / annulled

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.period.done / self.period.required_inspections))

    @property
    def missing(self) -> int:
        return self.period.required_inspections - self.period.done


@dataclass
class AssignmentView:
    assignment: CertificationAssignment
    active: bool
    expired_on: dt.date | None
    open: PeriodView | None
    periods: list[PeriodView]


def operator_overview(*, session: Session, company, operator, today: dt.date) -> tuple[Operator, list[AssignmentView]]:
    """Spec §4.5: an operator's active and expired certifications, each with its open period
    (progress, working days left), its period history and its inspections. A constant number
    of queries however many inspections; lapsed periods show as lapsed before the job runs."""
    found = session.scalar(select(Operator).where(Operator.id == v.record_id(operator, "operator", FIELD_LABELS["operator"])))
    if found is None:
        raise NotFound("No existe ese operario en la empresa activa.")
    assignments = session.scalars(
        select(CertificationAssignment)
        .where(CertificationAssignment.operator_id == found.id)
        .order_by(CertificationAssignment.assigned_on.desc(), CertificationAssignment.id.desc())
        .options(
            selectinload(CertificationAssignment.certification),
            selectinload(CertificationAssignment.periods)
            .selectinload(ValidationPeriod.inspections)
            .options(selectinload(Inspection.audit_type), selectinload(Inspection.auditor)),
        )
    ).all()
    calendar = WorkCalendar.for_company(session, company)
    views = []
    for assignment in assignments:
        periods = [
            PeriodView(p, p.effective_status(today), workdays_left(calendar, p, today), list(p.inspections))
            for p in reversed(assignment.periods)
        ]
        active, expired_on = expiry_of(assignment, assignment.periods, today)
        views.append(AssignmentView(
            assignment=assignment, active=active, expired_on=expired_on,
            open=next((p for p in periods if p.status == OPEN), None), periods=periods,
        ))
    authors = inspection_authors(session=session, inspection_ids=[
        i.id for view in views for p in view.periods for i in p.inspections])
    for view in views:
        for p in view.periods:
            p.authors = authors
    views.sort(key=lambda view: not view.active)
    return found, views


def open_period_info(*, session: Session, company, assignment, today: dt.date) -> dict:
    """For the inspection form: the open period of an assignment (dates, done/required,
    working days left) and the active audit types of its certification."""
    found = visible(session, CertificationAssignment, assignment, "assignment")
    period = current_open_period(session, found) if found.active else None
    types = session.scalars(
        select(ProductAuditType)
        .where(ProductAuditType.certification_id == found.certification_id, ProductAuditType.active.is_(True))
        .order_by(ProductAuditType.name)
    )
    info = {"assignment": found.id, "period": None, "audit_types": [{"id": t.id, "name": t.name} for t in types]}
    if period is not None and period.effective_status(today) == OPEN:
        calendar = WorkCalendar.for_company(session, company)
        info["period"] = {**period_dict(period, today), "workdays_left": workdays_left(calendar, period, today)}
    else:
        end = found.expired_on or (period.end if period else None)
        info["expired_on"] = end.isoformat() if end else None
    return info


def active_assignments(*, session: Session, operator, today: dt.date) -> list[dict]:
    """For the inspection form: the operator's active certifications (lapsed ones left out)."""
    rows = session.execute(
        select(CertificationAssignment.id, Certification.name)
        .join(Certification, Certification.id == CertificationAssignment.certification_id)
        .join(ValidationPeriod, and_(ValidationPeriod.assignment_id == CertificationAssignment.id,
                                     ValidationPeriod.status == OPEN))
        .where(CertificationAssignment.operator_id == v.record_id(operator, "operator", FIELD_LABELS["operator"]),
               CertificationAssignment.active.is_(True), not_(ValidationPeriod.lapsed_by(today)))
        .order_by(Certification.name)
    )
    return [{"id": pk, "name": name} for pk, name in rows]


def form_choices(*, session: Session, today: dt.date) -> tuple[list[Operator], list[Auditor]]:
    """For the inspection form (issue 9 item 15): only active operators with an active
    assignment whose open period has not lapsed, and the active auditors."""
    holding = (
        select(CertificationAssignment.operator_id)
        .join(ValidationPeriod, and_(ValidationPeriod.assignment_id == CertificationAssignment.id,
                                     ValidationPeriod.status == OPEN))
        .where(CertificationAssignment.active.is_(True), not_(ValidationPeriod.lapsed_by(today)))
    )
    operators = session.scalars(
        select(Operator).where(Operator.active.is_(True), Operator.id.in_(holding))
        .order_by(Operator.last_name, Operator.first_name)
    ).all()
    auditors = session.scalars(
        select(Auditor).where(Auditor.active.is_(True)).order_by(Auditor.last_name, Auditor.first_name)
    ).all()
    return list(operators), list(auditors)


def inspection_authors(*, session: Session, inspection_ids) -> dict[int, dict[str, str]]:
    """Who registered and who annulled each inspection, from the audit trail (issue 9 item 15):
    {inspection id: {"register": name, "annul": name}}."""
    rows = session.execute(
        select(AuditEntry.entity_id, AuditEntry.action, User.first_name, User.last_name)
        .join(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.entity == "inspection", AuditEntry.entity_id.in_(list(inspection_ids)),
               AuditEntry.action.in_(("register", "annul")))
    )
    authors: dict[int, dict[str, str]] = {}
    for pk, action, first, last in rows:
        authors.setdefault(pk, {})[action] = f"{first} {last}".strip()
    return authors


def inspection_message(inspection, sentence) -> str:
    """What happened to an inspection in the user's words (issue 9, item 8): its date and operator."""
    return str(sentence) % {"date": fmt(inspection.date), "operator": inspection.assignment.operator.full_name}
