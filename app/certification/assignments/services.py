"""Assignments of operator certifications and the life of their validation periods (spec §3.5,
§3.6; DESIGN "Operator certifications"): a period is opened with the active rules
(rules/services.py), completed by the inspection that reaches its count (inspections/
services.py, CERT-PER-2), lapsed when its end date passes short of it; whether a period has
lapsed is decided in one place, `ValidationPeriod.lapsed_by(today)`. Plain functions with
keyword-only arguments; they validate, write and flush, and the caller commits once per user
action; a refusal raises a DomainError, before anything is flushed.

- CERT-ASG-1  an assignment starts with period 1: start = assignment date, end = the Nth
              working day counting the start as day 1 when it is one (spec §3.5, §3.6.1).
- CERT-ASG-2  one active assignment per operator and certification; reactivation is a new
              assignment dated after the previous expiry (spec §3.5).
- CERT-PER-3  a period whose end date has passed short of the count lapses and its assignment
              expires on that end date; no inspection on an expired assignment (§3.6.3).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, and_, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from app.certification.assignments.models import (
    LAPSED,
    OPEN,
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.catalogs.models import FIELD_LABELS, Certification, Operator
from app.certification.catalogs.services import visible
from app.certification.rules.services import current_rules
from app.core import audit
from app.core import validation as v
from app.core.audit import AuditEntry
from app.core.db import lock_row
from app.core.errors import ValidationError
from app.core.localization import format_date as fmt
from app.core.models import utcnow
from app.core.workdays import WorkCalendar

# --- periods ---------------------------------------------------------------------------

def open_period(
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


def current_open_period(session: Session, assignment: CertificationAssignment, lock: bool = False):
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
        period = current_open_period(session, assignment, lock=True) if assignment and assignment.active else None
        if period is not None and period.lapsed_by(self.today):
            _expire(session, assignment=assignment, period=period, user=self.user)


def lock_assignment(session: Session, pk, today: dt.date, user=None) -> tuple[CertificationAssignment, ValidationPeriod]:
    """The assignment and its open period, locked; refused when the assignment has expired
    (CERT-PER-3, checked before any inspection on it)."""
    assignment = lock_row(session, CertificationAssignment, v.record_id(pk, "assignment", FIELD_LABELS["assignment"]))
    if assignment is None:
        raise ValidationError(v.message("not_visible", label=FIELD_LABELS["assignment"]), field="assignment")
    period = current_open_period(session, assignment, lock=True) if assignment.active else None
    if period is None or period.lapsed_by(today):
        expired_on = assignment.expired_on or (period.end if period else None)
        message = (f"La certificación '{assignment.certification.name}' de {assignment.operator.full_name} "
                   f"caducó el {fmt(expired_on)}: no admite inspecciones. Para reactivarla crea una nueva asignación.")
        if period is not None:
            raise AssignmentLapsed(message, assignment_id=assignment.id, today=today, user=user)
        raise ValidationError(message, field="assignment")
    return assignment, period


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


# --- assignments -----------------------------------------------------------------------

def start_assignment(
    *, session: Session, user, company, assignment: CertificationAssignment, today: dt.date
) -> CertificationAssignment:
    """CERT-ASG-1 and CERT-ASG-2: check a new assignment and create it with its period 1.

    The operator and the certification must be active; the date not in the future and late
    enough that period 1 has not already ended; no other active assignment of the same
    certification for the operator (one that has lapsed without the job is expired here), and
    a reactivation is dated after the previous expiry."""
    operator, certification = assignment.operator, assignment.certification
    if operator is None:
        raise ValidationError("El campo 'operator' es obligatorio.", field="operator")
    if certification is None:
        raise ValidationError("El campo 'certification' es obligatorio.", field="certification")
    if not operator.active:
        raise ValidationError(f"El operario {operator.full_name} está inactivo.", field="operator")
    if not certification.active:
        raise ValidationError(f"La certificación '{certification.name}' está inactiva.", field="certification")
    assigned_on = v.date(assignment.assigned_on, "assigned_on", FIELD_LABELS["assigned_on"])
    if assigned_on > today:
        raise ValidationError(f"La fecha de asignación ({fmt(assigned_on)}) no puede ser futura.", field="assigned_on")
    assignment.observations = v.text(
        assignment.observations, "observations", FIELD_LABELS["observations"], column=CertificationAssignment.observations)

    _make_room(session, operator, certification, assigned_on, user=user, today=today)
    calendar = WorkCalendar.for_company(session, company)
    rules = current_rules(session)
    end = calendar.nth_workday(assigned_on, rules.required_workdays)
    if end < today:
        raise ValidationError(
            f"Con fecha de asignación {fmt(assigned_on)} el periodo 1 habría terminado el {fmt(end)}: "
            "la asignación nacería caducada.",
            field="assigned_on",
        )
    assignment.assigned_on = assigned_on
    assignment.active, assignment.expired_on = True, None
    session.add(assignment)
    session.flush()
    open_period(session, assignment=assignment, number=1, start=assigned_on, calendar=calendar)
    return assignment


def _make_room(session: Session, operator, certification, assigned_on: dt.date, *, user, today: dt.date) -> None:
    """CERT-ASG-2, under the operator's lock (assignments of one operator run one at a time):
    no other active assignment of the certification (one whose period has lapsed without the
    job is expired now), and a reactivation dated after the previous expiry."""
    lock_row(session, Operator, operator.id)  # serialises assignments of one operator
    with session.no_autoflush:
        current = session.scalar(
            select(CertificationAssignment).where(
                CertificationAssignment.operator_id == operator.id,
                CertificationAssignment.certification_id == certification.id,
                CertificationAssignment.active.is_(True),
            )
        )
    if current is not None:
        period = current_open_period(session, current)
        if period is None or not period.lapsed_by(today):
            raise ValidationError(
                f"{operator.full_name} ya tiene activa la certificación '{certification.name}' "
                f"(asignada el {fmt(current.assigned_on)}): solo puede haber una asignación activa.",
                field="certification",
            )
        _expire(session, assignment=current, period=period, user=user)
    with session.no_autoflush:
        last_expiry = session.scalar(
            select(func.max(CertificationAssignment.expired_on)).where(
                CertificationAssignment.operator_id == operator.id,
                CertificationAssignment.certification_id == certification.id,
            )
        )
    if last_expiry is not None and assigned_on <= last_expiry:
        raise ValidationError(
            f"La nueva asignación debe ser posterior a la caducidad anterior ({fmt(last_expiry)}).",
            field="assigned_on",
        )


def assign_certification(
    *, session: Session, user, company, operator, certification, assigned_on, observations="",
    today: dt.date,
) -> CertificationAssignment:
    """CERT-ASG-1 and CERT-ASG-2 from raw input (ids and an ISO date)."""
    assignment = CertificationAssignment(
        operator=visible(session, Operator, operator, "operator"),
        certification=visible(session, Certification, certification, "certification"),
        assigned_on=v.date(assigned_on, "assigned_on", FIELD_LABELS["assigned_on"]),
        observations=observations,
    )
    return start_assignment(session=session, user=user, company=company, assignment=assignment, today=today)
