"""Execution of a calibration order (issue 10, item 4): progress entries, results per
point, evidence files (sniffed type, <= 20 MB, SHA-256, stored by company through
app.core.storage) and the logistics of external equipment. Who: an assigned technician,
the work-order manager or the supervisor; clients read only. Flush, never commit. A file of
its own beside services.py: the commands on an order's children (together over 400 lines)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.calibration.orders.models import (
    ENTITY,
    LOGISTICS_STATUSES,
    CalibrationEvidence,
    CalibrationOrder,
    CalibrationProgress,
    CalibrationResult,
    LogisticsEvent,
)
from app.calibration.orders.workflow import TECNICO_ROLE, WF, is_assigned, is_manager
from app.core import audit
from app.core.errors import ActionNotAllowed
from app.core.identity import role_names
from app.core.storage import check_upload
from app.core.validation import Checker, choice, date, decimal, integer, message, text

PROGRESS_STATES = ("SCHEDULED", "IN_PROGRESS", "IN_REVIEW", "APPROVED")
RESULT_STATES = ("IN_PROGRESS", "IN_REVIEW")  # IN_REVIEW: corrections by the supervisor (AMEND)
EVIDENCE_STATES = ("IN_PROGRESS", "IN_REVIEW")
LOGISTICS_STATES = ("RECEIVED", "SCHEDULED", "IN_PROGRESS", "IN_REVIEW", "APPROVED", "CERTIFIED")

RESULT_LABELS = {
    "position": "Posición", "measurand": "Magnitud / punto", "nominal": "Valor nominal",
    "as_found": "Lectura como se recibió", "as_left": "Lectura tras el ajuste", "error": "Error",
    "uncertainty": "Incertidumbre expandida (U)", "k": "Factor de cobertura (k)", "unit": "Unidad",
    "tolerance": "Tolerancia",
}
LIMIT = 10**12


def ensure_executor(order: CalibrationOrder, user, *, states: tuple[str, ...], what: str) -> None:
    """An assigned technician, the manager or the supervisor, while the order is in `states`;
    in review only the supervisor corrects (a technician's part is done)."""
    if order.state not in states:
        raise ActionNotAllowed(f"{what}: no con la orden «{WF.state_label(order.state)}».")
    roles = role_names(user)
    if is_manager(user):
        return
    if TECNICO_ROLE in roles and is_assigned(order, user):
        if order.state == "IN_REVIEW" and what != "Avance":
            raise ActionNotAllowed(f"{what}: la orden está en revisión; las correcciones las hace el supervisor.")
        return
    raise ActionNotAllowed(f"{what}: solo un técnico asignado, el responsable o el supervisor.")


def _log(session, *, user, order, action: str, data: dict) -> None:
    audit.record(session, entity=ENTITY, entity_id=order.id, company_id=order.company_id, action=action,
                 from_state=order.state, to_state=order.state, data=data, workflow_version=WF.version, user=user)


def add_progress(*, session: Session, user, order: CalibrationOrder, data: dict, today: dt.date) -> CalibrationProgress:
    """A progress entry (date, not in the future; text)."""
    ensure_executor(order, user, states=PROGRESS_STATES, what="Avance")
    check = Checker()
    day = check(date, data.get("entry_date"), "entry_date", "Fecha", required=False) or today
    body = check(text, data.get("text"), "text", "Avance", required=True, max_length=4000)
    if check.ok("entry_date") and day > today:
        check.add("entry_date", "La fecha del avance no puede ser futura.")
    check.done()
    entry = CalibrationProgress(company_id=order.company_id, order_id=order.id, entry_date=day, text=body, author_id=user.id)
    session.add(entry)
    session.flush()
    _log(session, user=user, order=order, action="PROGRESS", data={"entry_date": day, "text": body})
    return entry


def _result_values(data: dict, *, partial: bool) -> dict:
    check, out = Checker(), {}
    required = {"measurand", "nominal", "as_found", "error", "uncertainty", "unit"}
    for name, label in RESULT_LABELS.items():
        if partial and name not in data:
            continue
        value, need = data.get(name), (name in required and not partial)
        if name in ("measurand", "unit"):
            out[name] = check(text, value, name, label, required=need or (partial and name in required),
                              max_length=120 if name == "measurand" else 20)
        elif name == "position":
            out[name] = check(integer, value, name, label, required=False, min=1, max=9999)
        elif name == "k":
            out[name] = check(decimal, value, name, label, required=False, min=1, max=10)
        elif name in ("uncertainty", "tolerance"):
            out[name] = check(decimal, value, name, label, required=need, min=0, max=LIMIT)
        else:
            out[name] = check(decimal, value, name, label, required=need, min=-LIMIT, max=LIMIT)
    unknown = sorted(set(data) - set(RESULT_LABELS) - {"order", "order_id"})
    if unknown:
        check.add(unknown[0], message("unknown", name=unknown[0], allowed=", ".join(RESULT_LABELS)))
    check.done()
    return out


def add_result(*, session: Session, user, order: CalibrationOrder, data: dict) -> CalibrationResult:
    """A result point: measurand, nominal, as-found (and as-left when adjusted), error, U and
    k (2 by default), unit, optional tolerance (conformity under the decision rule)."""
    ensure_executor(order, user, states=RESULT_STATES, what="Resultados")
    values = _result_values(data, partial=False)
    values = {k: v for k, v in values.items() if v is not None}
    if "position" not in values:
        values["position"] = len(order.results) + 1
    result = CalibrationResult(company_id=order.company_id, order_id=order.id, **values)
    session.add(result)
    session.flush()
    _log(session, user=user, order=order, action="RESULT_ADDED", data={"id": result.id, **values})
    return result


def update_result(*, session: Session, user, result: CalibrationResult, data: dict) -> CalibrationResult:
    """Correct a result point (fields given are changed; as_left/tolerance may be emptied)."""
    order = result.order
    ensure_executor(order, user, states=RESULT_STATES, what="Resultados")
    values = _result_values(data, partial=True)
    changes = {}
    for name, value in values.items():
        if value is None and name not in ("as_left", "tolerance"):
            continue
        if getattr(result, name) != value:
            changes[name] = [getattr(result, name), value]
            setattr(result, name, value)
    session.flush()
    if changes:
        _log(session, user=user, order=order, action="RESULT_CHANGED", data={"id": result.id, "changes": changes})
    return result


def delete_result(*, session: Session, user, result: CalibrationResult) -> None:
    order = result.order
    ensure_executor(order, user, states=RESULT_STATES, what="Resultados")
    _log(session, user=user, order=order, action="RESULT_DELETED",
         data={"id": result.id, "measurand": result.measurand, "nominal": result.nominal})
    session.delete(result)
    session.flush()


def add_evidence(*, session: Session, user, order: CalibrationOrder, filename: str, data, storage) -> CalibrationEvidence:
    """An evidence file (`data`: bytes or a seekable file, read in chunks): type sniffed from
    the content (pdf, png, jpg, csv, xlsx), at most MAX_UPLOAD_BYTES, SHA-256 kept, stored
    under the company's folder (app.core.storage)."""
    ensure_executor(order, user, states=EVIDENCE_STATES, what="Evidencias")
    checked = check_upload(filename, data)
    key = storage.save(order.company_id, checked.filename, data)
    try:
        evidence = CalibrationEvidence(
            company_id=order.company_id, order_id=order.id, filename=checked.filename,
            content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
            storage_key=key, uploaded_by_id=user.id,
        )
        session.add(evidence)
        session.flush()
        _log(session, user=user, order=order, action="EVIDENCE_ADDED",
             data={"id": evidence.id, "filename": checked.filename, "size": checked.size, "sha256": checked.sha256})
    except Exception:
        storage.delete(order.company_id, key)
        raise
    return evidence


def read_evidence(evidence: CalibrationEvidence, *, storage) -> bytes:
    """The file's bytes, read from its company's folder only."""
    return storage.open(evidence.company_id, evidence.storage_key)


def add_logistics(*, session: Session, user, order: CalibrationOrder, data: dict, today: dt.date) -> LogisticsEvent:
    """A logistics event of external equipment: shipped, in transit or received, with carrier,
    tracking number, date (not in the future) and who is responsible."""
    ensure_executor(order, user, states=LOGISTICS_STATES, what="Logística")
    check = Checker()
    status = check(choice, data.get("status"), "status", "Estado logístico",
                   choices={k: str(v) for k, v in LOGISTICS_STATUSES.items()})
    day = check(date, data.get("event_date"), "event_date", "Fecha", required=False) or today
    carrier = check(text, data.get("carrier"), "carrier", "Transportista", required=False, max_length=120)
    tracking = check(text, data.get("tracking_number"), "tracking_number", "Número de guía", required=False, max_length=120)
    responsible = check(text, data.get("responsible"), "responsible", "Responsable", required=False, max_length=120)
    if check.ok("event_date") and day > today:
        check.add("event_date", "La fecha del evento logístico no puede ser futura.")
    unknown = sorted(set(data) - {"status", "event_date", "carrier", "tracking_number", "responsible", "order", "order_id"})
    if unknown:
        check.add(unknown[0], message("unknown", name=unknown[0],
                                      allowed="status, event_date, carrier, tracking_number, responsible"))
    check.done()
    event = LogisticsEvent(company_id=order.company_id, order_id=order.id, status=status, event_date=day,
                           carrier=carrier or None, tracking_number=tracking or None, responsible=responsible or None, created_by_id=user.id)
    session.add(event)
    session.flush()
    _log(session, user=user, order=order, action="LOGISTICS",
         data={"status": status, "event_date": day, "carrier": carrier, "tracking_number": tracking})
    return event

