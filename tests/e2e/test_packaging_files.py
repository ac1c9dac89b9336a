"""Browser, issue 21 · 4: a seller attaches a plan to an OT and downloads it from the OT's
history under its own name; edits the OT, whose «Log de Cambios» entry names the change;
and opens the OT's audit history from the OT page."""
from __future__ import annotations

from tests.packaging.conftest import build_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_gestion_tipo_3_download_log_de_cambios_and_history_in_the_browser(page, live_server, login_page, session,
                                                                           make_company, make_user, app, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path))
    w = build_world(session, make_company, make_user)
    ot = w.ot(1, description="Caja 30x20")
    login_page(page, "vendedor")
    page.goto(f"{live_server}/envases/ots/{ot.id}")
    page.select_option("#management_type", "3")
    page.set_input_files("#file", files=[{"name": "plano caja.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("#management-form button[type=submit]")
    page.wait_for_selector("text=Gestión registrada en la OT")
    with page.expect_download() as info:
        page.click("#ot-history a.ot-file")
    download = info.value
    assert download.suggested_filename == "plano caja.pdf"
    assert open(download.path(), "rb").read() == PDF
    page.click("text=Editar")
    page.fill("#description", "Caja 40x30")
    page.click("#ot-form button[type=submit]")
    page.wait_for_selector("text=guardada")
    assert "Descripción: Caja 30x20 → Caja 40x30" in page.inner_text("#ot-history")
    page.click("#ot-history-link")
    page.wait_for_selector("#history")
    assert "Editar OT" in page.inner_text("#history")
