"""Certificate endpoints (issue 10 REST API) and the certificate settings screen: the current
PDF, every certificate with its status, a client sees only shared ones, other companies and
unassigned technicians get 404; settings for Admin / CAL_SUPERVISOR only."""
from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader

from app.calibration.certificates.models import CalibrationSettings
from app.core.tenancy import company_scope
from app.extensions import db

URL = "/api/v1/calibration_order"


def certified(world, share=True):
    order = world.to("APPROVED")
    world.act(order, "ISSUE_CERTIFICATE", world.users["SUPERVISOR"])
    if share:
        world.act(order, "SHARE_CERTIFICATE", world.users["RESPONSABLE"])
    return world.order(order.id)


def amend(world, order, reason="Error de transcripción"):
    world.act(order, "AMEND", world.users["SUPERVISOR"], reason=reason)
    world.tick_all(order)
    world.act(order, "APPROVE", world.users["SUPERVISOR"])
    world.act(order, "ISSUE_CERTIFICATE", world.users["SUPERVISOR"])
    return world.order(order.id)


def test_current_pdf_and_the_list_with_statuses(world, api):
    order = certified(world)
    order = amend(world, order)
    sup = api(world.users["SUPERVISOR"], world.company)
    listed = sup.get(f"{URL}/{order.id}/certificates")
    assert listed.status_code == 200, listed.get_json()
    first, second = listed.get_json()["result"]
    assert (first["status"], first["replaced_by"], first["status_label"]) == (
        "superseded", second["number"], f"Sustituido por {second['number']}")
    assert (second["status"], second["replaces"], second["amendment_reason"]) == (
        "valid", first["number"], "Error de transcripción")
    r = sup.get(f"{URL}/{order.id}/certificate")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert hashlib.sha256(r.data).hexdigest() == second["sha256"]
    assert f'filename="{second["number"]}.pdf"' in r.headers["Content-Disposition"]
    text = " ".join(PdfReader(io.BytesIO(r.data)).pages[0].extract_text().split())
    assert f"Sustituye al certificado {first['number']}. Motivo: Error de transcripción" in text
    old = sup.get(f"{URL}/{order.id}/certificate/{first['number']}")
    assert old.status_code == 200 and old.headers["X-Certificate-Status"] == "superseded"
    assert old.headers["X-Superseded-By"] == second["number"]
    assert hashlib.sha256(old.data).hexdigest() == first["sha256"]


def test_a_client_sees_only_shared_certificates(world, api):
    order = certified(world, share=False)
    client = api(world.users["CLIENTE"], world.company)
    assert client.get(f"{URL}/{order.id}/certificates").get_json()["result"] == []
    assert client.get(f"{URL}/{order.id}/certificate").status_code == 404
    world.act(order, "SHARE_CERTIFICATE", world.users["RESPONSABLE"])
    [cert] = client.get(f"{URL}/{order.id}/certificates").get_json()["result"]
    assert cert["shared"] is True
    assert client.get(f"{URL}/{order.id}/certificate").status_code == 200


def test_other_companies_and_unassigned_technicians_get_404(world, api):
    order = certified(world)
    number = api(world.users["SUPERVISOR"], world.company).get(
        f"{URL}/{order.id}/certificates").get_json()["result"][0]["number"]
    for user in (world.users["SUR_SUPERVISOR"], world.users["SUR_CLIENTE"]):
        stranger = api(user, world.other)
        for path in ("certificate", "certificates", f"certificate/{number}"):
            r = stranger.get(f"{URL}/{order.id}/{path}")
            assert r.status_code == 404, (user.username, path, r.status_code)
    # the company header of a company the user does not belong to is refused
    r = api(world.users["SUR_SUPERVISOR"], world.company).get(f"{URL}/{order.id}/certificate")
    assert r.status_code == 403
    assert api(world.users["OTRO_TECNICO"], world.company).get(f"{URL}/{order.id}/certificate").status_code == 404
    assert api(world.users["TECNICO"], world.company).get(f"{URL}/{order.id}/certificate").status_code == 200
    assert api(world.users["SUPERVISOR"], world.company).get(f"{URL}/999999/certificate").status_code == 404


SETTINGS = "/calibracion/ajustes-certificados/"


def test_settings_screen_for_supervisor_keeps_typed_values_and_names_the_field(world, client, login):
    login(world.users["SUPERVISOR"].username)
    assert client.get(SETTINGS).status_code == 200
    form = {"lab_name": "Laboratorio Metrológico Sur", "lab_address": "Calle Mayor 1",
            "accreditation_number": "ENAC 123/LC10.456", "certificate_contacts": "calidad@norte.example.com\nno es correo",
            "decision_rule": ""}
    r = client.post(SETTINGS, data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "no es correo" in page and "no es válida" in page and "Calle Mayor 1" in page
    form["certificate_contacts"] = "calidad@norte.example.com; compras@norte.example.com"
    r = client.post(SETTINGS, data=form)
    assert r.status_code == 302
    with company_scope(world.company.id):
        saved = db.session.query(CalibrationSettings).one()
        assert saved.contacts() == ["calidad@norte.example.com", "compras@norte.example.com"]
        assert saved.accreditation_number == "ENAC 123/LC10.456"
    form["lab_name"] = ""
    r = client.post(SETTINGS, data=form)
    assert r.status_code == 422 and "Nombre del laboratorio" in r.get_data(as_text=True)


def test_settings_refused_to_other_roles_and_strangers(world, client, login, app):
    assert client.get(SETTINGS).status_code == 302  # to the login page
    for code in ("CLIENTE", "RESPONSABLE", "TECNICO"):
        c = app.test_client()
        login(world.users[code].username, test_client=c)
        assert c.get(SETTINGS).status_code == 403, code
        assert c.post(SETTINGS, data={"lab_name": "X"}).status_code == 403, code
    with company_scope(world.company.id):  # the fixture's settings, untouched
        assert [s.lab_name for s in db.session.query(CalibrationSettings)] == ["Laboratorio Metrológico Central"]


def test_the_certificate_list_runs_the_same_queries_for_two_or_four_certificates(world, api, count_queries):
    two = amend(world, certified(world))
    four = amend(world, amend(world, amend(world, certified(world))))
    sup = api(world.users["SUPERVISOR"], world.company)
    counts = {}
    for order, n in ((two, 2), (four, 4)):
        sup.get(f"{URL}/{order.id}/certificates")  # warm-up (permission caches)
        with count_queries() as counter:
            r = sup.get(f"{URL}/{order.id}/certificates")
        assert len(r.get_json()["result"]) == n
        counts[n] = counter.count
    assert counts[2] == counts[4], counts
