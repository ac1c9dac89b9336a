"""Browser: log in, see the department's menu, switch company."""


def test_login_switch_company_and_menu(page, live_server, login_page, make_company, make_user):
    norte = make_company(name="Norte SA")
    sur = make_company(name="Sur SA")
    make_user(roles=["AUDITOR"], companies=[norte, sur], username="auditora")

    login_page(page, "auditora")
    assert page.locator("#active-company-name").inner_text().strip() == "Norte SA"
    # The auditor's department menu is there; the platform administration is not.
    assert page.locator(".navbar").get_by_text("Auditoría").count() >= 1
    assert page.locator(".navbar").get_by_text("Empresas").count() == 0

    page.click("#company-switch > a")
    page.locator("#company-switch").get_by_role("button", name="Sur SA").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#active-company-name").inner_text().strip() == "Sur SA"
    assert "Ahora trabajas en" in page.content()


def test_workflow_page_draws_the_state_diagram_offline(page, live_server, login_page, make_company, make_user):
    company = make_company(name="Diagramas SA")
    make_user(roles=["Admin"], companies=[company], username="admin_diagramas")
    login_page(page, "admin_diagramas")
    page.goto(f"{live_server}/flujos/installation")
    svg = page.locator("#workflow-diagram svg")
    svg.wait_for()
    # every state of the matrix is a node of the drawing
    assert page.locator("#workflow-diagram svg g.node").count() == 16
    assert "ORDER_CLOSED" in svg.inner_html()
