"""Tenant isolation is central: ORM reads and writes, REST, web views and related endpoints."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import ForeignKey, Integer, String, delete, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.core.api import TenantModelRestApi
from app.core.tenancy import NonWorkingDay, TenantMixin, TenantViolation, company_scope
from tests.factories import api_clients, app_with_api


class PairBase(DeclarativeBase):
    pass


class Parent(TenantMixin, PairBase):
    __tablename__ = "tn_test_parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(30))

    def __repr__(self):
        return self.name


class Child(TenantMixin, PairBase):
    __tablename__ = "tn_test_child"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(30))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tn_test_parent.id"))
    parent: Mapped[Parent | None] = relationship(Parent)


class ChildApi(TenantModelRestApi):
    datamodel = SQLAInterface(Child)
    resource_name = "tn_child"
    class_permission_name = "TnChild"
    add_columns = edit_columns = ["name", "parent"]
    list_columns = show_columns = ["id", "name", "parent.id"]


@pytest.fixture(scope="module")
def pair_app(database_url, app):
    with app_with_api(database_url, ChildApi, PairBase.metadata) as other:
        yield other


@pytest.fixture
def two(pair_app, make_company, make_user, session):
    a, b = make_company(), make_company()
    admin = make_user(roles=["Admin"], companies=[a, b])
    with company_scope(a.id):
        pa = Parent(name="pa")
        session.add(pa)
        session.add(NonWorkingDay(date=dt.date(2026, 12, 24), description="A: Nochebuena"))
        session.commit()
    with company_scope(b.id):
        pb = Parent(name="pb")
        session.add(pb)
        session.add(NonWorkingDay(date=dt.date(2026, 12, 31), description="B: Nochevieja"))
        session.commit()
    yield dict(a=a, b=b, admin=admin, pa=pa, pb=pb)
    session.rollback()
    session.execute(Child.__table__.delete())
    session.execute(Parent.__table__.delete())
    session.commit()


def _count(session, model):
    session.rollback()
    with company_scope(None):
        return len(session.scalars(select(model)).all())


def test_orm_reads_see_only_the_active_company(two, session):
    a_id, pb_id = two["a"].id, two["pb"].id
    session.expunge_all()  # a request starts with an empty session; so does this test
    with company_scope(a_id):
        assert [d.description for d in session.scalars(select(NonWorkingDay))] == ["A: Nochebuena"]
        assert session.get(Parent, pb_id) is None
    with company_scope(None):  # system context (CLI, jobs): everything
        assert len(session.scalars(select(NonWorkingDay)).all()) == 2


def test_orm_bulk_update_and_delete_stay_in_the_company(two, session):
    with company_scope(two["a"].id):
        session.execute(update(NonWorkingDay).values(description="cambiado"))
        session.execute(delete(Parent))
        session.commit()
    with company_scope(two["b"].id):
        assert session.scalars(select(NonWorkingDay.description)).all() == ["B: Nochevieja"]
        assert session.scalars(select(Parent.name)).all() == ["pb"]


def test_new_rows_take_the_active_company(two, session):
    with company_scope(two["b"].id):
        child = Child(name="c")
        session.add(child)
        session.commit()
        assert child.company_id == two["b"].id


def test_no_active_company_no_new_rows(two, session):
    with company_scope(0), pytest.raises(TenantViolation, match="No hay una empresa activa"):
        session.add(Child(name="huérfano"))
        session.flush()
    session.rollback()
    assert _count(session, Child) == 0


@pytest.mark.parametrize("how", ["by_id", "by_object"])
def test_reference_to_another_companys_row_is_refused(two, session, how):
    a_id, pb_id = two["a"].id, two["pb"].id
    session.expunge_all()
    with company_scope(a_id):
        assert session.get(Parent, pb_id) is None  # not even loadable
        with company_scope(None):
            foreign_obj = session.get(Parent, pb_id)
        child = Child(name="c", parent_id=pb_id) if how == "by_id" else Child(name="c", parent=foreign_obj)
        session.add(child)
        with pytest.raises(TenantViolation, match="'parent'"):
            session.flush()
    session.rollback()
    assert _count(session, Child) == 0


def test_changing_a_reference_to_another_company_is_refused(two, session):
    with company_scope(two["a"].id):
        child = Child(name="c", parent_id=two["pa"].id)
        session.add(child)
        session.commit()
        child.parent_id = two["pb"].id
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()
    with company_scope(None):
        assert session.get(Child, child.id).parent_id == two["pa"].id


def test_writing_a_row_of_another_company_is_refused(two, session):
    with company_scope(None):
        row = session.scalars(select(NonWorkingDay).where(NonWorkingDay.description.like("B:%"))).one()
    with company_scope(two["a"].id):
        row.description = "hackeado"
        with pytest.raises(TenantViolation, match="otra empresa"):
            session.flush()
    session.rollback()


# --- REST ------------------------------------------------------------------------------------

@pytest.fixture
def pair_api(pair_app):
    return api_clients(pair_app)


def test_api_post_naming_another_companys_row_writes_nothing(two, pair_api, session):
    api_a = pair_api(two["admin"], two["a"])
    r = api_a.post("/api/v1/tn_child/", json={"name": "x", "parent": two["pb"].id})
    assert r.status_code == 422, r.get_json()
    assert "parent" in str(r.get_json())
    assert _count(session, Child) == 0
    r = api_a.post("/api/v1/tn_child/", json={"name": "x", "parent": two["pa"].id})
    assert r.status_code == 201, r.get_json()
    child_id = r.get_json()["id"]
    r = api_a.put(f"/api/v1/tn_child/{child_id}", json={"parent": two["pb"].id})
    assert r.status_code == 422
    session.rollback()
    with company_scope(None):
        assert session.get(Child, child_id).parent_id == two["pa"].id


def test_api_related_choices_list_only_the_company(two, pair_api):
    """FAB offers related choices through _info (add/edit columns' values)."""
    r = pair_api(two["admin"], two["a"]).get("/api/v1/tn_child/_info")
    assert r.status_code == 200, r.get_json()
    [parent] = [c for c in r.get_json()["add_columns"] if c["name"] == "parent"]
    assert [v["value"] for v in parent["values"]] == ["pa"]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_api_other_companys_row_by_id_is_404(two, api, session, method):
    with company_scope(None):
        b_row = session.scalars(select(NonWorkingDay).where(NonWorkingDay.description.like("B:%"))).one()
    client = api(two["admin"], two["a"])
    url = f"/api/v1/non_working_day/{b_row.id}"
    r = client.get(url) if method == "get" else client.delete(url) if method == "delete" else client.put(url, json={"description": "x"})
    assert r.status_code == 404, r.get_json()
    assert "message" in r.get_json()
    session.rollback()
    with company_scope(None):
        assert session.get(NonWorkingDay, b_row.id).description == "B: Nochevieja"


def test_api_list_shows_only_the_company(two, api):
    r = api(two["admin"], two["b"]).get("/api/v1/non_working_day/")
    assert [row["description"] for row in r.get_json()["result"]] == ["B: Nochevieja"]


# --- web views ---------------------------------------------------------------------------------

def test_web_list_and_pages_are_scoped(two, login, client, session):
    with company_scope(None):
        b_row = session.scalars(select(NonWorkingDay).where(NonWorkingDay.description.like("B:%"))).one()
    login(two["admin"].username)
    client.post("/empresa/activa", data={"company_id": two["a"].id})
    html = client.get("/nonworkingdayview/list/").get_data(as_text=True)
    assert "A: Nochebuena" in html and "B: Nochevieja" not in html
    assert client.get(f"/nonworkingdayview/show/{b_row.id}").status_code == 404
    assert client.get(f"/nonworkingdayview/edit/{b_row.id}").status_code == 404
    client.post(f"/nonworkingdayview/edit/{b_row.id}", data={"date": "2026-12-31", "description": "x"})
    client.post(f"/nonworkingdayview/delete/{b_row.id}")
    session.rollback()
    with company_scope(None):
        assert session.get(NonWorkingDay, b_row.id).description == "B: Nochevieja"


# --- platform resources are Admin's ----------------------------------------------------------

@pytest.mark.parametrize("resource", ["company", "membership"])
def test_companies_and_memberships_are_admin_only(two, api, make_user, resource):
    auditor = make_user(roles=["AUDITOR"], companies=[two["a"]])
    assert api(auditor, two["a"]).get(f"/api/v1/{resource}/").status_code in (401, 403)
    assert api(auditor, two["a"]).post(f"/api/v1/{resource}/", json={}).status_code in (401, 403)
    assert api(two["admin"], two["a"]).get(f"/api/v1/{resource}/").status_code == 200


def test_switching_to_a_company_not_yours_is_refused(two, login, client, make_user, make_company):
    other = make_company()
    auditor = make_user(roles=["AUDITOR"], companies=[two["a"]])
    login(auditor.username)
    assert client.post("/empresa/activa", data={"company_id": other.id}).status_code == 403
    assert client.post("/empresa/activa", data={"company_id": "x"}).status_code == 403
    r = client.post("/empresa/activa", data={"company_id": two["a"].id, "next": "https://evil.example/"})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "X", "tax_id": "B12345674", "country_code": "ZZ"}, "country_code"),
        ({"name": "X", "tax_id": "B12345674", "country_code": "ES", "subdivision": "XX"}, "subdivision"),
        ({"name": " ", "tax_id": "B12345674", "country_code": "ES"}, "name"),
        ({"name": "X", "tax_id": "B12345678", "country_code": "ES"}, "tax_id"),
        ({"name": "X", "tax_id": "B12345674"}, "country_code"),
    ],
)
def test_company_needs_a_known_calendar(two, api, session, body, field):
    r = api(two["admin"], two["a"]).post("/api/v1/company/", json=body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["field"] == field
    from app.core.tenancy import Company

    assert sorted(session.scalars(select(Company.name)).all()) == sorted([two["a"].name, two["b"].name])


def test_company_calendar_accepts_real_regions(two, api):
    r = api(two["admin"], two["a"]).post(
        "/api/v1/company/", json={"name": "Chile SA", "tax_id": "76.086.428-5", "country_code": "cl", "subdivision": "rm"}
    )
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["result"]["country_code"], r.get_json()["result"]["subdivision"]) == ("CL", "RM")


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"date": "mañana"}, "date", "debe ser una fecha AAAA-MM-DD"),
        ({"description": "sin fecha"}, "date", "falta y es obligatorio"),
        ({"date": "2026-12-08", "color": "rojo"}, "color", "no es un campo admitido"),
    ],
)
def test_schema_errors_name_the_field_in_spanish(two, api, session, body, field, words):
    r = api(two["admin"], two["a"]).post("/api/v1/non_working_day/", json=body)
    assert r.status_code == 422
    assert r.get_json()["field"] == field and words in r.get_json()["message"]
    assert _count(session, NonWorkingDay) == 2


def test_numbers_beyond_any_column_are_refused_up_front(two, api):
    client = api(two["admin"], two["a"])
    assert client.get(f"/api/v1/non_working_day/{2**40}").status_code == 404
    r = client.post("/api/v1/non_working_day/", json={"date": "2026-12-08", "description": "x", "n": 2**40})
    assert r.status_code == 422 and r.get_json()["field"] == "n"
    r = client.get(f"/api/v1/non_working_day/?q=(filters:!((col:description,opr:eq,value:{2**40})))")
    assert r.status_code == 422 and r.get_json()["field"] == "q"
    r = client.get("/api/v1/non_working_day/?q=(filters:!((col:description,opr:eq,value:'12345678901234567890')))")
    assert r.status_code == 200  # a long number as text is fine


@pytest.mark.parametrize(
    "country, tax_id, ok",
    [("ES", "B12345674", True), ("ES", "12345678Z", True), ("ES", "B12345678", False),
     ("MX", "DSU010101AB1", True), ("MX", "XXXX", False), ("CL", "76.086.428-5", True), ("CL", "76.086.428-1", False)],
)
def test_company_tax_id_is_checked_for_its_country(two, api, country, tax_id, ok):
    """Issue 9, item 17: python-stdnum checks the tax id of the company's country, with the reason."""
    r = api(two["admin"], two["a"]).post(
        "/api/v1/company/", json={"name": f"Nueva {country} {tax_id}", "tax_id": tax_id, "country_code": country}
    )
    if ok:
        assert r.status_code == 201, r.get_json()
        zone = r.get_json()["result"]["timezone"]
        assert zone == {"ES": "Europe/Madrid", "MX": "America/Mexico_City", "CL": "America/Santiago"}[country]
    else:
        assert r.status_code == 422 and r.get_json()["field"] == "tax_id"
        assert tax_id in r.get_json()["message"] and country in r.get_json()["message"]


def test_company_time_zone_must_exist(two, api):
    r = api(two["admin"], two["a"]).post(
        "/api/v1/company/", json={"name": "Zona", "tax_id": "B12345674", "country_code": "ES", "timezone": "Marte/Olympus"}
    )
    assert r.status_code == 422 and r.get_json()["field"] == "timezone"


def test_company_page_refuses_a_bad_tax_id_with_the_reason(two, client, login):
    login(two["admin"].username)
    r = client.post("/companyview/add", data={"name": "Mala", "tax_id": "B12345678", "country_code": "ES", "active": "y"})
    body = r.get_data(as_text=True)
    assert "B12345678" in body and "dígito de control" in body
    from app.core.tenancy import Company

    assert "Mala" not in db_names(Company)


def db_names(model):
    from app.extensions import db

    return db.session.scalars(select(model.name)).all()
