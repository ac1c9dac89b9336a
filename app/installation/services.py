"""Installation orders: every rule, in one place (spec installation-orders-matrix.md and
DESIGN "Installation orders (matrix)").

Plain functions with keyword-only arguments; no Flask request objects. They flush and never
commit: the caller commits once per user action. Rule ids (INST-xxx) are named in the
docstrings and in the names of the tests that prove them.

The matrix itself is data (seed/workflows/installation.yaml): the workflow engine derives
the state machine, the available actions (the buttons) and the refusals from it; this
module binds the order model, the row-level ownership, the guards and the effects.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import Select, and_, false, func, or_, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core import audit, sequences
from app.core.audit import AuditEntry
from app.core.db import begin_write
from app.core.errors import ActionNotAllowed, NotFound, ValidationError
from app.core.models import utcnow
from app.core.security import is_admin, role_names
from app.core.tenancy import Membership, TenantViolation, current_company_id
from app.core import validation
from app.core.validation import message as validation_message
from app.core.workflow import get_workflow, validate_payload
from app.installation.models import (
    ENTITY,
    DoctorContact,
    Equipment,
    EquipmentTemplate,
    InstallationOrder,
    OrderLine,
    order_technician,
)

WF = get_workflow("installation")

# Role codes of the matrix whose holders act only on their own orders (INST-010): a DOCTOR
# on orders where they are the doctor, a TECNICO on orders assigned to them. Every other
# role of the matrix is a manager and sees and acts on all orders of the company.
DOCTOR_ROLE = WF.roles["DOCTOR"]["role"]
TECNICO_ROLE = WF.roles["TECNICO"]["role"]
ROW_OWNED_ROLES = {DOCTOR_ROLE, TECNICO_ROLE}
MATRIX_ROLES = {spec["role"] for spec in WF.roles.values()}
MANAGER_ROLES = MATRIX_ROLES - ROW_OWNED_ROLES

# The order's fields are the EDIT_ORDER payload of the matrix; creation needs these too.
ORDER_FIELDS: dict = WF.actions["EDIT_ORDER"]["payload"]
REQUIRED_ON_CREATE = ("doctor", "address", "scheduled_for")
MAX_LENGTH = {"site": 150, "address": 300, "patient_ref": 150, "notes": 4000}
MAX_QUANTITY = 999
BOARD_CARDS_PER_STATE = 20
ORDER_SEQUENCE = "installation_order"  # the core sequence numbering orders (INST-002)


# --- who may do what ------------------------------------------------------------------

def creator_roles() -> set[str]:
    """INST-001: the FAB roles that may create orders, the roles holding the initial
    state (CREATED) in the matrix."""
    return {role for t in WF.transitions_for(WF.initial_state) for role in t.roles}


def can_create(user) -> bool:
    return bool(role_names(user) & creator_roles())


def ensure_can_create(user) -> None:
    """INST-001: refuse (403, naming who may) a user whose roles do not hold CREATED."""
    if can_create(user):
        return
    allowed = ", ".join(WF.role_label(code) for code, spec in WF.roles.items() if spec["role"] in creator_roles())
    raise ActionNotAllowed(
        f"Tu rol no permite crear órdenes de instalación; pueden crearlas: {allowed}"
        + (" (tampoco el administrador: la matriz es la única autoridad)." if is_admin(user) else ".")
    )


def is_manager(user) -> bool:
    """Managers of the matrix (and Admin, who sees and audits everything) see every order."""
    return is_admin(user) or bool(role_names(user) & MANAGER_ROLES)


def owns(order: InstallationOrder, user, roles: set[str]) -> bool:
    """INST-010: row-level ownership for the roles the matrix gives the transition: managers
    act on any order; a DOCTOR only where they are the doctor; a TECNICO only on orders
    assigned to them."""
    if roles & MANAGER_ROLES:
        return True
    if DOCTOR_ROLE in roles and order.doctor_id == user.id:
        return True
    return TECNICO_ROLE in roles and any(t.id == user.id for t in order.technicians)


def visibility_clause(user):
    """INST-011: which orders a user sees, the one rule used by list, board, details and
    API: managers (and Admin) every order of the active company; a doctor the orders where
    they are the doctor; a technician the orders assigned to them. Soft-deleted orders are
    gone from every list (they stay in the audit trail)."""
    alive = InstallationOrder.deleted_at.is_(None)
    if user is None:
        return false()
    if is_manager(user):
        return alive
    roles = role_names(user)
    mine = []
    if DOCTOR_ROLE in roles:
        mine.append(InstallationOrder.doctor_id == user.id)
    if TECNICO_ROLE in roles:
        assigned = select(order_technician.c.order_id).where(order_technician.c.user_id == user.id)
        mine.append(InstallationOrder.id.in_(assigned))
    return and_(alive, or_(*mine)) if mine else false()


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


# --- people and catalog of the company --------------------------------------------------

def company_users(*, session: Session, role: str, company_id: int | None = None) -> list[User]:
    """Active users holding FAB role `role` who are members of the company."""
    company_id = company_id or current_company_id()
    return list(session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == company_id, User.active.is_(True), User.roles.any(Role.name == role))
        .order_by(User.first_name, User.last_name, User.username)
    ))


def _members_with_role(session: Session, *, ids: list[int], role: str, company_id: int) -> dict[int, User]:
    users = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id.in_(ids), Membership.company_id == company_id, User.active.is_(True),
               User.roles.any(Role.name == role))
    )
    return {u.id: u for u in users}


def active_equipment(*, session: Session) -> list[Equipment]:
    """The company's active equipment catalog, by code."""
    return list(session.scalars(select(Equipment).where(Equipment.active.is_(True)).order_by(Equipment.code)))


# --- the order's fields ---------------------------------------------------------------

def _check_doctor(session: Session, *, user, doctor_id: int, company_id: int) -> None:
    """INST-003: the doctor is an active user with the DOCTOR role who belongs to the
    company; a doctor (who is not also a manager) creates and edits only their own orders."""
    if not is_manager(user) and DOCTOR_ROLE in role_names(user) and doctor_id != user.id:
        raise ValidationError("Como doctor solo puedes crear o editar órdenes a tu nombre (campo 'doctor').", field="doctor")
    if not _members_with_role(session, ids=[doctor_id], role=DOCTOR_ROLE, company_id=company_id):
        raise ValidationError(
            f"El campo 'doctor' ({doctor_id}) no es un usuario con rol Doctor de la empresa activa.", field="doctor"
        )


def _parse_lines(session: Session, raw: dict) -> dict[int, int]:
    """INST-004: equipment lines are {equipment id: quantity} over the company's active
    catalog, quantities 1..999."""
    label = ORDER_FIELDS["lines"].get("label", "lines")
    lines: dict[int, int] = {}
    for key, qty in raw.items():
        equipment = validation.record_id(key, "lines", label)
        lines[equipment] = validation.integer(qty, "lines", label, min=1, max=MAX_QUANTITY)
    found = {e.id for e in session.scalars(
        select(Equipment).where(Equipment.id.in_(lines), Equipment.active.is_(True))
    )} if lines else set()
    missing = sorted(set(lines) - found)
    if missing:
        raise ValidationError(
            f"El campo 'lines' nombra el equipo {missing[0]}, que no existe o no está activo en el catálogo de la empresa.",
            field="lines",
        )
    return lines


def _apply_fields(order: InstallationOrder, clean: dict, *, session: Session, user, company_id: int) -> dict:
    """Set the validated order fields on `order`; returns {field: [old, new]} of what changed."""
    changes: dict = {}

    def change(attr, new):
        old = getattr(order, attr)
        if old != new:
            changes[attr] = [old, new]
            setattr(order, attr, new)

    for name, limit in MAX_LENGTH.items():
        if name in clean and len(clean[name]) > limit:
            raise ValidationError(f"El campo '{name}' admite como mucho {limit} caracteres.", field=name)
    if "doctor" in clean:
        if clean["doctor"] != order.doctor_id:
            _check_doctor(session, user=user, doctor_id=clean["doctor"], company_id=company_id)
        change("doctor_id", clean["doctor"])
    if "scheduled_for" in clean and clean["scheduled_for"] != order.scheduled_for:
        _check_not_past(clean["scheduled_for"], "scheduled_for")
    for name in ("site", "address", "patient_ref", "requested_for", "scheduled_for", "notes"):
        if name in clean:
            change(name, clean[name])
    if "lines" in clean:
        wanted = _parse_lines(session, clean["lines"])
        before = {line.equipment_id: line.quantity for line in order.lines}
        if wanted != before:
            for line in list(order.lines):
                if line.equipment_id not in wanted:
                    order.lines.remove(line)
                else:
                    line.quantity = wanted[line.equipment_id]
            for equipment_id, qty in wanted.items():
                if equipment_id not in before:
                    order.lines.append(OrderLine(equipment_id=equipment_id, quantity=qty, company_id=company_id))
            changes["lines"] = [before, wanted]
    return changes


def _check_not_past(value: dt.date, name: str) -> None:
    if value < dt.date.today():
        raise ValidationError(f"El campo '{name}' no puede ser una fecha pasada ({value.isoformat()}).", field=name)


# --- creating -------------------------------------------------------------------------

def next_order_number(*, session: Session, company_id: int) -> int:
    """INST-002: order numbers are sequential per company, without gaps or duplicates even
    under concurrency (core sequence ORDER_SEQUENCE, drawn in the caller's transaction)."""
    return sequences.next_number(session, company_id=company_id, name=ORDER_SEQUENCE, start=1)


def create_order(*, session: Session, user, data: dict) -> InstallationOrder:
    """INST-001: create an order in the matrix's initial state (CREATED). Only the roles
    holding CREATED in the matrix create; `data` takes the EDIT_ORDER fields and needs
    doctor (a doctor creating defaults to themselves), address and scheduled_for.
    Numbered per company (INST-002) and audited as CREATE_ORDER."""
    ensure_can_create(user)
    company_id = current_company_id()
    if not company_id:
        raise TenantViolation("No hay una empresa activa para crear la orden.")
    clean = validate_payload(ORDER_FIELDS, data)
    if "doctor" not in clean and DOCTOR_ROLE in role_names(user) and not is_manager(user):
        clean["doctor"] = user.id
    for name in REQUIRED_ON_CREATE:
        if name not in clean:
            raise ValidationError(validation_message("required", label=ORDER_FIELDS[name]["label"]), field=name)
    begin_write(session)
    order = InstallationOrder(company_id=company_id, state=WF.initial_state, version=1, created_by_id=user.id)
    _apply_fields(order, clean, session=session, user=user, company_id=company_id)
    order.number = next_order_number(session=session, company_id=company_id)
    session.add(order)
    session.flush()
    audit.record(
        session, entity=ENTITY, entity_id=order.id, company_id=company_id, action="CREATE_ORDER",
        to_state=order.state, data={**clean, "number": order.number}, workflow_version=WF.version, user=user,
    )
    session.flush()
    return order


# --- acting -------------------------------------------------------------------------------

def perform_action(
    *, session: Session, user, order_id: int, action: str, payload: dict | None = None,
    expected_version: int | None = None,
) -> InstallationOrder:
    """Perform a matrix action on a visible order (INST-011: others are NotFound); the
    engine checks state, role, ownership (INST-010), guards and version, runs the effect
    and audits it with the matrix version."""
    order = get_order(session=session, user=user, order_id=order_id)
    return WF.perform(order, action, user, session=session, expected_version=expected_version, payload=payload or {})


def timeline(*, session: Session, order: InstallationOrder) -> list[AuditEntry]:
    """INST-020: the order's audit entries (who, what, when, from -> to), oldest first."""
    return list(session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == order.id)
        .options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.id)
    ))


def board(*, session: Session, user, limit: int = BOARD_CARDS_PER_STATE, **filters) -> list[dict]:
    """The board: one column per state of the matrix, in the matrix's order, with the
    number of visible orders and the first `limit` of them (nearest scheduled date first).
    Two queries whatever the number of orders or states (the cards: one UNION ALL of a
    small indexed top-N per state)."""
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
    orders = session.scalars(
        select(InstallationOrder).where(InstallationOrder.id.in_(union_all(*tops)))
        .options(joinedload(InstallationOrder.doctor))
        .order_by(InstallationOrder.scheduled_for, InstallationOrder.number)
    ).all() if tops else []
    columns = {code: {"state": code, "label": s.label, "count": counts.get(code, 0), "orders": []}
               for code, s in WF.states.items()}
    for order in orders:
        columns[order.state]["orders"].append(order)
    return list(columns.values())


# --- guards and effects bound to the matrix -------------------------------------------------

def _guard_has_contact(order, *, user, session, payload):
    """INST-030: CONFIRM_EQUIPMENT needs at least one recorded contact with the doctor."""
    if not order.contacts:
        return (f"Para «{WF.action_label('CONFIRM_EQUIPMENT')}» registra antes al menos un contacto con el "
                f"doctor («{WF.action_label('CONTACT_DOCTOR')}»).")
    return None


def _effect_edit(order, *, user, session, payload, transition):
    """INST-031: EDIT_ORDER saves the edited fields and submits the order
    (CREATED -> PENDING_ACCEPTANCE); a submitted order needs at least one equipment line."""
    changes = _apply_fields(order, payload, session=session, user=user, company_id=order.company_id)
    if not order.lines:
        raise ValidationError(
            "La orden necesita al menos un equipo (campo 'lines') para enviarse a aceptación.", field="lines"
        )
    return {"changes": changes}


def _effect_delete(order, *, user, session, payload, transition):
    """INST-032: DELETE_ORDER (CREATED only) soft-deletes: the order leaves every list and
    stays in the audit trail."""
    order.deleted_at = utcnow()
    return {"deleted": True, "number": order.number}


def _effect_reschedule(order, *, user, session, payload, transition):
    """INST-033: RESCHEDULE_ORDER sets the new scheduled date (not in the past) and sends
    the order back to acceptance."""
    _check_not_past(payload["scheduled_for"], "scheduled_for")
    previous = order.scheduled_for
    order.scheduled_for = payload["scheduled_for"]
    return {"previous_scheduled_for": previous}


def _effect_contact(order, *, user, session, payload, transition):
    """INST-034: CONTACT_DOCTOR records a contact (channel, note) and keeps ACCEPTED."""
    if len(payload["note"]) > MAX_LENGTH["notes"]:
        raise ValidationError(f"El campo 'note' admite como mucho {MAX_LENGTH['notes']} caracteres.", field="note")
    order.contacts.append(DoctorContact(
        company_id=order.company_id, channel=payload["channel"], note=payload["note"], user_id=user.id,
    ))
    return {"contacts": len(order.contacts)}


def _effect_confirm(order, *, user, session, payload, transition):
    """INST-035: CONFIRM_ORDER creates one equipment template per equipment line as the
    order enters EQUIPMENT_TEMPLATES."""
    done = {t.line_id for t in order.templates}
    for line in order.lines:
        if line.id not in done:
            order.templates.append(EquipmentTemplate(
                company_id=order.company_id, line_id=line.id, equipment_id=line.equipment_id, quantity=line.quantity,
            ))
    return {"templates": len(order.templates)}


def _effect_assign(order, *, user, session, payload, transition):
    """INST-036: ASSIGN_TECHNICIANS needs at least one technician, and every one must be an
    active user with the TECNICO role who belongs to the company."""
    ids = list(dict.fromkeys(payload["technicians"]))
    found = _members_with_role(session, ids=ids, role=TECNICO_ROLE, company_id=order.company_id)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            f"El campo 'technicians' incluye el usuario {missing[0]}, que no es un técnico de la empresa activa.",
            field="technicians",
        )
    order.technicians = [found[i] for i in ids]
    return {"technicians": [found[i].username for i in ids]}


WF.bind(
    InstallationOrder,
    state_field="state",
    owns=owns,
    guards={"has_contact": _guard_has_contact},
    effects={
        "EDIT_ORDER": _effect_edit,
        "DELETE_ORDER": _effect_delete,
        "RESCHEDULE_ORDER": _effect_reschedule,
        "CONTACT_DOCTOR": _effect_contact,
        "CONFIRM_ORDER": _effect_confirm,
        "ASSIGN_TECHNICIANS": _effect_assign,
    },
)


# --- serialising (API) ----------------------------------------------------------------

def order_to_dict(order: InstallationOrder, *, user=None) -> dict:
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
        "contacts": [{"channel": c.channel, "note": c.note, "by": _name(c.user),
                      "at": c.created_at.isoformat()} for c in order.contacts],
        "templates": [{"equipment": t.equipment_id, "quantity": t.quantity} for t in order.templates],
        "created_at": order.created_at.isoformat() if order.created_at else None,
    }
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
    return "Crear la orden" if action == "CREATE_ORDER" else WF.action_label(action)


def _name(user) -> str | None:
    if user is None:
        return None
    full = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return full or user.username
