"""Row rules of installation orders (INST-011): which orders a user sees, as one SQL
clause (lists, board, details, API) and as FAB's base filter."""
from __future__ import annotations

from sqlalchemy import and_, false, or_, select

from app.core.identity import current_user, role_names
from app.installation.orders.models import InstallationOrder, order_technician
from app.installation.orders.workflow import DOCTOR_ROLE, TECNICO_ROLE, is_manager


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



def visible_orders():
    """The row rule of the orders' lists and lookups (VisibleRows): INST-011 for the request's user."""
    return visibility_clause(current_user())
