"""Read models of installation orders for pages, lists, the board and the API: what a user
sees (filters.visibility_clause, INST-011), the order with its details, the board, the
timeline, the people of the company, and the order as the API shows it."""
from __future__ import annotations

import datetime as dt
import functools

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import Select, func, or_, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.audit import AuditEntry
from app.core.errors import NotFound
from app.core.tenancy import Membership
from app.installation.orders.filters import visibility_clause
from app.installation.orders.models import (
    ENTITY,
    DoctorContact,
    InstallationOrder,
    order_technician,
)
from app.installation.orders.workflow import CHANNEL_LABELS, WF

BOARD_CARDS_PER_STATE = 20


def visible_orders(
    *, user, state: str | None = None, doctor_id: int | None = None, technician_id: int | None = None,
    date_from: dt.date | None = None, date_to: dt.date | None = None,
) -> Select:
    """The orders `user` sees (INST-011), filtered by state, doctor, technician and
    scheduled date range; newest number first."""
    stmt = select(InstallationOrder).where(visibility_clause(user))
    if state:
        stmt = stmt.where(InstallationOrder.state == state)
    if doctor_id:
        stmt = stmt.where(InstallationOrder.doctor_id == doctor_id)
    if technician_id:
        stmt = stmt.where(InstallationOrder.id.in_(
            select(order_technician.c.order_id).where(order_technician.c.user_id == technician_id)
        ))
    if date_from:
        stmt = stmt.where(InstallationOrder.scheduled_for >= date_from)
    if date_to:
        stmt = stmt.where(InstallationOrder.scheduled_for <= date_to)
    return stmt.order_by(InstallationOrder.number.desc())


def get_order(*, session: Session, user, order_id: int, details: bool = False) -> InstallationOrder:
    """One order the user sees (INST-011), or NotFound (other company, not theirs, deleted).
    With details=True its doctor, lines, contacts, templates and technicians are loaded
    up front, in a constant number of queries."""
    stmt = select(InstallationOrder).where(InstallationOrder.id == order_id, visibility_clause(user))
    if details:
        stmt = stmt.options(
            joinedload(InstallationOrder.doctor),
            joinedload(InstallationOrder.created_by),
            selectinload(InstallationOrder.lines),
            selectinload(InstallationOrder.contacts).joinedload(DoctorContact.user),
            selectinload(InstallationOrder.templates),
            selectinload(InstallationOrder.technicians),
        )
    order = session.scalars(stmt).first()
    if order is None:
        raise NotFound("No existe esa orden de instalación o no tienes acceso a ella en la empresa activa.")
    return order


def _holding(stmt, *, role: str, company_id: int):
    """`stmt` over users narrowed to the company's active members holding FAB role `role`."""
    return stmt.join(Membership, Membership.user_id == User.id).where(
        Membership.company_id == company_id, User.active.is_(True), User.roles.any(Role.name == role))


def company_users(*, session: Session, role: str, company_id: int) -> list[User]:
    """Active users holding FAB role `role` who are members of the company."""
    stmt = _holding(select(User), role=role, company_id=company_id)
    return list(session.scalars(stmt.order_by(User.first_name, User.last_name, User.username)))


def company_user_ids(*, session: Session, role: str, company_id: int) -> list[int]:
    """The ids of company_users(...)."""
    return list(session.scalars(_holding(select(User.id), role=role, company_id=company_id)))


def timeline(*, session: Session, order: InstallationOrder) -> list[AuditEntry]:
    """INST-020: the order's audit entries (who, what, when, from -> to), oldest first."""
    return list(session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == order.id)
        .options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.id)
    ))


@functools.cache
def _states_reached_with_a_reason() -> frozenset[str]:
    return frozenset(t.target for t in WF.transitions if t.target and any("reason" in n for n in t.payload))


def current_reasons(*, session: Session, order: InstallationOrder) -> list[tuple[str, str]]:
    """Issue 9 #9/#10: the reasons given by the change that brought the order to its current
    state (rejection, rescheduling refused, reopening), as (field label, text), for everyone
    who sees the order, with or without the full timeline."""
    if order.state not in _states_reached_with_a_reason():
        return []  # no audit read for the states no reasoned change leads to (issue 13)
    entry = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == order.id, AuditEntry.to_state == order.state,
               or_(AuditEntry.from_state.is_(None), AuditEntry.from_state != AuditEntry.to_state))
        .order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    if entry is None or not entry.data or entry.action not in WF.actions:
        return []
    specs = WF.actions[entry.action].get("payload") or {}
    return [(spec.get("label", name), str(entry.data[name])) for name, spec in specs.items()
            if "reason" in name and entry.data.get(name)]


# What a board card shows (and the company it belongs to)
CARD_COLUMNS = (
    InstallationOrder.id, InstallationOrder.number, InstallationOrder.state, InstallationOrder.scheduled_for,
    InstallationOrder.site, InstallationOrder.company_id,
    User.first_name.label("doctor_first_name"), User.last_name.label("doctor_last_name"),
)


def board(*, session: Session, user, limit: int = BOARD_CARDS_PER_STATE, **filters) -> list[dict]:
    """The board: one column per state of the matrix, in the matrix's order, with the
    number of visible orders and the first `limit` of them (nearest scheduled date first).
    Two queries whatever the number of orders or states (the cards: one UNION ALL of a
    small indexed top-N per state); a card is a row of CARD_COLUMNS, not the order and its
    doctor's whole user row (issue 13)."""
    base = visible_orders(user=user, **filters).order_by(None)
    counts = dict(session.execute(
        base.with_only_columns(InstallationOrder.state, func.count()).group_by(InstallationOrder.state)
    ).all())
    tops = [
        select(top.c.id) for top in (
            base.with_only_columns(InstallationOrder.id).where(InstallationOrder.state == code)
            .order_by(InstallationOrder.scheduled_for, InstallationOrder.number).limit(limit).subquery()
            for code in WF.states if counts.get(code)
        )
    ]
    orders = session.execute(
        select(*CARD_COLUMNS).join(User, User.id == InstallationOrder.doctor_id)
        .where(InstallationOrder.id.in_(union_all(*tops)))
        .order_by(InstallationOrder.scheduled_for, InstallationOrder.number)
    ).all() if tops else []
    columns = {code: {"state": code, "label": s.label, "count": counts.get(code, 0), "orders": []}
               for code, s in WF.states.items()}
    for order in orders:
        columns[order.state]["orders"].append(order)
    return list(columns.values())


def order_to_dict(order: InstallationOrder, *, user=None, reasons=None) -> dict:
    """The order as the API shows it (with the actions the user may perform when given)."""
    data = {
        "id": order.id,
        "number": order.number,
        "state": order.state,
        "state_label": WF.state_label(order.state),
        "version": order.version,
        "doctor": {"id": order.doctor_id, "name": _name(order.doctor)},
        "site": order.site,
        "address": order.address,
        "patient_ref": order.patient_ref,
        "requested_for": order.requested_for.isoformat() if order.requested_for else None,
        "scheduled_for": order.scheduled_for.isoformat() if order.scheduled_for else None,
        "notes": order.notes,
        "lines": [{"equipment": line.equipment_id, "code": line.equipment.code, "name": line.equipment.name,
                   "quantity": line.quantity} for line in order.lines],
        "technicians": [{"id": t.id, "name": _name(t)} for t in order.technicians],
        "contacts": [{"channel": c.channel, "channel_label": CHANNEL_LABELS.get(c.channel, c.channel), "note": c.note, "by": _name(c.user),
                      "at": c.created_at.isoformat()} for c in order.contacts],
        "templates": [{"equipment": t.equipment_id, "quantity": t.quantity} for t in order.templates],
        "created_at": order.created_at.isoformat() if order.created_at else None,
    }
    if reasons is not None:
        data["reasons"] = [{"label": label, "text": text} for label, text in reasons]
    if user is not None:
        data["actions"] = [t.action for t in WF.available_actions(order, user)]
    return data


def entry_to_dict(entry: AuditEntry) -> dict:
    return {
        "at": entry.created_at.isoformat(),
        "user": _name(entry.user),
        "action": entry.action,
        "action_label": action_label(entry.action),
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "data": entry.data,
        "workflow_version": entry.workflow_version,
    }


def action_label(action: str) -> str:
    """An action's or an event's label (seed/workflows/installation.yaml `events`)."""
    return WF.action_label(action)


def _name(user) -> str | None:
    if user is None:
        return None
    full = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return full or user.username
