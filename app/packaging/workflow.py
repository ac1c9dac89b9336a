"""Binding of seed/workflows/packaging.yaml (the OT's states, one CAMBIO_<id> action per
target state) to the OT: the guards are the rules WF-004 (a state change is offered to this
user on this OT), WF-001 with WF-003 (the target is among the area's states now) and WF-002
(no pending external design on the way to 16); the effect moves the OT to the target
state's default area, records the management entry of type 1 and moves the OT's samples
on 18/22 (samples.follow_ot_state)."""
from __future__ import annotations

from app.core.audit import actor_name
from app.core.workflow import get_workflow
from app.packaging import rules
from app.packaging.catalogs import queries as cat
from app.packaging.models import Management, WorkOrder
from app.packaging.samples import follow_ot_state

WF = get_workflow("packaging")


def action_for(state_id: int) -> str:
    return f"CAMBIO_{int(state_id)}"


def _actor(ot, user, session):
    return rules.actor_for(session, user, ot.company_id)


def wf004(ot, *, user, session, **_):
    """WF-004: the user may record a state change (type 1) on this OT."""
    actor = _actor(ot, user, session)
    if cat.STATE_CHANGE not in rules.allowed_management_types(session, actor, ot):
        if not rules.can(actor, "CREAR_GESTION"):
            return rules.role_refusal(actor, "CREAR_GESTION")
        return (f"Solo el área en que está la OT ({cat.area_names().get(ot.current_area_id)}) puede cambiar "
                "su estado; desde otra área se admiten consultas y archivos.")
    return None


def _wf001(target: int):
    def guard(ot, *, user, session, **_):
        """WF-001 and WF-003: `target` is among the states the OT's area offers now."""
        if target == cat.VB_CLIENT and rules.external_design_pending(session, ot):
            return None  # WF-002 gives the reason
        if target == int(ot.state):
            return f"La OT ya está en «{cat.state_name(target)}»."
        options = rules.wf003(int(ot.state), rules.wf001_states(session, ot))
        if target not in options:
            area = cat.area_names().get(ot.current_area_id, "")
            shown = ", ".join(cat.state_name(s) for s in options if s != int(ot.state)) or "ninguno"
            return (f"Desde «{area}» la OT no puede pasar a «{cat.state_name(target)}» "
                    f"(estados permitidos: {shown}).")
        return None

    return guard


def wf002(ot, *, session, **_):
    """WF-002: no Visto bueno cliente while an external design is pending."""
    return cat.EXTERNAL_PENDING_ALERT if rules.external_design_pending(session, ot) else None


def change_effect(ot: WorkOrder, *, user, session, payload, transition, **_):
    """A state change moves the OT to the state's default area (states without one keep the
    current area) and is recorded as a management entry of type 1."""
    target = int(transition.target)
    area_from = ot.current_area_id
    area_to = cat.states()[target]["area"] or area_from
    ot.current_area_id = area_to
    session.add(Management(
        company_id=ot.company_id, work_order_id=ot.id, management_type_id=cat.STATE_CHANGE, user_id=user.id,
        user_name=actor_name(user), note=payload.get("note"), state_from=transition.source,
        state_to=transition.target, area_from_id=area_from, area_to_id=area_to,
    ))
    samples = follow_ot_state(session, ot, target)  # 18, 22: the OT's samples follow
    return {"area_from": area_from, "area_to": area_to, **(samples or {})}


def bind() -> None:
    """The module's manifest binds the engine to its model, guards and effects."""
    WF.bind(
        WorkOrder,
        guards={"wf004": wf004, "wf002": wf002, **{f"wf001_{sid}": _wf001(sid) for sid in cat.states()}},
        effects={action_for(sid): change_effect for sid in cat.states()},
    )
