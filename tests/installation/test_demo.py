"""`flask seed --demo`: each demo company gets the catalog and orders in various states whose
timelines were walked through the matrix by the demo users; running it again adds nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.seeds import load_seed
from app.core.tenancy import company_scope
from app.installation.demo import DEMO_FILE
from app.installation.equipment.models import Equipment
from app.installation.orders.models import ENTITY, InstallationOrder


def test_demo_orders_walk_the_matrix_and_are_idempotent(session):
    import app.installation as installation
    from app.core.cli import seed_demo

    seed_demo([installation.MODULE])
    seed_demo([installation.MODULE])
    spec = load_seed(DEMO_FILE)
    expected = spec["orders"] + spec["by_company"]["Demo Sur"]["orders"]  # Demo Sur has its own clinics
    with company_scope(None):
        orders = session.scalars(select(InstallationOrder).order_by(InstallationOrder.company_id, InstallationOrder.number)).all()
        assert len(orders) == len(expected)
        assert session.scalar(select(func.count()).select_from(Equipment)) == 2 * len(spec["equipment"])
        assert {o.site for o in orders[:len(spec["orders"])]}.isdisjoint({o.site for o in orders[len(spec["orders"]):]})
        for order, demo in zip(orders, expected):
            actions = session.scalars(select(AuditEntry.action).where(
                AuditEntry.entity == ENTITY, AuditEntry.entity_id == order.id).order_by(AuditEntry.id)).all()
            assert actions == ["CREATE_ORDER", *demo["actions"]]
        states = {o.state for o in orders}
    assert {"CREATED", "PENDING_ACCEPTANCE", "ACCEPTED", "REJECTED", "ORDER_IN_TRANSIT", "ORDER_CLOSED",
            "ORDER_CANCELLED"} <= states
