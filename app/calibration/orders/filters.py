"""Row rules of calibration orders (issue 10): which orders a user sees, as one SQL clause
(management list, order page, REST API, legacy paths) and as FAB's base filter."""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, select, true

from app.calibration.orders.models import CalibrationOrder, order_technician
from app.calibration.orders.workflow import CLIENTE_ROLE, TECNICO_ROLE, is_manager
from app.core.identity import current_user, role_names


def visibility_clause(user):
    """Managers, supervisors, clients (the company is the lab's client) and Admin see every
    order of the active company; a technician only the orders assigned to them."""
    if user is None:
        return false()
    roles = role_names(user)
    if is_manager(user) or CLIENTE_ROLE in roles:
        return true()
    if TECNICO_ROLE in roles:
        assigned = select(order_technician.c.order_id).where(order_technician.c.user_id == user.id)
        return CalibrationOrder.id.in_(assigned)
    return false()


def visible_order_ids(user):
    """The ids of the orders `user` sees, as a subquery for child rows (results, evidence...)."""
    return select(CalibrationOrder.id).where(visibility_clause(user))



def visible_orders():
    """The row rule of the orders' lists and lookups (VisibleRows) for the request's user."""
    return visibility_clause(current_user())


class OfVisibleOrders(BaseFilter):
    """Row scoping of an order's child rows: those of the orders the user sees."""

    name = "De órdenes visibles"

    def apply(self, query, value):
        model = self.datamodel.obj
        return query.filter(model.order_id.in_(visible_order_ids(current_user())))
