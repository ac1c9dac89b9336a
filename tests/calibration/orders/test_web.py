"""Issue 10 pages: the management list (filters, constant queries, the work-order form on the
same page), the order page (exactly the available actions, sections, forms that keep what was
typed), isolation of pages and files. Instruments' pages: instruments/test_web.py."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from app.calibration.orders.models import CalibrationOrder
from app.core.tenancy import company_scope
from tests.calibration.conftest import EXE, PDF, TODAY

LIST = "/calibracion/ordenes"


def page(pk):
    return f"/calibracion/orden/{pk}"


@pytest.fixture
def login(relogin):
    """Each login in these tests signs the previous user out first."""
    return relogin


def buttons(html):
    return list(dict.fromkeys(re.findall(r'data-action="([A-Z_]+)"', html)))


def test_order_page_shows_exactly_the_available_actions(world, client, login):
    order = world.to("IN_REVIEW")
    expected = {"SUPERVISOR": ["APPROVE", "REJECT"], "TECNICO": [], "RESPONSABLE": [], "CLIENTE": []}
    for code, actions in expected.items():
        login(world.users[code].username)
        r = client.get(page(order.id))
        assert r.status_code == 200
        assert buttons(r.get_data(as_text=True)) == actions, code
    html = r.get_data(as_text=True)
    assert "En revisión" in html and "MAN-001" in html and "informe.pdf" in html and "Presión" in html
    assert "Interna" not in html  # the client does not see internal notes


def test_reject_from_the_page_shows_the_reason_on_the_order(world, client, login):
    order = world.to("IN_REVIEW")
    login("cal_supervisor")
    r = client.post(f"{page(order.id)}/accion/REJECT", data={"reason": "", "version": order.version})
    assert r.status_code == 422 and "Motivo del rechazo" in r.get_data(as_text=True)
    r = client.post(f"{page(order.id)}/accion/REJECT", data={"reason": "Repetir el punto de 10 bar",
                                                               "version": order.version}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "devuelta a ejecución" in html and 'id="order-reason"' in html and "Repetir el punto de 10 bar" in html


def test_management_list_filters_and_queries_stay_constant(world, client, login, count_queries):
    first = world.to("SCHEDULED")
    login("cal_responsable")
    with count_queries() as few:
        assert client.get(LIST).status_code == 200
    for _ in range(6):
        world.schedule(world.create())
    world.create()
    with count_queries() as many:
        html = client.get(LIST).get_data(as_text=True)
    assert many.count == few.count
    assert html.count('data-number="OC-') == 8
    html = client.get(f"{LIST}?state=RECEIVED").get_data(as_text=True)
    assert html.count('data-number="OC-') == 1
    html = client.get(f"{LIST}?technician={world.users['TECNICO'].id}&instrument={world.instrument.id}").get_data(as_text=True)
    assert html.count('data-number="OC-') == 7
    with company_scope(world.company.id):
        late = world.session.get(CalibrationOrder, first.id)
        late.target_date = TODAY - dt.timedelta(days=1)
        world.session.commit()
    html = client.get(f"{LIST}?overdue=1").get_data(as_text=True)
    assert html.count('data-number="OC-') == 1 and "Vencida" in html
    html = client.get(f"{LIST}?date_from=32/13/2026").get_data(as_text=True)
    assert "Desde" in html and "fecha" in html


def test_work_order_form_on_the_list_page(world, client, login):
    order = world.create()
    login("cal_responsable")
    html = client.get(f"{LIST}?orden={order.id}").get_data(as_text=True)
    assert 'id="work-order"' in html and "Cal_Tecnico Prueba" in html and "Cal_Supervisor Prueba" not in html
    r = client.post(f"{LIST}/{order.id}/ot", data={"target_date": "", "technicians": [], "observations": "Listo"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Fecha objetivo" in html and "Listo" in html  # kept what was typed
    assert world.order(order.id).state == "RECEIVED"
    r = client.post(f"{LIST}/{order.id}/ot", data={
        "target_date": (TODAY + dt.timedelta(days=3)).isoformat(), "technicians": [str(world.users["TECNICO"].id)],
        "observations": "Listo"}, follow_redirects=True)
    assert r.status_code == 200 and "guardada" in r.get_data(as_text=True)
    assert world.order(order.id).state == "SCHEDULED"
    r = client.post(f"{LIST}/{order.id}/ot", data={"observations": "Listo", "action": "CANCEL", "reason": "Sin equipo",
                                                   "target_date": (TODAY + dt.timedelta(days=3)).isoformat(),
                                                   "technicians": [str(world.users["TECNICO"].id)]},
                    follow_redirects=True)
    assert world.order(order.id).state == "CANCELLED" and world.order(order.id).reason == "Sin equipo"


def test_technician_executes_from_the_order_page(world, client, login):
    order = world.to("SCHEDULED")
    login("cal_tecnico")
    client.post(f"{page(order.id)}/accion/START", data={"version": world.order(order.id).version})
    r = client.post(f"{page(order.id)}/resultado", data={"measurand": "Presión", "nominal": "abc", "as_found": "1",
                                                         "error": "0", "uncertainty": "0.1", "unit": "bar"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Valor nominal" in html and 'value="abc"' in html
    r = client.post(f"{page(order.id)}/resultado", data={"measurand": "Presión", "nominal": "5", "as_found": "5,01",
                                                         "error": "0,01", "uncertainty": "0,02", "unit": "bar"},
                    follow_redirects=True)
    assert "Resultado añadido" in r.get_data(as_text=True)
    r = client.post(f"{page(order.id)}/evidencia", data={"file": (io.BytesIO(EXE), "informe.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "no es un PDF" in r.get_data(as_text=True)
    r = client.post(f"{page(order.id)}/evidencia", data={"file": (io.BytesIO(PDF), "informe.pdf")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "Evidencia «informe.pdf» adjunta" in r.get_data(as_text=True)
    r = client.post(f"{page(order.id)}/avance", data={"entry_date": (TODAY + dt.timedelta(days=2)).isoformat(),
                                                      "text": "Mañana"})
    assert r.status_code == 422 and "futura" in r.get_data(as_text=True)
    r = client.post(f"{page(order.id)}/logistica", data={"status": "SHIPPED", "carrier": "Seur", "tracking_number": "X1"},
                    follow_redirects=True)
    assert "Enviado" in r.get_data(as_text=True) and "Seur" in r.get_data(as_text=True)
    evidence_id = world.order(order.id).evidence[0].id
    assert client.get(f"/calibracion/evidencia/{evidence_id}").data == PDF


def test_pages_and_files_of_another_company_are_not_found(world, client, login):
    order = world.to("IN_REVIEW")
    evidence_id = world.order(order.id).evidence[0].id
    for user in ("sur_responsable", "sur_supervisor", "sur_cliente", "sur_tecnico", "cal_otro_tecnico"):
        login(user)
        assert client.get(page(order.id)).status_code == 404, user
        assert client.get(f"/calibracion/evidencia/{evidence_id}").status_code == 404, user
        assert client.post(f"{page(order.id)}/accion/APPROVE", data={}).status_code == 404, user
        assert client.post(f"{page(order.id)}/avance", data={"text": "x"}).status_code == 404, user
        assert client.post(f"{page(order.id)}/lista", data={"item": "ITEM_ID"}).status_code == 404, user
        assert "OC-" not in client.get(LIST).get_data(as_text=True), user
    login("sur_cliente")
    assert client.post(f"/calibracion/recepcion/{world.instrument.id}").status_code == 404
    assert client.get(f"/calibracion/instrumentos/show/{world.instrument.id}").status_code == 404
    assert client.get(f"/calibracion/instrumentos/edit/{world.instrument.id}").status_code == 404
    r = client.post(f"/calibracion/instrumentos/edit/{world.instrument.id}", data={"tag": "HACK", "description": "x",
                                                                                  "interval_days": "1"})
    assert r.status_code == 404
    assert "Manómetro digital" not in client.get("/calibracion/instrumentos/list/").get_data(as_text=True)
    assert "Manómetro digital" not in client.get("/calibracion/vencimientos").get_data(as_text=True)
    assert "Manómetro digital" not in client.get("/calibracion/recepcion").get_data(as_text=True)
    assert world.order(order.id).state == "IN_REVIEW" and len(world.order(order.id).progress) == 0
