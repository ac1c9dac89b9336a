"""Browser: register an inspection through the form (dependent dropdowns loaded without a page
reload) and see the operator's progress bar move; a refusal names the rule and saves nothing."""
from __future__ import annotations

import datetime as dt

from tests.certification.conftest import TODAY, build_world

START = TODAY - dt.timedelta(days=30)


def test_register_an_inspection_and_see_the_progress_bar_move(page, live_server, login_page, session,
                                                             make_company, make_user):
    w = build_world(session, make_company, make_user, country_code="ES", subdivision="MD")
    assignment = w.assign(START, today=TODAY)
    w.inspect(assignment, START, today=TODAY)
    login_page(page, w.user.username)

    page.goto(f"{live_server}/certificaciones/operarios/ficha/{w.operator.id}")
    bar = page.locator(f"#progress-{assignment.id}")
    assert bar.get_attribute("data-done") == "1"
    assert bar.inner_text().strip() == "1 / 29"

    page.click("text=Registrar inspección >> nth=-1")
    page.wait_for_url("**/certificaciones/inspecciones/registrar**")
    # operator preset from the link -> its only active certification -> its open period and audit types
    # selector waits, not wait_for_function: the page's CSP forbids the eval that one needs
    page.wait_for_selector("#assignment option:checked:not([value=''])", state="attached")
    page.wait_for_selector("#audit_type option:nth-child(2)", state="attached")
    assert "Periodo vigente nº 1" in page.inner_text("#period-info")
    assert "1 / 29 inspecciones" in page.inner_text("#period-info")
    page.select_option("#audit_type", label="Dientes")
    page.select_option("#auditor", label="Andrés Gil (AU-1)")
    page.fill("#pieces", "7")
    page.select_option("#result", "NO_OK")
    page.fill("#observations", "Rebaba en el borde")

    page.fill("#date", (TODAY + dt.timedelta(days=2)).isoformat())
    page.click("#save")
    page.wait_for_load_state("networkidle")
    assert "no puede ser futura" in page.inner_text("#form-error")

    page.wait_for_selector("#audit_type option:nth-child(2)", state="attached")
    page.select_option("#audit_type", label="Dientes")
    page.fill("#date", (TODAY - dt.timedelta(days=1)).isoformat())
    page.click("#save")
    page.wait_for_url(f"**/certificaciones/operarios/ficha/{w.operator.id}")
    assert "de Lucía Martín registrada." in page.content()
    bar = page.locator(f"#progress-{assignment.id}")
    assert bar.get_attribute("data-done") == "2"
    assert bar.inner_text().strip() == "2 / 29"
    assert "Rebaba en el borde" in page.inner_text(f"#assignment-{assignment.id}")
