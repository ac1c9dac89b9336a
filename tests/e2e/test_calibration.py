"""Browser: one calibration order from RECEIVED to CLOSED, each step by the user whose role
the issue gives it: the client requests, the manager schedules on the management page, the
technician executes (result, evidence), the supervisor ticks the checklist, approves, issues
and shares the certificate, the manager closes; the client sees it closed."""
from __future__ import annotations

import datetime as dt
import os

from app.calibration.certificates.models import CalibrationSettings
from app.calibration.instruments.models import Instrument
from app.calibration.orders.models import CalibrationOrder
from app.core.tenancy import company_scope

SHOTS = os.environ.get("SCREENSHOTS", "/tmp/screenshots")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"calibration-{name}.png"), full_page=True)


def act(page, action):
    page.click(f"#order-actions button[data-action={action}]")
    page.wait_for_load_state("networkidle")


def test_one_order_from_received_to_closed(page, live_server, login_page, logout_page, session, make_company, make_user,
                                           tmp_path, app):
    app.config["FILES_DIR"] = str(tmp_path)
    asked, answer = [], {"accept": True}  # the actions with `confirm:` ask first
    page.on("dialog", lambda d: (asked.append(d.message), d.accept() if answer["accept"] else d.dismiss()))
    company = make_company(name="Cliente E2E")
    roles = {"cliente": "CAL_CLIENTE", "responsable": "CAL_RESPONSABLE", "supervisor": "CAL_SUPERVISOR",
             "tecnico": "CAL_TECNICO"}
    for name, role in roles.items():
        make_user(roles=[role], companies=[company], username=f"e2e_{name}")
    with company_scope(company.id):
        session.add(Instrument(tag="MAN-777", description="Manómetro de prueba", unit="bar", interval_days=365, active=True))
        session.add(CalibrationSettings(company_id=company.id, lab_name="Laboratorio E2E", lab_address="Calle 1",
                                        accreditation_number="ENAC 1/LC", certificate_contacts="", decision_rule=""))
        session.commit()

    login_page(page, "e2e_cliente")
    page.goto(f"{live_server}/calibracion/recepcion")  # the client validates it first (issue 21 item 12)
    page.click("#reception tr[data-tag='MAN-777'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/calibracion/orden/nueva")
    page.select_option("select[name=instrument]", label="MAN-777 · Manómetro de prueba")
    page.fill("textarea[name=observations]", "Por favor indicar la próxima fecha")
    page.click("#new-order-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Recibida" in page.inner_text("h2")
    order_id = int(page.url.rstrip("/").split("/")[-1])
    logout_page(page)

    login_page(page, "e2e_responsable")
    page.goto(f"{live_server}/calibracion/ordenes")
    page.click(f"a.manage-link[href*='orden={order_id}']")
    page.fill("#wo-target_date", (dt.date.today() + dt.timedelta(days=5)).isoformat())
    page.select_option("#wo-technicians", label="E2E_Tecnico Prueba")
    page.fill("#wo-notes", "Coordinar con el cliente")
    shot(page, "management")
    page.click("#save-work-order")
    page.wait_for_load_state("networkidle")
    assert "Programada" in page.inner_text("#work-order")
    logout_page(page)

    login_page(page, "e2e_tecnico")
    page.goto(f"{live_server}/calibracion/orden/{order_id}")
    act(page, "START")
    page.click("#execution summary")  # the data the certificate prints (issue 21 item 10)
    for name, value in {"received_on": dt.date.today().isoformat(), "method": "PC-014 comparación directa",
                        "environment": "23 °C; 45 %HR", "standards": "Patrón P-07 (trazable al CENAM)",
                        "condition_on_receipt": "Sin daños visibles", "deviations": "Ninguna"}.items():
        page.fill(f"#ex-{name}", value)
    page.select_option("#ex-place", "LAB")
    page.click("#execution button[type=submit]")
    page.wait_for_load_state("networkidle")
    for name, value in {"measurand": "Presión", "nominal": "10", "as_found": "10,02",
                        "uncertainty": "0,01", "k": "2", "unit": "bar", "tolerance": "0,05"}.items():
        page.fill(f"#r-{name}", value)
    page.click("#result-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    evidence = tmp_path / "hoja.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files("#evidence-file", str(evidence))
    page.click("#evidence-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "hoja.pdf" in page.inner_text("#evidence-list") and "Conforme" in page.inner_text("#results-table")
    answer["accept"] = False  # saying no to the question leaves the order where it was
    page.click("#order-actions button[data-action=SUBMIT_REVIEW]")
    assert asked and asked[-1].startswith("¿Enviar la orden a revisión?")
    assert "En revisión" not in page.inner_text("h2")
    answer["accept"] = True
    act(page, "SUBMIT_REVIEW")
    assert "En revisión" in page.inner_text("h2")
    logout_page(page)

    login_page(page, "e2e_supervisor")
    page.goto(f"{live_server}/calibracion/orden/{order_id}")
    for box in page.locator("#checklist-items input[type=checkbox]").all():
        box.check()
    page.click("#save-checklist")
    page.wait_for_load_state("networkidle")
    shot(page, "order-review")
    act(page, "APPROVE")
    assert "Aprobada" in page.inner_text("h2")
    act(page, "ISSUE_CERTIFICATE")
    assert "Certificado emitido" in page.inner_text("h2")
    act(page, "SHARE_CERTIFICATE")
    logout_page(page)

    login_page(page, "e2e_responsable")
    page.goto(f"{live_server}/calibracion/orden/{order_id}")
    act(page, "CLOSE")
    assert "Cerrada" in page.inner_text("h2")
    logout_page(page)

    login_page(page, "e2e_cliente")
    page.goto(f"{live_server}/calibracion/ordenes")
    assert "Cerrada" in page.inner_text("#orders")
    shot(page, "client-list")
    with company_scope(company.id):
        session.expire_all()
        assert session.get(CalibrationOrder, order_id).state == "CLOSED"
