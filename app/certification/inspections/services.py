"""Product inspections of operator certifications (spec §3.6.2, §3.7, §4.4; DESIGN "Operator
certifications"): registered, annulled and corrected in one transaction each. Plain functions
with keyword-only arguments; they validate, write and flush, and the caller commits once per
user action. A refusal raises a DomainError whose Spanish message names the field or the rule,
before anything is flushed.

- CERT-INS-1  an inspection is dated inside the open period and not in the future (§3.6.2, §3.7).
- CERT-INS-2  it names an active operator, an active auditor and an active audit type of the
              assignment's certification (DESIGN).
- CERT-PER-2  the inspection that brings the period to its count completes it on the latest
              inspection date in it and opens the next period on the next working day (§3.6.2).
- CERT-INS-4  inspections are never deleted; annulment with a reason, only inside the open
              period, takes the inspection out of the count (§3.7).
- CERT-INS-5  correcting an inspection (issue 9, item 13; spec §2: the user creates and edits
              inspections): an inspection of the open period, not annulled, may have its
              date, audit type, auditor, pieces, result and observations corrected; the new
              values pass the same rules as a registration (CERT-INS-1, CERT-INS-2) and the
              audit keeps before and after. Once its period is completed or has lapsed
              (CERT-PER-3) it is history and is never changed.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.certification.assignments.models import COMPLETED, OPEN, ValidationPeriod
from app.certification.assignments.services import lock_assignment, open_period
from app.certification.catalogs.models import FIELD_LABELS, Auditor, ProductAuditType
from app.certification.catalogs.services import visible
from app.certification.inspections.models import RESULT_LABELS, Inspection
from app.core import audit
from app.core import validation as v
from app.core.errors import ValidationError
from app.core.localization import format_date as fmt
from app.core.models import utcnow
from app.core.workdays import WorkCalendar

# --- periods: completion (CERT-PER-2) --------------------------------------------------

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
    return open_period(
        session, assignment=assignment, number=period.number + 1, start=calendar.next_workday(last),
        calendar=calendar, previous=period,
    )


# --- inspections -----------------------------------------------------------------------

# What the registration and the correction must be given (issue 29 · 8): the checks below read
# these sets and the forms mark the same fields (the operator only narrows the certifications).
INSPECTION_REQUIRED = frozenset({"assignment", "audit_type", "auditor", "date", "pieces", "result"})
CORRECTION_REQUIRED = INSPECTION_REQUIRED - {"assignment"}
ANNUL_REQUIRED = frozenset({"reason"})


def _check_fields(check, required, *, date, pieces, result, observations, ids: dict):
    """The input checks shared by registration and correction, each field required as
    `required` declares; returns (day, pieces, result, observations)."""
    day = check(v.date, date, "date", FIELD_LABELS["date"], required="date" in required)
    pieces = check(v.integer, pieces, "pieces", FIELD_LABELS["pieces"], min=1, required="pieces" in required)
    result = check(v.choice, result, "result", FIELD_LABELS["result"], choices=RESULT_LABELS,
                   required="result" in required)
    observations = check(v.text, observations, "observations", FIELD_LABELS["observations"],
                         column=Inspection.observations, required="observations" in required)
    for name, value in ids.items():
        if name in required or value not in (None, ""):
            check(v.record_id, value, name, FIELD_LABELS[name])
    return day, pieces, result, observations


def register_inspection(
    *, session: Session, user, company, assignment, audit_type, auditor, date, pieces, result,
    observations="", today: dt.date,
) -> Inspection:
    """Register a product inspection (spec §3.6.2, §3.7, §4.4) in one transaction:
    CERT-INS-1 (date inside the open period, not future), CERT-INS-2 (active operator,
    auditor and audit type of the certification), CERT-PER-3 (not on an expired assignment),
    then link it to the period, count it and CERT-PER-2 (complete and open the next)."""
    check = v.Checker()  # every input error at once, each beside its field
    day, pieces, result, observations = _check_fields(
        check, INSPECTION_REQUIRED, date=date, pieces=pieces, result=result, observations=observations,
        ids={"assignment": assignment, "audit_type": audit_type, "auditor": auditor})
    if day and day > today:
        check.add("date", f"La fecha de la inspección ({fmt(day)}) no puede ser futura.")
    check.done()

    assignment, period = lock_assignment(session, assignment, today, user)
    if not assignment.operator.active:
        raise ValidationError(f"El operario {assignment.operator.full_name} está inactivo.", field="assignment")
    audit_type = visible(session, ProductAuditType, audit_type, "audit_type")
    if audit_type.certification_id != assignment.certification_id:
        raise ValidationError(
            f"El tipo de auditoría '{audit_type.name}' no pertenece a la certificación "
            f"'{assignment.certification.name}'.", field="audit_type",
        )
    if not audit_type.active:
        raise ValidationError(f"El tipo de auditoría '{audit_type.name}' está inactivo.", field="audit_type")
    auditor = visible(session, Auditor, auditor, "auditor")
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
    reason = v.text(reason, "reason", FIELD_LABELS["reason"], required="reason" in ANNUL_REQUIRED,
                    column=Inspection.annul_reason)
    found = visible(session, Inspection, inspection, "inspection")
    if found.annulled:
        raise ValidationError(f"La inspección {found.id} ya está anulada.", field="inspection")
    assignment, period = lock_assignment(session, found.assignment_id, today, user)
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


# --- corrections (CERT-INS-5) -----------------------------------------------------------

EDITABLE = ("date", "audit_type", "auditor", "pieces", "result", "observations")


def correct_inspection(
    *, session: Session, user, company, inspection, date, audit_type, auditor, pieces, result,
    observations="", today: dt.date,
) -> Inspection:
    """CERT-INS-5 (see the module docstring): one transaction; nothing is written when any
    rule refuses, and nothing is audited when nothing changed."""
    check = v.Checker()
    day, pieces, result, observations = _check_fields(
        check, CORRECTION_REQUIRED, date=date, pieces=pieces, result=result, observations=observations,
        ids={"audit_type": audit_type, "auditor": auditor})
    if day and day > today:
        check.add("date", f"La fecha de la inspección ({fmt(day)}) no puede ser futura.")
    check.done()

    found = v.visible(session, Inspection, inspection, "inspection", FIELD_LABELS["inspection"])
    assignment, period = lock_assignment(session, found.assignment_id, today, user)  # lapsed: refused
    row = session.scalar(select(Inspection).where(Inspection.id == found.id).execution_options(populate_existing=True))
    if row.annulled:
        raise ValidationError(f"La inspección del {fmt(row.date)} está anulada: ya no se corrige.", field="inspection")
    if row.period_id != period.id:
        raise ValidationError(
            f"Solo se corrigen inspecciones del periodo vigente (nº {period.number}); la del {fmt(row.date)} "
            "es de un periodo ya completado.", field="inspection",
        )
    new_type = v.visible(session, ProductAuditType, audit_type, "audit_type", FIELD_LABELS["audit_type"])
    if new_type.certification_id != assignment.certification_id:
        raise ValidationError(
            f"El tipo de auditoría '{new_type.name}' no pertenece a la certificación "
            f"'{assignment.certification.name}'.", field="audit_type",
        )
    if not new_type.active and new_type.id != row.audit_type_id:
        raise ValidationError(f"El tipo de auditoría '{new_type.name}' está inactivo.", field="audit_type")
    new_auditor = v.visible(session, Auditor, auditor, "auditor", FIELD_LABELS["auditor"])
    if not new_auditor.active and new_auditor.id != row.auditor_id:
        raise ValidationError(f"El auditor {new_auditor.full_name} está inactivo.", field="auditor")
    if not period.admits(day):
        raise ValidationError(
            f"La fecha {fmt(day)} está fuera del periodo vigente nº {period.number} "
            f"({fmt(period.start)} – {fmt(period.end)}).", field="date",
        )

    wanted = {"date": day, "audit_type": new_type.id, "auditor": new_auditor.id, "pieces": pieces,
              "result": result, "observations": observations}
    current = {"date": row.date, "audit_type": row.audit_type_id, "auditor": row.auditor_id, "pieces": row.pieces,
               "result": row.result, "observations": row.observations or ""}
    changes = {name: [current[name], wanted[name]] for name in EDITABLE if current[name] != wanted[name]}
    if not changes:
        return row
    row.date, row.audit_type, row.auditor = day, new_type, new_auditor
    row.pieces, row.result, row.observations = pieces, result, observations
    session.flush()
    audit.record(
        session, entity="inspection", entity_id=row.id, action="update", company_id=assignment.company_id,
        user=user, data={"changes": changes, "period": period.number},
    )
    return row
