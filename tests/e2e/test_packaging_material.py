"""Browser: MAT-001. The cataloguer opens an OT in Catalogación, chooses prefix and suffix and
presses «Crear código material» (CSRF on, as in production); the code appears and the button
goes; the admin sees the prefixes in Mantenedores (screenshots to $SCREENSHOTS)."""
from __future__ import annotations

import os

from app.core.tenancy import company_scope
from app.packaging.materials.models import MaterialPrefix, MaterialSuffix
from tests.packaging.conftest import build_world

SHOTS = os.environ.get("SCREENSHOTS", "/tmp/screenshots")


def test_mat_001_cataloguer_creates_the_material_code_from_the_ot_page(page, live_server, login_page, logout_page,
                                                                       session, make_company, make_user):
    w = build_world(session, make_company, make_user)
    os.makedirs(SHOTS, exist_ok=True)
    with company_scope(w.company.id):
        session.add_all([MaterialPrefix(code="CC", description="Caja corrugada regular"),
                         MaterialPrefix(code="BD", description="Bandeja de exportación"),
                         MaterialPrefix(code="CJ", description="Caja (codificación antigua)", active=False),
                         MaterialSuffix(code="N", description="Mercado nacional"),
                         MaterialSuffix(code="E", description="Exportación")])
        session.commit()
    ot = w.ot(7)
    login_page(page, "catalogador")
    page.goto(f"{live_server}/envases/ots/{ot.id}")
    assert page.eval_on_selector_all("#prefix_id option", "els => els.map(e => e.textContent)") == [
        "BD · Bandeja de exportación", "CC · Caja corrugada regular"]
    page.select_option("#prefix_id", label="CC · Caja corrugada regular")
    page.select_option("#suffix_id", label="E · Exportación")
    page.screenshot(path=f"{SHOTS}/p2-material-form.png", full_page=True)
    page.click("#material-code-create")
    page.wait_for_selector("#material-code-value")
    assert page.inner_text("#material-code-value") == "CC700000E"
    assert page.locator("text=Código de material CC700000E creado.").count() == 1
    assert page.locator("#material-code-create").count() == 0
    page.screenshot(path=f"{SHOTS}/p2-material-code.png", full_page=True)
    logout_page(page)
    login_page(page, "administrador")
    page.goto(f"{live_server}/envases/mantenedores/material_prefix/list/")
    assert "Caja corrugada regular" in page.content()
    page.screenshot(path=f"{SHOTS}/p2-material-prefixes.png", full_page=True)
