"""Rules of operator certifications (spec operator-certifications.md; DESIGN "Operator
certifications"). Plain functions with keyword-only arguments; they validate, write and
flush, and the caller commits once per user action. A refusal raises a DomainError whose
Spanish message names the field or the rule, before anything is flushed.

Rule ids (each named in the docstring of its one home and in the tests that prove it):

- CERT-CAT-1  catalogs: required names, unique codes; an inactive item is not chosen for new
              records; deactivate, never delete, what has history (spec §3.1-3.4).
- CERT-CFG-1  rules table: one active row (180 working days, 29 inspections); each period
              keeps its own copy (spec §3.8).
- CERT-ASG-1  an assignment starts with period 1: start = assignment date, end = the Nth
              working day counting the start as day 1 when it is one (spec §3.5, §3.6.1).
- CERT-ASG-2  one active assignment per operator and certification; reactivation is a new
              assignment dated after the previous expiry (spec §3.5).
- CERT-INS-1  an inspection is dated inside the open period and not in the future (§3.6.2, §3.7).
- CERT-INS-2  it names an active operator, an active auditor and an active audit type of the
              assignment's certification (DESIGN).
- CERT-PER-2  the inspection that brings the period to its count completes it on the latest
              inspection date in it and opens the next period on the next working day (§3.6.2).
- CERT-PER-3  a period whose end date has passed short of the count lapses and its assignment
              expires on that end date; no inspection on an expired assignment (§3.6.3).
- CERT-INS-4  inspections are never deleted; annulment with a reason, only inside the open
              period, takes the inspection out of the count (§3.7).
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import yaml
from sqlalchemy import Integer, and_, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session, selectinload

from app.core import audit
from app.core import validation as v
from app.core.audit import AuditEntry
from app.core.db import lock_row
from app.core.errors import NotFound, ValidationError
from app.core.models import utcnow
from app.core.workdays import WorkCalendar
from app.certification.models import (
    COMPLETED,
    LAPSED,
    OPEN,
    RESULT_LABELS,
    Auditor,
    Certification,
    CertificationAssignment,
    CertificationRules,
    Inspection,
    Operator,
    ProductAuditType,
    ValidationPeriod,
)

RULES_SEED = os.path.join(os.path.dirname(__file__), "..", "..", "seed", "catalogs", "certification.yaml")


def seeded_rules() -> dict:
    """CERT-CFG-1: the spec's rules (180 working days, 29 inspections), from seed/catalogs."""
    with open(RULES_SEED, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["rules"]


def fmt(day: dt.date | None) -> str:
    """A date as Spanish users write it."""
    return day.strftime("%d/%m/%Y") if day else ""


# --- input (app/core/validation.py: one sentence per kind of mistake, naming the label) ----

LABELS = {
    "operator": "Operario", "certification": "Certificación", "assigned_on": "Fecha de asignación",
    "observations": "Observaciones", "assignment": "Operario · certificación", "audit_type": "Tipo de auditoría",
    "auditor": "Auditor", "date": "Fecha", "pieces": "Piezas", "result": "Resultado", "reason": "Motivo de anulación",
    "inspection": "Inspección", "first_name": "Nombre", "last_name": "Apellidos", "code": "Código interno",
    "name": "Nombre", "description": "Descripción",
}


def _visible(session: Session, model, pk, field: str):
    """The row `pk` of `model` in the active company, or a 422 naming the field's label."""
    return v.visible(session, model, pk, field, LABELS[field])


# --- rules table -----------------------------------------------------------------------

def current_rules(session: Session) -> CertificationRules:
    """CERT-CFG-1: the one active rules row (created from seed/catalogs when missing)."""
    rules = session.scalar(select(CertificationRules).where(CertificationRules.active.is_(True)))
    if rules is None:
        rules = CertificationRules(**seeded_rules(), active=True)
        session.add(rules)
        session.flush()
    return rules


def activate_rules(*, session: Session, user, rules: CertificationRules) -> CertificationRules:
    """CERT-CFG-1: a new rules row becomes the active one; the previous stays as history.
    Periods already opened keep the values they copied."""
    for name, label in (("required_workdays", "Días laborables"), ("required_inspections", "Inspecciones")):
        value = getattr(rules, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(f"{label} por periodo ('{name}') debe ser un entero mayor o igual que 1.", field=name)
    session.execute(
        update(CertificationRules).where(CertificationRules.active.is_(True)).values(active=False)
    )
    rules.active = True
    rules.created_by_id = getattr(user, "id", None)
    session.add(rules)
    session.flush()
    return rules


# --- catalogs --------------------------------------------------------------------------

HISTORY_OF = {
    Operator: (CertificationAssignment.operator_id, "el operario tiene asignaciones"),
    Certification: (CertificationAssignment.certification_id, "la certificación tiene asignaciones"),
    ProductAuditType: (Inspection.audit_type_id, "el tipo de auditoría tiene inspecciones"),
    Auditor: (Inspection.auditor_id, "el auditor tiene inspecciones"),
}


def validate_catalog_item(*, session: Session, item) -> None:
    """CERT-CAT-1: names are required; a code is unique in the company; an audit type belongs
    to an active certification and does not change certification once it has inspections."""
    required = ("first_name", "last_name") if isinstance(item, (Operator, Auditor)) else ("name",)
    for name in required:
        setattr(item, name, v.text(getattr(item, name), name, LABELS[name], required=True,
                                   column=getattr(type(item), name)))
    if isinstance(item, (Operator, Auditor)):
        item.code = v.text(item.code, "code", LABELS["code"], column=type(item).code) or None
        if item.code:
            model = type(item)
            clash = session.scalar(
                select(model.id).where(model.code == item.code, model.id != (item.id or 0))
            )
            if clash:
                raise ValidationError(f"Ya existe otro registro con el código '{item.code}'.", field="code")
    else:
        item.description = v.text(item.description, "description", LABELS["description"], column=type(item).description)
    if isinstance(item, ProductAuditType):
        certification = item.certification
        if certification is None:
            raise ValidationError("El campo 'certification' es obligatorio.", field="certification")
        with session.no_autoflush:
            changed = audit_type_certification_changed(session, item)
        if (item.id is None or changed) and not certification.active:
            raise ValidationError(
                f"La certificación '{certification.name}' está inactiva: no admite nuevos tipos de auditoría.",
                field="certification",
            )
        if changed and item.id is not None and _has_history(session, item):
            raise ValidationError(
                "No se puede cambiar la certificación de un tipo de auditoría con inspecciones.",
                field="certification",
            )


def audit_type_certification_changed(session: Session, item: ProductAuditType) -> bool:
    if item.id is None:
        return True
    stored = session.scalar(
        select(ProductAuditType.certification_id).where(ProductAuditType.id == item.id)
    )
    return stored != (item.certification.id if item.certification else item.certification_id)


def _has_history(session: Session, item) -> bool:
    column, _ = HISTORY_OF[type(item)]
    return bool(session.scalar(select(exists().where(column == item.id))))


def check_deletable(*, session: Session, item) -> None:
    """CERT-CAT-1: what has history is deactivated, never deleted."""
    if type(item) in HISTORY_OF and _has_history(session, item):
        raise ValidationError(
            f"No se puede borrar: {HISTORY_OF[type(item)][1]}. Desactívalo para conservar el histórico.",
            field="active",
        )


# --- periods ---------------------------------------------------------------------------

def effective_status(period: ValidationPeriod, today: dt.date) -> str:
    """CERT-PER-3, lazily: an open period whose end date has passed is lapsed, even before
    the expiry job has written it."""
    if period.status == OPEN and period.end < today:
        return LAPSED
    return period.status


def workdays_left(calendar: WorkCalendar, period: ValidationPeriod, today: dt.date) -> int:
    """Working days from today (or the period's start, if later) to its end, both included."""
    return calendar.workdays_between(max(today, period.start), period.end)


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


# --- assignments -----------------------------------------------------------------------

def start_assignment(
    *, session: Session, user, company, assignment: CertificationAssignment, today: dt.date | None = None
) -> CertificationAssignment:
    """CERT-ASG-1 and CERT-ASG-2: check a new assignment and create it with its period 1.

    The operator and the certification must be active; the date not in the future and late
    enough that period 1 has not already ended; no other active assignment of the same
    certification for the operator (one that has lapsed without the job is expired here), and
    a reactivation is dated after the previous expiry."""
    today = today or dt.date.today()
    operator, certification = assignment.operator, assignment.certification
    if operator is None:
        raise ValidationError("El campo 'operator' es obligatorio.", field="operator")
    if certification is None:
        raise ValidationError("El campo 'certification' es obligatorio.", field="certification")
    if not operator.active:
        raise ValidationError(f"El operario {operator.full_name} está inactivo.", field="operator")
    if not certification.active:
        raise ValidationError(f"La certificación '{certification.name}' está inactiva.", field="certification")
    assigned_on = v.date(assignment.assigned_on, "assigned_on", LABELS["assigned_on"])
    if assigned_on > today:
        raise ValidationError(f"La fecha de asignación ({fmt(assigned_on)}) no puede ser futura.", field="assigned_on")
    assignment.observations = v.text(
        assignment.observations, "observations", LABELS["observations"], column=CertificationAssignment.observations)

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
        period = _current_open_period(session, current)
        if period is None or effective_status(period, today) != LAPSED:
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
    _open_period(session, assignment=assignment, number=1, start=assigned_on, calendar=calendar)
    return assignment


def assign_certification(
    *, session: Session, user, company, operator, certification, assigned_on, observations="",
    today: dt.date | None = None,
) -> CertificationAssignment:
    """CERT-ASG-1 and CERT-ASG-2 from raw input (ids and an ISO date)."""
    assignment = CertificationAssignment(
        operator=_visible(session, Operator, operator, "operator"),
        certification=_visible(session, Certification, certification, "certification"),
        assigned_on=v.date(assigned_on, "assigned_on", LABELS["assigned_on"]),
        observations=observations,
    )
    return start_assignment(session=session, user=user, company=company, assignment=assignment, today=today)


def _current_open_period(session: Session, assignment: CertificationAssignment, lock: bool = False):
    stmt = select(ValidationPeriod).where(
        ValidationPeriod.assignment_id == assignment.id, ValidationPeriod.status == OPEN
    ).execution_options(populate_existing=True)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def _lock_assignment(session: Session, pk, today: dt.date) -> tuple[CertificationAssignment, ValidationPeriod]:
    """The assignment and its open period, locked; refused when the assignment has expired
    (CERT-PER-3, checked before any inspection on it)."""
    assignment = lock_row(session, CertificationAssignment, v.record_id(pk, "assignment", LABELS["assignment"]))
    if assignment is None:
        raise ValidationError(
            "El campo 'assignment' no corresponde a ninguna asignación de la empresa activa.", field="assignment"
        )
    period = _current_open_period(session, assignment, lock=True) if assignment.active else None
    if period is None or period.end < today:
        expired_on = assignment.expired_on or (period.end if period else None)
        raise ValidationError(
            f"La certificación '{assignment.certification.name}' de {assignment.operator.full_name} "
            f"caducó el {fmt(expired_on)}: no admite inspecciones. Para reactivarla crea una nueva asignación.",
            field="assignment",
        )
    return assignment, period


# --- inspections -----------------------------------------------------------------------

def register_inspection(
    *, session: Session, user, company, assignment, audit_type, auditor, date, pieces, result,
    observations="", today: dt.date | None = None,
) -> Inspection:
    """Register a product inspection (spec §3.6.2, §3.7, §4.4) in one transaction:
    CERT-INS-1 (date inside the open period, not future), CERT-INS-2 (active operator,
    auditor and audit type of the certification), CERT-PER-3 (not on an expired assignment),
    then link it to the period, count it and CERT-PER-2 (complete and open the next)."""
    today = today or dt.date.today()
    check = v.Checker()  # every input error at once, each beside its field
    day = check(v.date, date, "date", LABELS["date"])
    pieces = check(v.integer, pieces, "pieces", LABELS["pieces"], min=1)
    result = check(v.choice, result, "result", LABELS["result"], choices=RESULT_LABELS)
    observations = check(v.text, observations, "observations", LABELS["observations"], column=Inspection.observations)
    for name, value in (("assignment", assignment), ("audit_type", audit_type), ("auditor", auditor)):
        check(v.record_id, value, name, LABELS[name])
    if day and day > today:
        check.add("date", f"La fecha de la inspección ({fmt(day)}) no puede ser futura.")
    check.done()

    assignment, period = _lock_assignment(session, assignment, today)
    if not assignment.operator.active:
        raise ValidationError(f"El operario {assignment.operator.full_name} está inactivo.", field="assignment")
    audit_type = _visible(session, ProductAuditType, audit_type, "audit_type")
    if audit_type.certification_id != assignment.certification_id:
        raise ValidationError(
            f"El tipo de auditoría '{audit_type.name}' no pertenece a la certificación "
            f"'{assignment.certification.name}'.", field="audit_type",
        )
    if not audit_type.active:
        raise ValidationError(f"El tipo de auditoría '{audit_type.name}' está inactivo.", field="audit_type")
    auditor = _visible(session, Auditor, auditor, "auditor")
    if not auditor.active:
        raise ValidationError(f"El auditor {auditor.full_name} está inactivo.", field="auditor")
    if not period.start <= day <= period.end:
        raise ValidationError(
            f"La fecha {fmt(day)} está fuera del periodo vigente nº {period.number} "
            f"({fmt(period.start)} – {fmt(period.end)}).", field="date",
        )

    inspection = Inspection(  # related rows as objects: the tenancy check needs no extra query
        company_id=assignment.company_id, assignment=assignment, period_id=period.id,
        period_start=period.start, period_end=period.end, audit_type=audit_type,
        auditor=auditor, date=day, pieces=pieces, result=result, observations=observations,
    )
    session.add(inspection)
    period.done += 1
    session.flush()
    audit.record(
        session, entity="inspection", entity_id=inspection.id, action="register",
        company_id=assignment.company_id, user=user,
        data={"assignment": assignment.id, "period": period.number, "date": day, "result": result,
              "pieces": pieces, "done": period.done, "required_inspections": period.required_inspections},
    )
    if period.done >= period.required_inspections:
        _complete(session, company=company, assignment=assignment, period=period, user=user)
    return inspection


def _complete(session: Session, *, company, assignment, period: ValidationPeriod, user) -> ValidationPeriod:
    """CERT-PER-2: the period completes on its latest inspection date; the next one starts
    on the following working day with the rules active now."""
    last = session.scalar(
        select(func.max(Inspection.date)).where(Inspection.period_id == period.id, Inspection.annulled.is_(False))
    )
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


def annul_inspection(*, session: Session, user, company, inspection, reason, today: dt.date | None = None) -> Inspection:
    """CERT-INS-4: annul an inspection with a reason, only while its period is the open one
    (and has not lapsed); it leaves the count. Inspections are never deleted."""
    today = today or dt.date.today()
    reason = v.text(reason, "reason", LABELS["reason"], required=True, column=Inspection.annul_reason)
    found = _visible(session, Inspection, inspection, "inspection")
    if found.annulled:
        raise ValidationError(f"La inspección {found.id} ya está anulada.", field="inspection")
    assignment, period = _lock_assignment(session, found.assignment_id, today)
    inspection = session.scalar(
        select(Inspection).where(Inspection.id == found.id).execution_options(populate_existing=True)
    )
    if inspection.annulled:
        raise ValidationError(f"La inspección {inspection.id} ya está anulada.", field="inspection")
    if inspection.period_id != period.id:
        raise ValidationError(
            f"Solo se pueden anular inspecciones del periodo vigente (nº {period.number}); "
            f"la inspección {inspection.id} es de un periodo cerrado.", field="inspection",
        )
    inspection.annulled, inspection.annul_reason, inspection.annulled_at = True, reason, utcnow()
    period.done -= 1
    session.flush()
    audit.record(
        session, entity="inspection", entity_id=inspection.id, action="annul",
        company_id=assignment.company_id, user=user,
        data={"reason": reason, "period": period.number, "done": period.done},
    )
    return inspection


# --- expiry (the cron job) ---------------------------------------------------------------

def expire_assignments(*, session: Session, user=None, today: dt.date | None = None) -> int:
    """CERT-PER-3, set-based for cron: every open period whose end date is before `today`
    lapses and its assignment expires on that end date, with one audit entry each. Four
    statements however many assignments; returns how many expired. Runs over the active
    company, or every company in system context (the CLI)."""
    today = today or dt.date.today()
    # Lock the assignments first, as registrations do (assignment, then period), so that the
    # job and a registration on the same assignment never deadlock; the next statement then
    # re-reads each period under that lock and skips one a registration has just completed.
    session.execute(
        update(CertificationAssignment)
        .where(CertificationAssignment.id.in_(
            select(ValidationPeriod.assignment_id).where(ValidationPeriod.status == OPEN, ValidationPeriod.end < today)
        ))
        .values(active=CertificationAssignment.active)
        .execution_options(synchronize_session=False)
    )
    lapsed = session.execute(
        update(ValidationPeriod)
        .where(ValidationPeriod.status == OPEN, ValidationPeriod.end < today)
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


# --- what pages and the API show ---------------------------------------------------------

def period_dict(period: ValidationPeriod, today: dt.date) -> dict:
    return {
        "number": period.number, "start": period.start.isoformat(), "end": period.end.isoformat(),
        "required_inspections": period.required_inspections, "done": period.done,
        "status": effective_status(period, today),
        "completed_on": period.completed_on.isoformat() if period.completed_on else None,
    }


def assignment_status(*, session: Session, assignment: CertificationAssignment, today: dt.date | None = None) -> dict:
    """GET .../status: the assignment and its periods, lapsed ones shown as such even before
    the expiry job (CERT-PER-3)."""
    today = today or dt.date.today()
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
    lapsed = next((p for p in periods if effective_status(p, today) == LAPSED), None)
    return (lapsed is None, lapsed.end if lapsed else None)


@dataclass
class PeriodView:
    """One period as the pages show it."""

    period: ValidationPeriod
    status: str
    workdays_left: int
    inspections: list[Inspection] = field(default_factory=list)

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


def operator_overview(*, session: Session, company, operator, today: dt.date | None = None) -> tuple[Operator, list[AssignmentView]]:
    """Spec §4.5: an operator's active and expired certifications, each with its open period
    (progress, working days left), its period history and its inspections. A constant number
    of queries however many inspections; lapsed periods show as lapsed before the job runs."""
    today = today or dt.date.today()
    found = session.scalar(select(Operator).where(Operator.id == v.record_id(operator, "operator", LABELS["operator"])))
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
            PeriodView(p, effective_status(p, today), workdays_left(calendar, p, today), list(p.inspections))
            for p in reversed(assignment.periods)
        ]
        active, expired_on = expiry_of(assignment, assignment.periods, today)
        views.append(AssignmentView(
            assignment=assignment, active=active, expired_on=expired_on,
            open=next((p for p in periods if p.status == OPEN), None), periods=periods,
        ))
    views.sort(key=lambda v: not v.active)
    return found, views


def open_period_info(*, session: Session, company, assignment, today: dt.date | None = None) -> dict:
    """For the inspection form: the open period of an assignment (dates, done/required,
    working days left) and the active audit types of its certification."""
    today = today or dt.date.today()
    found = _visible(session, CertificationAssignment, assignment, "assignment")
    period = _current_open_period(session, found) if found.active else None
    types = session.scalars(
        select(ProductAuditType)
        .where(ProductAuditType.certification_id == found.certification_id, ProductAuditType.active.is_(True))
        .order_by(ProductAuditType.name)
    )
    info = {"assignment": found.id, "period": None, "audit_types": [{"id": t.id, "name": t.name} for t in types]}
    if period is not None and effective_status(period, today) == OPEN:
        calendar = WorkCalendar.for_company(session, company)
        info["period"] = {**period_dict(period, today), "workdays_left": workdays_left(calendar, period, today)}
    else:
        end = found.expired_on or (period.end if period else None)
        info["expired_on"] = end.isoformat() if end else None
    return info


def active_assignments(*, session: Session, operator, today: dt.date | None = None) -> list[dict]:
    """For the inspection form: the operator's active certifications (lapsed ones left out)."""
    today = today or dt.date.today()
    rows = session.execute(
        select(CertificationAssignment.id, Certification.name)
        .join(Certification, Certification.id == CertificationAssignment.certification_id)
        .join(ValidationPeriod, and_(ValidationPeriod.assignment_id == CertificationAssignment.id,
                                     ValidationPeriod.status == OPEN))
        .where(CertificationAssignment.operator_id == v.record_id(operator, "operator", LABELS["operator"]),
               CertificationAssignment.active.is_(True), ValidationPeriod.end >= today)
        .order_by(Certification.name)
    )
    return [{"id": pk, "name": name} for pk, name in rows]


@dataclass
class AtRisk:
    period: ValidationPeriod
    operator: Operator
    certification: Certification
    workdays_left: int

    @property
    def missing(self) -> int:
        return self.period.required_inspections - self.period.done


def at_risk(*, session: Session, company, today: dt.date | None = None) -> list[AtRisk]:
    """"En riesgo": open periods (not lapsed) ordered by working days left, then by the
    inspections still missing, so a supervisor sees who will lapse first."""
    today = today or dt.date.today()
    rows = session.execute(
        select(ValidationPeriod, Operator, Certification)
        .join(CertificationAssignment, CertificationAssignment.id == ValidationPeriod.assignment_id)
        .join(Operator, Operator.id == CertificationAssignment.operator_id)
        .join(Certification, Certification.id == CertificationAssignment.certification_id)
        .where(ValidationPeriod.status == OPEN, ValidationPeriod.end >= today)
    ).all()
    calendar = WorkCalendar.for_company(session, company)
    out = [AtRisk(p, o, c, workdays_left(calendar, p, today)) for p, o, c in rows]
    out.sort(key=lambda r: (r.workdays_left, -r.missing, r.operator.last_name))
    return out
