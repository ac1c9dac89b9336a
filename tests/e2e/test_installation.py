"""Browser: three roles open the same installation order and each sees exactly the buttons
the matrix gives them (available_actions); the order moves through the forms and the buttons
follow it."""
from __future__ import annotations

from app.installation.orders import workflow as matrix
from tests.installation.conftest import build_world


def buttons(page) -> list[str]:
    return page.eval_on_selector_all(
        "#order-actions .action-button", "els => els.map(e => e.getAttribute('data-action'))"
    )


def open_details(page, live_server, order_id):
    page.goto(f"{live_server}/instalacion/orden/{order_id}")
    page.wait_for_selector("#order-state")


def test_three_roles_see_exactly_their_buttons_on_the_same_order(page, live_server, login_page, logout_page, session,
                                                                 make_company, make_user):
    w = build_world(session, make_company, make_user)
    order = w.order_in("ACCEPTED")
    expected = {code: [t.action for t in matrix.WF.available_actions(order, w.users[code])]
                for code in ("GESTOR_CUENTA", "GESTOR_OPERACIONES", "DOCTOR")}
    assert expected == {"GESTOR_CUENTA": ["CONTACT_DOCTOR", "CONFIRM_EQUIPMENT"], "GESTOR_OPERACIONES": [], "DOCTOR": []}

    # Gestor de operaciones: the order is there, no button in this state.
    login_page(page, "gestor_operaciones")
    open_details(page, live_server, order.id)
    assert buttons(page) == [] and "No tienes acciones disponibles" in page.inner_text("#order-actions")
    logout_page(page)

    # Doctor: their own order, no button either while it is ACCEPTED.
    login_page(page, "doctor")
    open_details(page, live_server, order.id)
    assert buttons(page) == []
    logout_page(page)

    # Gestor de cuenta: opens it from the list's modal, records a contact through the form and
    # confirms the equipment; the buttons follow the state.
    login_page(page, "gestor_cuenta")
    page.goto(f"{live_server}/instalacion/ordenes/list/")
    page.click(f"a.order-details-link[href$='/instalacion/orden/{order.id}']")
    page.wait_for_selector("#order-modal .order-details")
    assert page.eval_on_selector_all(
        "#order-modal .action-button", "els => els.map(e => e.getAttribute('data-action'))"
    ) == expected["GESTOR_CUENTA"]
    open_details(page, live_server, order.id)
    assert buttons(page) == expected["GESTOR_CUENTA"]
    page.click("#order-actions button[data-action=CONTACT_DOCTOR]")
    form = page.locator(f"#form-{order.id}-CONTACT_DOCTOR")
    form.wait_for(state="visible")
    form.locator("select[name=channel]").select_option("EMAIL")
    form.locator("textarea[name=note]").fill("Confirmados los equipos por correo")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "Contacto con el doctor registrado en la orden 1." in page.content()
    assert "Confirmados los equipos por correo" in page.content()
    page.click("#order-actions button[data-action=CONFIRM_EQUIPMENT]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#order-state").get_attribute("data-state") == "DOCTOR_CONFIRMATION"
    assert buttons(page) == []
    logout_page(page)

    # Doctor again: now CONFIRM_ORDER and REJECT_RESCHEDULE, and nobody else has them.
    login_page(page, "doctor")
    open_details(page, live_server, order.id)
    assert buttons(page) == ["CONFIRM_ORDER", "REJECT_RESCHEDULE"]
    page.click("#order-actions button[data-action=CONFIRM_ORDER]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#order-state").get_attribute("data-state") == "EQUIPMENT_TEMPLATES"
    assert buttons(page) == []
    logout_page(page)

    login_page(page, "gestor_operaciones")
    open_details(page, live_server, order.id)
    assert buttons(page) == ["PREPARE_ORDER"]
    assert "Plantillas de equipos" in page.inner_text(".order-details")
