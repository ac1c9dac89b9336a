"""Errors (issue 2, part 9): every /api error is JSON {"message": ...} with the right 4xx; HTML
error pages are in Spanish; bad input never gives a 500 and no stack trace reaches a user."""
from __future__ import annotations

import pytest
from flask import abort
from flask_appbuilder.api import BaseApi, expose, safe

from app.core.tenancy import NonWorkingDay

NWD = "/api/v1/non_working_day/"
SECRET_DETAIL = "detalle-interno-que-nadie-debe-ver"


def assert_json_error(r, status, *names):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.is_json, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert body.get("message"), body
    text = str(body["message"]).lower()
    for name in names:
        assert name.lower() in text, (name, body)
    assert "traceback" not in r.get_data(as_text=True).lower()
    return body


@pytest.fixture
def admin_api(make_company, make_user, api):
    company = make_company()
    user = make_user(roles=["Admin"], companies=[company])
    return api(user, company)


def count_days(session) -> int:
    session.rollback()
    return session.query(NonWorkingDay).execution_options(all_companies=True).count()


# --- /api: routing ----------------------------------------------------------------------

def test_unknown_api_route_is_json_404(client, admin_api):
    for url in ("/api/v1/no_such_resource/", "/api/v1/non_working_day/1/nothing", "/api/nada"):
        assert_json_error(client.get(url), 404)
        assert_json_error(admin_api.get(url), 404)


def test_wrong_method_is_json_405_with_allow_header(admin_api):
    r = admin_api.delete(NWD)
    assert_json_error(r, 405)
    assert "GET" in r.headers["Allow"] and "POST" in r.headers["Allow"]
    assert_json_error(admin_api.put("/api/v1/security/login", json={}), 405)


def test_missing_or_bad_token_is_json_401(client):
    r = client.get(NWD)
    assert_json_error(r, 401, "token")
    for header in ("Bearer nonsense", "Bearer a.b.c", "Basic Zm9vOmJhcg=="):
        r = client.get(NWD, headers={"Authorization": header})
        assert_json_error(r, 401)


def test_record_not_visible_is_json_404(admin_api):
    assert_json_error(admin_api.get(NWD + "999999"), 404)
    assert_json_error(admin_api.put(NWD + "999999", json={"description": "x"}), 404)
    assert_json_error(admin_api.delete(NWD + "999999"), 404)


@pytest.mark.parametrize("pk", ["abc", "1.5", "-1", "99999999999999999999999"])
def test_non_numeric_or_huge_ids_are_4xx_not_500(admin_api, pk):
    for r in (admin_api.get(NWD + pk), admin_api.put(NWD + pk, json={"description": "x"}), admin_api.delete(NWD + pk)):
        assert 400 <= r.status_code < 500, (pk, r.status_code, r.get_data(as_text=True)[:200])
        assert r.is_json and r.get_json().get("message")


# --- /api: bad bodies -------------------------------------------------------------------

def test_malformed_json_body_is_400_or_422_and_writes_nothing(admin_api, session):
    for raw in ('{"date": "2026-12-24"', "not json at all", "{'date': '2026-12-24'}", ""):
        r = admin_api.client.post(NWD, data=raw, content_type="application/json", headers=admin_api.headers())
        assert_json_error(r, r.status_code)
        assert r.status_code in (400, 422), raw
    r = admin_api.client.post(NWD, data={"date": "2026-12-24"}, headers=admin_api.headers())  # a form, not JSON
    assert r.status_code in (400, 415, 422) and r.get_json()["message"]
    assert count_days(session) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"date": "not-a-date"}, "date"),
        ({}, "date"),
        ({"date": 5}, "date"),
        ({"date": None}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "2026-12-24", "description": 5}, "description"),
        ({"date": "2026-12-24", "description": "x" * 201}, "description"),
        ({"date": "2026-12-24", "colour": "red"}, "colour"),
    ],
)
def test_post_validation_errors_are_422_naming_the_field(admin_api, session, body, field):
    r = admin_api.post(NWD, json=body)
    assert_json_error(r, 422, field)
    assert count_days(session) == 0


@pytest.mark.parametrize("body", [[], [{"date": "2026-12-24"}], "2026-12-24", 5, None, True])
def test_post_body_that_is_not_an_object_is_4xx(admin_api, session, body):
    r = admin_api.post(NWD, json=body)
    assert 400 <= r.status_code < 500, (body, r.status_code, r.get_data(as_text=True)[:200])
    assert r.get_json()["message"]
    assert count_days(session) == 0


def test_put_validation_errors_are_422_and_change_nothing(admin_api, session):
    r = admin_api.post(NWD, json={"date": "2026-12-24", "description": "Nochebuena"})
    assert r.status_code == 201, r.get_json()
    pk = r.get_json()["id"]
    for body, field in [({"date": "24/12/2026"}, "date"), ({"date": 20261224}, "date"),
                        ({"description": ["a"]}, "description")]:
        assert_json_error(admin_api.put(NWD + str(pk), json=body), 422, field)
    session.rollback()
    row = session.get(NonWorkingDay, pk, execution_options={"all_companies": True})
    assert (str(row.date), row.description) == ("2026-12-24", "Nochebuena")


def test_duplicate_is_422_not_500(admin_api, session):
    assert admin_api.post(NWD, json={"date": "2026-12-24", "description": "a"}).status_code == 201
    r = admin_api.post(NWD, json={"date": "2026-12-24", "description": "b"})
    assert_json_error(r, 422)
    assert count_days(session) == 1


def test_bad_query_arguments_are_4xx(admin_api):
    for q in ("(", "(page:x)", "(filters:!((col:nope,opr:eq,value:1)))", "(order_column:nope)"):
        r = admin_api.get(NWD + "?q=" + q)
        assert 400 <= r.status_code < 500, (q, r.status_code, r.get_data(as_text=True)[:200])
        assert r.get_json()["message"]


# --- HTML pages -------------------------------------------------------------------------

def test_html_404_is_a_spanish_page(client):
    r = client.get("/no-existe-esta-pagina")
    assert r.status_code == 404
    assert r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "No existe" in html and "Volver al inicio" in html
    assert 'lang="es"' in html or "Iniciar sesión" in html or "Entrar" in html


def test_html_405_is_a_spanish_page(client):
    r = client.delete("/login/")
    assert r.status_code == 405
    assert "Método no permitido" in r.get_data(as_text=True)


def test_error_page_for_a_logged_in_user_keeps_the_menu(client, login, make_user, make_company):
    company = make_company()
    make_user(roles=["AUDITOR"], companies=[company], username="perdido")
    login("perdido")
    r = client.get("/no-existe")
    assert r.status_code == 404
    html = r.get_data(as_text=True)
    assert "Perdido" in html and "/auditview/list/" in html  # navbar rendered for this user


# --- unexpected exceptions (a separate app with failing routes) ---------------------------

class BoomApi(BaseApi):
    resource_name = "boom"

    @expose("/", methods=["GET"])
    @safe
    def get(self):
        raise RuntimeError(SECRET_DETAIL)


@pytest.fixture(scope="module")
def boom_app(database_url, app):
    from app import create_app
    from app.extensions import db

    other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)

    def explode():
        raise RuntimeError(SECRET_DETAIL)

    def gone():
        abort(410, "Esta dirección ya no existe; usa /backend/otra.php.")

    def zero():
        return str(1 / 0)

    other.add_url_rule("/explota", "explota", explode)
    other.add_url_rule("/api/v1/explota", "api_explota", explode, methods=["GET", "POST"])
    other.add_url_rule("/api/v1/cero", "api_cero", zero)
    other.add_url_rule("/antiguo", "antiguo", gone)
    other.add_url_rule("/api/v1/antiguo", "api_antiguo", gone)
    with other.app_context():
        other.appbuilder.add_api(BoomApi)
        db.session.remove()
    return other


def test_unexpected_exception_on_a_page_is_a_spanish_500_without_trace(boom_app, caplog):
    r = boom_app.test_client().get("/explota")
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "Error interno" in html
    assert "Traceback" not in html and SECRET_DETAIL not in html and "RuntimeError" not in html
    assert SECRET_DETAIL in caplog.text  # ...but it is logged for the team


def test_unexpected_exception_on_the_api_is_json_500_without_trace(boom_app):
    c = boom_app.test_client()
    for r in (c.get("/api/v1/explota"), c.post("/api/v1/explota", json={}), c.get("/api/v1/cero")):
        body = assert_json_error(r, 500)
        assert SECRET_DETAIL not in str(body) and "ZeroDivision" not in str(body)
        assert set(body) == {"message"}


def test_fab_safe_api_error_shows_no_stack_trace(boom_app):
    r = boom_app.test_client().get("/api/v1/boom/")
    body = assert_json_error(r, 500)
    assert SECRET_DETAIL not in r.get_data(as_text=True)
    assert "File " not in str(body)


def test_custom_error_descriptions_reach_the_user(boom_app):
    c = boom_app.test_client()
    r = c.get("/api/v1/antiguo")
    assert_json_error(r, 410, "/backend/otra.php")
    r = c.get("/antiguo")
    assert r.status_code == 410 and "/backend/otra.php" in r.get_data(as_text=True)


def test_error_page_that_cannot_render_falls_back_to_plain_spanish(boom_app, monkeypatch):
    import app.core.errors as core

    def broken(*a, **kw):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(core, "render_template", broken)
    r = boom_app.test_client().get("/explota")
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "Error interno" in html and "Volver al inicio" in html
    assert "Traceback" not in html and SECRET_DETAIL not in html and "template engine" not in html
