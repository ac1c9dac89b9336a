"""The life of a validation period (spec §3.6; rules CERT-ASG-1, CERT-PER-2, CERT-PER-3): opened
with the active rules, completed by the inspection that reaches its count, lapsed when its end
date passes short of it. Used by the commands in services.py and by the expiry job for cron;
whether a period has lapsed is decided in one place, `ValidationPeriod.lapsed_by(today)`."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, and_, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from app.certification.models import (
    COMPLETED,
    FIELD_LABELS,
    LAPSED,
    OPEN,
    CertificationAssignment,
    CertificationRules,
    Inspection,
    ValidationPeriod,
)
from app.core import audit
from app.core import validation as v
from app.core.audit import AuditEntry
from app.core.db import lock_row
from app.core.errors import ValidationError
from app.core.localization import format_date as fmt
from app.core.models import utcnow
from app.core.seeds import load_seed
from app.core.workdays import WorkCalendar

RULES_SEED = "catalogs/certification.yaml"


def seeded_rules() -> dict:
    """CERT-CFG-1: the spec's rules (180 working days, 29 inspections), from seed/catalogs."""
    return load_seed(RULES_SEED)["rules"]


# --- rules table (CERT-CFG-1) -----------------------------------------------------------------------

def current_rules(session: Session) -> CertificationRules:
    """CERT-CFG-1: the one active rules row (created from seed/catalogs when missing)."""
    rules = session.scalar(select(CertificationRules).where(CertificationRules.active.is_(True)))
    if rules is None:
        rules = CertificationRules(**seeded_rules(), active=True)
        session.add(rules)
        session.flush()
    return rules


# --- periods ---------------------------------------------------------------------------

def _open_period(
    session: Session, *, assignment: CertificationAssignment, number: int, start: dt.date,
    calendar: WorkCalendar, previous: ValidationPeriod | None = None,
) -> ValidationPeriod:
    """CERT-ASG-1 / CERT-PER-2: a new open period from `start`, with the active rules copied."""
    rules = current_rules(session)
    period = ValidationPeriod(
        company_id=assignment.company_id,
        assignment_id=assignment.id,
        number=number,
        start=start,
        end=calendar.nth_workday(start, rules.required_workdays),
        required_workdays=rules.required_workdays,
        required_inspections=rules.required_inspections,
        done=0,
        status=OPEN,
        previous_number=previous.number if previous else None,
        previous_completed_on=previous.completed_on if previous else None,
    )
    session.add(period)
    session.flush()
    audit.record(
        session, entity="validation_period", entity_id=period.id, action="open",
        company_id=assignment.company_id, to_state=OPEN,
        data={"assignment": assignment.id, "number": number, "start": period.start, "end": period.end,
              "required_workdays": period.required_workdays,
              "required_inspections": period.required_inspections},
    )
    return period


def _expire(session: Session, *, assignment: CertificationAssignment, period: ValidationPeriod, user) -> None:
    """CERT-PER-3 for one assignment (the set-based job is expire_assignments)."""
    audit.record(
        session, entity="certification_assignment", entity_id=assignment.id, action="expire",
        company_id=assignment.company_id, from_state="active", to_state="expired", user=user,
        data={"expired_on": period.end, "period": period.number, "done": period.done,
              "required_inspections": period.required_inspections},
    )
    period.status = LAPSED
    assignment.active = False
    assignment.expired_on = period.end
    session.flush()


def _current_open_period(session: Session, assignment: CertificationAssignment, lock: bool = False):
    stmt = select(ValidationPeriod).where(
        ValidationPeriod.assignment_id == assignment.id, ValidationPeriod.status == OPEN
    ).execution_options(populate_existing=True)
    return session.scalar(stmt.with_for_update() if lock else stmt)


class AssignmentLapsed(ValidationError):
    """CERT-PER-3 on registration (issue 9 item 14): the open period is already over short of
    its count. The action is refused naming the expiry date, and `aftermath` (run by the page
    and API helpers after the rollback, in a transaction of its own) writes the expiry now
    instead of waiting for the nightly job."""

    def __init__(self, message: str, *, assignment_id: int, today: dt.date, user):
        super().__init__(message, field="assignment")
        self.assignment_id, self.today, self.user = assignment_id, today, user

    def aftermath(self, session: Session) -> None:
        assignment = lock_row(session, CertificationAssignment, self.assignment_id)
        period = _current_open_period(session, assignment, lock=True) if assignment and assignment.active else None
        if period is not None and period.lapsed_by(self.today):
            _expire(session, assignment=assignment, period=period, user=self.user)


def _lock_assignment(session: Session, pk, today: dt.date, user=None) -> tuple[CertificationAssignment, ValidationPeriod]:
    """The assignment and its open period, locked; refused when the assignment has expired
    (CERT-PER-3, checked before any inspection on it)."""
    assignment = lock_row(session, CertificationAssignment, v.record_id(pk, "assignment", FIELD_LABELS["assignment"]))
    if assignment is None:
        raise ValidationError(v.message("not_visible", label=FIELD_LABELS["assignment"]), field="assignment")
    period = _current_open_period(session, assignment, lock=True) if assignment.active else None
    if period is None or period.lapsed_by(today):
        expired_on = assignment.expired_on or (period.end if period else None)
        message = (f"La certificación '{assignment.certification.name}' de {assignment.operator.full_name} "
                   f"caducó el {fmt(expired_on)}: no admite inspecciones. Para reactivarla crea una nueva asignación.")
        if period is not None:
            raise AssignmentLapsed(message, assignment_id=assignment.id, today=today, user=user)
        raise ValidationError(message, field="assignment")
    return assignment, period


def _complete(session: Session, *, company, assignment, period: ValidationPeriod, user) -> ValidationPeriod:
    """CERT-PER-2: the period completes on its latest inspection date (its start, when every
    inspection fell on the non-working days before it: «Issue 29 · 9»); the next one starts
    on the following working day with the rules active now."""
    last = max(period.start, session.scalar(
        select(func.max(Inspection.date)).where(Inspection.period_id == period.id, Inspection.annulled.is_(False))
    ))
    audit.record(
        session, entity="validation_period", entity_id=period.id, action="complete",
        company_id=assignment.company_id, from_state=OPEN, to_state=COMPLETED, user=user,
        data={"assignment": assignment.id, "number": period.number, "completed_on": last, "done": period.done},
    )
    period.status, period.completed_on = COMPLETED, last
    session.flush()
    calendar = WorkCalendar.for_company(session, company)
    return _open_period(
        session, assignment=assignment, number=period.number + 1, start=calendar.next_workday(last),
        calendar=calendar, previous=period,
    )


# --- expiry (the cron job) ---------------------------------------------------------------

def expire_assignments(*, session: Session, user=None, today: dt.date) -> int:
    """CERT-PER-3, set-based for cron: every open period whose end date is before `today`
    lapses and its assignment expires on that end date, with one audit entry each. Four
    statements however many assignments; returns how many expired. Runs over the active
    company, or every company in system context (the CLI)."""
    # Lock the assignments first, as registrations do (assignment, then period), so that the
    # job and a registration on the same assignment never deadlock; the next statement then
    # re-reads each period under that lock and skips one a registration has just completed.
    session.execute(
        update(CertificationAssignment)
        .where(CertificationAssignment.id.in_(
            select(ValidationPeriod.assignment_id).where(ValidationPeriod.lapsed_by(today))
        ))
        .values(active=CertificationAssignment.active)
        .execution_options(synchronize_session=False)
    )
    lapsed = session.execute(
        update(ValidationPeriod)
        .where(ValidationPeriod.lapsed_by(today))
        .values(status=LAPSED)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not lapsed:
        return 0
    newly = and_(
        ValidationPeriod.assignment_id == CertificationAssignment.id,
        ValidationPeriod.status == LAPSED,
        CertificationAssignment.active.is_(True),
    )
    json_object = func.json_build_object if session.get_bind().dialect.name == "postgresql" else func.json_object
    session.execute(
        insert(AuditEntry).from_select(
            ["company_id", "created_at", "user_id", "entity", "entity_id", "action", "from_state", "to_state", "data"],
            select(
                CertificationAssignment.company_id, literal(utcnow()), literal(getattr(user, "id", None), Integer),
                literal("certification_assignment"), CertificationAssignment.id, literal("expire"),
                literal("active"), literal("expired"),
                json_object(
                    literal("expired_on"), ValidationPeriod.end, literal("period"), ValidationPeriod.number,
                    literal("done"), ValidationPeriod.done,
                    literal("required_inspections"), ValidationPeriod.required_inspections,
                ),
            ).where(newly),
        )
    )
    lapsed_end = (
        select(ValidationPeriod.end)
        .where(ValidationPeriod.assignment_id == CertificationAssignment.id, ValidationPeriod.status == LAPSED)
        .scalar_subquery()
    )
    session.execute(
        update(CertificationAssignment)
        .where(CertificationAssignment.active.is_(True), exists().where(newly))
        .values(active=False, expired_on=lapsed_end)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return lapsed


