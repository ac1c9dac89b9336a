"""Issue 8 item 12: an Idempotency-Key on the action endpoints; the same key of the same user
within 24 h returns the first answer and records nothing twice."""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from app.core.idempotency import IdempotencyKey
from app.installation.orders.models import DoctorContact

URL = "/api/v1/installation_order"
CONTACT = {"channel": "PHONE", "note": "Confirma la visita"}


def _contacts(session, order_id):
    """The contacts recorded through the API (order_in leaves one, "ok", of its own)."""
    session.rollback()
    return session.scalars(select(DoctorContact).where(DoctorContact.order_id == order_id, DoctorContact.note != "ok")
                           .execution_options(all_companies=True)).all()


def _client(app, world, code="GESTOR_CUENTA"):
    from tests.factories import ApiClient

    return ApiClient(app.test_client(), world.users[code], world.company)


def test_same_key_twice_records_one_contact_and_answers_the_same(world, app, session):
    order = world.order_in("ACCEPTED")
    api = _client(app, world)
    url = f"{URL}/{order.id}/actions/CONTACT_DOCTOR"
    first = api.post(url, json=CONTACT, headers={"Idempotency-Key": "k-1"})
    second = api.post(url, json=CONTACT, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json() == {"id": order.id, "state": "ACCEPTED", "version": 2}
    assert len(_contacts(session, order.id)) == 1
    assert [e.action for e in world.audit(order.id)].count("CONTACT_DOCTOR") == 1
    # another key is another contact; no key at all too
    assert api.post(url, json=CONTACT, headers={"Idempotency-Key": "k-2"}).status_code == 200
    assert api.post(url, json=CONTACT).status_code == 200
    assert len(_contacts(session, order.id)) == 3


def test_a_key_reused_for_another_request_or_after_a_day(world, app, session):
    order = world.order_in("ACCEPTED")
    api = _client(app, world)
    url = f"{URL}/{order.id}/actions/CONTACT_DOCTOR"
    assert api.post(url, json=CONTACT, headers={"Idempotency-Key": "k"}).status_code == 200
    other = api.post(f"{URL}/{order.id}/actions/CONFIRM_EQUIPMENT", headers={"Idempotency-Key": "k"})
    assert other.status_code == 422 and other.get_json()["field"] == "Idempotency-Key"
    session.rollback()
    for row in session.scalars(select(IdempotencyKey)):
        row.created_at -= dt.timedelta(hours=25)
    session.commit()
    assert api.post(url, json=CONTACT, headers={"Idempotency-Key": "k"}).status_code == 200
    assert len(_contacts(session, order.id)) == 2  # an expired key no longer protects


def test_a_refused_action_keeps_no_key(world, app, session):
    """A refusal changed nothing, so the same key may be tried again once fixed."""
    order = world.order_in("ACCEPTED")
    api = _client(app, world)
    url = f"{URL}/{order.id}/actions/CONTACT_DOCTOR"
    bad = api.post(url, json={"channel": "paloma", "note": "x"}, headers={"Idempotency-Key": "k"})
    assert bad.status_code == 422
    assert api.post(url, json=CONTACT, headers={"Idempotency-Key": "k"}).status_code == 200
    assert len(_contacts(session, order.id)) == 1


def test_two_concurrent_calls_with_one_key_record_one_contact(world, app, session, postgres_only):
    order = world.order_in("ACCEPTED")
    clients = [_client(app, world) for _ in range(2)]
    barrier = threading.Barrier(2)
    answers = []

    def call(api):
        with app.app_context():
            barrier.wait()
            r = api.post(f"{URL}/{order.id}/actions/CONTACT_DOCTOR", json=CONTACT, headers={"Idempotency-Key": "same"})
            answers.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=call, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [a[0] for a in answers] == [200, 200] and answers[0][1] == answers[1][1]
    assert len(_contacts(session, order.id)) == 1
