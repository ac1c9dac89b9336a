"""Execution of a calibration order (issue 10, item 4): progress entries, results per
point, evidence files (sniffed type, <= 20 MB, SHA-256, stored by company through
app.core.storage) and the logistics of external equipment. Who: an assigned technician,
the work-order manager or the supervisor; clients read only. Flush, never commit. A file of
its own beside services.py: the commands on an order's children (together over 400 lines)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.identity import role_names
from app.core.pdf import format_value
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
    "tolerance": "Tolerancia", "external_provider": "Proveedor externo",
}
# What each execution form must be given (issue 29 · 8): the services refuse without them and
# the order page marks them (CalibrationOrderDetailsView.detail_context).
RESULT_REQUIRED = frozenset({"measurand", "nominal", "as_found", "uncertainty", "unit"})
PROGRESS_REQUIRED = frozenset({"text"})
LOGISTICS_REQUIRED = frozenset({"status"})
EVIDENCE_REQUIRED = frozenset({"file"})
NUMBERS = ("nominal", "as_found", "as_left", "error", "uncertainty", "k", "tolerance")
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
    body = check(text, data.get("text"), "text", "Avance", required="text" in PROGRESS_REQUIRED, max_length=4000)
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
    required = RESULT_REQUIRED
    for name, label in RESULT_LABELS.items():
        if partial and name not in data:
            continue
        value, need = data.get(name), (name in required and not partial)
        if name in ("measurand", "unit", "external_provider"):
            out[name] = check(text, value, name, label, required=need or (partial and name in required),
                              max_length={"measurand": 120, "unit": 20}.get(name, 120))
            if name == "external_provider":
                out[name] = out[name] or None  # blank: the lab's own result
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


def _places(value: Decimal | None) -> int:
    """The decimals a value was given with ("0.0030" -> 4, "10" -> 0)."""
    return 0 if value is None else max(0, -value.as_tuple().exponent)


def _settle(result: CalibrationResult, given: dict) -> None:
    """Issue 21 item 10: each value keeps the decimals it was given (`digits`), and the error
    is computed, never typed: the reading as delivered (as-left when adjusted, else as-found)
    minus the nominal value, with the most decimals of the two. An `error` given that does
    not match is refused naming the field (it would contradict the readings)."""
    digits = dict(result.digits or {})
    digits.update({name: _places(given[name]) for name in NUMBERS if given.get(name) is not None})
    reading = "as_left" if result.as_left is not None else "as_found"
    error = Decimal(getattr(result, reading)) - Decimal(result.nominal)
    places = max(digits.get(reading, 6), digits.get("nominal", 6))
    if given.get("error") is not None and given["error"] != error:
        raise ValidationError(
            f"El error se calcula de las lecturas: {RESULT_LABELS[reading].lower()} menos el valor nominal = "
            f"{format_value(error.quantize(Decimal(1).scaleb(-places)))}; no coincide con el indicado "
            f"({format_value(given['error'])}). Deja el error en blanco.", field="error")
    result.error = error
    digits["error"] = places
    result.digits = digits


def add_result(*, session: Session, user, order: CalibrationOrder, data: dict) -> CalibrationResult:
    """A result point: measurand, nominal, as-found (and as-left when adjusted), U and k (2
    by default), unit, optional tolerance (conformity under the decision rule) and external
    provider (§7.8.2.1 p); the error is computed (_settle)."""
    ensure_executor(order, user, states=RESULT_STATES, what="Resultados")
    given = _result_values(data, partial=False)
    values = {k: v for k, v in given.items() if v is not None and k != "error"}
    if "position" not in values:
        values["position"] = len(order.results) + 1
    result = CalibrationResult(company_id=order.company_id, order_id=order.id, **values)
    _settle(result, given)
    session.add(result)
    session.flush()
    _log(session, user=user, order=order, action="RESULT_ADDED", data={"id": result.id, **values, "error": result.error})
    return result


def update_result(*, session: Session, user, result: CalibrationResult, data: dict) -> CalibrationResult:
    """Correct a result point (fields given are changed; as_left/tolerance may be emptied)."""
    order = result.order
    ensure_executor(order, user, states=RESULT_STATES, what="Resultados")
    values = _result_values(data, partial=True)
    changes = {}
    for name, value in values.items():
        if name == "error" or (value is None and name not in ("as_left", "tolerance", "external_provider")):
            continue
        if getattr(result, name) != value:
            changes[name] = [getattr(result, name), value]
            setattr(result, name, value)
    before = result.error
    _settle(result, values)
    if result.error != before:
        changes["error"] = [before, result.error]
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
                   choices={k: str(v) for k, v in LOGISTICS_STATUSES.items()}, required="status" in LOGISTICS_REQUIRED)
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

