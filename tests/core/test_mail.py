"""Mail outbox (issue 10 part 7) against a real SMTP server (aiosmtpd) started by the test:
delivered; kept and retried while the server is down; never sent twice."""
from __future__ import annotations

import datetime as dt
import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.core.errors import ValidationError
from app.core.mail import Attachment, OutboxMessage, enqueue, send_pending
from app.core.storage import FilesystemStorage
from app.core.tenancy import company_scope

NOW = dt.datetime(2026, 11, 23, 10, 0, 0)


class Inbox:
    """aiosmtpd handler keeping every message the server accepted."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def subjects(self):
        return sorted(m["Subject"] for _to, m in self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self, port):
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None


@pytest.fixture
def smtp(app):
    server = SmtpServer(free_port())
    before = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_DEFAULT_SENDER="lab@calibra.test")
    app.extensions.pop("mail", None)  # Flask-Mail reads the settings again
    server.start()
    yield server
    if server.controller:
        server.stop()
    app.config.update(before)
    app.extensions.pop("mail", None)


@pytest.fixture
def company(make_company):
    return make_company(name="Laboratorio Cliente")


def queue(session, company, n=1, **kwargs):
    for i in range(n):
        enqueue(session, company_id=company.id, to=["contacto@cliente.example.com"], subject=f"Certificado {i + 1:02d}",
                body="Adjuntamos el certificado.", now=NOW, **kwargs)
    session.commit()


def outbox(session):
    session.rollback()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_queued_message_is_delivered_with_its_attachment_and_marked_sent(session, smtp, company, tmp_path):
    storage = FilesystemStorage(str(tmp_path))
    key = storage.save(company.id, "CAL-2026-00001.pdf", b"%PDF-1.4 certificado")
    enqueue(session, company_id=company.id, to=["Contacto@Cliente.example.com", "calidad@cliente.example.com"],
            subject="Certificado CAL-2026-00001", body="Adjuntamos el certificado.",
            html="<p>Adjuntamos el certificado.</p>",
            attachments=[Attachment("CAL-2026-00001.pdf", key, "application/pdf")], now=NOW)
    session.commit()

    report = send_pending(session, now=NOW, storage=storage)

    assert len(report.sent) == 1 and report.failed == []
    [(rcpt, message)] = smtp.inbox.messages
    assert sorted(rcpt) == ["Contacto@cliente.example.com", "calidad@cliente.example.com"]
    assert message["Subject"] == "Certificado CAL-2026-00001" and message["From"] == "lab@calibra.test"
    assert message["Message-ID"] == "<outbox.%s.20261123100000@calibra.test>" % report.sent[0]
    assert message.get_body(("plain",)).get_content().strip() == "Adjuntamos el certificado."
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "CAL-2026-00001.pdf"
    assert attached.get_content() == b"%PDF-1.4 certificado"
    [row] = outbox(session)
    assert (row.sent_at, row.attempts, row.last_error, row.claim_token) == (NOW, 1, None, None)
    assert send_pending(session, now=NOW + dt.timedelta(hours=1), storage=storage).sent == []
    assert len(smtp.inbox.messages) == 1


def test_a_rolled_back_action_sends_nothing(session, smtp, company):
    enqueue(session, company_id=company.id, to="contacto@cliente.example.com", subject="No", body="x", now=NOW)
    session.rollback()
    assert outbox(session) == []
    assert send_pending(session, now=NOW).sent == [] and smtp.inbox.messages == []


def test_server_down_keeps_the_message_retries_with_backoff_then_delivers_once(session, smtp, company):
    queue(session, company, n=2)
    smtp.stop()  # connection refused

    report = send_pending(session, now=NOW)
    assert report.sent == [] and len(report.failed) == 2
    rows = outbox(session)
    assert all(r.sent_at is None and r.attempts == 1 and r.claim_token is None for r in rows)
    assert all("Connection refused" in r.last_error or "ConnectionRefused" in r.last_error for r in rows)
    assert {r.next_attempt_at for r in rows} == {NOW + dt.timedelta(seconds=60)}

    # still down a minute later: second attempt, the wait doubles
    send_pending(session, now=NOW + dt.timedelta(seconds=61))
    assert {(r.attempts, r.next_attempt_at) for r in outbox(session)} == {
        (2, NOW + dt.timedelta(seconds=61 + 120))}

    smtp.start()
    assert send_pending(session, now=NOW + dt.timedelta(seconds=62)).sent == []  # waiting its turn
    report = send_pending(session, now=NOW + dt.timedelta(seconds=61 + 120))
    assert len(report.sent) == 2
    assert smtp.inbox.subjects() == ["Certificado 01", "Certificado 02"]
    assert all(r.sent_at and r.attempts == 3 and r.last_error is None for r in outbox(session))
    send_pending(session, now=NOW + dt.timedelta(days=1))
    assert len(smtp.inbox.messages) == 2


def test_a_message_leased_by_another_run_is_not_sent_until_its_lease_expires(session, smtp, company):
    queue(session, company, n=1)
    [row] = outbox(session)
    row.claim_token, row.claimed_until = "otro-envio", NOW + dt.timedelta(minutes=10)
    session.commit()
    assert send_pending(session, now=NOW).sent == [] and smtp.inbox.messages == []
    # the other run died: after the lease anyone may send it, once
    assert len(send_pending(session, now=NOW + dt.timedelta(minutes=11)).sent) == 1
    assert len(smtp.inbox.messages) == 1


def test_a_missing_attachment_fails_only_that_message(session, smtp, company, tmp_path):
    storage = FilesystemStorage(str(tmp_path))
    enqueue(session, company_id=company.id, to="a@cliente.example.com", subject="Roto", body="x", now=NOW,
            attachments=[Attachment("x.pdf", "0" * 32 + ".pdf")])
    queue(session, company, n=1)
    report = send_pending(session, now=NOW, storage=storage)
    assert len(report.sent) == 1 and len(report.failed) == 1
    assert smtp.inbox.subjects() == ["Certificado 01"]
    broken = outbox(session)[0]
    assert broken.sent_at is None and "NotFound" in broken.last_error


def test_bad_addresses_and_subject_are_refused_in_spanish(session, company):
    with pytest.raises(ValidationError) as info:
        enqueue(session, company_id=company.id, to=["bien@cliente.example.com", "no-es-correo"], subject="x", body="")
    assert info.value.field == "to" and "«no-es-correo» no es válida" in info.value.message
    with pytest.raises(ValidationError) as info:
        enqueue(session, company_id=company.id, to=[], subject="x", body="")
    assert "al menos un destinatario" in info.value.message
    with pytest.raises(ValidationError) as info:
        enqueue(session, company_id=company.id, to="a@cliente.example.com", subject=" \n ", body="")
    assert info.value.field == "subject"
    message = enqueue(session, company_id=company.id, to="a@cliente.example.com", subject="Hola\r\nBcc: x@y.z", body="")
    assert message.subject == "Hola Bcc: x@y.z"  # one header line: no injection


def test_flask_mail_send_and_status(runner, session, smtp, company):
    queue(session, company, n=3)
    smtp.stop()
    failed = runner.invoke(args=["mail", "send"])
    assert failed.exit_code == 1 and "con error (se reintentarán): 3" in failed.output
    status = runner.invoke(args=["mail", "status"])
    assert "pendientes: 3; con errores: 3" in status.output and "Connection" in status.output
    smtp.start()
    for row in outbox(session):
        row.next_attempt_at = NOW  # the wait is over
    session.commit()
    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0 and "Correos enviados: 3" in sent.output
    assert smtp.inbox.subjects() == ["Certificado 01", "Certificado 02", "Certificado 03"]


def test_two_concurrent_senders_deliver_each_message_exactly_once(app, session, smtp, company, postgres_only):
    """Real threads on PostgreSQL, each with its own session, claiming small batches at once."""
    from app.extensions import db

    queue(session, company, n=40)
    barrier = threading.Barrier(2)
    sent, errors = [[], []], []

    def sender(i):
        try:
            with app.app_context(), company_scope(None):
                barrier.wait()
                while True:
                    report = send_pending(db.session, now=NOW, limit=3)
                    sent[i].extend(report.sent)
                    assert report.failed == []
                    if not report.sent:
                        break
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sorted(sent[0] + sent[1]) == [r.id for r in outbox(session)]
    assert not set(sent[0]) & set(sent[1])
    assert smtp.inbox.subjects() == [f"Certificado {i:02d}" for i in range(1, 41)]
    assert all(r.sent_at == NOW for r in outbox(session))
