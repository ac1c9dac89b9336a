"""The audit trail: written with the change, append-only, scoped, filterable."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core import audit
from app.core.audit import AuditEntry
from app.core.tenancy import NonWorkingDay, TenantViolation, company_scope


@pytest.fixture
def setup(make_company, make_user):
    a, b = make_company(), make_company()
    admin = make_user(roles=["Admin"], companies=[a, b])
    auditor = make_user(roles=["AUDITOR"], companies=[a])
    return dict(a=a, b=b, admin=admin, auditor=auditor)


def _entries(session, **where):
    session.rollback()
    with company_scope(None):
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        return session.scalars(stmt).all()


def test_create_update_delete_through_the_api_are_audited(setup, api, session):
    client = api(setup["admin"], setup["a"])
    r = client.post("/api/v1/non_working_day/", json={"date": "2026-12-07", "description": "Puente"})
    pk = r.get_json()["id"]
    client.put(f"/api/v1/non_working_day/{pk}", json={"description": "Puente de la Constitución"})
    client.delete(f"/api/v1/non_working_day/{pk}")
    entries = _entries(session, entity="non_working_day", entity_id=pk)
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.user_id == setup["admin"].id and e.company_id == setup["a"].id for e in entries)
    assert entries[0].data["description"] == "Puente" and entries[0].data["date"] == "2026-12-07"
    assert entries[1].data == {"description": ["Puente", "Puente de la Constitución"]}
    assert entries[2].data["description"] == "Puente de la Constitución"


def test_entry_and_change_share_one_transaction(setup, session):
    with company_scope(setup["a"].id):
        session.add(NonWorkingDay(date=dt.date(2026, 1, 2), description="x"))
        session.flush()
        session.rollback()
    assert _entries(session, entity="non_working_day") == []  # rolled back with the change
    with company_scope(setup["a"].id):
        session.add(NonWorkingDay(date=dt.date(2026, 1, 2), description="x"))
        session.commit()
    assert len(_entries(session, entity="non_working_day")) == 1


def test_explicit_record_replaces_the_generic_entry(setup, session):
    """A service flushes to get the new row's id, changes it, then records its event."""
    with company_scope(setup["a"].id):
        day = NonWorkingDay(date=dt.date(2026, 1, 2), description="x")
        session.add(day)
        session.flush()
        day.description = "y"
        audit.record(session, entity="non_working_day", entity_id=day.id, action="RENAME",
                     company_id=day.company_id, data={"to": "y"}, user=setup["auditor"])
        session.commit()
    actions = [(e.action, e.user_id) for e in _entries(session, entity="non_working_day")]
    assert actions == [("RENAME", setup["auditor"].id)]


def test_entries_cannot_be_changed_or_deleted(setup, session):
    with company_scope(setup["a"].id):
        session.add(NonWorkingDay(date=dt.date(2026, 1, 2), description="x"))
        session.commit()
        mine = select(AuditEntry).where(AuditEntry.entity == "non_working_day")
        entry = session.scalars(mine).one()
        entry.action = "forged"
        with pytest.raises(TenantViolation, match="no se puede modificar"):
            session.flush()
        session.rollback()
        session.delete(session.scalars(mine).one())
        with pytest.raises(TenantViolation, match="ni borrar"):
            session.flush()
        session.rollback()
    assert [e.action for e in _entries(session, entity="non_working_day")] == ["create"]


def test_no_route_edits_or_deletes_audit_entries(setup, api, login, client, session):
    with company_scope(setup["a"].id):
        session.add(NonWorkingDay(date=dt.date(2026, 1, 2), description="x"))
        session.commit()
        pk = session.scalars(select(AuditEntry.id).where(AuditEntry.entity == "non_working_day")).one()
    admin_api = api(setup["admin"], setup["a"])
    assert admin_api.get(f"/api/v1/audit_entry/{pk}").status_code == 200
    assert admin_api.post("/api/v1/audit_entry/", json={"entity": "x", "action": "y"}).status_code in (404, 405)
    assert admin_api.put(f"/api/v1/audit_entry/{pk}", json={"action": "y"}).status_code in (404, 405)
    assert admin_api.delete(f"/api/v1/audit_entry/{pk}").status_code in (404, 405)
    login(setup["admin"].username)
    for url, method in [
        ("/auditview/add", "get"), ("/auditview/add", "post"), (f"/auditview/edit/{pk}", "get"),
        (f"/auditview/edit/{pk}", "post"), (f"/auditview/delete/{pk}", "get"), (f"/auditview/delete/{pk}", "post"),
        ("/auditview/action_post", "post"),
    ]:
        assert getattr(client, method)(url).status_code in (404, 405), url
    assert [e.action for e in _entries(session, entity="non_working_day")] == ["create"]


DAYS_OFF = "<td>Días no laborables</td>"  # an entry's entity, as the list shows it


def test_audit_list_is_scoped_and_filterable(setup, api, login, client, session):
    admin_a = api(setup["admin"], setup["a"])
    admin_a.post("/api/v1/non_working_day/", json={"date": "2026-12-07", "description": "Puente A"})
    api(setup["admin"], setup["b"]).post("/api/v1/non_working_day/", json={"date": "2026-12-08", "description": "Puente B"})
    login(setup["auditor"].username)
    html = client.get("/auditview/list/").get_data(as_text=True)
    assert DAYS_OFF in html  # the entity by its label (issue 9, item 6)
    r = api(setup["auditor"], setup["a"]).get("/api/v1/audit_entry/")
    assert r.status_code == 200
    days = [row["data"]["description"] for row in r.get_json()["result"] if row["entity"] == "non_working_day"]
    assert days == ["Puente A"]
    # filters: entity, user and date range (FAB search filters)
    today = dt.datetime.utcnow().date()
    assert DAYS_OFF in client.get("/auditview/list/?_flt_0_entity=non_working_day").get_data(as_text=True)
    assert DAYS_OFF not in client.get("/auditview/list/?_flt_0_entity=nothing").get_data(as_text=True)
    assert DAYS_OFF in client.get(
        f"/auditview/list/?_flt_1_created_at={today - dt.timedelta(days=1)}+00:00:00"
        f"&_flt_2_created_at={today + dt.timedelta(days=1)}+00:00:00"
    ).get_data(as_text=True)
    assert DAYS_OFF not in client.get(
        f"/auditview/list/?_flt_1_created_at={today + dt.timedelta(days=1)}+00:00:00"
    ).get_data(as_text=True)
    assert DAYS_OFF in client.get(f"/auditview/list/?_flt_0_user={setup['admin'].id}").get_data(as_text=True)
    assert DAYS_OFF not in client.get(f"/auditview/list/?_flt_0_user={setup['auditor'].id}").get_data(as_text=True)


def _add_days(session, company, n, start, make_user):
    """n days off, each created by a different user (each audit row names its user)."""
    from app.core.identity import acting_as

    for i in range(n):
        user = make_user(roles=["AUDITOR"], companies=[company])
        with company_scope(company.id), acting_as(user):
            session.add(NonWorkingDay(date=start + dt.timedelta(days=i), description=f"día {i}"))
            session.commit()


def test_audit_list_query_count_does_not_grow_with_rows(setup, login, client, session, count_queries, make_user):
    login(setup["admin"].username)
    client.post("/empresa/activa", data={"company_id": setup["a"].id})
    _add_days(session, setup["a"], 3, dt.date(2026, 1, 1), make_user)
    client.get("/auditview/list/")  # warm up
    with count_queries() as few:
        assert client.get("/auditview/list/").status_code == 200
    _add_days(session, setup["a"], 20, dt.date(2026, 2, 1), make_user)
    with count_queries() as many:
        assert client.get("/auditview/list/?psize_AuditView=100").status_code == 200
    assert many.count == few.count, many.statements
