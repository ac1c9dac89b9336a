"""Browser (CASC-001/002): a seller fills the OT form's product level by level; each select
stays disabled until the previous one has a value, offers only what the seeded combinations
allow (loaded by /postVerificacionFiltro with the page's CSRF token, no reload), changing a
level clears the later ones, and the OT is saved with its eight levels."""
from __future__ import annotations

import os

from tests.packaging.conftest import build_world

SHOTS = os.environ.get("SCREENSHOTS", "/tmp/screenshots")
ORDER = ["product_type", "printing", "fsc", "tape", "coverage_internal", "coverage_external", "plant", "carton_color"]


def _labels(page, field):
    return page.eval_on_selector_all(f"#{field} option", "els => els.map(e => e.textContent)")


def _enabled(page, field):
    page.wait_for_function(f"() => !document.getElementById('{field}').disabled")


def test_casc_001_seller_fills_the_cascade_level_by_level_and_saves_the_ot(page, live_server, login_page, session,
                                                                         make_company, make_user):
    build_world(session, make_company, make_user)
    os.makedirs(SHOTS, exist_ok=True)
    login_page(page, "vendedor")
    page.goto(f"{live_server}/envases/ots/nueva")
    page.fill("#client", "Frutícola del Sur")
    page.fill("#description", "Caja para exportación de cerezas")
    page.select_option("#request_type", "1")
    assert page.is_enabled("#product_type")
    assert all(page.is_disabled(f"#{f}") for f in ORDER[1:])
    page.screenshot(path=f"{SHOTS}/p2-cascade-form-empty.png", full_page=True)

    # Separador allows only "Sin impresión"; then change the mind: the later levels are cleared
    page.select_option("#product_type", label="Separador")
    _enabled(page, "printing")
    assert _labels(page, "printing") == ["—", "Sin impresión"]
    page.select_option("#printing", label="Sin impresión")
    _enabled(page, "fsc")
    page.select_option("#product_type", label="Caja regular (RSC)")
    assert page.is_disabled("#fsc") and _labels(page, "fsc") == ["—"]
    _enabled(page, "printing")
    assert "Flexografía 2 colores" in _labels(page, "printing") and "Offset (preimpreso)" not in _labels(page, "printing")

    choices = {"printing": "Sin impresión", "fsc": "Sin FSC", "tape": "Cinta de refuerzo",
               "coverage_internal": "Sin recubrimiento", "coverage_external": "Sin recubrimiento",
               "plant": "Planta Osorno", "carton_color": "Café (kraft)"}
    for i, field in enumerate(ORDER[1:], start=1):
        _enabled(page, field)
        later = ORDER[i + 1:]
        assert all(page.is_disabled(f"#{f}") for f in later), f"{later} enabled before {field} was chosen"
        page.select_option(f"#{field}", label=choices[field])
    assert _labels(page, "plant") == ["—", "Planta Osorno"]  # Til Til is closed (inactive option)
    page.screenshot(path=f"{SHOTS}/p2-cascade-form-filled.png", full_page=True)
    page.click("#ot-form button[type=submit]")
    page.wait_for_selector("#ot-state")
    assert page.inner_text("#ot-product_type") == "Caja regular (RSC)"
    assert page.inner_text("#ot-tape") == "Cinta de refuerzo" and page.inner_text("#ot-plant") == "Planta Osorno"
    assert page.inner_text("#ot-carton_color") == "Café (kraft)"
    page.screenshot(path=f"{SHOTS}/p2-cascade-detail.png", full_page=True)


def test_casc_001_admin_sees_the_allowed_combinations_with_labels(page, live_server, login_page, session,
                                                                  make_company, make_user):
    build_world(session, make_company, make_user)
    login_page(page, "administrador")
    page.goto(f"{live_server}/envases/mantenedores/combinaciones/list/")
    body = page.inner_text("body")
    assert "Combinaciones permitidas" in body and "Caja regular (RSC)" in body and "Planta Osorno" in body
    page.screenshot(path=f"{SHOTS}/p2-cascade-combinations.png", full_page=False)
