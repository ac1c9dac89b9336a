"""Issue 8, finding 4 (first half): no request body over MAX_CONTENT_LENGTH is read; the
answer is 413 with a message, JSON on the API and a page on the web, and nothing is written."""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.tenancy import NonWorkingDay, company_scope

BIG = "x" * (3 * 1024 * 1024)


def test_a_huge_api_body_is_413_json_and_writes_nothing(api, make_user, make_company, session, app):
    assert app.config["MAX_CONTENT_LENGTH"] <= 5 * 1024 * 1024
    company = make_company()
    client = api(make_user(roles=["Admin"], companies=[company]), company)
    r = client.post("/api/v1/non_working_day/", json={"date": "2026-12-01", "description": BIG})
    assert r.status_code == 413
    assert r.get_json()["message"] == "La petición es demasiado grande."
    with company_scope(None):
        assert session.scalar(select(func.count()).select_from(NonWorkingDay)) == 0


def test_a_huge_form_is_413_with_a_page(client, make_user, make_company, login, session):
    company = make_company()
    make_user(roles=["Admin"], companies=[company], username="bigform")
    login("bigform")
    # each field under Flask's own per-field limit (MAX_FORM_MEMORY_SIZE), the body over ours
    padding = {f"extra{i}": "x" * 400_000 for i in range(8)}
    r = client.post("/nonworkingdayview/add", data={"date": "2026-12-01", "description": "Puente", **padding})
    assert r.status_code == 413
    assert "La petición es demasiado grande." in r.get_data(as_text=True)
    with company_scope(None):
        assert session.scalar(select(func.count()).select_from(NonWorkingDay)) == 0
