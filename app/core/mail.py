"""Mail outbox (DESIGN layout "mail.py"; issue 10 part 7): nothing lost, nothing twice.

- `enqueue()` adds an OutboxMessage in the caller's transaction: a rolled-back action sends
  nothing, a committed one is never forgotten.
- `send_pending()` (run by `flask mail send`, from cron) claims due messages with a lease in a
  short transaction of its own (a conditional UPDATE: two senders never claim the same row),
  delivers them through Flask-Mail over SMTP, and marks each sent right after the SMTP server
  accepted it. A failure stays in the outbox with its error and attempt count and is retried
  later with exponential backoff.
The only window for a duplicate is a crash between the server's acceptance and the commit
that follows; each message then carries the same Message-ID, so receivers can tell."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from dataclasses import dataclass, field

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.errors import ValidationError
from app.core.models import Model, utcnow
from app.core.storage import get_storage
from app.core.tenancy import TenantMixin, company_scope
from app.extensions import db

log = logging.getLogger(__name__)
MAX_RECIPIENTS = 50


class OutboxMessage(TenantMixin, Model):
    """One e-mail waiting to be sent, or sent (sent_at). Attachments are storage keys of the
    company's files: [{"filename", "content_type", "key"}]."""

    __tablename__ = "outbox_message"
    __audited__ = False  # the row itself is the record; sending it is not a business change
    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[list] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"{self.subject} → {', '.join(self.to or [])}"


@dataclass(frozen=True)
class Attachment:
    """A file of the company's storage to attach (key as returned by Storage.save)."""

    filename: str
    key: str
    content_type: str = "application/octet-stream"


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


# --- enqueue ------------------------------------------------------------------------------

def addresses(to) -> list[str]:
    items = [to] if isinstance(to, str) else list(to or [])
    if not items:
        raise ValidationError(str(_l("El correo necesita al menos un destinatario.")), field="to")
    if len(items) > MAX_RECIPIENTS:
        raise ValidationError(str(_l("Demasiados destinatarios (máximo %(n)s).", n=MAX_RECIPIENTS)), field="to")
    clean = []
    for item in items:
        try:
            address = validate_email(str(item).strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(
                str(_l("La dirección de correo «%(address)s» no es válida.", address=item)), field="to"
            ) from None
        if address not in clean:
            clean.append(address)
    return clean


def enqueue(
    session: Session,
    *,
    company_id: int,
    to,
    subject: str,
    body: str,
    html: str | None = None,
    attachments: list[Attachment] | tuple = (),
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (sent after it commits)."""
    subject = " ".join((subject or "").split())  # one line: no header injection
    if not subject:
        raise ValidationError(str(_l("El correo necesita un asunto.")), field="subject")
    message = OutboxMessage(
        company_id=company_id,
        to=addresses(to),
        subject=subject[:300],
        body=body or "",
        html=html,
        attachments=[
            {"filename": a.filename, "key": a.key, "content_type": a.content_type} for a in attachments
        ] or None,
        attempts=0,
        next_attempt_at=now or utcnow(),
    )
    if now is not None:
        message.created_at = now
    session.add(message)
    return message


# --- sending ------------------------------------------------------------------------------

def _config():
    from flask import current_app

    return current_app.config


def _mail_state():
    """Flask-Mail's state for the running app (initialised on first use)."""
    from flask import current_app
    from flask_mail import Mail

    return current_app.extensions.get("mail") or Mail(current_app).state


def _connection(state):
    """Flask-Mail's connection, with a timeout so a silent server cannot hang the cron job."""
    from flask_mail import Connection

    timeout = float(_config().get("MAIL_TIMEOUT", 30))

    class TimedConnection(Connection):
        def configure_host(self):  # Flask-Mail's, plus `timeout`
            smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
            host = smtp(self.mail.server, self.mail.port, timeout=timeout)
            if self.mail.use_tls:
                host.starttls()
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
            return host

    return TimedConnection(state)


def _claim(session: Session, *, now: dt.datetime, limit: int) -> str | None:
    """Lease up to `limit` due messages to this run; commit. Returns the claim token."""
    lease = dt.timedelta(seconds=int(_config().get("MAIL_CLAIM_SECONDS", 600)))
    due = (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )
    ids = list(session.scalars(select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id).limit(limit)))
    if not ids:
        session.rollback()
        return None
    token = secrets.token_hex(16)
    # Conditional UPDATE: a row another run claimed meanwhile no longer matches `due` (on
    # PostgreSQL the second UPDATE waits for the first's row lock, then re-checks the WHERE).
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), *due)
        .values(claim_token=token, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return token


@dataclass(frozen=True)
class _Pending:
    """What a claimed message needs to be sent, read before the SMTP conversation."""

    id: int
    company_id: int
    to: list
    subject: str
    body: str
    html: str | None
    attachments: list
    attempts: int
    created_at: dt.datetime


def _build(message: _Pending, storage, sender: str | None):
    from flask_mail import Message

    domain = (sender or "localhost").rsplit("@", 1)[-1].strip("> ")
    mail = Message(
        subject=message.subject,
        recipients=list(message.to),
        body=message.body,
        html=message.html,
        sender=sender,
    )
    mail.msgId = f"<outbox.{message.id}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"  # same on every try
    for item in message.attachments:
        data = storage.open(message.company_id, item["key"])
        mail.attach(item["filename"], item.get("content_type") or "application/octet-stream", data)
    return mail


def _backoff(attempts: int) -> dt.timedelta:
    config = _config()
    base = int(config.get("MAIL_RETRY_SECONDS", 60))
    cap = int(config.get("MAIL_RETRY_MAX_SECONDS", 6 * 3600))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _finish(session: Session, message_id: int, token: str, **values) -> None:
    """Record the outcome of one message claimed by `token`, in its own commit."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
        .values(claim_token=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _fail(session: Session, message: _Pending, token: str, now: dt.datetime, error: BaseException) -> None:
    attempts = message.attempts + 1
    text = f"{type(error).__name__}: {error}"[:2000]
    log.warning("Outbox message %s not sent (attempt %s): %s", message.id, attempts, text)
    _finish(session, message.id, token, attempts=attempts, last_error=text,
            next_attempt_at=now + _backoff(attempts))


def _claimed(session: Session, token: str) -> list[_Pending]:
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
    )
    pending = [
        _Pending(m.id, m.company_id, list(m.to), m.subject, m.body, m.html, list(m.attachments or []),
                 m.attempts or 0, m.created_at)
        for m in rows
    ]
    session.commit()
    return pending


def send_pending(session: Session, *, now: dt.datetime, limit: int = 100, storage=None) -> SendReport:
    """Deliver up to `limit` due messages; commits after each one (a cron job's own work).

    Run it in system context (no active company) to send every company's mail."""
    report = SendReport()
    token = _claim(session, now=now, limit=limit)
    if token is None:
        return report
    messages = _claimed(session, token)
    if not messages:  # another run claimed them first
        return report
    storage = storage or get_storage()
    state = _mail_state()
    sender = _config().get("MAIL_DEFAULT_SENDER") or state.default_sender
    try:
        connection = _connection(state).__enter__()
    except (OSError, smtplib.SMTPException) as exc:  # server down, refused, bad login...
        for message in messages:
            _fail(session, message, token, now, exc)
            report.failed.append(message.id)
        return report
    try:
        for message in messages:
            try:
                connection.send(_build(message, storage, sender))
            except Exception as exc:  # noqa: BLE001 - any failure keeps it in the outbox
                session.rollback()
                _fail(session, message, token, now, exc)
                report.failed.append(message.id)
                continue
            _finish(session, message.id, token, sent_at=now, attempts=message.attempts + 1, last_error=None)
            report.sent.append(message.id)
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            pass
    return report


# --- CLI: `flask mail send` (cron) and `flask mail status` ------------------------------

@click.group("mail")
def mail_cli() -> None:
    """The mail outbox."""


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Messages to send at most in this run.")
@with_appcontext
def mail_send(limit: int) -> None:
    """Send the outbox's due messages (retrying failed ones whose wait is over)."""
    now = utcnow()
    total = SendReport()
    with company_scope(None):
        while len(total.sent) + len(total.failed) < limit:
            batch = send_pending(db.session, now=now, limit=min(100, limit - len(total.sent) - len(total.failed)))
            total.sent += batch.sent
            total.failed += batch.failed
            if not batch.sent and not batch.failed:
                break
    click.echo(f"Correos enviados: {len(total.sent)}; con error (se reintentarán): {len(total.failed)}.")
    if total.failed:
        raise SystemExit(1)


@mail_cli.command("status")
@with_appcontext
def mail_status() -> None:
    """Count the outbox's messages and list the ones failing."""
    from sqlalchemy import func


    with company_scope(None):
        sent = db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_not(None)))
        waiting = db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))
        failing = list(db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
            .order_by(OutboxMessage.id).limit(50)
        ))
    click.echo(f"Enviados: {sent}; pendientes: {waiting}; con errores: {len(failing)}.")
    for m in failing:
        click.echo(f"#{m.id} empresa {m.company_id} intentos {m.attempts} próximo {m.next_attempt_at:%Y-%m-%d %H:%M} "
                   f"UTC: {m.last_error}")
