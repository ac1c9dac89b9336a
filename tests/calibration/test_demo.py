"""Issue 10: `flask seed --demo` loads instruments and orders in several states for both demo
companies through the services (real timelines), and is idempotent."""
from __future__ import annotations

from sqlalchemy import func, select

from app.calibration.instruments.models import Instrument
from app.calibration.orders.models import CalibrationOrder
from app.core.tenancy import Company, company_scope


def test_demo_loads_orders_in_several_states_for_both_companies(runner, session, app, tmp_path):
    app.config["FILES_DIR"] = str(tmp_path)
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0  # idempotent
    companies = session.scalars(select(Company).where(Company.name.in_(["Demo Norte", "Demo Sur"]))).all()
    assert len(companies) == 2
    for company in companies:
        with company_scope(company.id):
            states = set(session.scalars(select(CalibrationOrder.state)).all())
            assert {"RECEIVED", "SCHEDULED", "IN_PROGRESS", "IN_REVIEW", "APPROVED", "CLOSED", "CANCELLED"} <= states
            assert session.scalar(select(func.count()).select_from(Instrument)) == 4
            # issue 21 · 12: the demo client validated its instruments («Recepción»)
            assert session.scalar(select(func.count()).select_from(Instrument)
                                  .where(Instrument.validated_at.is_(None))) == 0
            assert session.scalar(select(func.count()).select_from(CalibrationOrder)) == 7
