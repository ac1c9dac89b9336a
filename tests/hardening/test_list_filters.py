"""Issue 19, points 10 and 11 and what the sweeps found in FAB's lists (app/core/fab_lists.py):
filter operators a column does not have, relation filters on rows the company does not see,
Rison numbers on text columns, "n" on boolean columns, sorting by a Python property. The
sweep (tests/sweeps/test_filter_sweep.py) runs every filter of every list; these pin the
answers a user gets."""
from __future__ import annotations

import datetime as dt

import prison
import pytest
from sqlalchemy import select

from app.certification.assignments import services
from app.certification.catalogs.models import Certification, Operator, ProductAuditType
from app.core.audit import AuditEntry
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from tests.sweeps.world import GHOST_ID

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def catalog(session, make_company, make_user):
    """Two companies; the first with two certifications, an audit type of each, an operator
    called "5" and an inactive one; the second with a certification of its own."""
    company, other = make_company(), make_company()
    user = make_user(roles=["CERT_USUARIO"], companies=[company])
    with company_scope(other.id):
        foreign = Certification(name="Ajena", description="De la otra empresa")
        session.add(foreign)
        session.commit()
    with company_scope(company.id):
        lab, shop = Certification(name="Laboratorio", description=""), Certification(name="Taller", description="")
        session.add_all([lab, shop, ProductAuditType(certification=lab, name="Dientes"),
                         ProductAuditType(certification=shop, name="Soldadura"),
                         Operator(first_name="5", last_name="Cinco", code="OP-5"),
                         Operator(first_name="Inés", last_name="Baja", code="OP-6", active=False)])
        session.commit()
    return company, user, lab, foreign


def test_hardening_19_10_a_filter_index_the_column_does_not_have_is_a_422_naming_it(catalog, login, client):
    _company, user, lab, _foreign = catalog
    login(user.username)
    # a relation has two filters (0: equal to, 1: not equal to): FAB read the third blindly (a 500)
    response = client.get("/certificaciones/auditorias/list/", query_string={"_flt_2_certification": lab.id})
    assert response.status_code == 422
    assert "_flt_2_certification" in response.get_data(as_text=True)
    assert client.get("/certificaciones/auditorias/list/",
                      query_string={"_flt_0_certification": lab.id}).status_code == 200


def test_hardening_19_10_a_relation_filter_on_a_row_the_company_does_not_see_lists_nothing(catalog, login, client, api):
    company, user, lab, foreign = catalog
    login(user.username)
    page = "/certificaciones/auditorias/list/"

    def shown(**args):
        text = client.get(page, query_string=args).get_data(as_text=True)
        return {name for name in ("Dientes", "Soldadura") if name in text}

    assert shown(_flt_0_certification=lab.id) == {"Dientes"}
    for missing in (foreign.id, GHOST_ID):  # another company's row, a row that never existed: the same
        assert shown(_flt_0_certification=missing) == set()  # "equal to" nothing: no rows (FAB: rows without one)
        assert shown(_flt_1_certification=missing) == {"Dientes", "Soldadura"}  # "not equal to": every row
    rest = api(user, company)
    for missing in (foreign.id, GHOST_ID):
        for operator, count in (("rel_o_m", 0), ("nrel_o_m", 2)):
            q = prison.dumps({"filters": [{"col": "certification", "opr": operator, "value": missing}]})
            response = rest.get("/api/v1/product_audit_type/", query_string={"q": q})
            assert (response.status_code, response.get_json()["count"]) == (200, count)


def test_hardening_19_10_a_nullable_relation_filtered_on_a_missing_row_is_not_a_filter_on_null(
        catalog, session, make_user, api):
    company, _user, _lab, _foreign = catalog
    auditor = make_user(roles=["AUDITOR"], companies=[company])
    with company_scope(company.id):
        session.add_all([AuditEntry(entity="probe", entity_id=1, action="SYSTEM", user_id=None),
                         AuditEntry(entity="probe", entity_id=1, action="EDIT", user_id=auditor.id)])
        session.commit()
    rest = api(auditor, company)
    # FAB compared with NULL: "user equal to <nobody>" listed the entries without a user
    for operator, actions in (("rel_o_m", []), ("nrel_o_m", ["EDIT", "SYSTEM"])):
        q = prison.dumps({"filters": [{"col": "entity", "opr": "eq", "value": "probe"},
                                      {"col": "user", "opr": operator, "value": GHOST_ID}]})
        response = rest.get("/api/v1/audit_entry/", query_string={"q": q})
        assert sorted(row["action"] for row in response.get_json()["result"]) == actions, operator


def test_hardening_19_11_a_number_on_a_text_column_filters_as_text(catalog, api):
    company, user, _lab, _foreign = catalog
    rest = api(user, company)
    for operator in ("eq", "ct", "sw", "in"):
        value = [5] if operator == "in" else 5
        q = prison.dumps({"filters": [{"col": "first_name", "opr": operator, "value": value}]})
        response = rest.get("/api/v1/operator/", query_string={"q": q})  # PostgreSQL: varchar = integer, a 500
        assert response.status_code == 200, (operator, response.get_json())
        assert [row["last_name"] for row in response.get_json()["result"]] == ["Cinco"], operator
    q = prison.dumps({"filters": [{"col": "first_name", "opr": "gt", "value": 5}]})
    response = rest.get("/api/v1/operator/", query_string={"q": q})
    assert response.status_code == 400 and "first_name" in response.get_json()["message"]


def test_hardening_19_a_boolean_filter_takes_n_and_0_as_false(catalog, login, client, api):
    company, user, _lab, _foreign = catalog
    login(user.username)
    for value in ("n", "0"):  # PostgreSQL: boolean = varchar, a 500
        text = client.get("/certificaciones/operarios/list/", query_string={"_flt_0_active": value}).get_data(as_text=True)
        assert "Baja" in text and "Cinco" not in text
    q = prison.dumps({"filters": [{"col": "active", "opr": "eq", "value": "n"}]})
    response = api(user, company).get("/api/v1/operator/", query_string={"q": q})
    assert [row["last_name"] for row in response.get_json()["result"]] == ["Baja"]


def test_hardening_19_a_python_property_is_no_sort_column(catalog, session, login, client):
    company, user, lab, _foreign = catalog
    with company_scope(company.id), acting_as(user):
        operator = session.scalar(select(Operator).where(Operator.code == "OP-5"))
        services.assign_certification(session=session, user=user, company=company, operator=operator.id,
                                      certification=lab.id, assigned_on=MONDAY, today=MONDAY)  # period 1
        session.commit()
    login(user.username)
    # "Estado" of the periods is computed in Python: it had a sort link whose click was a 500
    response = client.get("/certificaciones/periodos/list/",
                          query_string={"_oc_ValidationPeriodView": "status_label", "_od_ValidationPeriodView": "asc"})
    assert response.status_code == 422
    page = client.get("/certificaciones/periodos/list/").get_data(as_text=True)
    assert "_oc_ValidationPeriodView=status_label" not in page
    assert "_oc_ValidationPeriodView=number" in page
