"""Issuing certificates (issue 10 item 6): CAL-<year>-<5 digits> per company and year, never
repeated (16 issued at once on PostgreSQL), the PDF stored with its SHA-256, and amendments
(ISO/IEC 17025 §7.8.8) that name the certificate they replace and why."""
from __future__ import annotations

import hashlib
import io
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.calibration.certificates import services as certificates
from app.calibration.certificates.models import Certificate
from app.core.errors import ValidationError
from app.core.tenancy import company_scope
from app.extensions import db
from tests.calibration.certificates.cert_fixtures import TODAY, cert_world  # noqa: F401


def issue(world, order, company=None, **kw):
    with company_scope((company or world.company).id):
        order = db.session.get(type(order), order.id)
        cert = certificates.issue(db.session, order=order, user=world.users["SUPERVISOR"], today=TODAY,
                                  storage=world.storage, **kw)
        db.session.commit()
        return cert


def pdf_text(world, cert) -> str:
    data = world.storage.open(cert.company_id, cert.storage_key)
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_numbers_follow_per_company_and_year_and_the_pdf_is_stored_with_its_sha256(cert_world):  # noqa: F811
    w = cert_world
    first, second = issue(w, w.order()), issue(w, w.order())
    other = issue(w, w.order(company=w.other), company=w.other)
    assert (first.number, second.number) == ("CAL-2026-00001", "CAL-2026-00002")
    assert other.number == "CAL-2026-00001"  # another company counts on its own
    stored = w.storage.open(first.company_id, first.storage_key)
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == first.sha256
    assert first.size == len(stored) and first.status == "valid"
    assert len(first.verification_code) == 12 and first.verification_code != second.verification_code
    text = " ".join(pdf_text(w, first).split())
    for expected in ("CAL-2026-00001", "Hospital Norte", "Laboratorio Metrológico Sur", "ENAC 123/LC10.456",
                     "MN-01", "Cal_Cliente Prueba", "Página 1 de", "Autorizado por Cal_Supervisor Prueba",
                     "https://lab.example.com/verificar/CAL-2026-00001?c=" + first.verification_code,
                     "Conforme", "Regla de decisión", "Próxima calibración", "12/11/2027"):
        assert expected in text, expected


def test_an_order_without_results_gets_no_certificate_and_no_number(cert_world):  # noqa: F811
    w = cert_world
    with pytest.raises(ValidationError, match="no tiene resultados"):
        issue(w, w.order(results=0))
    db.session.rollback()
    assert issue(w, w.order()).number == "CAL-2026-00001"


def test_an_amendment_names_the_one_it_replaces_and_both_stay(cert_world):  # noqa: F811
    w = cert_world
    order = w.order()
    original = issue(w, order)
    amendment = issue(w, order, reason="Error de transcripción en P2")
    with company_scope(w.company.id):
        original = db.session.get(Certificate, original.id)
        assert original.status == "superseded" and original.status_label == "Sustituido por CAL-2026-00002"
        assert certificates.current(db.session, order).id == amendment.id
        assert [c.number for c in certificates.certificates_of(db.session, order)] == [
            "CAL-2026-00001", "CAL-2026-00002"]
    assert amendment.replaces_id == original.id and amendment.status == "valid"
    text = " ".join(pdf_text(w, amendment).split())
    assert "Sustituye al certificado CAL-2026-00001. Motivo: Error de transcripción en P2" in text
    assert w.storage.open(original.company_id, original.storage_key).startswith(b"%PDF")  # still downloadable


def test_sixteen_certificates_issued_at_once_get_sixteen_consecutive_numbers(cert_world, app, postgres_only):  # noqa: F811
    w = cert_world
    orders = [w.order() for _ in range(16)]
    db.session.commit()
    barrier = threading.Barrier(16)
    errors, numbers = [], []
    user_id = w.users["SUPERVISOR"].id

    def run(order_id):
        with app.app_context():
            try:
                barrier.wait(timeout=60)  # before any connection: the pool holds 15
                with company_scope(w.company.id):
                    from flask_appbuilder.security.sqla.models import User

                    from app.calibration.orders.models import CalibrationOrder

                    order = db.session.get(CalibrationOrder, order_id)
                    user = db.session.get(User, user_id)
                    cert = certificates.issue(db.session, order=order, user=user, today=TODAY, storage=w.storage,
                                              base_url="")
                    db.session.commit()
                    numbers.append(cert.number)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(o.id,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"CAL-2026-{n:05d}" for n in range(1, 17)]
    with company_scope(w.company.id):
        stored = list(db.session.scalars(select(Certificate.number)))
    assert sorted(stored) == sorted(numbers)


def test_a_rolled_back_issue_leaves_no_file_and_gives_the_number_back(cert_world):  # noqa: F811
    w = cert_world
    order = w.order()
    with company_scope(w.company.id):
        fresh = db.session.get(type(order), order.id)
        cert = certificates.issue(db.session, order=fresh, user=w.users["SUPERVISOR"], today=TODAY, storage=w.storage)
        key = cert.storage_key
        assert w.storage.open(w.company.id, key).startswith(b"%PDF")
        db.session.rollback()
    with pytest.raises(Exception, match="no existe"):
        w.storage.open(w.company.id, key)
    assert issue(w, order).number == "CAL-2026-00001"


def test_a_savepoint_rolled_back_after_the_issue_keeps_the_file(cert_world):  # noqa: F811
    w = cert_world
    order = w.order()
    with company_scope(w.company.id):
        fresh = db.session.get(type(order), order.id)
        cert = certificates.issue(db.session, order=fresh, user=w.users["SUPERVISOR"], today=TODAY, storage=w.storage)
        nested = db.session.begin_nested()
        nested.rollback()
        db.session.commit()
        assert w.storage.open(w.company.id, cert.storage_key).startswith(b"%PDF")
