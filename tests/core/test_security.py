"""Security (DESIGN "Platform core: Security"): FAB AUTH_DB login, rate limits on both logins,
safe redirects, no stack traces, password complexity, CSRF on forms and on cookie-authenticated
API calls, the security REST API, X-Company-Id and
per-role menus."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from config import Config, ProductionConfig, TestConfig
from tests.factories import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def make_app(database_url, app):
    """create_app("testing", same database, **overrides): a second app for one test.

    Its test clients are used *outside* `with other.app_context()`: a pushed app context is
    shared by every request made inside it (Flask reuses it), and so is `g`, where
    Flask-Login caches the logged-in user - one client's login would leak into another's
    requests."""
    from app import create_app
    from app.extensions import db

    made = []

    def build(**overrides):
        other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **overrides)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()


def admin_role_id():
    from flask import current_app

    return current_app.appbuilder.sm.find_role("Admin").id


def new_user_payload(username, password="Fuerte-Clave-12ab", role_id=None):
    return {
        "username": username, "first_name": "Nueva", "last_name": "Persona",
        "email": f"{username}@example.test", "active": True, "password": password,
        "roles": [role_id or admin_role_id()],
    }


def user_exists(username) -> bool:
    from flask import current_app

    from app.extensions import db

    db.session.rollback()  # end this session's snapshot: the write came from another app/request
    return current_app.appbuilder.sm.find_user(username=username) is not None


# --- login ------------------------------------------------------------------------------

def test_auth_db_login_works_and_wrong_password_does_not(client, make_user):
    user = make_user(roles=["AUDITOR"], username="ana")
    r = client.post("/login/", data={"username": "ana", "password": "wrong"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = client.get("/")
    assert "Ana" not in r.get_data(as_text=True)

    r = client.post("/login/", data={"username": "ana", "password": PASSWORD})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    page = client.get("/").get_data(as_text=True)
    assert user.get_full_name() in page  # the navbar names the logged-in user

    # the password is stored hashed, never as given
    assert user.password != PASSWORD and len(user.password) > 40


def test_api_login_returns_a_jwt_and_refuses_a_bad_password(client, make_user):
    make_user(roles=["Admin"], username="jwtuser")
    r = client.post("/api/v1/security/login", json={"username": "jwtuser", "password": "nope", "provider": "db"})
    assert r.status_code == 401
    assert "message" in r.get_json()
    r = client.post("/api/v1/security/login", json={"username": "jwtuser", "password": PASSWORD, "provider": "db"})
    assert r.status_code == 200 and r.get_json()["access_token"]


# --- rate limits ------------------------------------------------------------------------

def test_login_page_and_api_login_are_rate_limited(make_app, make_user):
    make_user(roles=["Admin"], username="limited")
    limited = make_app(AUTH_RATE_LIMIT="3 per minute", API_LOGIN_RATE_LIMIT="3 per minute")
    web = limited.test_client()
    codes = [web.post("/login/", data={"username": "limited", "password": "bad"}).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    r = web.post("/login/", data={"username": "limited", "password": PASSWORD})
    assert r.status_code == 429  # even the right password waits out the window
    assert "Demasiad" in r.get_data(as_text=True)  # Spanish error page
    assert web.get("/login/").status_code == 200  # only POST is limited

    api = limited.test_client()
    body = {"username": "limited", "password": "bad", "provider": "db"}
    codes = [api.post("/api/v1/security/login", json=body).status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    r = api.post("/api/v1/security/login", json={**body, "password": PASSWORD})
    assert r.status_code == 429
    assert r.is_json and r.get_json()["message"]
    assert "Traceback" not in r.get_data(as_text=True)


def test_default_limits_are_set_and_the_page_limit_is_on():
    for cfg in (Config, ProductionConfig):
        assert cfg.AUTH_RATE_LIMITED is True
        assert cfg.AUTH_RATE_LIMIT == cfg.API_LOGIN_RATE_LIMIT == "10 per 20 second"


# --- redirects, stack traces ------------------------------------------------------------

def test_login_next_to_an_outside_host_does_not_redirect_there(client, make_user):
    make_user(roles=["AUDITOR"], username="nexter")
    assert Config.FAB_SAFE_REDIRECT_HOSTS and ProductionConfig.FAB_SAFE_REDIRECT_HOSTS
    for target in ("https://evil.example/phish", "//evil.example/phish", "http://127.0.0.1.evil.example/"):
        c = client.application.test_client()
        r = c.post("/login/?next=" + target, data={"username": "nexter", "password": PASSWORD})
        assert r.status_code == 302
        assert "evil.example" not in r.headers["Location"], target
    c = client.application.test_client()
    r = c.post("/login/?next=/flujos/", data={"username": "nexter", "password": PASSWORD})
    assert r.headers["Location"].endswith("/flujos/")


def test_api_stack_traces_are_off_everywhere():
    for cfg in (Config, TestConfig, ProductionConfig):
        assert cfg.FAB_API_SHOW_STACKTRACE is False


# --- passwords --------------------------------------------------------------------------

def test_password_complexity_is_on_in_production_only():
    assert ProductionConfig.FAB_PASSWORD_COMPLEXITY_ENABLED is True
    assert Config.FAB_PASSWORD_COMPLEXITY_ENABLED is False


def test_weak_password_refused_when_complexity_enabled(make_app, make_user):
    admin = make_user(roles=["Admin"], username="pwadmin")
    strict = make_app(FAB_PASSWORD_COMPLEXITY_ENABLED=True)
    c = strict.test_client()
    token = c.post("/api/v1/security/login",
                   json={"username": admin.username, "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    r = c.post("/api/v1/security/users/", json=new_user_payload("weakling", password="password1"), headers=headers)
    assert r.status_code in (400, 422), r.get_json()
    assert "password" in r.get_json()["message"]
    assert not user_exists("weakling")
    r = c.post("/api/v1/security/users/", json=new_user_payload("strongling", password="Xy-Zabc-1234"), headers=headers)
    assert r.status_code == 201, r.get_json()
    assert user_exists("strongling")


def test_production_stores_passwords_with_scrypt_only_tests_use_a_fast_hash(make_app, make_user, session):
    """TestConfig hashes with one pbkdf2 round for speed; production keeps FAB's scrypt."""
    assert TestConfig.FAB_PASSWORD_HASH_METHOD.startswith("pbkdf2")
    production_method = getattr(ProductionConfig, "FAB_PASSWORD_HASH_METHOD", "scrypt")
    assert production_method == "scrypt"
    admin = make_user(roles=["Admin"], username="hashadmin")
    prod_like = make_app(FAB_PASSWORD_HASH_METHOD=production_method)
    c = prod_like.test_client()
    token = c.post("/api/v1/security/login",
                   json={"username": admin.username, "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    r = c.post("/api/v1/security/users/", json=new_user_payload("hashed", password="Xy-Zabc-1234"),
               headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    session.commit()  # the request ran in another app: end this session's snapshot
    stored = session.execute(text("SELECT password FROM ab_user WHERE username = 'hashed'")).scalar()
    assert stored.startswith("scrypt:")


# --- CSRF -------------------------------------------------------------------------------

@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def csrf_login(c, username):
    token = csrf_from(c.get("/login/").get_data(as_text=True))
    r = c.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]


def test_form_post_without_csrf_token_is_refused_in_spanish(csrf_app, make_user):
    make_user(roles=["Admin"], username="formuser")
    c = csrf_app.test_client()
    r = c.post("/login/", data={"username": "formuser", "password": PASSWORD})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "token CSRF" in body and "recarga la página" in body
    assert "Traceback" not in body
    assert c.get("/users/list/").status_code in (302, 401)  # not logged in
    csrf_login(c, "formuser")  # with the token it works


def test_other_forms_need_the_token_too(csrf_app, make_user, make_company):
    company = make_company()
    make_user(roles=["Admin"], companies=[company], username="switcher")
    c = csrf_app.test_client()
    csrf_login(c, "switcher")
    r = c.post("/empresa/activa", data={"company_id": str(company.id)})
    assert r.status_code == 400
    r = c.post("/nonworkingdayview/add", data={"date": "2026-12-24", "description": "x"})
    assert r.status_code == 400
    token = csrf_from(c.get("/").get_data(as_text=True))
    r = c.post("/empresa/activa", data={"company_id": str(company.id), "csrf_token": token})
    assert r.status_code == 302


def test_session_cookie_api_calls_need_the_csrf_token_jwt_calls_do_not(csrf_app, make_user, make_company):
    company = make_company()
    admin = make_user(roles=["Admin"], companies=[company], username="cookieadmin")
    c = csrf_app.test_client()
    csrf_login(c, "cookieadmin")
    token = csrf_from(c.get("/").get_data(as_text=True))

    # FAB's security API accepts the browser session: without the token, refused, nothing written.
    r = c.post("/api/v1/security/users/", json=new_user_payload("viacookie"))
    assert r.status_code == 400 and "CSRF" in r.get_json()["message"]
    assert not user_exists("viacookie")
    r = c.delete(f"/api/v1/security/users/{admin.id}")
    assert r.status_code == 400
    assert user_exists("cookieadmin")
    # A bogus Authorization header (e.g. Basic, which browsers replay) does not skip the check.
    r = c.post("/api/v1/security/users/", json=new_user_payload("viacookie"),
               headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert r.status_code == 400
    assert not user_exists("viacookie")
    # With the token, the same call passes.
    r = c.post("/api/v1/security/users/", json=new_user_payload("viacookie"), headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.get_json()
    assert user_exists("viacookie")

    # Tenant APIs: the cookie call without token is refused by the CSRF check.
    r = c.post("/api/v1/non_working_day/", json={"date": "2026-12-24", "description": "x"})
    assert r.status_code == 400 and "CSRF" in r.get_json()["message"]
    r = c.get("/api/v1/security/users/")  # reads need no token
    assert r.status_code == 200

    # A JWT call (no cookie) needs no CSRF token.
    jwt = csrf_app.test_client()
    r = jwt.post("/api/v1/security/login", json={"username": "cookieadmin", "password": PASSWORD, "provider": "db"})
    assert r.status_code == 200, r.get_data(as_text=True)
    access = r.get_json()["access_token"]
    headers = {"Authorization": f"Bearer {access}", "X-Company-Id": str(company.id)}
    r = jwt.post("/api/v1/security/users/", json=new_user_payload("viajwt"), headers=headers)
    assert r.status_code == 201, r.get_json()
    r = jwt.post("/api/v1/non_working_day/", json={"date": "2026-12-24", "description": "x"}, headers=headers)
    assert r.status_code == 201, r.get_json()


# --- FAB's security REST API ------------------------------------------------------------

def test_security_rest_api_lists_users_for_admin_only(api, make_user, make_company):
    company = make_company()
    admin = make_user(roles=["Admin"], companies=[company], username="listadmin")
    auditor = make_user(roles=["AUDITOR"], companies=[company], username="listauditor")
    r = api(admin, company).get("/api/v1/security/users/")
    assert r.status_code == 200
    names = {u["username"] for u in r.get_json()["result"]}
    assert {"listadmin", "listauditor"} <= names
    assert all("password" not in u for u in r.get_json()["result"])
    assert api(admin).get("/api/v1/security/roles/").status_code == 200
    assert api(auditor, company).get("/api/v1/security/users/").status_code == 403
    assert api(auditor, company).post("/api/v1/security/users/", json=new_user_payload("x")).status_code == 403


# --- X-Company-Id -----------------------------------------------------------------------

def _nwd_list(client, headers):
    return client.get("/api/v1/non_working_day/", headers=headers)


def test_x_company_id_header(client, api, make_user, make_company, session):
    import datetime as dt

    from app.core.tenancy import NonWorkingDay

    a, b, c = make_company(), make_company(), make_company()
    session.add_all([
        NonWorkingDay(company_id=a.id, date=dt.date(2026, 12, 24), description="A"),
        NonWorkingDay(company_id=b.id, date=dt.date(2026, 12, 31), description="B"),
    ])
    session.commit()
    user = make_user(roles=["Admin"], companies=[a, b], username="multi")
    # Admin, but the point here is the membership header; a non-admin is tested below.
    caller = api(user)
    descr = lambda r: {row["description"] for row in r.get_json()["result"]}  # noqa: E731
    assert descr(caller.get("/api/v1/non_working_day/")) == {"A"}  # no header: first membership
    assert descr(caller.get("/api/v1/non_working_day/", headers={"X-Company-Id": str(b.id)})) == {"B"}
    r = caller.get("/api/v1/non_working_day/", headers={"X-Company-Id": str(c.id)})
    assert r.status_code == 200  # Admin may use any active company
    assert descr(r) == set()

    member = make_user(roles=["AUDITOR"], companies=[a], username="member")
    m = api(member)
    r = m.get("/api/v1/audit_entry/", headers={"X-Company-Id": str(b.id)})
    assert r.status_code == 403 and r.is_json
    assert str(b.id) in r.get_json()["message"]
    for bad in ("abc", "1; drop", "-1", "", "1.5"):
        r = m.get("/api/v1/audit_entry/", headers={"X-Company-Id": bad})
        assert r.status_code == 422, bad
        assert "X-Company-Id" in r.get_json()["message"]
    r = m.get("/api/v1/audit_entry/", headers={"X-Company-Id": "999999"})
    assert r.status_code == 403
    assert m.get("/api/v1/audit_entry/", headers={"X-Company-Id": str(a.id)}).status_code == 200


def test_inactive_company_cannot_be_chosen(api, make_user, make_company, session, login, client):
    import datetime as dt

    from app.core.tenancy import NonWorkingDay

    inactive, active = make_company(active=False), make_company()
    session.add_all([
        NonWorkingDay(company_id=inactive.id, date=dt.date(2026, 12, 24), description="de la inactiva"),
        NonWorkingDay(company_id=active.id, date=dt.date(2026, 12, 31), description="de la activa"),
    ])
    session.commit()
    member = make_user(roles=["AUDITOR"], companies=[inactive, active], username="inact")
    admin = make_user(roles=["Admin"], username="inactadmin")
    for user in (member, admin):
        r = api(user).get("/api/v1/non_working_day/", headers={"X-Company-Id": str(inactive.id)})
        assert r.status_code == 403, user.username
        assert r.get_json()["message"]
    # no header: the first *active* membership, although the inactive one was joined first
    r = api(member).get("/api/v1/non_working_day/")
    assert [row["description"] for row in r.get_json()["result"]] == ["de la activa"]
    login("inact")
    assert client.post("/empresa/activa", data={"company_id": str(inactive.id)}).status_code == 403
    page = client.get("/").get_data(as_text=True)
    assert active.name in page and inactive.name not in page


def test_user_without_company_sees_nothing_and_creates_nothing(api, make_user, make_company):
    make_company()
    lonely = make_user(roles=["AUDITOR"], username="lonely")
    r = api(lonely).get("/api/v1/audit_entry/")
    assert r.status_code == 200 and r.get_json()["count"] == 0


# --- menus per role ---------------------------------------------------------------------

def navbar(html: str) -> str:
    start = html.index('class="navbar')
    return html[start:html.index("</nav>", start)] if "</nav>" in html[start:] else html[start:]


def test_auditor_sees_audit_menu_only(make_user, make_company, login, client):
    company = make_company()
    make_user(roles=["AUDITOR"], companies=[company], username="auditmenu")
    login("auditmenu")
    nav = navbar(client.get("/").get_data(as_text=True))
    assert "Auditoría" in nav and "/auditview/list/" in nav
    assert "Empresas" not in nav and "/companyview/list/" not in nav
    assert "Membresías" not in nav
    assert "/users/list/" not in nav  # FAB's Security menu is Admin's
    assert client.get("/companyview/list/").status_code in (302, 403)
    assert client.get("/auditview/list/").status_code == 200


def test_admin_sees_every_menu(make_user, make_company, login, client):
    company = make_company()
    make_user(roles=["Admin"], companies=[company], username="adminmenu")
    login("adminmenu")
    nav = navbar(client.get("/").get_data(as_text=True))
    for label, href in [("Empresas", "/companyview/list/"), ("Auditoría", "/auditview/list/"),
                        ("Membresías", "/membershipview/list/"), ("Días no laborables", "/nonworkingdayview/list/"),
                        ("Flujos de trabajo", "/flujos/"), (None, "/users/list/")]:
        if label:
            assert label in nav
        assert href in nav


def test_permissions_are_read_once_per_page_not_once_per_menu_item(make_company, make_user, login, client, count_queries):
    """Admin's navbar has dozens of items; each is checked from one query's answer."""
    company = make_company()
    admin = make_user(roles=["Admin"], companies=[company])
    login(admin.username)
    client.get("/")
    with count_queries() as home:
        html = client.get("/").get_data(as_text=True)
    assert "Auditoría" in html and "Empresas" in html
    permission_queries = [s for s in home.statements if "ab_permission_view_role" in s]
    assert len(permission_queries) == 1, permission_queries
