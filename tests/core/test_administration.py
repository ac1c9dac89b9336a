"""Issue 22: nobody locks the administrators out. Through FAB's security API (and so through
its pages and any script, the check is at commit): the Admin role cannot be emptied, lose a
permission of role and user management, be deleted or left with no active user; a role needs a
name. Each refusal is a 422 naming the rule, and nothing changes."""
from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories


@pytest.fixture
def admin_api(app, client):
    admin = factories.make_user(roles=["Admin"], username="root_22")
    db.session.commit()
    return factories.ApiClient(client, admin), admin


def _admin_role(app):
    return app.appbuilder.sm.find_role("Admin")


def test_issue_22_the_admin_role_cannot_be_emptied(app, admin_api):
    api, _ = admin_api
    role = _admin_role(app)
    before = len(role.permissions)
    answer = api.post(f"/api/v1/security/roles/{role.id}/permissions", json={"permission_view_menu_ids": []})
    assert answer.status_code == 422
    assert "debe conservar los permisos de administración" in answer.get_json()["message"]
    db.session.expire_all()
    assert len(_admin_role(app).permissions) == before
    # the administrator still administers
    assert api.get(f"/api/v1/security/roles/{role.id}/permissions/").status_code == 200


def test_issue_22_other_roles_stay_editable(app, admin_api):
    """The guard is about the administrators only: another role is emptied and removed."""
    api, _ = admin_api
    created = api.post("/api/v1/security/roles/", json={"name": "Temporal 22"})
    assert created.status_code == 201
    role_id = created.get_json()["id"]
    some = [pv.id for pv in _admin_role(app).permissions][:2]
    try:
        assert api.post(f"/api/v1/security/roles/{role_id}/permissions",
                        json={"permission_view_menu_ids": some}).status_code == 200
        assert api.post(f"/api/v1/security/roles/{role_id}/permissions",
                        json={"permission_view_menu_ids": []}).status_code == 200
    finally:
        assert api.delete(f"/api/v1/security/roles/{role_id}").status_code == 200
    assert app.appbuilder.sm.find_role("Temporal 22") is None


def test_issue_22_the_admin_role_cannot_be_deleted(app, admin_api):
    api, _ = admin_api
    answer = api.delete(f"/api/v1/security/roles/{_admin_role(app).id}")
    assert answer.status_code == 422 and "no se puede eliminar" in answer.get_json()["message"]
    db.session.expire_all()
    assert _admin_role(app) is not None


def test_issue_22_the_last_active_administrator_stays(app, admin_api):
    api, admin = admin_api
    for change in ({"active": False}, {"roles": [app.appbuilder.sm.find_role("AUDITOR").id]}):
        answer = api.put(f"/api/v1/security/users/{admin.id}", json=change)
        assert answer.status_code == 422, change
        assert "al menos un usuario activo" in answer.get_json()["message"]
    assert api.delete(f"/api/v1/security/users/{admin.id}").status_code in (422, 409)
    # with a second administrator, the first may step down
    factories.make_user(roles=["Admin"], username="root_22b")
    db.session.commit()
    assert api.put(f"/api/v1/security/users/{admin.id}", json={"active": False}).status_code == 200


@pytest.mark.parametrize("name", ["", "   "])
def test_issue_22_a_role_needs_a_name(app, admin_api, name):
    api, _ = admin_api
    roles = len(app.appbuilder.sm.get_all_roles())
    answer = api.post("/api/v1/security/roles/", json={"name": name})
    assert answer.status_code == 422 and "nombre del rol" in answer.get_json()["message"]
    assert len(app.appbuilder.sm.get_all_roles()) == roles
