"""Duplicates and constraint violations come back as field errors (issue 7 item 5, issue 9
item 7, issue 8 item 10): the same form, typed values kept, the sentence beside its field;
the API answers 422 {message, field}; never SQL, driver text or a constraint name."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.certification.catalogs.models import Certification, Operator
from app.core.tenancy import Membership, NonWorkingDay, company_scope
from app.installation.equipment.models import Equipment

DRIVER_WORDS = ("UNIQUE", "constraint", "uq_", "IntegrityError", "INSERT", "psycopg", "sqlite", "Database exception")


def no_sql(text: str) -> None:
    for word in DRIVER_WORDS:
        assert word not in text, word


@pytest.fixture
def admin_world(make_company, make_user, session):
    company = make_company(name="Formularios SA")
    admin = make_user(roles=("Admin",), companies=(company,), username="form_admin")
    with company_scope(company.id):
        session.add_all([
            NonWorkingDay(date=dt.date(2026, 12, 1), description="Fiesta"),
            Equipment(code="MON-01", name="Monitor", active=True),
            Certification(name="Laboratorio", description="", active=True),
            Operator(first_name="Ana", last_name="Ruiz", code="OP-1", active=True),
        ])
        session.commit()
    return company, admin


def count(session, company, model) -> int:
    with company_scope(company.id):
        return session.scalar(select(func.count()).select_from(model))


CASES = [
    ("/nonworkingdayview/add", NonWorkingDay, {"date": "2026-12-01", "description": "Otra fiesta"},
     "date", "Ya existe un día no laborable el 01/12/2026.", "Otra fiesta"),
    ("/instalacion/equipos/add", Equipment, {"code": "MON-01", "name": "Monitor nuevo", "active": "y"},
     "code", "Ya existe un equipo con el código MON-01.", "Monitor nuevo"),
    ("/certificaciones/tipos/add", Certification, {"name": "Laboratorio", "description": "Repetida", "active": "y"},
     "name", "Ya existe un tipo de certificación llamado «Laboratorio».", "Repetida"),
    ("/certificaciones/operarios/add", Operator, {"first_name": "Eva", "last_name": "Gil", "code": "OP-1",
                                                  "active": "y"},
     "code", "OP-1", "Gil"),
]


@pytest.mark.parametrize("url, model, data, field, sentence, typed", CASES, ids=[c[1].__name__ for c in CASES])
def test_a_duplicate_is_an_error_beside_its_field_on_the_same_form(admin_world, client, login, session,
                                                                   url, model, data, field, sentence, typed):
    company, admin = admin_world
    login("form_admin")
    before = count(session, company, model)
    r = client.post(url, data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422, html[:300]
    assert sentence in html and typed in html  # the message, and what the user typed
    assert f'name="{field}"' in html  # the same form again, not the home page
    no_sql(html)
    assert count(session, company, model) == before


def test_a_duplicate_membership_is_a_field_error(admin_world, client, login, session):
    company, admin = admin_world
    login("form_admin")
    r = client.post("/membershipview/add", data={"user": str(admin.id), "company": str(company.id)})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Ese usuario ya es miembro de esa empresa." in html
    no_sql(html)
    assert session.scalar(select(func.count()).select_from(Membership)) == 1


def test_an_edit_into_a_duplicate_keeps_the_form(admin_world, client, login, session):
    company, admin = admin_world
    with company_scope(company.id):
        other = NonWorkingDay(date=dt.date(2026, 12, 8), description="Inmaculada")
        session.add(other)
        session.commit()
    login("form_admin")
    r = client.post(f"/nonworkingdayview/edit/{other.id}", data={"date": "2026-12-01", "description": "Movida"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Ya existe un día no laborable el 01/12/2026." in html and "Movida" in html
    no_sql(html)


API_CASES = [
    ("/api/v1/non_working_day/", {"date": "2026-12-01", "description": "Otra"}, "date",
     "Ya existe un día no laborable el 01/12/2026."),
    ("/api/v1/certification/", {"name": "Laboratorio", "description": "", "active": True}, "name",
     "Ya existe un tipo de certificación llamado «Laboratorio»."),
    ("/api/v1/operator/", {"first_name": "Eva", "last_name": "Gil", "code": "OP-1", "active": True}, "code", "OP-1"),
    ("/api/v1/membership/", None, "user", "Ese usuario ya es miembro de esa empresa."),
]


@pytest.mark.parametrize("url, body, field, sentence", API_CASES, ids=[c[0].split("/")[3] for c in API_CASES])
def test_the_api_answers_a_duplicate_with_the_same_sentence(admin_world, api, url, body, field, sentence):
    company, admin = admin_world
    body = body or {"user": admin.id, "company": company.id}
    r = api(admin, company).post(url, json=body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["field"] == field and sentence in r.get_json()["message"]
    no_sql(str(r.get_json()))


def test_an_api_edit_into_a_duplicate_is_explained_not_driver_text(admin_world, api, session):
    company, admin = admin_world
    with company_scope(company.id):
        other = NonWorkingDay(date=dt.date(2026, 12, 8), description="Inmaculada")
        session.add(other)
        session.commit()
    r = api(admin, company).put(f"/api/v1/non_working_day/{other.id}", json={"date": "2026-12-01"})
    assert r.status_code == 422 and r.get_json() == {
        "message": "Ya existe un día no laborable el 01/12/2026.", "field": "date",
        "errors": {"date": "Ya existe un día no laborable el 01/12/2026."}}


def test_text_beyond_its_limit_names_the_field_on_api_and_form(admin_world, api, client, login):
    company, admin = admin_world
    r = api(admin, company).post("/api/v1/certification/", json={"name": "Nueva", "description": "x" * 5000})
    assert r.status_code == 422 and r.get_json()["field"] == "description"
    assert "«Descripción» admite como mucho" in r.get_json()["message"]
    login("form_admin")
    r = client.post("/certificaciones/tipos/add", data={"name": "Nueva", "description": "x" * 5000, "active": "y"})
    assert r.status_code == 422 and "«Descripción» admite como mucho" in r.get_data(as_text=True)
