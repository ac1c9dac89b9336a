"""The Public role opens nothing (docs/decisions.md, issue 13): FAB no longer reads its
permissions before every protected request, and a permission given to it grants nothing."""
from __future__ import annotations


def test_a_permission_given_to_public_grants_nothing(app, client, session):
    sm = app.appbuilder.sm
    public = sm.find_role("Public")
    grant = sm.find_permission_view_menu("can_read", "InstallationOrder")
    sm.add_permission_role(public, grant)
    session.commit()
    try:
        page = client.get("/instalacion/ordenes/list/")
        assert page.status_code == 302 and "/login/" in page.headers["Location"]
        assert client.get("/api/v1/installation_order/").status_code == 401
        assert client.get("/login/").status_code == 200
    finally:
        sm.del_permission_role(public, grant)
        session.commit()


def test_a_protected_request_does_not_read_the_public_role(api, make_user, make_company, count_queries):
    company = make_company()
    client = api(make_user(roles=["INST_GESTOR_OPERACIONES"], companies=[company]), company)
    client.get("/api/v1/installation_order/")
    with count_queries() as counter:
        assert client.get("/api/v1/installation_order/").status_code == 200
    assert not [s for s in counter.statements if "ab_role.name =" in s], counter.statements
