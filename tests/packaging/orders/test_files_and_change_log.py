"""Issue 21 · 4 (docs/decisions.md «Issue 21 · 4»): the files of management entries of type 3
«Archivo» download from the OT page and the REST API with the OT's visibility (FLT-001..004,
the active company: 404 otherwise), as attachments under their own name; each edit of an OT
adds a type 4 «Log de Cambios» entry «Campo: antes → después» by labels (none for an edit
that changes nothing); whoever sees the OT reads its audit history, linked from the OT."""
from __future__ import annotations

import io

import pytest

from app.packaging.catalogs import queries as cat

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ORDERS = "/api/v1/packaging_work_order/"
# a seeded cascade combination (seed/catalogs/packaging_cascade.yaml): Caja regular ... Buin, Café
FULL = {"product_type": 1, "printing": 1, "fsc": 1, "tape": 1, "coverage_internal": 1, "coverage_external": 1,
        "plant": 1, "carton_color": 1}


@pytest.fixture
def files_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path))
    return tmp_path


def attach(client, ot_id, name, data=PDF):
    """A type 3 entry from the OT page (the only way files arrive, as before)."""
    r = client.post(f"/envases/ots/{ot_id}/gestion", data={"management_type": "3", "note": "plano",
                                                           "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]


def file_entry(world, ot_id):
    return next(e for e in world.entries(ot_id) if e.management_type_id == cat.FILE)


def log_entries(world, ot_id):
    return [e for e in world.entries(ot_id) if e.management_type_id == cat.LOG]


def test_gestion_tipo_3_the_file_downloads_from_the_page_and_the_api_under_its_own_name(world, login, client, api,
                                                                                        files_dir):
    ot = world.ot(1)
    login("vendedor")
    attach(client, ot.id, "plano señal.pdf")
    entry = file_entry(world, ot.id)
    page = client.get(f"/envases/ots/{ot.id}")
    assert f'href="/envases/ots/{ot.id}/archivos/{entry.id}"' in page.get_data(as_text=True)
    r = client.get(f"/envases/ots/{ot.id}/archivos/{entry.id}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Disposition"] == ("attachment; filename=\"plano senal.pdf\"; "
                                                "filename*=UTF-8''plano%20se%C3%B1al.pdf")
    assert r.mimetype == "application/pdf" and r.headers["X-Content-Type-Options"] == "nosniff"
    seller = api(world.u("vendedor"), world.company)
    listed = seller.get(f"/api/v1/packaging_management/?work_order={ot.id}").get_json()["result"]
    url = next(m["file_url"] for m in listed if m["id"] == entry.id)
    assert url == f"{ORDERS.rstrip('/')}/{ot.id}/files/{entry.id}"
    r = seller.get(url)
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Disposition"].startswith("attachment;") and r.mimetype == "application/pdf"


def test_gestion_tipo_3_a_csv_is_never_shown_inline(world, login, client, api, files_dir):
    """A text file (the one type without a magic number) is an attachment with nosniff too."""
    ot = world.ot(1)
    login("vendedor")
    attach(client, ot.id, "medidas.csv", b"alto;ancho\n<script>alert(1)</script>;2\n")
    entry = file_entry(world, ot.id)
    r = client.get(f"/envases/ots/{ot.id}/archivos/{entry.id}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == 'attachment; filename="medidas.csv"'
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_FLT001_a_file_of_an_ot_the_user_cannot_see_or_of_another_company_is_404(world, login, client, api, app,
                                                                                files_dir):
    ot, other_ot = world.ot(1), world.ot(1)
    login("vendedor")
    attach(client, ot.id, "plano.pdf")
    entry = file_entry(world, ot.id)
    log = world.create()  # an entry without a file: the creation's none, so write one through an edit
    client.post(f"/envases/ots/{log.id}/editar", data={"client": "Otro", "description": "Caja 30x20",
                                                        "request_type": "1"})
    no_file = log_entries(world, log.id)[0]
    seller = api(world.u("vendedor"), world.company)
    for url in (f"/envases/ots/{other_ot.id}/archivos/{entry.id}",  # the entry belongs to another OT
                f"/envases/ots/{log.id}/archivos/{no_file.id}",      # an entry without a file
                f"/envases/ots/{ot.id}/archivos/999999"):
        assert client.get(url).status_code == 404, url
    assert seller.get(f"{ORDERS}{other_ot.id}/files/{entry.id}").status_code == 404
    # FLT-001: an external seller sees only the OTs they created
    outsider = app.test_client()
    login("vendedor_externo", test_client=outsider)
    assert outsider.get(f"/envases/ots/{ot.id}/archivos/{entry.id}").status_code == 404
    assert api(world.u("vendedor_externo"), world.company).get(f"{ORDERS}{ot.id}/files/{entry.id}").status_code == 404
    # another company's seller, with an id guessed: as if it did not exist
    south = api(world.u("sur_vendedor"), world.other)
    assert south.get(f"{ORDERS}{ot.id}/files/{entry.id}").status_code == 404
    # the admin of both companies, acting for the other one, does not reach it either
    assert api(world.u("admin"), world.other).get(f"{ORDERS}{ot.id}/files/{entry.id}").status_code == 404
    assert api(world.u("admin"), world.company).get(f"{ORDERS}{ot.id}/files/{entry.id}").status_code == 200


def test_log_de_cambios_an_api_edit_names_each_changed_field_by_labels(world, api):
    seller = api(world.u("vendedor"), world.company)
    r = seller.post(ORDERS, json={"client": "Viña Sur", "description": "Caja 6 botellas", "request_type": 1, **FULL})
    assert r.status_code == 201, r.get_json()
    pk = r.get_json()["id"]
    assert log_entries(world, pk) == []  # creating is not a change
    r = seller.put(f"{ORDERS}{pk}", json={"client": "Viña Norte", "request_type": 2, "plant": None,
                                          "carton_color": None, "description": "Caja 6 botellas"},
                   headers={"Accept-Language": "en"})  # the log is data: written in Spanish whoever asks
    assert r.status_code == 200, r.get_json()
    [entry] = log_entries(world, pk)
    names = cat.labels(world.session)
    assert entry.note.split("\n") == [
        "Cliente: Viña Sur → Viña Norte",
        f"Tipo de solicitud: {names.request_type(1)} → {names.request_type(2)}",
        "Planta objetivo: Planta Buin → —",
        "Color cartón: Café (kraft) → —",
    ]
    assert entry.user_id == world.u("vendedor").id
    listed = seller.get(f"/api/v1/packaging_management/?work_order={pk}").get_json()["result"]
    assert [m["management_type_label"] for m in listed] == ["Log de Cambios"]
    # the same values again: nothing changed, nothing written
    r = seller.put(f"{ORDERS}{pk}", json={"client": "Viña Norte", "request_type": 2})
    assert r.status_code == 200 and len(log_entries(world, pk)) == 1


def test_log_de_cambios_a_page_edit_writes_one_entry_and_a_no_op_edit_none(world, login, client):
    ot = world.ot(1, description="Caja 30x20")
    login("vendedor")
    form = {"client": "Cliente Uno", "description": "Caja 30x20", "request_type": "1"}
    r = client.post(f"/envases/ots/{ot.id}/editar", data=form)
    assert r.status_code == 302 and log_entries(world, ot.id) == []
    long_text = "Caja reforzada " * 40
    r = client.post(f"/envases/ots/{ot.id}/editar", data={**form, "description": long_text})
    assert r.status_code == 302
    [entry] = log_entries(world, ot.id)
    assert entry.note.startswith("Descripción: Caja 30x20 → Caja reforzada") and entry.note.endswith("…")
    assert "\n" not in entry.note
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert "Log de Cambios" in page and "Descripción: Caja 30x20 → Caja reforzada" in page


def test_history_page_a_packaging_role_who_sees_the_ot_reads_it_linked_from_the_ot(world, login, client, api, app):
    ot = world.create()
    login("vendedor")
    client.post(f"/envases/ots/{ot.id}/editar", data={"client": "Cliente Dos", "description": "Caja 30x20",
                                                       "request_type": "1"})
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert f'href="/envases/ots/{ot.id}/historial"' in page
    r = client.get(f"/envases/ots/{ot.id}/historial")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Crear OT" in text and "Editar OT" in text and "Cliente Dos" in text
    chief = api(world.u("jefe_ventas"), world.company)
    assert chief.post(f"{ORDERS}{ot.id}/assign", json={"asignado_id": world.u("vendedor").id}).status_code == 200
    history = api(world.u("vendedor"), world.company).get(f"{ORDERS}{ot.id}/history")
    assert history.status_code == 200
    created, edited, assigned = history.get_json()["history"]
    assert assigned["action_label"] == "Asignar OT"
    assert assigned["data_text"] == [f"Área: {cat.labels(world.session).area(1)}", "Responsable: Vendedor Prueba",
                                     "Responsable anterior: —"]  # people and area by their names
    assert (created["action_label"], edited["action_label"]) == ("Crear OT", "Editar OT")
    assert edited["data_text"] == ["Cliente: Cliente Uno → Cliente Dos"]  # labels, antes → después
    assert "Tipo de solicitud: " + cat.labels(world.session).request_type(1) in created["data_text"]
    # the audit as a whole stays closed to packaging roles: only this OT's page opened
    assert client.get(f"/auditview/historial/{'packaging_work_order'}/{ot.id}").status_code == 403


def test_FLT001_history_page_is_404_for_who_cannot_see_the_ot_and_403_without_packaging(world, login, app, api,
                                                                                       make_user):
    ot = world.create()
    outsider = app.test_client()
    login("vendedor_externo", test_client=outsider)  # FLT-001: not their OT
    assert outsider.get(f"/envases/ots/{ot.id}/historial").status_code == 404
    assert api(world.u("vendedor_externo"), world.company).get(f"{ORDERS}{ot.id}/history").status_code == 404
    assert api(world.u("sur_vendedor"), world.other).get(f"{ORDERS}{ot.id}/history").status_code == 404
    stranger = make_user(roles=["CAL_CLIENTE"], companies=[world.company], username="cliente_cal")
    other = app.test_client()
    login(stranger.username, test_client=other)
    assert other.get(f"/envases/ots/{ot.id}/historial").status_code == 403
