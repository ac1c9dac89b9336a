"""The public verification page (issue 10 item 6): /verificar/<number>?c=<code>, no login.
A genuine certificate shows number, instrument, dates, status and SHA-256; a superseded one
says by which; a wrong code (or another company's certificate with the same number) reveals
nothing."""
from __future__ import annotations

from app.calibration.certificates import services as certificates
from app.calibration.orders.models import CalibrationOrder
from app.core.tenancy import company_scope
from app.extensions import db
from tests.calibration.certificates.cert_fixtures import TODAY, cert_world  # noqa: F401


def issue(world, order, company=None, reason=None):
    company = company or world.company
    with company_scope(company.id):
        order = db.session.get(CalibrationOrder, order.id)
        cert = certificates.issue(db.session, order=order, user=world.users["SUPERVISOR"], today=TODAY,
                                  storage=world.storage, reason=reason)
        db.session.commit()
        return cert.number, cert.verification_code, cert.sha256


def test_a_genuine_certificate_is_shown_without_login(cert_world, client):  # noqa: F811
    number, code, sha = issue(cert_world, cert_world.order())
    r = client.get(f"/verificar/{number}?c={code}")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    for expected in ("Certificado auténtico y vigente", number, "MN-01 · Manómetro digital", "SN-0001",
                     "10/11/2026", "12/11/2026", "20/11/2026", sha, "Laboratorio Metrológico Sur"):
        assert expected in page, expected
    assert "Hospital Norte" not in page  # the client is not disclosed
    # typed from paper: lower case, spaces and dashes ignored
    spaced = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"
    assert client.get(f"/verificar/{number}", query_string={"c": spaced}).status_code == 200


def test_a_superseded_certificate_says_by_which(cert_world, client):  # noqa: F811
    order = cert_world.order()
    number, code, _sha = issue(cert_world, order)
    new_number, new_code, _ = issue(cert_world, order, reason="Error en P2")
    page = client.get(f"/verificar/{number}?c={code}").get_data(as_text=True)
    assert f"sustituido por {new_number} el 20/11/2026" in page and "vigente" not in page
    newer = client.get(f"/verificar/{new_number}?c={new_code}").get_data(as_text=True)
    assert "Certificado auténtico y vigente" in newer and number in newer  # "Sustituye a"


def test_a_wrong_code_or_another_companys_number_reveals_nothing(cert_world, client):  # noqa: F811
    w = cert_world
    number, code, sha = issue(w, w.order())
    other_number, other_code, other_sha = issue(w, w.order(company=w.other), company=w.other)
    assert number == other_number  # each company counts from 00001: the code tells them apart
    assert other_sha in client.get(f"/verificar/{number}?c={other_code}").get_data(as_text=True)
    assert sha in client.get(f"/verificar/{number}?c={code}").get_data(as_text=True)
    wrong = client.get(f"/verificar/{number}?c=AAAAAAAAAAAA")
    missing = client.get("/verificar/CAL-2026-09999?c=AAAAAAAAAAAA")
    assert wrong.status_code == missing.status_code == 404
    for r in (wrong, missing):
        page = r.get_data(as_text=True)
        assert "No hay ningún certificado con ese número y código" in page and "MN-01" not in page
    bare = client.get(f"/verificar/{number}")
    page = bare.get_data(as_text=True)
    assert bare.status_code == 200 and "Código de verificación" in page and "MN-01" not in page and sha not in page
    assert client.get(f"/verificar/{number}?c={code[:6]}").status_code == 404
    assert client.get("/verificar/<script>?c=x").status_code == 404
