"""Row rules of packaging OTs (FLT-001..FLT-005): which OTs a user sees, as SQL clauses used
by the list page, the REST list, the detail and every lookup (company isolation is central)."""
from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select, true

from app.core.identity import current_user
from app.core.tenancy import current_company_id
from app.extensions import db
from app.packaging.catalogs import queries as cat
from app.packaging.orders import workflow
from app.packaging.orders.models import Assignment, WorkOrder
from app.packaging.rules import Actor, actor_for

ASSIGNED_ONLY = {"ENV_INGENIERO", "ENV_DISENADOR", "ENV_CATALOGADOR", "ENV_PRECATALOGADOR"}
DESIGN_ROLES = {"ENV_DISENADOR", "ENV_JEFE_DISENO"}
CATALOGUING_ROLES = {"ENV_CATALOGADOR", "ENV_PRECATALOGADOR", "ENV_JEFE_CATALOGACION", "ENV_JEFE_PRECATALOGACION"}
TECHNICIAN = "ENV_TECNICO_MUESTRAS"


def assigned_to(user_id: int):
    """The OT has `user_id` as responsible in some area (an IN over that user's assignments:
    one index range, not a probe per OT)."""
    return WorkOrder.id.in_(select(Assignment.work_order_id).where(Assignment.user_id == user_id))


def unassigned_in(area_id):
    """The OT is in `area_id` and nobody is responsible for it there."""
    return and_(WorkOrder.current_area_id == area_id, ~exists().where(
        Assignment.work_order_id == WorkOrder.id, Assignment.area_id == WorkOrder.current_area_id))


def flt001(actor: Actor):
    """FLT-001: a seller or an external seller sees the OTs they created."""
    return WorkOrder.creator_id == actor.user.id


def flt002(actor: Actor, *, assigned: str | None = None, responsible_id: int | None = None):
    """FLT-002: an engineer, designer or (pre)cataloguer sees the OTs assigned to them; with
    asignado=NO the unassigned OTs of their area; with a responsible, that person's OTs."""
    if (assigned or "").upper() == "NO":
        return unassigned_in(actor.area)
    return assigned_to(responsible_id or actor.user.id)


def flt003(actor: Actor):
    """FLT-003: designers and their chief see OTs in area 3; (pre)cataloguers and their
    chiefs OTs in areas 4 and 5."""
    if actor.role in DESIGN_ROLES:
        return WorkOrder.current_area_id == cat.DESIGN
    if actor.role in CATALOGUING_ROLES:
        return WorkOrder.current_area_id.in_([cat.CATALOGUING, cat.PRECATALOGUING])
    return true()


def flt004(actor: Actor):
    """FLT-004: a sample technician sees the OTs with a sample whose cutting room (seller's,
    designer's, laboratory's, 1 to 4, designer's review) is their own (the samples' clause,
    bound by the manifest: workflow.OrderSamples)."""
    room = actor.profile.cutting_room_id if actor.profile else None
    if room is None:
        return false()
    return workflow.bound_samples().cut_in_room(room)


def default_states(actor: Actor) -> list[str] | None:
    """FLT-005: the states a list shows when no state is chosen (None: all of them)."""
    wanted = cat.data()["flt005"].get(actor.role)
    if wanted == "all":
        return None
    if wanted is None:
        return [str(s) for s in cat.states() if s not in cat.closed_states()]
    return [str(s) for s in wanted]


def visibility_clause(actor: Actor | None, *, assigned: str | None = None, responsible_id: int | None = None,
                      listing: bool = True):
    """FLT-001..FLT-004 together: the OTs `actor` may see (no packaging role: none). Outside a
    list (`listing=False`: one OT's page, its actions) FLT-002 admits every OT its filters
    could list: assigned to someone, or unassigned in the user's area."""
    if actor is None or actor.role is None or actor.user is None:
        return false()
    parts = [flt003(actor)]
    if actor.role in cat.SELLERS:
        parts.append(flt001(actor))
    if actor.role in ASSIGNED_ONLY:
        parts.append(flt002(actor, assigned=assigned, responsible_id=responsible_id) if listing else
                     or_(exists().where(Assignment.work_order_id == WorkOrder.id), unassigned_in(actor.area)))
    if actor.role == TECHNICIAN:
        parts.append(flt004(actor))
    return and_(*parts)


def current_actor() -> Actor:
    """The request's user as a packaging actor in the active company (role, area, profile)."""
    return actor_for(db.session, current_user(), current_company_id())



def visible_orders():
    """The row rule of OT lookups (VisibleRows): visibility_clause of the acting user."""
    return visibility_clause(current_actor(), listing=False)
