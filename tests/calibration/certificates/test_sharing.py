"""Sharing a certificate (issue 10 item 7): visible to the client's users, one e-mail with the
PDF to the company's certificate contacts through the outbox, delivered to a real SMTP server
(aiosmtpd), kept and retried while it is down, never sent twice."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from app.calibration.certificates import services as certificates
from app.calibration.orders.models import CalibrationOrder
from app.core.mail import OutboxMessage, send_pending
from app.core.tenancy import company_scope
from app.extensions import db
from tests.calibration.certificates.cert_fixtures import TODAY, cert_world  # noqa: F401
from tests.core.test_mail import smtp  # noqa: F401  (a real SMTP server per test)

NOW = dt.datetime(2026, 11, 20, 10, 0)


def issue_and_share(world, order, times=1):
    with company_scope(world.company.id):
        order = db.session.get(CalibrationOrder, order.id)
        cert = certificates.issue(db.session, order=order, user=world.users["SUPERVISOR"], today=TODAY,
                                  storage=world.storage)
        db.session.commit()
        for _ in range(times):
            certificates.share(db.session, order=order, user=world.users["RESPONSABLE"], now=NOW)
            db.session.commit()
        return cert


def outbox():
    db.session.rollback()
    with company_scope(None):
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_shared_certificate_is_mailed_once_with_its_pdf_to_the_contacts(cert_world, smtp):  # noqa: F811
    w = cert_world
    order = w.order()
    with company_scope(w.company.id):
        assert certificates.visible_to(db.session, order, w.users["CLIENTE"]) == []  # not shared yet
    cert = issue_and_share(w, order, times=2)  # sharing twice queues one message
    [message] = outbox()
    assert message.to == ["calidad@norte.example.com", "mantenimiento@norte.example.com"]

    with company_scope(None):
        report = send_pending(db.session, now=NOW, storage=w.storage)
    assert len(report.sent) == 1
    [(rcpt, mail)] = smtp.inbox.messages
    assert sorted(rcpt) == ["calidad@norte.example.com", "mantenimiento@norte.example.com"]
    assert mail["Subject"] == f"Certificado de calibración {cert.number} – MN-01"
    body = mail.get_body(("plain",)).get_content()
    assert cert.verification_code in body and cert.sha256 in body
    [attached] = list(mail.iter_attachments())
    assert attached.get_filename() == f"{cert.number}.pdf"
    assert hashlib.sha256(attached.get_content()).hexdigest() == cert.sha256
    with company_scope(None):
        send_pending(db.session, now=NOW + dt.timedelta(hours=2), storage=w.storage)
    assert len(smtp.inbox.messages) == 1  # never twice
    with company_scope(w.company.id):
        [seen] = certificates.visible_to(db.session, order, w.users["CLIENTE"])
        assert seen.number == cert.number and seen.shared_by_id == w.users["RESPONSABLE"].id


def test_with_the_server_down_the_message_waits_and_is_delivered_later(cert_world, smtp):  # noqa: F811
    w = cert_world
    smtp.stop()
    cert = issue_and_share(w, w.order())
    with company_scope(None):
        assert send_pending(db.session, now=NOW, storage=w.storage).sent == []
    [row] = outbox()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    smtp.start()
    with company_scope(None):
        assert len(send_pending(db.session, now=NOW + dt.timedelta(minutes=5), storage=w.storage).sent) == 1
    assert [m["Subject"] for _r, m in smtp.inbox.messages] == [f"Certificado de calibración {cert.number} – MN-01"]


def test_an_amendment_mail_says_what_it_replaces(cert_world, smtp):  # noqa: F811
    w = cert_world
    order = w.order()
    first = issue_and_share(w, order)
    second = issue_and_share(w, order)
    with company_scope(None):
        send_pending(db.session, now=NOW, storage=w.storage)
    bodies = {m["Subject"]: m.get_body(("plain",)).get_content() for _r, m in smtp.inbox.messages}
    amended = bodies[f"Certificado de calibración {second.number} – MN-01"]
    assert f"Sustituye al certificado {first.number}" in amended


def test_without_contacts_the_certificate_is_published_and_nothing_is_queued(cert_world):  # noqa: F811
    w = cert_world
    with company_scope(w.company.id):
        settings = certificates.settings_of(db.session, w.company.id)
        settings.certificate_contacts = ""
        db.session.commit()
    cert = issue_and_share(w, w.order())
    assert outbox() == []
    with company_scope(w.company.id):
        assert db.session.get(type(cert), cert.id).shared_at == NOW
