"""Browser: the engineer opens the "Muestras" section of an OT, requests samples for two
recipients (MUE-003) through the form; the sample technician sees only the fields MUE-001
lets them change and records a cut (screenshots to /tmp/p2-samples-*.png)."""
from __future__ import annotations

from app.core.tenancy import company_scope
from app.packaging.samples.models import SampleCad, SampleCarton, SampleGluing
from tests.packaging.conftest import build_world


def test_mue_003_engineer_requests_two_samples_and_technician_records_the_cut(
        page, live_server, login_page, logout_page, session, make_company, make_user):
    w = build_world(session, make_company, make_user)
    with company_scope(w.company.id):
        session.add_all([SampleCad(name="CAD-101"), SampleCarton(name="KK 15C"), SampleGluing(name="Pegado lateral")])
        session.commit()
    ot = w.ot(2)
    login_page(page, "ingeniero")
    page.goto(f"{live_server}/envases/ots/{ot.id}")
    page.click("details.sample-new summary")
    page.select_option("#new-cad", label="CAD-101")
    page.select_option("#new-carton", label="KK 15C")
    page.check("#new-recipient-seller")
    page.select_option("#new-room_seller", label="Sala Norte A")
    page.fill("#new-quantity_seller", "3")
    page.check("#new-recipient-lab")
    page.fill("#new-quantity_lab", "2")
    page.click("#sample-new button[type=submit]")
    page.wait_for_selector("#new-room_lab + .field-error, .has-error")
    assert "Sala de corte Laboratorio" in page.inner_text("#sample-new")
    assert page.input_value("#new-quantity_seller") == "3"  # what was typed stays
    page.select_option("#new-room_lab", label="Sala Norte B")
    page.click("#sample-new button[type=submit]")
    page.wait_for_selector("text=Muestras creadas en la OT")
    rows = page.inner_text("#ot-samples")
    assert "Vendedor" in rows and "Laboratorio" in rows and "Pendiente" in rows and "Sala Norte B" in rows
    page.screenshot(path="/tmp/p2-samples-engineer.png", full_page=True)
    logout_page(page)

    login_page(page, "tecnico_muestras")
    page.goto(f"{live_server}/envases/ots/{ot.id}")
    assert page.locator("#sample-new").count() == 0 and page.locator("details.sample-edit").count() == 1
    page.click("details.sample-edit summary")
    form = page.locator("form[id^=sample-edit-]")
    assert form.locator("select[name=cad]").count() == 0
    form.locator("input[name=quantity_seller]").fill("5")
    form.locator("input[type=checkbox][name=cut_seller]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=guardada")
    assert "Sin cortar" in page.inner_text("#ot-samples")  # the laboratory's sample (room B) is not cut yet
    page.screenshot(path="/tmp/p2-samples-technician.png", full_page=True)
