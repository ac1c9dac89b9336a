"""Issue 19, points 7-9 and the upload limit, on calibration's evidence (page and REST): a zip
bomb is a 422 naming the file, in bounded memory; a name in any alphabet downloads back; a
NUL in a name, a 25 MB file, an order id of Infinity or 1e400 and a far calibration date are
4xx naming the field, never a 500; uploads stream to disk with one limit for both."""
from __future__ import annotations

import hashlib
import io
import os
import tracemalloc

import pytest
from werkzeug.http import parse_options_header

from tests.calibration.conftest import PDF
from tests.zip_bomb import zip_bomb

MB = 1024 * 1024
WEIRD = "informe_калибровка.pdf"


def rest_upload(client, order_id, name, data, query=""):
    return client.client.post(f"/api/v1/calibration_order/{order_id}/evidence{query}", headers=client.headers(),
                              data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def page_upload(browser, order_id, name, data):
    return browser.post(f"/calibracion/orden/{order_id}/evidencia", data={"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def stored_files(app) -> list[str]:
    return [name for _root, _dirs, names in os.walk(app.config["FILES_DIR"]) for name in names]


@pytest.fixture
def order(world):
    return world.to("IN_PROGRESS")  # it has one evidence file already (informe.pdf)


@pytest.fixture
def tech(world, api):
    return api(world.users["TECNICO"], world.company)


@pytest.fixture
def tech_page(world, login, client):
    login("cal_tecnico")
    return client


def test_hardening_19_7_a_zip_bomb_evidence_is_a_422_naming_the_file_in_bounded_memory(world, order, tech, app):
    bomb = zip_bomb()
    files_before = stored_files(app)
    tracemalloc.start()
    try:
        r = rest_upload(tech, order.id, "lecturas.xlsx", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.status_code == 422 and r.get_json()["field"] == "file", r.get_json()
    assert "«lecturas.xlsx»" in r.get_json()["message"] and "bomba zip" in r.get_json()["message"]
    assert peak < 50 * MB, f"{peak / MB:.0f} MB"
    assert len(world.order(order.id).evidence) == 1 and stored_files(app) == files_before


def test_hardening_19_8_a_non_latin1_evidence_name_downloads_back_on_the_page_and_rest(world, order, tech,
                                                                                     tech_page):
    page_pdf, rest_pdf = PDF + b"% page\n", PDF + b"% rest\n"
    assert page_upload(tech_page, order.id, WEIRD, page_pdf).status_code == 302
    r = rest_upload(tech, order.id, WEIRD, rest_pdf)
    assert r.status_code == 201 and r.get_json()["result"]["filename"] == WEIRD, r.get_json()
    rest_url = r.get_json()["result"]["url"]
    evidence = {e.sha256: e for e in world.order(order.id).evidence}
    by_page = evidence[hashlib.sha256(page_pdf).hexdigest()]
    for response, data in [
        (tech_page.get(f"/calibracion/evidencia/{by_page.id}"), page_pdf),
        (tech.get(f"/api/v1/calibration_evidence/{by_page.id}/file"), page_pdf),
        (tech.get(rest_url), rest_pdf),
        (tech_page.get(f"/calibracion/evidencia/{rest_url.split('/')[-2]}"), rest_pdf),
    ]:
        assert response.status_code == 200 and response.data == data
        header = response.headers["Content-Disposition"]
        header.encode("latin-1")  # what a WSGI server can send
        assert parse_options_header(header) == ("attachment", {"filename": WEIRD})
        assert 'filename="informe_.pdf"' in header


def test_hardening_19_9_a_nul_byte_in_a_file_name_is_a_422_naming_the_field(world, order, tech, tech_page, app):
    files_before = stored_files(app)
    r = rest_upload(tech, order.id, "informe\x00.pdf", PDF)
    assert r.status_code == 422 and r.get_json()["field"] == "file", r.get_json()
    assert "nombre del archivo contiene caracteres no admitidos" in r.get_json()["message"]
    r = page_upload(tech_page, order.id, "a\x00b.pdf", PDF)
    assert r.status_code == 422 and "nombre del archivo contiene caracteres no admitidos" in r.get_data(as_text=True)
    assert len(world.order(order.id).evidence) == 1 and stored_files(app) == files_before


def test_hardening_19_9_a_25_mb_evidence_upload_is_413_on_rest_as_on_the_page(world, order, tech, tech_page, app):
    big = PDF + b"0" * (25 * MB)
    files_before = stored_files(app)
    r = rest_upload(tech, order.id, "grande.pdf", big)
    assert r.status_code == 413, r.get_data(as_text=True)[:300]
    assert r.get_json() == {"message": "La petición es demasiado grande: el máximo de un archivo es 20 MB.",
                            "field": "file"}
    r = rest_upload(tech, order.id, "grande.pdf", big, query="?_l_=en")
    assert r.status_code == 413 and r.get_json()["message"] == "The request is too large: a file may be at most 20 MB."
    r = page_upload(tech_page, order.id, "grande.pdf", big)
    assert r.status_code == 413 and "el máximo de un archivo es 20 MB" in r.get_data(as_text=True)
    assert len(world.order(order.id).evidence) == 1 and stored_files(app) == files_before


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e400"])
@pytest.mark.parametrize("resource, body", [
    ("calibration_progress", '{"order_id": %s, "text": "Estabilizado"}'),
    ("calibration_result", '{"order_id": %s, "measurand": "Presión", "nominal": "10", "unit": "bar"}'),
    ("calibration_logistics", '{"order_id": %s, "status": "RECEIVED"}'),
])
def test_hardening_19_9_order_id_infinity_or_1e400_is_a_422_naming_the_field(world, order, tech, resource, body,
                                                                             number):
    r = tech.client.post(f"/api/v1/{resource}/", data=body % number,
                         headers={**tech.headers(), "Content-Type": "application/json"})
    assert r.status_code == 422 and r.get_json()["field"] == "order_id", r.get_json()
    assert "order_id" in r.get_json()["message"]


@pytest.mark.parametrize("raw", ["5.5", '"5.5"', "true", '"²"', '"Infinity"'])
def test_hardening_19_9_an_order_id_that_is_not_an_id_is_a_422_naming_the_field(world, order, tech, raw):
    r = tech.client.post("/api/v1/calibration_progress/", data='{"order_id": %s, "text": "x"}' % raw,
                         headers={**tech.headers(), "Content-Type": "application/json"})
    assert r.status_code == 422 and r.get_json()["field"] == "order_id", r.get_json()
    assert "Orden de calibración" in r.get_json()["message"]
    assert world.order(order.id).progress == []


INSTRUMENT = {"tag": "MAN-900", "description": "Manómetro", "unit": "bar", "interval_days": 365, "active": True}


@pytest.mark.parametrize("field, label", [("last_calibrated_on", "Última calibración"),
                                          ("next_due_on", "Próxima calibración")])
def test_hardening_19_9_a_far_calibration_date_is_a_422_naming_the_field(world, api, login, client, field, label):
    admin = api(world.users["ADMIN"], world.company)
    r = admin.post("/api/v1/instrument/", json={**INSTRUMENT, field: "9999-12-31"})
    assert r.status_code == 422 and r.get_json()["field"] == field, r.get_json()
    assert r.get_json()["message"] == f"El campo «{label}» debe ser una fecha entre el 01/01/1900 y el 31/12/2100."
    r = admin.put(f"/api/v1/instrument/{world.instrument.id}", json={field: "9999-12-31"})
    assert r.status_code == 422 and r.get_json()["field"] == field, r.get_json()
    login("cal_admin")
    r = client.post("/calibracion/instrumentos/add", data={**INSTRUMENT, "interval_days": "365", "active": "y",
                                                           field: "9999-12-31"})
    assert r.status_code == 422 and "entre el 01/01/1900 y el 31/12/2100" in r.get_data(as_text=True)
    assert admin.get("/api/v1/instrument/").get_json()["count"] == 1  # only the world's own
    r = admin.post("/api/v1/instrument/", json={**INSTRUMENT, "last_calibrated_on": "2100-12-31"})
    assert r.status_code == 422 and r.get_json()["message"] == (  # its next due date would be in 2101
        "El campo «Próxima calibración» debe ser una fecha entre el 01/01/1900 y el 31/12/2100."), r.get_json()
    r = admin.post("/api/v1/instrument/", json={**INSTRUMENT, "last_calibrated_on": "2090-01-01"})
    assert r.status_code == 201 and r.get_json()["result"]["next_due_on"] == "2091-01-01", r.get_json()


def test_hardening_19_uploads_stream_to_disk_in_bounded_memory(world, order, tech, app):
    data = PDF + os.urandom(15 * MB)
    tracemalloc.start()
    try:
        r = rest_upload(tech, order.id, "escaneo.pdf", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["result"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert peak < 8 * MB, f"{peak / MB:.1f} MB"  # the file is 15 MB: never held whole
    assert tech.get(r.get_json()["result"]["url"]).data == data


@pytest.fixture
def one_mb_limit(app):
    before = app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = MB
    yield MB
    app.config["MAX_UPLOAD_BYTES"] = before


def test_hardening_19_uploads_one_limit_on_the_page_and_rest(world, order, tech, tech_page, one_mb_limit):
    over, under = PDF + b"0" * (MB + 10), PDF + b"0" * (MB - 100)
    r = rest_upload(tech, order.id, "grande.pdf", over)
    assert r.status_code == 413 and r.get_json()["message"] == "El archivo «grande.pdf» ocupa 1.0 MB; el máximo es 1 MB."
    r = page_upload(tech_page, order.id, "grande.pdf", over)
    assert r.status_code == 413 and "«grande.pdf» ocupa 1.0 MB; el máximo es 1 MB" in r.get_data(as_text=True)
    r = rest_upload(tech, order.id, "enorme.pdf", over * 3)  # over the limit and the form's overhead
    assert r.status_code == 413 and "el máximo de un archivo es 1 MB" in r.get_json()["message"]
    r = page_upload(tech_page, order.id, "enorme.pdf", over * 3)
    assert r.status_code == 413 and "el máximo de un archivo es 1 MB" in r.get_data(as_text=True)
    assert "como mucho 1 MB" in tech_page.get(f"/calibracion/orden/{order.id}").get_data(as_text=True)
    assert rest_upload(tech, order.id, "justo.pdf", under).status_code == 201
    assert page_upload(tech_page, order.id, "justo2.pdf", under).status_code == 302
    assert len(world.order(order.id).evidence) == 3
