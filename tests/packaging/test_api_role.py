"""Issue 21 item 9 (DESIGN: the API role is REST only): the packaging API role signs in to the
REST API and creates OTs there, but its web session ends at the first page with a message
saying so; a user who also holds a web role keeps the pages."""
from __future__ import annotations

from tests import factories


def test_issue_21_9_the_api_role_has_no_web_pages(client, login):
    company = factories.make_company()
    factories.make_user(roles=["ENV_API"], companies=[company], username="integracion_env")
    login("integracion_env")
    answer = client.get("/envases/ots/", follow_redirects=True)
    assert "accede solo por la API REST" in answer.get_data(as_text=True)
    assert client.get("/envases/ots/").status_code == 302  # signed out: the login page again
    assert "/login" in client.get("/envases/ots/").headers["Location"]


def test_issue_21_9_the_api_role_keeps_the_rest_api(client):
    company = factories.make_company()
    user = factories.make_user(roles=["ENV_API"], companies=[company], username="integracion_env2")
    api = factories.ApiClient(client, user, company)
    assert api.get("/api/v1/packaging_work_order/").status_code == 200


def test_issue_21_9_a_web_role_beside_it_keeps_the_pages(client, login):
    company = factories.make_company()
    factories.make_user(roles=["ENV_API", "ENV_VENDEDOR"], companies=[company], username="vendedor_api")
    login("vendedor_api")
    assert client.get("/envases/ots/").status_code == 200
