"""Browser: a seller creates an OT through the form, the sales chief approves it (issue 21 · 2),
the seller sends it to Development; the engineer
opens it and sends it to Design; the areas follow each state change (screenshots of the list
and the detail go to $SCREENSHOTS)."""
from __future__ import annotations

import os

from tests.packaging.conftest import build_world

SHOTS = os.environ.get("SCREENSHOTS", "/tmp/screenshots")


def test_seller_creates_an_ot_and_it_moves_through_two_areas(page, live_server, login_page, logout_page, session,
                                                             make_company, make_user):
    w = build_world(session, make_company, make_user)
    os.makedirs(SHOTS, exist_ok=True)
    login_page(page, "vendedor")
    page.goto(f"{live_server}/envases/ots/nueva")
    page.fill("#client", "Viña del Mar")
    page.fill("#description", "Caja para 6 botellas")
    page.select_option("#request_type", "1")
    page.click("#ot-form button[type=submit]")
    page.wait_for_selector("#ot-state")
    assert page.inner_text("#ot-state") == "Proceso de Ventas" and page.inner_text("#ot-area") == "Área de Ventas"
    # a seller's OT waits for «Aprobar OT» (issue 21 · 2): nothing leaves Sales yet
    assert page.eval_on_selector_all("#state option", "els => els.map(e => e.textContent)") == ["—"]
    assert "espera la aprobación" in page.inner_text(".ot-alert")
    url = page.url
    logout_page(page)
    login_page(page, "jefe_ventas")
    page.goto(url)
    page.click("#approve-form button[type=submit]")
    page.wait_for_selector("text=aprobada.")
    assert "Aprobada por" in page.inner_text("#ot-approval")
    logout_page(page)
    login_page(page, "vendedor")
    page.goto(url)
    # only the first hop (WF-001) is offered
    assert page.eval_on_selector_all("#state option", "els => els.map(e => e.textContent)") == ["—", "Proceso de Desarrollo"]
    page.select_option("#management_type", "1")
    page.select_option("#state", "2")
    page.fill("#note", "Listo para ingeniería")
    page.click("#management-form button[type=submit]")
    page.wait_for_selector("text=Gestión registrada en la OT")
    assert page.inner_text("#ot-area") == "Área de Desarrollo"
    url = page.url
    page.goto(f"{live_server}/envases/ots/")
    page.screenshot(path=f"{SHOTS}/packaging_list.png", full_page=True)
    logout_page(page)
    from app.packaging.orders.models import WorkOrder
    w.assign(session.query(WorkOrder).one(), w.u("ingeniero"))  # the chief assigned it

    login_page(page, "ingeniero")
    page.goto(url)
    page.select_option("#management_type", "1")
    page.select_option("#state", "5")
    page.click("#management-form button[type=submit]")
    page.wait_for_selector("text=Gestión registrada en la OT")
    assert page.inner_text("#ot-state") == "Proceso de Diseño" and page.inner_text("#ot-area") == "Área de Diseño e Impresión"
    history = page.inner_text("#ot-history")
    assert "Proceso de Ventas → Proceso de Desarrollo" in history and "Proceso de Desarrollo → Proceso de Diseño" in history
    page.screenshot(path=f"{SHOTS}/packaging_detail.png", full_page=True)
