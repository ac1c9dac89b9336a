"""Issue 19, uploads: the OT page's file (management type 3) takes the same MAX_UPLOAD_BYTES
as calibration's evidence on the page and REST (it had MAX_CONTENT_LENGTH's 2 MB), streamed to
disk in bounded memory; over the limit is a 413 naming it; a NUL in the name a 422; a zip
bomb a 422 naming the file."""
from __future__ import annotations

import io
import os
import tracemalloc

from tests.zip_bomb import zip_bomb

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def send(client, ot_id, name, data):
    return client.post(f"/envases/ots/{ot_id}/gestion", data={"management_type": "3", "note": "plano",
                                                              "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_hardening_19_uploads_the_ot_file_has_the_same_limit_and_streams(world, login, client, app, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path))
    ot = world.ot(1)
    login("vendedor")
    big = PDF + os.urandom(5 * MB)  # over MAX_CONTENT_LENGTH (2 MB), under MAX_UPLOAD_BYTES (20 MB)
    tracemalloc.start()
    try:
        r = send(client, ot.id, "plano_grande.pdf", big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert peak < 4 * MB, f"{peak / MB:.1f} MB"
    r = send(client, ot.id, "plano_enorme.pdf", PDF + b"0" * (21 * MB))
    assert r.status_code == 413 and "el máximo de un archivo es 20 MB" in r.get_data(as_text=True)
    r = send(client, ot.id, "plano\x00.pdf", PDF)
    assert r.status_code == 422 and "nombre del archivo contiene caracteres no admitidos" in r.get_data(as_text=True)
    r = send(client, ot.id, "medidas.xlsx", zip_bomb())
    assert r.status_code == 422 and "«medidas.xlsx» es un comprimido que se expande demasiado" in r.get_data(
        as_text=True)
    entries = [e for e in world.entries(ot.id) if e.management_type_id == 3]
    assert [(e.file_name, e.file_size) for e in entries] == [("plano_grande.pdf", len(big))]
    assert len(os.listdir(tmp_path / str(world.company.id))) == 1


def test_hardening_19_9_a_far_until_date_on_the_packaging_lists_is_a_422_naming_it(world, api):
    """The lists add a day to «Hasta» (a 500 for 31/12/9999 before the shared date range)."""
    seller = api(world.u("vendedor"), world.company)
    for url in ("/api/v1/packaging_work_order/", "/api/v1/packaging_quotation/"):
        r = seller.get(url, query_string={"date_to": "9999-12-31"})
        assert r.status_code == 422 and r.get_json()["field"] == "date_to", (url, r.get_json())
        assert "«Hasta» debe ser una fecha entre el 01/01/1900 y el 31/12/2100" in r.get_json()["message"]
        assert seller.get(url, query_string={"date_to": "2100-12-31"}).status_code == 200
