"""Issue 8, findings 9 and 13: a copied session cookie or JWT stops working after logout, a
password change, deactivation or a role change; logout and the language switch change state
only on POST with the CSRF token (a GET shows a confirmation page); the password change page
asks for the current password."""
from __future__ import annotations

import pytest
from flask import current_app

from tests.core.test_security import (  # noqa: F401 (fixtures)
    csrf_app,
    csrf_from,
    csrf_login,
    make_app,
)
from tests.factories import PASSWORD, ApiClient


def copied_cookie(browser) -> str:
    return browser.get_cookie("session").value


def replay(app, cookie):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/companyview/list/")


@pytest.fixture
def signed_in(client, make_user, make_company, login):
    company = make_company()
    user = make_user(roles=["Admin"], companies=[company], username="victim")
    login("victim")
    return client, user, company


def test_logout_ends_copies_of_the_cookie_and_every_jwt(signed_in, app):
    browser, user, company = signed_in
    cookie = copied_cookie(browser)
    token = ApiClient(app.test_client(), user, company)
    assert replay(app, cookie).status_code == 200 and token.get("/api/v1/company/").status_code == 200
    assert browser.post("/logout/").status_code == 302
    assert replay(app, cookie).status_code == 302  # to the login page
    r = token.get("/api/v1/company/")
    assert r.status_code == 401 and "vuelve a iniciar sesión" in r.get_json()["message"]


@pytest.mark.parametrize("change", ["password", "deactivate", "roles"])
def test_password_change_deactivation_and_role_change_end_old_sessions(signed_in, app, session, change, make_user):
    browser, user, company = signed_in
    make_user(roles=["Admin"], username="second_admin")  # the victim may stop being the last administrator
    cookie = copied_cookie(browser)
    token = ApiClient(app.test_client(), user, company)
    assert replay(app, cookie).status_code == 200 and token.get("/api/v1/company/").status_code == 200  # both worked
    sm = current_app.appbuilder.sm
    if change == "password":
        sm.reset_password(user.id, "Otra-Clave-99")
    elif change == "deactivate":
        user.active = False
    else:
        user.roles = [sm.find_role("AUDITOR")]
    session.commit()
    assert replay(app, cookie).status_code == 302
    assert token.get("/api/v1/company/").status_code == 401


def test_a_new_login_after_logout_works(signed_in, login, app):
    browser, user, company = signed_in
    browser.post("/logout/")
    login("victim")
    assert browser.get("/companyview/list/").status_code == 200
    assert ApiClient(app.test_client(), user, company).get("/api/v1/company/").status_code == 200


def test_logout_and_language_by_get_only_ask_for_confirmation(signed_in):
    browser, _user, _company = signed_in
    page = browser.get("/logout/")
    assert page.status_code == 200 and 'id="confirm-form"' in page.get_data(as_text=True)
    assert browser.get("/companyview/list/").status_code == 200  # still signed in
    page = browser.get("/lang/en")
    assert page.status_code == 200 and 'action="/lang/en"' in page.get_data(as_text=True)
    assert "Empresas" in browser.get("/companyview/list/").get_data(as_text=True)  # still Spanish
    browser.post("/lang/en")
    assert "Companies" in browser.get("/companyview/list/").get_data(as_text=True)


def test_logout_and_language_need_the_csrf_token(csrf_app, make_user, make_company):  # noqa: F811
    make_user(roles=["Admin"], companies=[make_company()], username="csrf_victim")
    browser = csrf_app.test_client()
    csrf_login(browser, "csrf_victim")
    assert browser.post("/logout/").status_code == 400
    assert browser.post("/lang/en").status_code == 400
    assert browser.get("/companyview/list/").status_code == 200  # neither happened
    home = browser.get("/").get_data(as_text=True)
    assert 'id="logout-form"' in home and "/lang/en" in home
    assert browser.post("/logout/", data={"csrf_token": csrf_from(home)}).status_code == 302
    assert browser.get("/companyview/list/").status_code == 302


def test_the_password_change_page_asks_for_the_current_password(signed_in, session):
    browser, user, _company = signed_in
    new = {"password": "Nueva-Clave-77", "conf_password": "Nueva-Clave-77"}
    page = browser.post("/resetmypassword/form", data={**new, "current_password": "mal"})
    assert page.status_code == 200 and "La contraseña actual no es correcta." in page.get_data(as_text=True)
    assert browser.post("/login/", data={"username": "victim", "password": PASSWORD}).status_code == 302
    r = browser.post("/resetmypassword/form", data={**new, "current_password": PASSWORD})
    assert r.status_code == 302
    assert current_app.appbuilder.sm.auth_user_db("victim", "Nueva-Clave-77") is not None
