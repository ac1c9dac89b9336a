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

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from app.certification.models import (
    FIELD_LABELS,
    RESULT_LABELS,
    Auditor,
    Certification,
    CertificationAssignment,
    CertificationRules,
    Inspection,
    Operator,
    ProductAuditType,
)
from app.certification.periods import (
    _complete,
    _current_open_period,
    _expire,
    _lock_assignment,
    _open_period,
    current_rules,
    expire_assignments,
)
from app.core import audit
from app.core import validation as v
from app.core.db import lock_row
from app.core.errors import ValidationError
from app.core.localization import format_date as fmt
from app.core.models import utcnow
from app.core.workdays import WorkCalendar

__all__ = ["current_rules", "expire_assignments"]  # re-exported: the module's commands


# --- input (app/core/validation.py: one sentence per kind of mistake, naming the label) ----



def _visible(session: Session, model, pk, field: str):
    """The row `pk` of `model` in the active company, or a 422 naming the field's label."""
    return v.visible(session, model, pk, field, FIELD_LABELS[field])


# --- rules table -----------------------------------------------------------------------

def activate_rules(*, session: Session, user, rules: CertificationRules) -> CertificationRules:
    """CERT-CFG-1: a new rules row becomes the active one; the previous stays as history.
    Periods already opened keep the values they copied."""
    check = v.Checker()
    for name, label in (("required_workdays", "Días laborables por periodo"),
                        ("required_inspections", "Inspecciones por periodo")):
        setattr(rules, name, check(v.integer, getattr(rules, name), name, label, min=1))
    check.done()
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
        setattr(item, name, v.text(getattr(item, name), name, FIELD_LABELS[name], required=True,
                                   column=getattr(type(item), name)))
    if isinstance(item, (Operator, Auditor)):
        item.code = v.text(item.code, "code", FIELD_LABELS["code"], column=type(item).code) or None
        if item.code:
            model = type(item)
            clash = session.scalar(
                select(model.id).where(model.code == item.code, model.id != (item.id or 0))
            )
            if clash:
                raise ValidationError(f"Ya existe otro registro con el código '{item.code}'.", field="code")
    else:
        item.description = v.text(item.description, "description", FIELD_LABELS["description"], column=type(item).description)
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
    today: dt.date,
) -> CertificationAssignment:
    """CERT-ASG-1 and CERT-ASG-2 from raw input (ids and an ISO date)."""
    assignment = CertificationAssignment(
        operator=_visible(session, Operator, operator, "operator"),
        certification=_visible(session, Certification, certification, "certification"),
        assigned_on=v.date(assigned_on, "assigned_on", FIELD_LABELS["assigned_on"]),
        observations=observations,
    )
    return start_assignment(session=session, user=user, company=company, assignment=assignment, today=today)


# --- inspections -----------------------------------------------------------------------

def register_inspection(
    *, session: Session, user, company, assignment, audit_type, auditor, date, pieces, result,
    observations="", today: dt.date,
) -> Inspection:
    """Register a product inspection (spec §3.6.2, §3.7, §4.4) in one transaction:
    CERT-INS-1 (date inside the open period, not future), CERT-INS-2 (active operator,
    auditor and audit type of the certification), CERT-PER-3 (not on an expired assignment),
    then link it to the period, count it and CERT-PER-2 (complete and open the next)."""
    check = v.Checker()  # every input error at once, each beside its field
    day = check(v.date, date, "date", FIELD_LABELS["date"])
    pieces = check(v.integer, pieces, "pieces", FIELD_LABELS["pieces"], min=1)
    result = check(v.choice, result, "result", FIELD_LABELS["result"], choices=RESULT_LABELS)
    observations = check(v.text, observations, "observations", FIELD_LABELS["observations"], column=Inspection.observations)
    for name, value in (("assignment", assignment), ("audit_type", audit_type), ("auditor", auditor)):
        check(v.record_id, value, name, FIELD_LABELS[name])
    if day and day > today:
        check.add("date", f"La fecha de la inspección ({fmt(day)}) no puede ser futura.")
    check.done()

    assignment, period = _lock_assignment(session, assignment, today, user)
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
    if not period.admits(day):
        raise ValidationError(
            f"La fecha {fmt(day)} está fuera del periodo vigente nº {period.number} "
            f"({fmt(period.start)} – {fmt(period.end)}).", field="date",
        )

    inspection = Inspection(  # related rows as objects: the tenancy check needs no extra query
        company_id=assignment.company_id, assignment=assignment, period_id=period.id,
        period_start=period.start, period_end=period.end, period_after=period.previous_completed_on,
        audit_type=audit_type,
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


def annul_inspection(*, session: Session, user, company, inspection, reason, today: dt.date) -> Inspection:
    """CERT-INS-4: annul an inspection with a reason, only while its period is the open one
    (and has not lapsed); it leaves the count. Inspections are never deleted."""
    reason = v.text(reason, "reason", FIELD_LABELS["reason"], required=True, column=Inspection.annul_reason)
    found = _visible(session, Inspection, inspection, "inspection")
    if found.annulled:
        raise ValidationError(f"La inspección {found.id} ya está anulada.", field="inspection")
    assignment, period = _lock_assignment(session, found.assignment_id, today, user)
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
