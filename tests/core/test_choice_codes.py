"""Issue 9, item 19 (first half): API choice fields are stable ASCII codes with Spanish
labels; `_info` and the workflow definitions list code and label; pages show the label."""
from __future__ import annotations

from tests.certification.conftest import build_world as cert_world
from tests.installation.conftest import build_world as inst_world


def test_contact_channel_is_a_code_with_its_label(session, make_company, make_user, api, client, login):
    w = inst_world(session, make_company, make_user)
    order = w.order_in("ACCEPTED")
    gc = api(w.users["GESTOR_CUENTA"], w.company)
    url = f"/api/v1/installation_order/{order.id}/actions/CONTACT_DOCTOR"
    refused = gc.post(url, json={"channel": "teléfono", "note": "x"})
    assert refused.status_code == 422 and "Teléfono, Correo, WhatsApp, Visita" in refused.get_json()["message"]
    assert gc.post(url, json={"channel": "EMAIL", "note": "Detalle enviado"}).status_code == 200
    contacts = gc.get(f"/api/v1/installation_order/{order.id}").get_json()["result"]["contacts"]
    assert [(c["channel"], c["channel_label"]) for c in contacts][-1] == ("EMAIL", "Correo")
    definition = gc.get("/api/v1/workflow/installation").get_json()
    contact = next(t for t in definition["result"]["transitions"] if t["action"] == "CONTACT_DOCTOR") \
        if "result" in definition else next(t for t in definition["transitions"] if t["action"] == "CONTACT_DOCTOR")
    channel = next(f for f in contact["fields"] if f["name"] == "channel")
    assert channel["choices"][:2] == [{"code": "PHONE", "label": "Teléfono"}, {"code": "EMAIL", "label": "Correo"}]
    login("gestor_cuenta")
    html = client.get(f"/instalacion/orden/{order.id}").get_data(as_text=True)
    assert "· Correo · Detalle enviado" in html
    assert '<option value="PHONE" >Teléfono</option>' in html.replace("  ", " ") or 'value="PHONE"' in html


def test_inspection_info_lists_result_codes_and_labels(session, make_company, make_user, api):
    w = cert_world(session, make_company, make_user, country_code="ES", subdivision="MD")
    info = api(w.user, w.company).get("/api/v1/inspection/_info").get_json()
    fields = {f["name"]: f for f in info["add_columns"]}
    assert fields["result"]["choices"] == [{"code": "OK", "label": "OK"}, {"code": "NO_OK", "label": "NO OK"}]
