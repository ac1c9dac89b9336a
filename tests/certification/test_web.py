"""The pages a CERT_USUARIO uses: catalogs, assignment form, inspection form with its JSON
dropdowns, the operator's page (progress, history, annulled marks, lazy expiry, constant
queries), annulment, "en riesgo" and the CSV exports, and the Admin-only rules table."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from app.certification.models import (
    CertificationAssignment,
    CertificationRules,
    Inspection,
    Operator,
)
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=30)


@pytest.mark.parametrize("path", [
    "/certificaciones/operarios/list/", "/certificaciones/auditores/list/", "/certificaciones/tipos/list/",
    "/certificaciones/auditorias/list/", "/certificaciones/asignaciones/list/", "/certificaciones/inspecciones/list/",
    "/certificaciones/periodos/list/", "/certificaciones/periodos/en-riesgo", "/certificaciones/inspecciones/registrar",
    "/certificaciones/asignaciones/add", "/certificaciones/reglas/list/",
])
def test_cert_usuario_opens_every_page_of_the_module(web, path):
    a = web.assign(START, today=TODAY)
    web.inspect(a, START, today=TODAY)
    r = web.client.get(path)
    assert r.status_code == 200, path
    assert "Certificaciones" in r.get_data(as_text=True)


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


def test_cert_cat_1_the_web_refuses_to_delete_an_operator_with_history(web):
    web.assign(START, today=TODAY)
    r = web.client.post(f"/certificaciones/operarios/delete/{web.operator.id}", follow_redirects=True)
    assert "Desactívalo" in r.get_data(as_text=True)
    assert web.get(Operator, web.operator.id) is not None


def test_cert_ins_form_dropdowns_load_assignments_period_and_audit_types(web):
    a = web.assign(START, today=TODAY)
    web.assign(START, today=TODAY, certification=web.other_cert)
    r = web.client.get(f"/certificaciones/inspecciones/opciones/asignaciones?operator={web.operator.id}")
    assert sorted(x["name"] for x in r.get_json()["assignments"]) == ["Laboratorio", "Taller"]
    info = web.client.get(f"/certificaciones/inspecciones/opciones/periodo?assignment={a.id}").get_json()
    assert info["audit_types"] == [{"id": web.audit_type.id, "name": "Dientes"}]
    assert (info["period"]["number"], info["period"]["done"], info["period"]["required_inspections"]) == (1, 0, 29)
    assert info["period"]["workdays_left"] > 150
    bad = web.client.get("/certificaciones/inspecciones/opciones/periodo?assignment=abc")
    assert bad.status_code == 422 and "id numérico" in bad.get_json()["message"]


def form(w, a, **kw):
    data = {"operator": w.operator.id, "assignment": a.id, "audit_type": w.audit_type.id, "auditor": w.auditor.id,
            "date": TODAY.isoformat(), "pieces": "4", "result": "NO_OK", "observations": "Rebaba"}
    data.update(kw)
    return data


def test_cert_ins_the_form_registers_and_the_progress_bar_moves(web):
    a = web.assign(START, today=TODAY)
    page = web.client.get(f"/certificaciones/operarios/ficha/{web.operator.id}").get_data(as_text=True)
    assert 'data-done="0"' in page
    r = web.client.post("/certificaciones/inspecciones/registrar", data=form(web, a))
    assert r.status_code == 302 and f"/ficha/{web.operator.id}" in r.headers["Location"]
    page = web.client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-done="1"' in page and "1 / 29" in page and "NO OK" in page and "Rebaba" in page


def test_cert_ins_1_the_form_shows_the_rule_and_writes_nothing(web):
    a = web.assign(START, today=TODAY)
    before = web.counts()
    r = web.client.post("/certificaciones/inspecciones/registrar",
                        data=form(web, a, date=(TODAY + dt.timedelta(days=1)).isoformat()))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "no puede ser futura" in html and 'data-field="date"' in html
    assert web.counts() == before
    r = web.client.post("/certificaciones/inspecciones/registrar", data=form(web, a, pieces="0"))
    assert r.status_code == 422 and "piezas" in r.get_data(as_text=True).lower()


def test_cert_ins_4_annul_from_the_operator_page(web):
    a = web.assign(START, today=TODAY)
    i = web.inspect(a, START, today=TODAY)
    r = web.client.post(f"/certificaciones/inspecciones/{i.id}/anular", data={"reason": ""}, follow_redirects=True)
    assert "El campo «Motivo de anulación» es obligatorio" in r.get_data(as_text=True)
    r = web.client.post(f"/certificaciones/inspecciones/{i.id}/anular", data={"reason": "Lote equivocado"},
                        follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "anulada" in html and "Lote equivocado" in html and 'data-done="0"' in html
    assert web.get(Inspection, i.id).annulled is True


def test_cert_per_3_the_operator_page_never_shows_a_lapsed_period_open(web):
    long_ago = TODAY - dt.timedelta(days=400)
    lapsed = web.assign(long_ago, today=long_ago)
    end = web.periods(lapsed)[0].end
    web.assign(START, today=TODAY, certification=web.other_cert)
    html = web.client.get(f"/certificaciones/operarios/ficha/{web.operator.id}").get_data(as_text=True)
    assert f"Caducada el {end:%d/%m/%Y}" in html
    assert f'id="open-period-{lapsed.id}"' not in html and "Vencido" in html
    assert 'data-active="true"' in html  # the other certification is still active
    listing = web.client.get("/certificaciones/asignaciones/list/").get_data(as_text=True)
    assert f"Caducada el {end:%d/%m/%Y}" in listing
    options = web.client.get(f"/certificaciones/inspecciones/opciones/asignaciones?operator={web.operator.id}")
    assert [x["name"] for x in options.get_json()["assignments"]] == ["Taller"]


def _operator_with(w, session, n: int) -> Operator:
    """An operator whose assignment has n inspections over consecutive working days."""
    with company_scope(w.company.id):
        op = Operator(first_name=f"Con{n}", last_name="Inspecciones")
        session.add(op)
        session.commit()
    days = w.workdays_back(n, TODAY - dt.timedelta(days=1))
    a = w.assign(days[0], operator=op)
    for day in days:
        w.inspect(a, day, today=day)
    return op


def test_operator_page_query_count_does_not_grow_with_inspections(web, session, count_queries):
    few, many = _operator_with(web, session, 10), _operator_with(web, session, 300)
    counts = []
    for op in (few, many):
        web.client.get(f"/certificaciones/operarios/ficha/{op.id}")  # warm caches
        with count_queries() as counter:
            r = web.client.get(f"/certificaciones/operarios/ficha/{op.id}")
        assert r.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    html = web.client.get(f"/certificaciones/operarios/ficha/{many.id}").get_data(as_text=True)
    assert html.count('class="inspection') == 300


@pytest.mark.parametrize("path", ["/certificaciones/inspecciones/list/", "/certificaciones/periodos/list/",
                                  "/certificaciones/asignaciones/list/", "/certificaciones/periodos/en-riesgo",
                                  "/certificaciones/inspecciones/inspecciones.csv"])
def test_list_query_counts_do_not_grow_with_rows(web, session, count_queries, path):
    counts = []
    for n in (2, 12):
        with company_scope(web.company.id):
            ops = [Operator(first_name=f"L{n}-{i}", last_name="Lista") for i in range(n)]
            session.add_all(ops)
            session.commit()
        for op in ops:
            a = web.assign(START, today=TODAY, operator=op)
            web.inspect(a, START, today=TODAY)
        web.client.get(path)
        with count_queries() as counter:
            assert web.client.get(path).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


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


def test_inspections_csv_marks_annulled_ones(web):
    a = web.assign(START, today=TODAY)
    i = web.inspect(a, START, today=TODAY)
    web.inspect(a, START + dt.timedelta(days=1), today=TODAY, result="NO_OK")
    web.client.post(f"/certificaciones/inspecciones/{i.id}/anular", data={"reason": "Duplicada"})
    r = web.client.get("/certificaciones/inspecciones/inspecciones.csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Id", "Fecha", "Operario"]
    assert [(row[9], row[11], row[12]) for row in rows[1:]] == [("NO OK", "No", ""), ("OK", "Sí", "Duplicada")]


def test_cert_cfg_1_only_admin_changes_the_rules(web, make_user, login, app, session):
    r = web.client.post("/certificaciones/reglas/add", data={"required_workdays": "150", "required_inspections": "20"})
    assert r.status_code in (302, 403)
    assert session.scalar(select(func.count()).select_from(CertificationRules)) == 1
    admin = make_user(roles=["Admin"], companies=[web.company])
    other = app.test_client()
    login(admin.username, test_client=other)
    other.post("/certificaciones/reglas/add", data={"required_workdays": "150", "required_inspections": "20"})
    session.expire_all()
    active = session.scalar(select(CertificationRules).where(CertificationRules.active.is_(True)))
    assert (active.required_workdays, active.required_inspections, active.created_by_id) == (150, 20, admin.id)
    r = other.post("/certificaciones/reglas/add", data={"required_workdays": "0", "required_inspections": "20"},
                   follow_redirects=True)
    assert session.scalar(select(func.count()).select_from(CertificationRules)) == 2


def test_pages_of_another_company_are_404(web, make_world):
    other = make_world(name="Ajena SA")
    a = other.assign(START, today=TODAY)
    i = other.inspect(a, START, today=TODAY)
    assert web.client.get(f"/certificaciones/operarios/ficha/{other.operator.id}").status_code == 404
    assert web.client.get(f"/certificaciones/inspecciones/show/{i.id}").status_code == 404
    r = web.client.get(f"/certificaciones/inspecciones/opciones/periodo?assignment={a.id}")
    assert r.status_code == 422 and "empresa activa" in r.get_json()["message"]
    before = other.counts()
    web.client.post(f"/certificaciones/inspecciones/{i.id}/anular", data={"reason": "Ajena"})
    assert other.counts() == before
    assert web.client.get(f"/certificaciones/inspecciones/opciones/asignaciones?operator={other.operator.id}"
                          ).get_json()["assignments"] == []
