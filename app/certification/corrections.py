"""Correcting an inspection (issue 9, item 13; spec §2: the user creates and edits
inspections). CERT-INS-5: an inspection of the open period, not annulled, may have its date,
audit type, auditor, pieces, result and observations corrected; the new values pass the same
rules as a registration (CERT-INS-1, CERT-INS-2) and the audit keeps before and after. Once
its period is completed or has lapsed (CERT-PER-3) it is history and is never changed."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.certification.models import (
    FIELD_LABELS,
    RESULT_LABELS,
    Auditor,
    Inspection,
    ProductAuditType,
)
from app.certification.periods import _lock_assignment
from app.core import audit
from app.core import validation as v
from app.core.errors import ValidationError
from app.core.localization import format_date as fmt

EDITABLE = ("date", "audit_type", "auditor", "pieces", "result", "observations")


def correct_inspection(
    *, session: Session, user, company, inspection, date, audit_type, auditor, pieces, result,
    observations="", today: dt.date,
) -> Inspection:
    """CERT-INS-5 (see the module docstring): one transaction; nothing is written when any
    rule refuses, and nothing is audited when nothing changed."""
    check = v.Checker()
    day = check(v.date, date, "date", FIELD_LABELS["date"])
    pieces = check(v.integer, pieces, "pieces", FIELD_LABELS["pieces"], min=1)
    result = check(v.choice, result, "result", FIELD_LABELS["result"], choices=RESULT_LABELS)
    observations = check(v.text, observations, "observations", FIELD_LABELS["observations"],
                         column=Inspection.observations)
    for name, value in (("audit_type", audit_type), ("auditor", auditor)):
        check(v.record_id, value, name, FIELD_LABELS[name])
    if day and day > today:
        check.add("date", f"La fecha de la inspección ({fmt(day)}) no puede ser futura.")
    check.done()

    found = v.visible(session, Inspection, inspection, "inspection", FIELD_LABELS["inspection"])
    assignment, period = _lock_assignment(session, found.assignment_id, today, user)  # lapsed: refused
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
