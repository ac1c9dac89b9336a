"""The assignment form (CERT-ASG-1, the operators it offers) and "en riesgo" with its CSV,
as a CERT_USUARIO uses them."""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from app.certification.assignments.models import CertificationAssignment
from app.certification.catalogs.models import Operator
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=30)


def test_cert_asg_1_the_assignment_form_creates_period_1(web):
    r = web.client.post("/certificaciones/asignaciones/add", data={
        "operator": web.operator.id, "certification": web.cert.id, "assigned_on": TODAY.isoformat(),
        "observations": "Alta"}, follow_redirects=True)
    assert r.status_code == 200
    with company_scope(web.company.id):
        a = web.session.scalar(select(CertificationAssignment))
    assert a is not None and [p.number for p in web.periods(a)] == [1]
    before = web.counts()
    r = web.client.post("/certificaciones/asignaciones/add", data={
        "operator": web.operator.id, "certification": web.cert.id, "assigned_on": TODAY.isoformat()},
        follow_redirects=True)
    assert "solo puede haber una asignación activa" in r.get_data(as_text=True)
    assert web.counts() == before


def test_cert_cat_1_inactive_operators_are_not_offered_for_new_assignments(web, session):
    with company_scope(web.company.id):
        session.add(Operator(first_name="Baja", last_name="Antigua", active=False))
        session.commit()
    html = web.client.get("/certificaciones/asignaciones/add").get_data(as_text=True)
    assert "Martín" in html and "Antigua" not in html
    web.assign(START, today=TODAY)  # the inspection form offers operators holding a certification
    html = web.client.get("/certificaciones/inspecciones/registrar").get_data(as_text=True)
    assert "Martín" in html and "Antigua" not in html


def test_at_risk_lists_open_periods_by_working_days_left_and_exports_csv(web, session):
    with company_scope(web.company.id):
        soon, later = Operator(first_name="Pronto", last_name="Vence"), Operator(first_name="Tarde", last_name="Vence")
        session.add_all([soon, later])
        session.commit()
    web.assign(TODAY - dt.timedelta(days=200), today=TODAY, operator=soon)
    web.assign(TODAY - dt.timedelta(days=10), today=TODAY, operator=later)
    web.assign(TODAY - dt.timedelta(days=400), today=TODAY - dt.timedelta(days=400))  # lapsed: not listed
    html = web.client.get("/certificaciones/periodos/en-riesgo").get_data(as_text=True)
    assert html.index("Pronto Vence") < html.index("Tarde Vence")
    assert "Lucía Martín" not in html
    r = web.client.get("/certificaciones/periodos/en-riesgo.csv")
    assert r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Operario" and rows[0][-1] == "Días laborables restantes"
    assert [row[0] for row in rows[1:]] == ["Pronto Vence", "Tarde Vence"]
    assert int(rows[1][-1]) < int(rows[2][-1]) and rows[1][8] == "29"
