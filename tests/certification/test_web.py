"""The pages a CERT_USUARIO uses, across the module: every page opens, the lists' queries do not
grow with rows, another company's pages are 404. Each aggregate's pages: <aggregate>/test_web.py."""
from __future__ import annotations

import datetime as dt

import pytest

from app.certification.catalogs.models import Operator
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
