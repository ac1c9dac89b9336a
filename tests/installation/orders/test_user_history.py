"""Issue 8, finding 5: a user with history (audit entries, orders they worked on) is never
deleted - the API and the user list answer 422 naming why - and the audit trail keeps the
actor's name as written at the time."""
from __future__ import annotations

from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.tenancy import company_scope
from app.installation.orders.models import InstallationOrder


def test_a_technician_with_orders_cannot_be_deleted_by_api_or_page(world, api, make_user, login, client, session):
    order = world.order_in("ACCEPTED")
    technician = world.users["TECNICO"]
    admin = api(world.users["ADMIN"], world.company)
    r = admin.delete(f"/api/v1/security/users/{technician.id}")
    assert r.status_code == 422
    assert "tiene historial" in r.get_json()["message"] and "desactívalo" in r.get_json()["message"]
    login("admin_inst")
    page = client.post(f"/users/delete/{technician.id}")
    assert page.status_code == 422 and "tiene historial" in page.get_data(as_text=True)
    session.expire_all()
    with company_scope(None):
        assert session.get(InstallationOrder, order.id).technicians == [technician]
    assert current_users(session, technician.id) == 1


def test_a_user_who_only_wrote_audit_entries_is_kept_too(world, api, session):
    world.create()  # the manager's creation is in the audit
    manager = world.users["GESTOR_GENERAL"]
    r = api(world.users["ADMIN"], world.company).delete(f"/api/v1/security/users/{manager.id}")
    assert r.status_code == 422 and "auditoría" in r.get_json()["message"]


def test_a_user_without_history_is_deleted(world, api, make_user, session):
    newcomer_id = make_user(roles=["AUDITOR"], companies=[world.company], username="recien_llegado").id
    r = api(world.users["ADMIN"], world.company).delete(f"/api/v1/security/users/{newcomer_id}")
    assert r.status_code == 200, r.get_json()
    assert current_users(session, newcomer_id) == 0


def test_the_audit_keeps_the_actors_name_as_written_at_the_time(world, session, login, client):
    order = world.create()
    manager = world.users["GESTOR_GENERAL"]
    written = f"{manager.first_name} {manager.last_name}"
    manager.first_name, manager.last_name = "Nombre", "Cambiado"
    session.commit()
    with company_scope(None):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "installation_order",
                                                        AuditEntry.entity_id == order.id))
    assert entry.actor_name == written
    login("admin_inst")
    listing = client.get("/auditview/list/").get_data(as_text=True)
    assert written in listing  # the table; the filter's dropdown offers today's names


def current_users(session, user_id) -> int:
    from flask_appbuilder.security.sqla.models import User

    session.expire_all()
    return len(session.scalars(select(User).where(User.id == user_id)).all())
