"""Issue 19, point 5, on PostgreSQL with real threads: a supervisor unticks a checklist item
(PUT /checklist) while another approves the order (POST /actions/APPROVE). Before the fix the
approval read the ticks without a lock and an untick committed in between: 2 rounds in 6
ended APPROVED with an incomplete checklist. Now approval locks the order and its ticks and
re-reads them, and unticking locks the order first: exactly one of the two wins, and an
approved order always has its whole checklist ticked."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from app.calibration.orders import checklist
from app.calibration.orders.models import ChecklistItem, ChecklistTick
from app.calibration.orders.workflow import WF
from app.core.tenancy import company_scope
from tests.factories import ApiClient, make_user

ROUNDS = 6
PAUSE = 0.3  # seconds one side holds its transaction open, to widen the window


def _slowed(fn):
    def slow(*args, **kwargs):
        out = fn(*args, **kwargs)
        time.sleep(PAUSE)
        return out
    return slow


def test_hardening_19_5_untick_racing_approval_never_approves_an_incomplete_checklist(world, app, postgres_only,
                                                                                       monkeypatch):
    approver = world.users["SUPERVISOR"]
    ticker = make_user(roles=["CAL_SUPERVISOR"], companies=[world.company], username="cal_supervisor_lista")
    clients = {"approve": ApiClient(app.test_client(), approver, world.company),
               "untick": ApiClient(app.test_client(), ticker, world.company)}
    outcomes = []
    for n in range(ROUNDS):
        monkeypatch.undo()
        # rounds 0, 3: no pause; 1, 4: the approval holds its transaction after its checks;
        # 2, 5: the untick holds its transaction after its change
        if n % 3 == 1:
            monkeypatch.setitem(WF.binding.effects, "APPROVE", _slowed(WF.binding.effects["APPROVE"]))
        elif n % 3 == 2:
            monkeypatch.setattr(checklist, "utcnow", _slowed(checklist.utcnow))
        order = world.to("IN_REVIEW")
        world.tick_all(order)
        with company_scope(world.company.id):
            code = world.session.scalars(select(ChecklistItem.code).order_by(ChecklistItem.position)).first()
        world.session.rollback()
        calls = {
            "approve": lambda: clients["approve"].post(f"/api/v1/calibration_order/{order.id}/actions/APPROVE"),
            "untick": lambda: clients["untick"].put(f"/api/v1/calibration_order/{order.id}/checklist",
                                                    json={"items": {code: False}}),
        }
        barrier, statuses = threading.Barrier(2), {}

        def run(name):
            with app.app_context():
                barrier.wait()
                if name == "untick" and n % 3 == 1:
                    time.sleep(PAUSE / 3)  # arrive while the approval holds the order
                if name == "approve" and n % 3 == 2:
                    time.sleep(PAUSE / 3)  # arrive while the untick holds the order
                r = calls[name]()
                statuses[name] = (r.status_code, (r.get_json() or {}).get("message", ""))

        threads = [threading.Thread(target=run, args=(name,)) for name in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)

        final = world.order(order.id)
        with company_scope(world.company.id):
            ticked = {t.item_id for t in world.session.scalars(
                select(ChecklistTick).where(ChecklistTick.order_id == order.id, ChecklistTick.checked.is_(True)))}
            active = set(world.session.scalars(select(ChecklistItem.id).where(ChecklistItem.active.is_(True))))
        world.session.rollback()
        outcomes.append((n, final.state, statuses))
        # the invariant: never approved with an incomplete checklist
        assert not (final.state == "APPROVED" and active - ticked), outcomes
        # and exactly one of the two won, the other was refused with its reason (no 500, no 409 guesswork)
        codes = sorted(s for s, _m in statuses.values())
        assert codes == [200, 403], outcomes
        if final.state == "APPROVED":
            assert statuses["untick"][0] == 403 and "«En revisión»" in statuses["untick"][1], outcomes
            assert ticked == active
        else:
            assert final.state == "IN_REVIEW" and statuses["approve"][0] == 403, outcomes
            assert "marca todos los puntos de la lista de revisión" in statuses["approve"][1], outcomes
    # the pauses made each side win at least once: the race was really run both ways
    assert {state for _n, state, _s in outcomes} == {"APPROVED", "IN_REVIEW"}, outcomes
