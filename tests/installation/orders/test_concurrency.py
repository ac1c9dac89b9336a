"""Real concurrency: two managers racing on one order, and order numbers created in parallel."""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from app.core.identity import acting_as
from app.core.tenancy import company_scope
from app.installation.orders import services
from app.installation.orders.models import InstallationOrder

URL = "/api/v1/installation_order"


def test_two_managers_racing_accept_and_reject_one_wins_one_conflicts(world, app, postgres_only):
    """ACCEPT_ORDER and REJECT_ORDER on the same version at once, through the REST API, each
    thread with its own app context: one 200, one 409, a single audit entry."""
    from tests.factories import ApiClient, make_user

    order = world.order_in("PENDING_ACCEPTANCE")
    second_go = make_user(roles=["INST_GESTOR_OPERACIONES"], companies=[world.company], username="go_dos")
    managers = {"ACCEPT_ORDER": world.users["GESTOR_OPERACIONES"], "REJECT_ORDER": second_go}
    clients = {action: ApiClient(app.test_client(), user, world.company) for action, user in managers.items()}
    payloads = {"ACCEPT_ORDER": {}, "REJECT_ORDER": {"reason": "Fuera de zona"}}
    barrier = threading.Barrier(2)
    statuses = {}

    def click(action):
        with app.app_context():
            barrier.wait()
            r = clients[action].post(f"{URL}/{order.id}/actions/{action}", json=payloads[action],
                                     headers={"If-Match": "1"})
            statuses[action] = r.status_code

    threads = [threading.Thread(target=click, args=(action,)) for action in managers]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    assert sorted(statuses.values()) == [200, 409], statuses
    winner = next(a for a, s in statuses.items() if s == 200)
    final = world.reload(order.id)
    assert (final.state, final.version) == ({"ACCEPT_ORDER": "ACCEPTED", "REJECT_ORDER": "REJECTED"}[winner], 2)
    assert [e.action for e in world.audit(order.id)] == ["CREATE_ORDER", winner]


def test_an_action_on_a_version_already_changed_is_a_conflict_not_a_refusal(world, app):
    """The race above when the winner has already committed: the loser's If-Match names a
    version that moved on (and a state where its action no longer exists): 409, not 403."""
    from tests.factories import ApiClient, make_user

    order = world.order_in("PENDING_ACCEPTANCE")
    second_go = make_user(roles=["INST_GESTOR_OPERACIONES"], companies=[world.company], username="go_tres")
    first = ApiClient(app.test_client(), second_go, world.company)
    late = ApiClient(app.test_client(), world.users["GESTOR_OPERACIONES"], world.company)
    done = first.post(f"{URL}/{order.id}/actions/REJECT_ORDER", json={"reason": "Fuera de zona"},
                      headers={"If-Match": "1"})
    assert done.status_code == 200, done.get_json()
    stale = late.post(f"{URL}/{order.id}/actions/ACCEPT_ORDER", json={}, headers={"If-Match": "1"})
    assert stale.status_code == 409, stale.get_json()
    assert late.post(f"{URL}/{order.id}/actions/ACCEPT_ORDER", json={}, headers={"If-Match": "2"}).status_code == 403


def test_inst_002_parallel_creations_get_consecutive_numbers_without_gaps(world, app):
    """Eight threads creating five orders each (one failing creation per thread rolls back):
    numbers 1..40 exactly once. Runs on both databases (SQLite serialises writers)."""
    from app.extensions import db

    threads_n, per_thread = 8, 5
    barrier = threading.Barrier(threads_n)
    errors = []
    user_id = world.users["GESTOR_GENERAL"].id
    good = world.order_data()

    def create_many():
        try:
            with app.app_context(), company_scope(world.company.id):
                user = db.session.get(type(world.users["GESTOR_GENERAL"]), user_id)
                barrier.wait()
                for i in range(per_thread + 1):
                    data = good if i != 2 else {**good, "lines": {"999999": 1}}  # one refused per thread
                    try:
                        with acting_as(user):
                            services.create_order(session=db.session, user=user, company=world.company,
                                                  today=dt.date.today(), data=data)
                        db.session.commit()
                    except Exception as exc:  # the refused one
                        db.session.rollback()
                        if i != 2:
                            raise exc
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create_many) for _ in range(threads_n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    world.session.rollback()
    with company_scope(world.company.id):
        numbers = sorted(world.session.scalars(select(InstallationOrder.number)))
    assert numbers == list(range(1, threads_n * per_thread + 1))
