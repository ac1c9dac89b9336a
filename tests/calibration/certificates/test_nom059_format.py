"""Issue 21 item 11, NOM-059 formats: a company chooses its certificate's format on «Ajustes de
certificados» (ISO/IEC 17025 by default, or NOM-059-SSA1); with NOM-059 the certificate adds
«Requisitos NOM-059-SSA1» (calibration programme, next calibration, status for the label,
acceptance criterion, adjustment, action when out of tolerance, who calibrated, who approved,
traceability of the standards), read back from the PDF with pypdf. docs/decisions.md
«Issue 21 · 11»."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from pypdf import PdfReader

from app.calibration.certificates import services as certificates
from app.calibration.certificates.models import CalibrationSettings
from app.core.tenancy import company_scope
from app.extensions import db
from tests.calibration.certificates.cert_fixtures import TODAY, cert_world  # noqa: F401

SETTINGS = "/calibracion/ajustes-certificados/"
FORM = {"lab_name": "Laboratorio Metrológico Sur", "lab_address": "Calle Mayor 1, Sevilla",
        "accreditation_number": "ENAC 123/LC10.456", "certificate_contacts": "calidad@norte.example.com",
        "decision_rule": ""}


def signed(world, order, *, out_of_tolerance=False):
    """The order as the workflow leaves it at APPROVED: calibrated by the technician and approved
    by the supervisor; optionally its first point out of tolerance."""
    with company_scope(order.company_id):
        order = db.session.get(type(order), order.id)
        order.technicians = [world.users["TECNICO"]]
        order.approved_by_id = world.users["SUPERVISOR"].id
        order.approved_at = dt.datetime(2026, 11, 13, 10, 0)
        if out_of_tolerance:
            first = order.results[0]
            first.as_left, first.error = first.nominal + Decimal("0.030"), Decimal("0.030")
        db.session.commit()
    return order


def issued_text(world, order, company=None) -> str:
    with company_scope((company or world.company).id):
        order = db.session.get(type(order), order.id)
        cert = certificates.issue(db.session, order=order, user=world.users["SUPERVISOR"], today=TODAY,
                                  storage=world.storage)
        db.session.commit()
        pdf = world.storage.open(cert.company_id, cert.storage_key)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_nom_059_ssa1_the_format_is_chosen_by_its_label_on_the_settings_page(cert_world, client, login):  # noqa: F811
    """Issue 21 · 11: the page offers both formats by label (ISO/IEC 17025 selected by default),
    saves NOM-059, and refuses an unknown code naming the field and the labels."""
    w = cert_world
    login(w.users["SUPERVISOR"].username)
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "Formato del certificado" in page
    assert "ISO/IEC 17025 (certificado de calibración)" in page
    assert "NOM-059-SSA1 (buenas prácticas de fabricación de medicamentos)" in page
    assert 'value="ISO17025" selected' in page
    refused = client.post(SETTINGS, data={**FORM, "format": "FDA"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "error-format" in body and "NOM-059-SSA1 (buenas" in body
    assert client.post(SETTINGS, data={**FORM, "format": "NOM059"}).status_code == 302
    with company_scope(w.company.id):
        saved = db.session.query(CalibrationSettings).one()
        assert (saved.format, saved.format_label) == (
            "NOM059", "NOM-059-SSA1 (buenas prácticas de fabricación de medicamentos)")
    assert 'value="NOM059" selected' in client.get(SETTINGS).get_data(as_text=True)
    assert client.post(SETTINGS, data=FORM).status_code == 302  # a form without the field keeps the default
    with company_scope(w.company.id):
        assert db.session.query(CalibrationSettings).one().format == "ISO17025"


def test_nom_059_ssa1_certificate_carries_the_record_items(cert_world):  # noqa: F811
    """Issue 21 · 11: a company on NOM-059 issues a certificate with «Requisitos NOM-059-SSA1»:
    programme (the instrument's 365 days), next calibration (completion + interval, even when the
    client did not ask for it), status for the label, criterion, adjustment, no action needed,
    who calibrated, who approved (quality) and when, traceability."""
    w = cert_world
    with company_scope(w.company.id):
        db.session.query(CalibrationSettings).one().format = "NOM059"
        db.session.commit()
    order = w.order()
    with company_scope(w.company.id):
        db.session.get(type(order), order.id).wants_due_date = False
        db.session.commit()
    text = issued_text(w, signed(w, order))
    for expected in (
        "Requisitos NOM-059-SSA1",
        "Programa de calibración (frecuencia) Cada 365 días",
        "Próxima calibración 12/11/2027",
        "Estado de calibración (etiqueta) CALIBRADO: apto para uso",
        "Criterio de aceptación Tolerancia por punto",
        "Ajuste realizado Sí",
        "Acción ante resultados fuera de tolerancia Ninguna",
        "Calibrado por Cal_Tecnico Prueba",
        "Aprobado por (calidad) Cal_Supervisor Prueba (13/11/2026)",
        "Trazabilidad de los patrones", "patrones nacionales (CENAM) o internacionales",
        "Patrón P-07 (ENAC 1234/2026)",
    ):
        assert expected in text, expected
    assert "a petición del cliente" not in text  # the ISO line stays as the client asked


def test_nom_059_ssa1_out_of_tolerance_says_so_and_what_to_do(cert_world):  # noqa: F811
    """Issue 21 · 11: a point out of tolerance: the label's status says not to use it and the
    action names the deviation and the impact assessment since the last conforming calibration."""
    w = cert_world
    with company_scope(w.company.id):
        db.session.query(CalibrationSettings).one().format = "NOM059"
        db.session.commit()
    text = issued_text(w, signed(w, w.order(), out_of_tolerance=True))
    assert "No conforme" in text
    assert "FUERA DE TOLERANCIA: no usar" in text
    assert "abrir una desviación y evaluar el impacto" in text


def test_nom_059_ssa1_items_absent_from_the_default_iso_17025_format(cert_world):  # noqa: F811
    """Issue 21 · 11: the default format (ISO/IEC 17025, and a company with no settings row
    of its own choosing) prints no NOM-059 section."""
    w = cert_world
    text = issued_text(w, signed(w, w.order()))
    assert "Certificado de calibración" in text and "Regla de decisión" in text
    for absent in ("NOM-059", "Programa de calibración", "Estado de calibración (etiqueta)", "Calibrado por",
                   "Aprobado por (calidad)"):
        assert absent not in text, absent


API = "/api/v1/calibration_settings/"


def test_nom_059_ssa1_the_settings_api_offers_the_format_by_code_and_label(cert_world, api):  # noqa: F811
    """Issue 21 · 11: GET answers the format with its label and the choices; PUT changes only
    what it sends; a wrong code is a 422 on `format` listing the labels; other roles get 403."""
    w = cert_world
    sup = api(w.users["SUPERVISOR"], w.company)
    got = sup.get(API)
    assert got.status_code == 200, got.get_json()
    result = got.get_json()["result"]
    assert (result["format"], result["format_label"]) == ("ISO17025", "ISO/IEC 17025 (certificado de calibración)")
    assert [f["code"] for f in result["formats"]] == ["ISO17025", "NOM059"]
    assert result["lab_name"] == "Laboratorio Metrológico Sur"
    wrong = sup.put(API, json={"format": "FDA"})
    assert wrong.status_code == 422 and wrong.get_json()["field"] == "format", wrong.get_json()
    assert "NOM-059-SSA1 (buenas prácticas" in wrong.get_json()["message"]
    assert sup.put(API, json={"colour": "red"}).status_code == 422
    null = sup.put(API, json={"format": None})
    assert null.status_code == 422 and "Formato del certificado" in null.get_json()["message"]
    saved = sup.put(API, json={"format": "NOM059"})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["result"]["format_label"].startswith("NOM-059-SSA1")
    assert saved.get_json()["result"]["accreditation_number"] == "ENAC 123/LC10.456"  # kept
    for code in ("CLIENTE", "RESPONSABLE", "TECNICO"):
        other = api(w.users[code], w.company)
        assert other.get(API).status_code == 403, code
        assert other.put(API, json={"format": "ISO17025"}).status_code == 403, code
    stranger = api(w.stranger, w.other).get(API)
    assert stranger.status_code == 200 and stranger.get_json()["result"]["format"] == "ISO17025"  # its own company
    with company_scope(w.company.id):
        assert db.session.query(CalibrationSettings).one().format == "NOM059"
