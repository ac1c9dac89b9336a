"""Read models of calibration orders (issue 10): the management list with its filters (state,
instrument, technician, dates, overdue), one order with its details, the timeline and the
order as the API shows it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.calibration.orders.filters import visibility_clause, visible_order_ids
from app.calibration.orders.models import (
    ENTITY,
    CalibrationEvidence,
    CalibrationOrder,
    CalibrationProgress,
    LogisticsEvent,
    order_technician,
)
from app.calibration.orders.workflow import WF, reception_refusal, sees_internal_notes
from app.core.audit import AuditEntry
from app.core.errors import NotFound
from app.core.identity import display_name
from app.core.validation import lookup_id

OPEN_STATES = tuple(code for code, s in WF.states.items() if s.attrs.get("kind") not in ("final", "cancelled"))
NOT_FOUND = "No existe esa orden de calibración o no tienes acceso a ella en la empresa activa."


def visible_orders(
    *, user, today: dt.date | None = None, state: str | None = None, instrument_id: int | None = None,
    technician_id: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
    overdue: bool = False,
) -> Select:
    """The spec's list_calibrations: the orders `user` sees, filtered by state, instrument,
    technician, target-date range and overdue (target date passed, order still open);
    nearest target date first, then newest number."""
    stmt = select(CalibrationOrder).where(visibility_clause(user))
    if state:
        stmt = stmt.where(CalibrationOrder.state == state)
    if instrument_id:
        stmt = stmt.where(CalibrationOrder.instrument_id == instrument_id)
    if technician_id:
        stmt = stmt.where(CalibrationOrder.id.in_(
            select(order_technician.c.order_id).where(order_technician.c.user_id == technician_id)
        ))
    if date_from:
        stmt = stmt.where(CalibrationOrder.target_date >= date_from)
    if date_to:
        stmt = stmt.where(CalibrationOrder.target_date <= date_to)
    if overdue and today:
        stmt = stmt.where(CalibrationOrder.target_date < today, CalibrationOrder.state.in_(OPEN_STATES))
    return stmt.order_by(CalibrationOrder.id.desc())


def list_page(session: Session, stmt: Select, *, page: int = 0, page_size: int = 25) -> tuple[list[CalibrationOrder], int]:
    """One page of orders with instrument and technicians loaded up front (a constant number
    of queries), and the total."""
    from sqlalchemy import func

    total = session.scalar(stmt.order_by(None).with_only_columns(func.count(CalibrationOrder.id)))
    rows = session.scalars(
        stmt.options(joinedload(CalibrationOrder.instrument), selectinload(CalibrationOrder.technicians))
        .limit(page_size).offset(page * page_size)
    ).all()
    return list(rows), total or 0


def get_order(*, session: Session, user, order_id, details: bool = False) -> CalibrationOrder:
    """One order the user sees, or NotFound (other company, not assigned, no such id)."""
    order_id = lookup_id(order_id)
    if not order_id:
        raise NotFound(NOT_FOUND)
    stmt = select(CalibrationOrder).where(CalibrationOrder.id == order_id, visibility_clause(user))
    if details:
        stmt = stmt.options(
            joinedload(CalibrationOrder.instrument),
            joinedload(CalibrationOrder.requested_by),
            joinedload(CalibrationOrder.approved_by),
            selectinload(CalibrationOrder.technicians),
            selectinload(CalibrationOrder.results),
            selectinload(CalibrationOrder.progress).joinedload(CalibrationProgress.author),
            selectinload(CalibrationOrder.evidence).joinedload(CalibrationEvidence.uploaded_by),
            selectinload(CalibrationOrder.logistics).joinedload(LogisticsEvent.created_by),
        )
    order = session.scalars(stmt).first()
    if order is None:
        raise NotFound(NOT_FOUND)
    return order


def get_child(*, session: Session, user, model, child_id, what: str):
    """A result / evidence / logistics row of an order the user sees, or NotFound."""
    child_id = lookup_id(child_id)
    row = session.scalar(select(model).where(model.id == child_id, model.order_id.in_(visible_order_ids(user)))) \
        if child_id else None
    if row is None:
        raise NotFound(f"No existe ese registro de {what} en la empresa activa.")
    return row


def timeline(*, session: Session, order: CalibrationOrder) -> list[AuditEntry]:
    """The order's audit entries (who, what, when, from -> to), oldest first."""
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == order.id)
        .options(joinedload(AuditEntry.user)).order_by(AuditEntry.id)
    ))


def _iso(value):
    return value.isoformat() if value else None


def _num(value):
    return None if value is None else str(value)


def person(user) -> str | None:
    """A person's name in the order's JSON (None for nobody)."""
    return display_name(user) if user is not None else None


def result_to_dict(r) -> dict:
    """A result point; numbers with the decimals they were given, the error computed."""
    numbers = {name: _num(r.shown(name)) for name in ("nominal", "as_found", "as_left", "error", "uncertainty", "k",
                                                      "tolerance")}
    return {"id": r.id, "order_id": r.order_id, "position": r.position, "measurand": r.measurand, **numbers,
            "unit": r.unit, "conforms": r.conforms, "external_provider": r.external_provider}


def evidence_to_dict(e) -> dict:
    return {"id": e.id, "order_id": e.order_id, "filename": e.filename, "content_type": e.content_type,
            "size": e.size, "sha256": e.sha256, "uploaded_by": person(e.uploaded_by), "uploaded_at": _iso(e.uploaded_at),
            "url": f"/api/v1/calibration_evidence/{e.id}/file"}


def progress_to_dict(p) -> dict:
    return {"id": p.id, "order_id": p.order_id, "entry_date": _iso(p.entry_date), "text": p.text, "author": person(p.author)}


def logistics_to_dict(e) -> dict:
    return {"id": e.id, "order_id": e.order_id, "status": e.status, "status_label": e.status_label,
            "carrier": e.carrier, "tracking_number": e.tracking_number, "event_date": _iso(e.event_date),
            "responsible": e.responsible, "created_by": person(e.created_by)}


def reception_to_dict(order: CalibrationOrder) -> dict:
    """Issue 21 item 12: whether the client validated the order's instrument («Recepción»),
    and while not, the sentence saying what the order waits for."""
    instrument = order.instrument
    return {"validated": instrument.validated_at is not None, "validated_at": _iso(instrument.validated_at),
            "message": reception_refusal(order)}


def order_to_dict(order: CalibrationOrder, *, user=None, details: bool = True) -> dict:
    """The order as the API (and the legacy paths) show it; internal notes only to lab staff."""
    data = {
        "id": order.id, "number": order.number, "state": order.state, "state_label": WF.state_label(order.state),
        "version": order.version,
        "instrument": {"id": order.instrument_id, "tag": order.instrument.tag, "description": order.instrument.description},
        "requested_on": _iso(order.requested_on), "received_on": _iso(order.received_on),
        "target_date": _iso(order.target_date), "window_start": _iso(order.window_start), "window_end": _iso(order.window_end),
        "observations": order.observations, "reason": order.reason, "method": order.method,
        "environment": order.environment, "standards": order.standards, "wants_due_date": order.wants_due_date,
        "place": order.place, "place_label": order.place_label, "place_detail": order.place_detail,
        "condition_on_receipt": order.condition_on_receipt, "deviations": order.deviations,
        "certificate_missing": order.certificate_missing,
        "started_on": _iso(order.started_on), "completed_on": _iso(order.completed_on),
        "approved_by": person(order.approved_by), "approved_at": _iso(order.approved_at),
        "technicians": [{"id": t.id, "name": person(t)} for t in order.technicians],
        "reception": reception_to_dict(order),
    }
    if user is not None and sees_internal_notes(user):
        data["notes"] = order.notes
    if details:
        data["results"] = [result_to_dict(r) for r in order.results]
        if any(r.conforms is not None for r in order.results):
            data["decision_rule"] = order.decision_rule  # §7.8.6: stated wherever conformity is
        data["progress"] = [progress_to_dict(p) for p in order.progress]
        data["evidence"] = [evidence_to_dict(e) for e in order.evidence]
        data["logistics"] = [logistics_to_dict(e) for e in order.logistics]
    if user is not None:
        data["actions"] = [t.action for t in WF.available_actions(order, user)]
    return data


INTERNAL_KEYS = frozenset({"notes"})  # what an audit entry's data holds of the lab's internal notes


def without_internal(value):
    """`value` (an audit entry's data) without the internal notes at any depth: CREATE_ORDER
    {"notes"}, SCHEDULE {"notes"}, UPDATE_ORDER {"changes": {"notes": [old, new]}}."""
    if isinstance(value, dict):
        return {k: without_internal(v) for k, v in value.items() if k not in INTERNAL_KEYS}
    if isinstance(value, list):
        return [without_internal(v) for v in value]
    return value


def entry_to_dict(entry: AuditEntry, *, user) -> dict:
    """An entry of the order's history as `user` may read it (sees_internal_notes)."""
    data = entry.data if sees_internal_notes(user) else without_internal(entry.data)
    return {"at": _iso(entry.created_at), "user": person(entry.user), "action": entry.action,
            "action_label": action_label(entry.action), "from_state": entry.from_state,
            "to_state": entry.to_state, "data": data}


def action_label(action: str) -> str:
    """An action's or an event's label (seed/workflows/calibration.yaml `events`)."""
    return WF.action_label(action)
