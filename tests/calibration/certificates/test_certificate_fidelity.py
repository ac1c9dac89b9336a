"""Issue 21 item 10, a certificate that can't be incomplete (ISO/IEC 17025:2017 §7.8.2.1,
§7.8.4.1, §7.8.6): APPROVE needs the data the certificate prints, ISSUE_CERTIFICATE the lab's
identity; the client's contact is a person of the client; numbers print with the digits they
were given; a result's error is computed from the readings; the decision rule is stated
wherever conformity is. The PDF is read back with pypdf."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.calibration.certificates.models import CalibrationSettings
from app.calibration.instruments.models import Instrument
from app.calibration.orders import execution, services
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.tenancy import company_scope
from tests.calibration.conftest import CERTIFICATE_DATA, PDF, TODAY

URL = "/api/v1/calibration_order"
POINT = {"measurand": "Presión", "nominal": "10.00", "as_found": "10.0210", "as_left": "10.004",
         "uncertainty": "0.0030", "k": "2", "unit": "bar", "tolerance": "0.05"}


def reviewed(world, data=None, points=(POINT,)):
    """An order in review whose technician entered `data` (default: all of it) and `points`."""
    order = world.create()
    world.schedule(order)
    tech = world.users["TECNICO"]
    world.act(order, "START", tech)
    if data:
        world.in_company(services.update_order, tech, order=order, data=dict(data))
    for point in points:
        world.in_company(execution.add_result, tech, order=order, data=dict(point))
    world.in_company(execution.add_evidence, tech, order=order, filename="hoja.pdf", data=PDF, storage=world.storage)
    world.act(order, "SUBMIT_REVIEW", tech)
    world.tick_all(order)
    return world.order(order.id)


def pdf_text(world, api, order) -> str:
    r = api(world.users["SUPERVISOR"], world.company).get(f"{URL}/{order.id}/certificate")
    assert r.status_code == 200, r.get_data(as_text=True)[:200]
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages).split())


def test_iso_7_8_2_1_approval_needs_the_data_not_only_the_ticks(world, client, login):
    """§7.8.2.1 c, f, g, h, n and §7.8.4.1 b, c: APPROVE names every missing item; the page lists them."""
    order = reviewed(world, data={"method": "PC-014 comparación directa"})
    with pytest.raises(ActionNotAllowed) as refused:
        world.act(order, "APPROVE", world.users["SUPERVISOR"])
    message = refused.value.message
    for label in ("Fecha de recepción del ítem", "Condiciones ambientales", "Patrones utilizados y trazabilidad",
                  "Lugar de la calibración", "Estado del ítem a la recepción",
                  "Desviaciones, adiciones o exclusiones del método"):
        assert label in message, label
    assert "Método de calibración" not in message and "§7.8.2.1" in message
    login(world.users["SUPERVISOR"].username)
    html = client.get(f"/calibracion/orden/{order.id}").get_data(as_text=True)
    assert 'id="certificate-missing"' in html and "Estado del ítem a la recepción" in html
    sup, tech = world.users["SUPERVISOR"], world.users["TECNICO"]  # the reviewer enters none of it (§7.7)
    world.in_company(services.update_order, tech, order=order, data={**CERTIFICATE_DATA, "place": "CLIENT_SITE"})
    with pytest.raises(ActionNotAllowed, match="Dirección o detalle del lugar"):  # away from the lab: where
        world.act(order, "APPROVE", sup)
    world.in_company(services.update_order, tech, order=order, data={"place_detail": "Planta 2, Quirófano 3"})
    assert world.act(order, "APPROVE", sup).state == "APPROVED"


def test_iso_7_8_2_1_the_place_is_one_of_three(world, api):
    order = reviewed(world, data=CERTIFICATE_DATA)
    r = api(world.users["SUPERVISOR"], world.company).put(f"{URL}/{order.id}", json={"place": "LUNA"})
    assert r.status_code == 422 and r.get_json()["field"] == "place", r.get_json()
    assert "En las instalaciones del cliente" in r.get_json()["message"]


def test_iso_7_8_2_1_b_no_certificate_before_the_lab_identity(world, api):
    """Before a company's first certificate its lab's name, address and accreditation are set;
    the certificate never prints the client's name as the lab."""
    order = reviewed(world, data=CERTIFICATE_DATA)
    world.act(order, "APPROVE", world.users["SUPERVISOR"])
    with company_scope(world.company.id):
        settings = world.session.query(CalibrationSettings).one()
        settings.lab_address, settings.accreditation_number = "", ""
        world.session.commit()
    with pytest.raises(ActionNotAllowed) as refused:
        world.act(order, "ISSUE_CERTIFICATE", world.users["SUPERVISOR"])
    assert "Dirección del laboratorio" in refused.value.message and "Nº de acreditación" in refused.value.message
    assert world.order(order.id).state == "APPROVED"
    with company_scope(world.company.id):
        settings = world.session.query(CalibrationSettings).one()
        settings.lab_address, settings.accreditation_number = "Calle Mayor 1, Sevilla", "ENAC 123/LC10.456"
        world.session.commit()
    world.act(order, "ISSUE_CERTIFICATE", world.users["SUPERVISOR"])
    text = pdf_text(world, api, order)
    assert "Laboratorio Metrológico Central" in text and "Calle Mayor 1, Sevilla" in text
    assert "Laboratorio: Laboratorio Cliente Norte" not in text.replace("Laboratorio Metrológico", "")


def test_iso_7_8_2_1_the_pdf_carries_every_item_the_client_contact_and_the_digits_given(world, api):
    """§7.8.2.1 (a)–(p) that apply and §7.8.4.1, read back: the client's contact is the client
    user who validated the instrument (the order was created by the lab's manager); numbers
    with the digits typed; the external provider's result marked; the decision rule (§7.8.6)."""
    with company_scope(world.company.id):
        instrument = world.session.get(Instrument, world.instrument.id)
        instrument.range_low, instrument.range_high, instrument.resolution = Decimal("0"), Decimal("25"), Decimal("0.001")
        world.session.commit()
    external = {**POINT, "measurand": "Temperatura", "nominal": "20.0", "as_found": "20.3", "as_left": "",
                "uncertainty": "0.2", "unit": "°C", "tolerance": "", "external_provider": "Termolab S.L. (ENAC 99/LC)"}
    order = reviewed(world, data={**CERTIFICATE_DATA, "place": "CLIENT_SITE", "place_detail": "Planta 2, Sevilla",
                                  "deviations": "Se excluye el punto de 25 bar (fuera del uso del cliente)"},
                     points=(POINT, {k: v for k, v in external.items() if v != ""}))
    world.act(order, "APPROVE", world.users["SUPERVISOR"])
    world.act(order, "ISSUE_CERTIFICATE", world.users["SUPERVISOR"])
    text = pdf_text(world, api, order)
    cliente = world.users["CLIENTE"]
    for expected in (
        "Certificado de calibración", "Laboratorio Metrológico Central", "Calle Mayor 1, Sevilla", "ENAC 123/LC10.456",
        "Laboratorio Cliente Norte", f"{cliente.first_name} {cliente.last_name}", cliente.email,
        "En las instalaciones del cliente: Planta 2, Sevilla", "Sin daños visibles", "PC-014 comparación directa",
        "Se excluye el punto de 25 bar", "23,0 °C ± 1 °C; 45 %HR", "Patrón P-07 (trazable al CENAM)",
        "MAN-001", "WIKA", "CPG1500", "SN-1", "0 … 25 bar", TODAY.strftime("%d/%m/%Y"),
        "10,00", "10,0210", "10,004", "0,0030", "0,05", "0,004",  # as typed; the error as-left − nominal
        "20,0", "20,3", "0,3", "Temperatura (*)", "proveedor externo: Termolab S.L. (ENAC 99/LC)",
        "Regla de decisión", "Autorizado por",
    ):
        assert expected in text, expected
    for wrong in ("0,003000", "10,000000", "25,000000", "0,001000"):
        assert wrong not in text, wrong
    responsable = world.users["RESPONSABLE"]
    assert responsable.email not in text  # the lab's manager created the order: not the client's contact


def test_error_is_computed_from_the_readings_never_typed_against_them(world, api):
    order = world.to("IN_PROGRESS")
    tech = api(world.users["TECNICO"], world.company)
    bad = {**POINT, "order_id": order.id, "error": "0.5"}
    r = tech.post("/api/v1/calibration_result/", json=bad)
    assert r.status_code == 422 and r.get_json()["field"] == "error", r.get_json()
    assert "0,004" in r.get_json()["message"]
    r = tech.post("/api/v1/calibration_result/", json={**POINT, "order_id": order.id})
    assert r.status_code == 201, r.get_json()
    result = r.get_json()["result"]
    assert result["error"] == "0.004" and result["uncertainty"] == "0.0030" and result["nominal"] == "10.00"
    r = tech.put(f"/api/v1/calibration_result/{result['id']}", json={"as_left": "10.01"})
    assert r.status_code == 200 and r.get_json()["result"]["error"] == "0.01", r.get_json()
    with pytest.raises(ValidationError, match="no coincide"):
        world.in_company(execution.add_result, world.users["TECNICO"], order=order,
                         data={**POINT, "as_left": "", "error": "0.004"})  # as-found − nominal is 0.0210


def test_iso_7_8_6_the_decision_rule_is_stated_wherever_conformity_is(world, api, client, login):
    order = world.to("IN_REVIEW")  # its point has a tolerance: a conformity statement
    body = api(world.users["CLIENTE"], world.company).get(f"{URL}/{order.id}").get_json()["result"]
    assert body["results"][0]["conforms"] is True and "|error| + U ≤ tolerancia" in body["decision_rule"]
    login(world.users["SUPERVISOR"].username)
    html = client.get(f"/calibracion/orden/{order.id}").get_data(as_text=True)
    assert 'id="decision-rule"' in html and "|error| + U ≤ tolerancia" in html
    with company_scope(world.company.id):
        world.session.query(CalibrationSettings).one().decision_rule = "Regla propia: |error| ≤ tolerancia − U."
        world.session.commit()
    body = api(world.users["CLIENTE"], world.company).get(f"{URL}/{order.id}").get_json()["result"]
    assert body["decision_rule"] == "Regla propia: |error| ≤ tolerancia − U."
    world.tick_all(order)
    world.act(order, "APPROVE", world.users["SUPERVISOR"])
    world.act(order, "ISSUE_CERTIFICATE", world.users["SUPERVISOR"])
    assert "Regla propia: |error| ≤ tolerancia − U." in pdf_text(world, api, order)


def test_an_order_without_tolerances_states_no_rule(world, api):
    point = {k: v for k, v in POINT.items() if k != "tolerance"}
    order = reviewed(world, data=CERTIFICATE_DATA, points=(point,))
    body = api(world.users["SUPERVISOR"], world.company).get(f"{URL}/{order.id}").get_json()["result"]
    assert body["results"][0]["conforms"] is None and "decision_rule" not in body
    assert body["certificate_missing"] == [] and body["place_label"] == "En las instalaciones del laboratorio"
    assert dt.date.fromisoformat(body["received_on"]) == TODAY
