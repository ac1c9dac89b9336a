"""Calibration orders' commands (issue 10): creation numbered per company, the management
form's update, workflow actions.

Plain functions with keyword-only `session`, `user`, `company`, `today` (read where the
request or CLI command starts); they flush and never commit: the caller commits once per
user action. Execution (progress, results, evidence, logistics) is in execution.py, the
checklist in checklist.py, the workflow binding in workflow.py, read models in queries.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.calibration.instruments.models import Instrument
from app.calibration.orders.models import ENTITY, PLACES, CalibrationOrder
from app.calibration.orders.workflow import (
    CLIENTE_ROLE,
    RESPONSABLE_ROLE,
    TECNICO_ROLE,
    WF,
    is_assigned,
    is_manager,
)
from app.core import audit, sequences
from app.core.db import begin_write
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.identity import role_names
from app.core.tenancy import TenantViolation
from app.core.validation import message, validate_payload, visible

ORDER_SEQUENCE = "calibration_order"
ORDER_PREFIX = "OC"
CREATOR_ROLES = {CLIENTE_ROLE, RESPONSABLE_ROLE}

# The fields of a new order (the client's request or the manager's order)
ORDER_FIELDS = {
    "instrument": {"type": "integer", "required": True, "label": "Instrumento"},
    "requested_on": {"type": "date", "label": "Fecha de solicitud"},
    "received_on": {"type": "date", "label": "Fecha de recepción del ítem"},
    "target_date": {"type": "date", "label": "Fecha objetivo"},
    "observations": {"type": "text", "label": "Observaciones para el cliente", "max_length": 4000},
    "notes": {"type": "text", "label": "Notas internas", "max_length": 4000},
    "wants_due_date": {"type": "boolean", "label": "Indicar la próxima fecha de calibración en el certificado"},
}
# Fields editable after creation (PUT /calibration_order/<pk>, the order page)
EDIT_FIELDS = {
    "received_on": ORDER_FIELDS["received_on"],
    "observations": ORDER_FIELDS["observations"],
    "notes": ORDER_FIELDS["notes"],
    "wants_due_date": ORDER_FIELDS["wants_due_date"],
    "method": {"type": "string", "label": "Método de calibración", "max_length": 200},
    "environment": {"type": "string", "label": "Condiciones ambientales", "max_length": 200},
    "standards": {"type": "text", "label": "Patrones utilizados y trazabilidad", "max_length": 4000},
    # issue 21 item 10 (ISO/IEC 17025 §7.8.2.1 c, g, n)
    "place": {"type": "string", "label": "Lugar de la calibración", "choices": PLACES},
    "place_detail": {"type": "string", "label": "Dirección o detalle del lugar", "max_length": 200},
    "condition_on_receipt": {"type": "text", "label": "Estado del ítem a la recepción", "max_length": 2000},
    "deviations": {"type": "text", "label": "Desviaciones, adiciones o exclusiones del método", "max_length": 2000},
}
EXECUTION_DATA = ("received_on", "method", "environment", "standards", "place", "place_detail",
                  "condition_on_receipt", "deviations")  # the order page's «Datos de la calibración»
TECHNICIAN_FIELDS = set(EXECUTION_DATA)
CLOSED_STATES = {"CLOSED", "CANCELLED"}
SCHEDULE_FIELDS = ("target_date", "window_start", "window_end", "technicians", "notes", "observations")


# --- orders ----------------------------------------------------------------------------

def can_create(user) -> bool:
    return bool(role_names(user) & CREATOR_ROLES)


def ensure_can_create(user) -> None:
    """Orders are created by the client (a request) or the work-order manager; others are told who may."""
    if not can_create(user):
        raise ActionNotAllowed("Tu rol no permite crear órdenes de calibración; pueden crearlas: Cliente, Responsable de órdenes.")


def create_order(*, session: Session, user, company, today: dt.date, data: dict) -> CalibrationOrder:
    """A new order in RECEIVED, created by the client (a request) or the work-order manager,
    numbered per company "OC-<year>-<5 digits>" by the core sequence; audited CREATE_ORDER.
    Internal notes are the lab's: a client's request may not carry them."""
    ensure_can_create(user)
    if company is None:
        raise TenantViolation("No hay una empresa activa para crear la orden.")
    clean = validate_payload(ORDER_FIELDS, data)
    if "notes" in clean and not is_manager(user):
        raise ValidationError("Las notas internas son del laboratorio: el cliente usa «Observaciones».", field="notes")
    instrument = visible(session, Instrument, clean["instrument"], "instrument", "Instrumento")
    if not instrument.active:
        raise ValidationError("El instrumento está inactivo.", field="instrument")
    begin_write(session)
    number = sequences.next_number(session, company_id=company.id, name=ORDER_SEQUENCE, year=today.year)
    order = CalibrationOrder(
        company_id=company.id, state=WF.initial_state, version=1, instrument_id=instrument.id,
        number=sequences.format_number(number, prefix=ORDER_PREFIX, year=today.year, width=5),
        requested_on=clean.get("requested_on") or today, requested_by_id=user.id,
        received_on=clean.get("received_on"), target_date=clean.get("target_date"),
        observations=clean.get("observations"), notes=clean.get("notes"),
        wants_due_date=bool(clean.get("wants_due_date")),
    )
    session.add(order)
    session.flush()
    audit.record(session, entity=ENTITY, entity_id=order.id, company_id=company.id, action="CREATE_ORDER",
                 to_state=order.state, data={**clean, "number": order.number}, workflow_version=WF.version, user=user)
    session.flush()
    return order


def update_order(*, session: Session, user, order: CalibrationOrder, data: dict) -> dict:
    """Edit an open order's details: managers every field of EDIT_FIELDS; an assigned
    technician the execution data (receipt date, method, environment, standards)."""
    if order.state in CLOSED_STATES:
        raise ActionNotAllowed(f"La orden está «{WF.state_label(order.state)}»: ya no se modifica.")
    clean = {k: v for k, v in validate_payload(EDIT_FIELDS, data).items() if k in data}  # booleans: only when given
    if not is_manager(user):
        if not (TECNICO_ROLE in role_names(user) and is_assigned(order, user)):
            raise ActionNotAllowed("Solo el responsable, el supervisor o un técnico asignado modifican la orden.")
        refused = sorted(set(clean) - TECHNICIAN_FIELDS)
        if refused:
            label = EDIT_FIELDS[refused[0]]["label"]
            raise ActionNotAllowed(f"Como técnico no puedes cambiar «{label}».")
    changes = {}
    for name, value in clean.items():
        if getattr(order, name) != value:
            changes[name] = [getattr(order, name), value]
            setattr(order, name, value)
    if changes:
        order.version = order.version + 1
        audit.record(session, entity=ENTITY, entity_id=order.id, company_id=order.company_id, action="UPDATE_ORDER",
                     from_state=order.state, to_state=order.state, data={"changes": changes},
                     workflow_version=WF.version, user=user)
    session.flush()
    return changes


def perform(*, session: Session, user, order: CalibrationOrder, action: str, payload: dict | None = None,
            today: dt.date, expected_version: int | None = None) -> CalibrationOrder:
    """Run a workflow action of seed/workflows/calibration.yaml (the core engine)."""
    return WF.perform(order, action, user, session=session, payload=payload or {}, today=today,
                      expected_version=expected_version)


def update_work_order(*, session: Session, user, order: CalibrationOrder, data: dict, today: dt.date) -> CalibrationOrder:
    """The management screen's work-order form (the spec's update_work_order): target date,
    window, technicians, notes and observations (SCHEDULE in RECEIVED, RESCHEDULE in
    SCHEDULED, a plain edit of notes/observations later), then an optional `action` (e.g.
    CLOSE, "Cerrada") with its `reason`. One transaction."""
    if not isinstance(data, dict):
        raise ValidationError(message("body"))
    data = dict(data)
    action = data.pop("action", None) or None
    reason = data.pop("reason", None)
    given = {k: v for k, v in data.items() if k in SCHEDULE_FIELDS}
    unknown = sorted(set(data) - set(SCHEDULE_FIELDS))
    if unknown:
        raise ValidationError(message("unknown", name=unknown[0], allowed=", ".join(SCHEDULE_FIELDS + ("action", "reason"))),
                              field=unknown[0])
    schedule = {"RECEIVED": "SCHEDULE", "SCHEDULED": "RESCHEDULE"}.get(order.state)
    if schedule and set(given) - {"notes", "observations"}:
        payload = {
            "target_date": order.target_date.isoformat() if order.target_date else None,
            "window_start": order.window_start.isoformat() if order.window_start else None,
            "window_end": order.window_end.isoformat() if order.window_end else None,
            "technicians": [t.id for t in order.technicians],
            **given,
        }
        order = perform(session=session, user=user, order=order, action=schedule, payload=payload, today=today)
    elif given:
        if not is_manager(user):
            raise ActionNotAllowed("Solo el responsable o el supervisor modifican la orden de trabajo.")
        if set(given) - {"notes", "observations"}:
            field = sorted(set(given) - {"notes", "observations"})[0]
            raise ValidationError(
                f"Con la orden «{WF.state_label(order.state)}» ya no se cambian fechas ni técnicos.", field=field
            )
        update_order(session=session, user=user, order=order, data=given)
    if action:
        if not isinstance(action, str):
            raise ValidationError("El campo «action» debe ser el código de una acción.", field="action")
        payload = {"reason": reason} if reason not in (None, "") else {}
        order = perform(session=session, user=user, order=order, action=action.strip().upper(), payload=payload, today=today)
    return order
