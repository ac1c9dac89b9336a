"""Browser: a seller fills a quotation with two lines (one row added, an empty one removed),
submits it; the sales chief rejects it with a reason (COT-001: the chief sees the seller's
quotation; screenshots of the list, the form and the detail go to $SCREENSHOTS)."""
from __future__ import annotations

import os

from tests.packaging.conftest import build_world
from tests.packaging.quotations.helpers import profile

SHOTS = os.environ.get("SCREENSHOTS", "/tmp/screenshots")


def test_seller_quotes_with_lines_and_the_chief_rejects(page, live_server, login_page, logout_page, session,
                                                        make_company, make_user):
    w = build_world(session, make_company, make_user)
    profile(w, w.u("vendedor"), boss=w.u("jefe_ventas"))
    os.makedirs(SHOTS, exist_ok=True)
    login_page(page, "vendedor")
    page.goto(f"{live_server}/envases/cotizaciones/nueva")
    page.fill("#client", "Viña del Mar")
    rows = "#quotation-lines-form tr.quotation-line"
    page.fill(f"{rows} >> nth=0 >> input[name=line-item]", "Caja 6 botellas")
    page.fill(f"{rows} >> nth=0 >> input[name=line-quantity]", "1000")
    page.fill(f"{rows} >> nth=0 >> input[name=line-unit_price]", "410")
    page.click("#add-line")
    page.click("#add-line")
    assert page.locator(rows).count() == 3
    page.click(f"{rows} >> nth=2 >> .remove-line")
    assert page.locator(rows).count() == 2
    page.fill(f"{rows} >> nth=1 >> input[name=line-item]", "Flete")
    page.fill(f"{rows} >> nth=1 >> input[name=line-quantity]", "abc")
    page.fill(f"{rows} >> nth=1 >> input[name=line-unit_price]", "12,5")
    page.select_option(f"{rows} >> nth=1 >> select[name=line-currency]", "USD")
    page.click("#quotation-form button[type=submit]")
    page.wait_for_selector(".field-error")
    assert "Cantidad (línea 2)" in page.inner_text("#quotation-lines-form")
    assert page.input_value(f"{rows} >> nth=1 >> input[name=line-quantity]") == "abc"
    page.screenshot(path=f"{SHOTS}/p2-quotes-form-errors.png", full_page=True)
    page.fill(f"{rows} >> nth=1 >> input[name=line-quantity]", "1")
    page.click("#quotation-form button[type=submit]")
    page.wait_for_selector("#quotation-state")
    assert page.inner_text("#quotation-state") == "Borrador"
    totals = page.inner_text("#quotation-lines tfoot")
    assert "410.000,00" in totals and "12,50" in totals
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#order-actions [data-action=SUBMIT]")
    page.wait_for_selector("text=enviada a aprobación")
    assert page.inner_text("#quotation-state") == "Enviada"
    page.screenshot(path=f"{SHOTS}/p2-quotes-detail.png", full_page=True)
    logout_page(page)

    login_page(page, "jefe_ventas")
    page.goto(f"{live_server}/envases/cotizaciones/")
    assert "Viña del Mar" in page.inner_text("#quotation-list")
    assert page.input_value("input[name=date_from]").count("/") == 2  # COT-002's range, dd/mm/aaaa
    page.screenshot(path=f"{SHOTS}/p2-quotes-list.png", full_page=True)
    page.click("#quotation-list a")
    page.click("#order-actions [data-action=REJECT]")
    # the REJECT form once its opening (Bootstrap's collapse) has ended: a click during it can be lost
    page.wait_for_selector("#order-actions .action-form.in[id$=-REJECT]")
    page.fill("#REJECT-reason", "Precio fuera de lista")
    page.click("#order-actions .action-form.in[id$=-REJECT] button[type=submit]")
    page.wait_for_selector("#quotation-reason", timeout=30000)
    assert page.inner_text("#quotation-state") == "Rechazada"
    page.screenshot(path=f"{SHOTS}/p2-quotes-rejected.png", full_page=True)
