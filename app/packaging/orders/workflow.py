"""The OT's workflow (spec packaging-work-orders.md): the rules WF-001 (states by area),
WF-002 (external design blocks VB Cliente), WF-003 (waiting states return to Sales) and
WF-004 (management types by area), and the binding of seed/workflows/packaging.yaml (the OT's
states, one CAMBIO_<id> action per target state) to the OT: the guards are WF-004 (a state
change is offered to this user on this OT), WF-001 with WF-003 (the target is among the
area's states now) and WF-002 (no pending external design on the way to 16); the effect
moves the OT to the target state's default area (leaving Samples: back to the area that sent
it on 18/22, issue 21 · 1), records the management entry of type 1 and lets the OT's samples
follow it on 18/22 (and on any other way out of Samples, as 18).

What the OT asks of its samples (WF-004, WF-001, FLT-004, management types 6 and 8, states
18/22) the samples aggregate answers through OrderSamples, which the module's manifest binds
here: samples depend on orders, never the other way."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.core.audit import actor_name
from app.core.models import utcnow
from app.core.workflow import get_workflow
from app.packaging import rules
from app.packaging.catalogs import queries as cat
from app.packaging.orders.models import Management, WorkOrder

WF = get_workflow("packaging")


@dataclass(frozen=True)
class OrderSamples:
    """The OT's samples as the samples aggregate answers for them (bound by the manifest)."""

    pending: Callable[[Session, WorkOrder], bool]  # WF-004: a sample pending or in progress
    exist: Callable[[Session, WorkOrder], bool]  # WF-001: the OT has samples
    cut_in_room: Callable[[int], object]  # FLT-004: a clause, the OT has a sample cut in that room
    management: Callable[..., Management]  # management types 6 and 8, keyword arguments of services
    follow_state: Callable[[Session, WorkOrder, int], dict | None]  # the OT's states 18 and 22


_samples: OrderSamples | None = None


def bound_samples() -> OrderSamples:
    if _samples is None:
        raise RuntimeError("The OT's samples are not bound: app/packaging/__init__.py binds them (workflows).")
    return _samples


APPROVE = "APROBAR_OT"
CHANGE_PREFIX = "CAMBIO_"


def action_for(state_id: int) -> str:
    return f"{CHANGE_PREFIX}{int(state_id)}"


def target_of(action: str) -> int | None:
    """The target state of a CAMBIO_<id> action of a state the OT has, else None."""
    suffix = action.removeprefix(CHANGE_PREFIX) if action.startswith(CHANGE_PREFIX) else ""
    return int(suffix) if suffix.isdigit() and int(suffix) in cat.states() else None


# --- facts about one OT ----------------------------------------------------------------------

def external_design_pending(session: Session, ot: WorkOrder) -> bool:
    """WF-002's condition: a management of type 9 of this OT not yet received."""
    return bool(session.scalar(select(exists().where(
        Management.work_order_id == ot.id, Management.management_type_id == cat.EXTERNAL_SENT,
        Management.external_received.is_(False)))))


def went_to_area(session: Session, ot: WorkOrder, area_id: int) -> bool:
    """Whether a state change ever took the OT to `area_id`."""
    return bool(session.scalar(select(exists().where(
        Management.work_order_id == ot.id, Management.management_type_id == cat.STATE_CHANGE,
        Management.area_to_id == area_id))))


# --- WF-004 ----------------------------------------------------------------------------------

def allowed_management_types(session: Session, actor: rules.Actor, ot: WorkOrder) -> list[int]:
    """WF-004: in the OT's current area, Development offers [1, 2, 3, 6] ([1, 2, 3] for an
    OT Especial), Samples with pending samples [1, 2, 3, 8, 9, 11] ([.., 10, ..] while an
    external design is pending), any other area [1, 2, 3, 8]; outside it only [2, 3].
    Roles without "Crear Gestión" get none; a closed OT takes no state change."""
    if not rules.can(actor, "CREAR_GESTION"):
        return []
    lists = cat.data()["wf004"]
    area = actor.area_for(ot)
    if area != ot.current_area_id:
        types = list(lists["other_area"])
    elif area == cat.DEVELOPMENT:
        types = list(lists["development_special" if ot.request_type_id == cat.SPECIAL_REQUEST else "development"])
    elif area == cat.SAMPLES and bound_samples().pending(session, ot):
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
    Pre-cataloguing (5), Samples (6): their lists. The lists carry the diagram's arrows the
    spec's lists lack (2 -> 4, 5 -> 6, 17 -> 5: issue 21 · 1, seed/catalogs/packaging.yaml)."""
    by_area = cat.data()["wf001"]
    area = ot.current_area_id
    spec = by_area.get(area)
    if spec is None:
        return []
    rtype = ot.request_type_id
    if area == cat.SALES_AREA:
        first = cat.request_types()[rtype]["first_state"]
        if not went_to_area(session, ot, cat.states()[first]["area"]):
            return [first]
        return list(spec["special"] if rtype == cat.SPECIAL_REQUEST else spec["normal"])
    if area == cat.DEVELOPMENT and rtype == cat.SPECIAL_REQUEST:
        return list(spec["special_with_samples"] if bound_samples().exist(session, ot) else spec["special"])
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


def allowed_states(session: Session, actor: rules.Actor, ot: WorkOrder) -> StateOptions:
    """The states a type-1 management may pick now: WF-004 must offer type 1, then WF-001's
    list for the OT's area, WF-003's return to Sales, minus the current state, minus 16 while
    WF-002 blocks it (with its alert), minus the ways out of Sales while the OT waits for
    «Aprobar OT» (with its alert, issue 21 · 2)."""
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
    if ot.current_area_id == cat.SALES_AREA and approval_refusal(session, ot) is None:  # issue 21 · 2
        gated = [s for s in options if area_after(session, ot, s)[0] != cat.SALES_AREA]
        if gated:
            alerts.append(approval_gate(session, ot, gated[0]))
            options = [s for s in options if s not in gated]
    return StateOptions(list(dict.fromkeys(options)), alerts)


# --- Aprobar OT (issue 21 · 2) -------------------------------------------------------------------

def left_sales(session: Session, ot: WorkOrder) -> bool:
    """Whether a state change ever took the OT out of the Sales area."""
    return bool(session.scalar(select(exists().where(
        Management.work_order_id == ot.id, Management.management_type_id == cat.STATE_CHANGE,
        Management.area_from_id == cat.SALES_AREA, Management.area_to_id != cat.SALES_AREA))))


def approval_refusal(session: Session, ot: WorkOrder) -> str | None:
    """Why the OT takes no «Aprobar OT» now (None: it waits for it): approved already, or it has
    left Sales without (it was on its way before approval existed)."""
    if ot.approved_at is not None:
        return f"La OT {ot.number} ya está aprobada (por {ot.approved_by_name or 'el sistema'})."
    if left_sales(session, ot):
        return f"La OT {ot.number} ya salió de Ventas: no espera aprobación."
    return None


def approval_gate(session: Session, ot: WorkOrder, target: int) -> str | None:
    """Issue 21 · 2: an OT that waits for «Aprobar OT» (approval_refusal is None) does not
    leave the Sales area; the reason, or None when the change to `target` may go."""
    if ot.current_area_id != cat.SALES_AREA or area_after(session, ot, target)[0] == cat.SALES_AREA:
        return None
    if approval_refusal(session, ot) is not None:
        return None
    return (f"La OT {ot.number} espera la aprobación de la jefatura de ventas («Aprobar OT») antes de salir de "
            f"«{cat.labels(session).area(cat.SALES_AREA)}».")


def may_approve(session: Session, actor: rules.Actor, ot: WorkOrder) -> bool:
    return rules.can(actor, "APROBAR_OT") and ot.state in {t.source for t in WF.transitions_for_action(APPROVE)} \
        and approval_refusal(session, ot) is None


def offered_actions(session: Session, actor: rules.Actor, ot: WorkOrder) -> list[str]:
    """The workflow actions listed to `actor` on the OT (the shared GET .../actions, issue 29
    item 5): APROBAR_OT when the actor may approve it (issue 21 · 2), and a CAMBIO_<id> for each
    state a type 1 entry may pick now (allowed_states)."""
    changes = [action_for(s) for s in allowed_states(session, actor, ot).states]
    return ([APPROVE] if may_approve(session, actor, ot) else []) + changes


# --- the binding ---------------------------------------------------------------------------------

def same_state(names: cat.Labels, state: int) -> str:
    return f"La OT ya está en «{names.state(state)}»."


def _actor(ot, user, session):
    return rules.actor_for(session, user, ot.company_id)


def wf004(ot, *, user, session, **_):
    """WF-004: the user may record a state change (type 1) on this OT."""
    actor = _actor(ot, user, session)
    if cat.STATE_CHANGE not in allowed_management_types(session, actor, ot):
        if not rules.can(actor, "CREAR_GESTION"):
            return rules.role_refusal(actor, "CREAR_GESTION")
        return (f"Solo el área en que está la OT ({cat.labels(session).area(ot.current_area_id)}) puede "
                "cambiar su estado; desde otra área se admiten consultas y archivos.")
    return None


def _wf001(target: int):
    def guard(ot, *, user, session, **_):
        """WF-001 and WF-003: `target` is among the states the OT's area offers now; an OT
        waiting for «Aprobar OT» stays in Sales (issue 21 · 2)."""
        if target == cat.VB_CLIENT and external_design_pending(session, ot):
            return None  # WF-002 gives the reason
        names = cat.labels(session)
        if target == int(ot.state):
            return same_state(names, target)
        options = wf003(int(ot.state), wf001_states(session, ot))
        if target not in options:
            shown = ", ".join(names.state(s) for s in options if s != int(ot.state)) or "ninguno"
            return (f"Desde «{names.area(ot.current_area_id)}» la OT no puede pasar a «{names.state(target)}» "
                    f"(estados permitidos: {shown}).")
        return approval_gate(session, ot, target)

    return guard


def wf002(ot, *, session, **_):
    """WF-002: no Visto bueno cliente while an external design is pending."""
    return cat.EXTERNAL_PENDING_ALERT if external_design_pending(session, ot) else None


def sending_area(session: Session, ot: WorkOrder, default: int) -> int:
    """The area whose state change last took the OT into the Samples area (issue 21 · 1)."""
    sender = session.scalar(select(Management.area_from_id).where(
        Management.work_order_id == ot.id, Management.management_type_id == cat.STATE_CHANGE,
        Management.area_to_id == cat.SAMPLES, Management.area_from_id != cat.SAMPLES)
        .order_by(Management.id.desc()).limit(1))
    return sender or default


def area_after(session: Session, ot: WorkOrder, target: int) -> tuple[int, int]:
    """(area, the OT state its samples follow) after a change to `target`: the state's default
    area (none: the current one); from the Samples area, 18 and 22 return the OT to the area
    that sent it, and any other way out of Samples ends its open samples as 18 does (issue 21 · 1)."""
    back, area_from = cat.data()["samples_return"], ot.current_area_id
    if area_from == cat.SAMPLES and target in back["states"]:
        return sending_area(session, ot, back["default"]), target
    area_to = cat.states()[target]["area"] or area_from
    if area_from == cat.SAMPLES and area_to != cat.SAMPLES:
        return area_to, back["ends_samples"]
    return area_to, target


def change_effect(ot: WorkOrder, *, user, session, payload, transition, **_):
    """A state change moves the OT to the state's default area (states without one keep the
    current area; leaving Samples: area_after) and is recorded as a management entry of type 1."""
    target = int(transition.target)
    area_from = ot.current_area_id
    area_to, samples_follow = area_after(session, ot, target)
    ot.current_area_id = area_to
    session.add(Management(
        company_id=ot.company_id, work_order_id=ot.id, management_type_id=cat.STATE_CHANGE, user_id=user.id,
        user_name=actor_name(user), note=payload.get("note"), state_from=transition.source,
        state_to=transition.target, area_from_id=area_from, area_to_id=area_to,
    ))
    samples = bound_samples().follow_state(session, ot, samples_follow)  # 18, 22: the OT's samples follow
    return {"area_from": area_from, "area_to": area_to, **(samples or {})}


def approval(ot, *, session, **_):
    """«Aprobar OT»: only an OT that waits for it (issue 21 · 2)."""
    return approval_refusal(session, ot)


def approve_effect(ot: WorkOrder, *, user, session, **_):
    """«Aprobar OT»: who approved it and when, and a «Log de Cambios» entry in its history."""
    ot.approved_by_id, ot.approved_by_name, ot.approved_at = user.id, actor_name(user), utcnow()
    Management.record(session, ot, user, cat.LOG, note="OT aprobada.")
    return {"approved_by": ot.approved_by_name}


def bind(samples: OrderSamples) -> None:
    """The module's manifest binds the engine to its model, guards and effects, and the OT to
    its samples."""
    global _samples
    _samples = samples
    WF.bind(
        WorkOrder,
        guards={"wf004": wf004, "wf002": wf002, "approval": approval,
                **{f"wf001_{sid}": _wf001(sid) for sid in cat.states()}},
        effects={**{action_for(sid): change_effect for sid in cat.states()}, APPROVE: approve_effect},
    )
