"""Installation's binding to the workflow engine (spec installation-orders-matrix.md, the
module contract of issue 7): the matrix (seed/workflows/installation.yaml), its roles, the
row-level ownership (INST-010), the order's fields (the EDIT_ORDER payload), the guards and
the effects. Guards and effects get `today` from the engine (read where the request starts)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import validation
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.identity import is_admin, role_names
from app.core.models import utcnow
from app.core.tenancy import Membership
from app.core.workflow import get_workflow
from app.installation.equipment.models import Equipment
from app.installation.orders.models import (
    DoctorContact,
    EquipmentTemplate,
    InstallationOrder,
    OrderLine,
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
# CONTACT_DOCTOR's channel: stable ASCII code -> Spanish label (issue 9, item 19)
CHANNEL_LABELS: dict = WF.actions["CONTACT_DOCTOR"]["payload"]["channel"]["choices"]


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


def own_doctor_id(user) -> int | None:
    """INST-003: a doctor who is not also a manager creates orders in their own name: their
    id is the order's doctor when none is given (and the new-order form starts with it)."""
    return user.id if DOCTOR_ROLE in role_names(user) and not is_manager(user) else None


HISTORY_ACTION = "VIEW_ORDER_HISTORY"


def reads_history(order: InstallationOrder, user) -> bool:
    """Issue 9 #10: the full timeline is for who holds VIEW_ORDER_HISTORY in the order's state
    (the matrix: the account and operations managers in ORDER_CLOSED); others see the order's
    own data, contacts, technicians and current reasons. Admin reads the audit."""
    return any(t.action == HISTORY_ACTION for t in WF.available_actions(order, user))


def ensure_reads_history(order: InstallationOrder, user) -> None:
    """403 naming who may, for the /history endpoint (the engine's refusal sentence)."""
    WF.refusal(order, HISTORY_ACTION, user)


def owns(order: InstallationOrder, user, roles: set[str]) -> bool:
    """INST-010: row-level ownership for the roles the matrix gives the transition: managers
    act on any order; a DOCTOR only where they are the doctor; a TECNICO only on orders
    assigned to them."""
    if roles & MANAGER_ROLES:
        return True
    if DOCTOR_ROLE in roles and order.doctor_id == user.id:
        return True
    return TECNICO_ROLE in roles and any(t.id == user.id for t in order.technicians)


def members_with_role(session: Session, *, ids: list[int], role: str, company_id: int) -> dict[int, User]:
    users = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id.in_(ids), Membership.company_id == company_id, User.active.is_(True),
               User.roles.any(Role.name == role))
    )
    return {u.id: u for u in users}


# --- the order's fields ---------------------------------------------------------------

def check_doctor(session: Session, *, user, doctor_id: int, company_id: int) -> None:
    """INST-003: the doctor is an active user with the DOCTOR role who belongs to the
    company; a doctor (who is not also a manager) creates and edits only their own orders."""
    if not is_manager(user) and DOCTOR_ROLE in role_names(user) and doctor_id != user.id:
        raise ValidationError("Como doctor solo puedes crear o editar órdenes a tu nombre (campo 'doctor').", field="doctor")
    if not members_with_role(session, ids=[doctor_id], role=DOCTOR_ROLE, company_id=company_id):
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


def apply_fields(order: InstallationOrder, clean: dict, *, session: Session, user, company_id: int, today: dt.date) -> dict:
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
            check_doctor(session, user=user, doctor_id=clean["doctor"], company_id=company_id)
        change("doctor_id", clean["doctor"])
    if "scheduled_for" in clean and clean["scheduled_for"] != order.scheduled_for:
        check_not_past(clean["scheduled_for"], "scheduled_for", today=today)
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


def check_not_past(value: dt.date, name: str, *, today: dt.date) -> None:
    """INST-033: a scheduled date is today or later."""
    if value < today:
        raise ValidationError(f"El campo '{name}' no puede ser una fecha pasada ({value.isoformat()}).", field=name)


# --- guards and effects bound to the matrix -------------------------------------------------

def _guard_has_contact(order, *, user, session, payload, today):
    """INST-030: CONFIRM_EQUIPMENT needs at least one recorded contact with the doctor."""
    if not order.contacts:
        return (f"Para «{WF.action_label('CONFIRM_EQUIPMENT')}» registra antes al menos un contacto con el "
                f"doctor («{WF.action_label('CONTACT_DOCTOR')}»).")
    return None


def _effect_edit(order, *, user, session, payload, transition, today):
    """INST-031: EDIT_ORDER saves the edited fields and submits the order
    (CREATED -> PENDING_ACCEPTANCE); a submitted order needs at least one equipment line."""
    changes = apply_fields(order, payload, session=session, user=user, company_id=order.company_id, today=today)
    if not order.lines:
        raise ValidationError(
            "La orden necesita al menos un equipo (campo 'lines') para enviarse a aceptación.", field="lines"
        )
    return {"changes": changes}


def _effect_delete(order, *, user, session, payload, transition, today):
    """INST-032: DELETE_ORDER (CREATED only) soft-deletes: the order leaves every list and
    stays in the audit trail."""
    order.deleted_at = utcnow()
    return {"deleted": True, "number": order.number}


def _effect_reschedule(order, *, user, session, payload, transition, today):
    """INST-033: RESCHEDULE_ORDER sets the new scheduled date (not in the past) and sends
    the order back to acceptance."""
    check_not_past(payload["scheduled_for"], "scheduled_for", today=today)
    previous = order.scheduled_for
    order.scheduled_for = payload["scheduled_for"]
    return {"previous_scheduled_for": previous}


def _effect_contact(order, *, user, session, payload, transition, today):
    """INST-034: CONTACT_DOCTOR records a contact (channel, note) and keeps ACCEPTED."""
    if len(payload["note"]) > MAX_LENGTH["notes"]:
        raise ValidationError(f"El campo 'note' admite como mucho {MAX_LENGTH['notes']} caracteres.", field="note")
    order.contacts.append(DoctorContact(
        company_id=order.company_id, channel=payload["channel"], note=payload["note"], user_id=user.id,
    ))
    return {"contacts": len(order.contacts)}


def _effect_confirm(order, *, user, session, payload, transition, today):
    """INST-035: CONFIRM_ORDER creates one equipment template per equipment line as the
    order enters EQUIPMENT_TEMPLATES."""
    done = {t.line_id for t in order.templates}
    for line in order.lines:
        if line.id not in done:
            order.templates.append(EquipmentTemplate(
                company_id=order.company_id, line_id=line.id, equipment_id=line.equipment_id, quantity=line.quantity,
            ))
    return {"templates": len(order.templates)}


def _effect_assign(order, *, user, session, payload, transition, today):
    """INST-036: ASSIGN_TECHNICIANS needs at least one technician, and every one must be an
    active user with the TECNICO role who belongs to the company."""
    ids = list(dict.fromkeys(payload["technicians"]))
    found = members_with_role(session, ids=ids, role=TECNICO_ROLE, company_id=order.company_id)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            f"El campo 'technicians' incluye el usuario {missing[0]}, que no es un técnico de la empresa activa.",
            field="technicians",
        )
    order.technicians = [found[i] for i in ids]
    return {"technicians": [found[i].username for i in ids]}


def bind() -> None:
    """The module's manifest binds the engine to the orders, their rules and effects."""
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
