"""The packaging rules a person can name (spec packaging-work-orders.md): the function x role
matrix and the edit rule (`*`), WF-001 (states by area), WF-002 (external design blocks VB
Cliente), WF-003 (waiting states return to Sales), WF-004 (management types by area).
Plain functions over models and a session; no Flask."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.core.errors import ActionNotAllowed
from app.packaging.catalogs import queries as cat
from app.packaging.catalogs.models import PackagingProfile
from app.packaging.models import (
    SAMPLE_IN_PROGRESS,
    SAMPLE_PENDING,
    Management,
    Sample,
    WorkOrder,
)


@dataclass
class Actor:
    """Who acts, as the rules see them: the user, their packaging role and their area in
    the company (the profile's area, else the role's)."""

    user: object
    role: str | None
    area: int | None
    profile: PackagingProfile | None = None

    @property
    def is_admin(self) -> bool:
        return cat.is_admin_role(self.role)

    @property
    def is_super_admin(self) -> bool:
        return self.role == cat.SUPER_ADMIN

    def area_for(self, ot: WorkOrder) -> int | None:
        """The area the user acts from on `ot`: Admin and Super Admin act in the OT's area."""
        return ot.current_area_id if self.is_admin else self.area


def profile_of(session: Session, user, company_id: int) -> PackagingProfile | None:
    return session.scalar(select(PackagingProfile).where(
        PackagingProfile.user_id == user.id, PackagingProfile.company_id == company_id))


def actor_for(session: Session, user, company_id: int | None) -> Actor:
    role = cat.role_of(user)
    profile = profile_of(session, user, company_id) if company_id and user is not None else None
    area = profile.area_id if profile and profile.area_id else cat.role_area(role)
    return Actor(user=user, role=role, area=area, profile=profile)


# --- the function matrix -------------------------------------------------------------------

def role_refusal(actor: Actor, function: str) -> str:
    return f"Tu rol no permite «{cat.function_label(function)}»."


def can(actor: Actor, function: str) -> bool:
    """The matrix's cell is X or * (the * is checked per OT by the rule it names)."""
    return cat.cell(actor.role, function) in (cat.YES, cat.EDIT_RULE)


def require(actor: Actor, function: str) -> None:
    """The function x role matrix: refuse with the function's name when the cell is "-"."""
    if not can(actor, function):
        raise ActionNotAllowed(role_refusal(actor, function))


def edit_refusal(actor: Actor, ot: WorkOrder) -> str | None:
    """The edit rule (the matrix's `*` for Editar OT, DESIGN): the user's area is the OT's
    current area and the OT is not closed; Admin edits in any area; Super Administrator
    also edits closed OTs. None when allowed, else the reason."""
    mark = cat.cell(actor.role, "EDITAR_OT")
    if mark not in (cat.YES, cat.EDIT_RULE):
        return role_refusal(actor, "EDITAR_OT")
    if cat.states()[int(ot.state)]["closed"] and not actor.is_super_admin:
        return f"La OT {ot.number} está cerrada («{cat.state_name(ot.state)}»): solo el Super Administrador la modifica."
    if mark == cat.EDIT_RULE and actor.area != ot.current_area_id:
        return (f"La OT {ot.number} está en «{cat.area_names().get(ot.current_area_id)}»: solo se edita desde "
                "el área en que está.")
    return None


# --- facts about one OT ----------------------------------------------------------------------

def external_design_pending(session: Session, ot: WorkOrder) -> bool:
    """WF-002's condition: a management of type 9 of this OT not yet received."""
    return bool(session.scalar(select(exists().where(
        Management.work_order_id == ot.id, Management.management_type_id == cat.EXTERNAL_SENT,
        Management.external_received.is_(False)))))


def samples_pending(session: Session, ot: WorkOrder) -> bool:
    """WF-004's "hay muestras pendientes": a sample of the OT pending or in progress."""
    return bool(session.scalar(select(exists().where(
        Sample.work_order_id == ot.id, Sample.state.in_([SAMPLE_PENDING, SAMPLE_IN_PROGRESS])))))


def has_samples(session: Session, ot: WorkOrder) -> bool:
    return bool(session.scalar(select(exists().where(Sample.work_order_id == ot.id))))


def went_to_area(session: Session, ot: WorkOrder, area_id: int) -> bool:
    """Whether a state change ever took the OT to `area_id`."""
    return bool(session.scalar(select(exists().where(
        Management.work_order_id == ot.id, Management.management_type_id == cat.STATE_CHANGE,
        Management.area_to_id == area_id))))


# --- WF-004 ----------------------------------------------------------------------------------

def allowed_management_types(session: Session, actor: Actor, ot: WorkOrder) -> list[int]:
    """WF-004: in the OT's current area, Development offers [1, 2, 3, 6] ([1, 2, 3] for an
    OT Especial), Samples with pending samples [1, 2, 3, 8, 9, 11] ([.., 10, ..] while an
    external design is pending), any other area [1, 2, 3, 8]; outside it only [2, 3].
    Roles without "Crear Gestión" get none; a closed OT takes no state change."""
    if not can(actor, "CREAR_GESTION"):
        return []
    lists = cat.data()["wf004"]
    area = actor.area_for(ot)
    if area != ot.current_area_id:
        types = list(lists["other_area"])
    elif area == cat.DEVELOPMENT:
        types = list(lists["development_special" if ot.request_type_id == cat.SPECIAL_REQUEST else "development"])
    elif area == cat.SAMPLES and samples_pending(session, ot):
        types = list(lists["samples_pending_external" if external_design_pending(session, ot) else "samples_pending"])
    else:
        types = list(lists["standard"])
    if cat.states()[int(ot.state)]["closed"]:
        types = [t for t in types if t != cat.STATE_CHANGE]
    return types


# --- WF-001, WF-003, WF-002 ----------------------------------------------------------------------

def wf001_states(session: Session, ot: WorkOrder) -> list[int]:
    """WF-001: the states the OT's current area may send it to. Sales: only the request type's
    first hop (2, or 5 for types 3 and 5) until the OT has been there; an OT Especial
    [2, 10, 11, 15, 8]; else the normal list. Development: an OT Especial [1, 3, 12, 13]
    ([1, 3, 17, 12, 13] when it has samples); else the normal list plus 13 (Entregado) when
    the type is not 1. Design: its list plus 13 when the type is not 1. Cataloguing (4),
    Pre-cataloguing (5), Samples (6): their lists."""
    rules = cat.data()["wf001"]
    area = ot.current_area_id
    spec = rules.get(area)
    if spec is None:
        return []
    rtype = ot.request_type_id
    if area == cat.SALES_AREA:
        first = cat.request_types()[rtype]["first_state"]
        if not went_to_area(session, ot, cat.states()[first]["area"]):
            return [first]
        return list(spec["special"] if rtype == cat.SPECIAL_REQUEST else spec["normal"])
    if area == cat.DEVELOPMENT and rtype == cat.SPECIAL_REQUEST:
        return list(spec["special_with_samples"] if has_samples(session, ot) else spec["special"])
    out = list(spec["normal"])
    if spec.get("delivered") and rtype != cat.FULL_DEVELOPMENT:
        out.append(spec["delivered"])
    return out


def wf003(state: int, options: list[int]) -> list[int]:
    """WF-003: an OT waiting in 10, 14, 15 or 16 does not offer its own state; it offers
    1 (Proceso de Ventas) instead."""
    if state in cat.data()["wf003_waiting"]:
        options = [s for s in options if s != state]
        if cat.SALES_STATE not in options:
            options.append(cat.SALES_STATE)
    return options


@dataclass
class StateOptions:
    states: list[int]
    alerts: list[str]


def allowed_states(session: Session, actor: Actor, ot: WorkOrder) -> StateOptions:
    """The states a type-1 management may pick now: WF-004 must offer type 1, then WF-001's
    list for the OT's area, WF-003's return to Sales, minus the current state, minus 16 while
    WF-002 blocks it (with its alert)."""
    alerts: list[str] = []
    pending = external_design_pending(session, ot)
    if pending:
        alerts.append(cat.EXTERNAL_PENDING_ALERT)
    if cat.STATE_CHANGE not in allowed_management_types(session, actor, ot):
        return StateOptions([], alerts)
    state = int(ot.state)
    options = wf003(state, wf001_states(session, ot))
    options = [s for s in options if s != state and s in cat.states()]
    if pending:
        options = [s for s in options if s != cat.VB_CLIENT]
    return StateOptions(list(dict.fromkeys(options)), alerts)
