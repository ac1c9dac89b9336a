"""The inspection form with its JSON dropdowns, the operator's page (progress, history,
annulled marks, lazy expiry, constant queries), annulment and the inspections' CSV, as a
CERT_USUARIO uses them."""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from app.certification.catalogs.models import Auditor, Certification, Operator
from app.certification.inspections.models import Inspection
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=30)


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


def test_inspections_csv_marks_annulled_ones(web):
    a = web.assign(START, today=TODAY)
    i = web.inspect(a, START, today=TODAY)
    web.inspect(a, START + dt.timedelta(days=1), today=TODAY, result="NO_OK")
    web.client.post(f"/certificaciones/inspecciones/{i.id}/anular", data={"reason": "Duplicada"})
    r = web.client.get("/certificaciones/inspecciones/inspecciones.csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Id", "Fecha", "Operario"]
    assert [(row[9], row[11], row[12]) for row in rows[1:]] == [("NO OK", "No", ""), ("OK", "Sí", "Duplicada")]


def test_issue_29_2_the_inspection_list_reads_the_same_statements_whatever_the_related_rows(web, session, count_queries):
    """Issue 29, item 2: inspections of a second certification, audit type, auditor and
    operator on the page add no statement (each row's names come with the page, not one load
    per distinct related row), for the list and for its filter choices."""
    path = "/certificaciones/inspecciones/list/"
    first = web.assign(START, today=TODAY)
    web.inspect(first, START, today=TODAY)
    web.client.get(path)
    with count_queries() as alike:
        assert web.client.get(path).status_code == 200
    with company_scope(web.company.id):
        operator = Operator(first_name="Pablo", last_name="Ruiz", code="OP-2")
        auditor = Auditor(first_name="Elena", last_name="Sanz", code="AU-2")
        session.add_all([operator, auditor])
        session.commit()
    second = web.assign(START, today=TODAY, operator=operator, certification=web.other_cert)
    web.inspect(second, START, today=TODAY, audit_type=web.other_type.id, auditor=auditor.id)
    with company_scope(web.company.id):  # offered by the filters, on no row of the page
        third = Certification(name="Pintura", description="Certificación de pintura")
        session.add_all([third, Operator(first_name="Rosa", last_name="Vidal", code="OP-3")])
        session.commit()
    web.assign(START, today=TODAY, operator=session.scalar(select(Operator).where(Operator.code == "OP-3")),
               certification=third)
    with count_queries() as mixed:
        page = web.client.get(path)
    assert page.status_code == 200 and "Taller" in page.get_data(as_text=True)
    assert mixed.count == alike.count, [s for s in mixed.statements if s not in alike.statements]
