"""Certificates of calibration orders (issue 10 items 6 and 7):

- `issue()`: a PDF numbered CAL-<year>-<5 digits> per company and year from the core sequence
  (gap-free, never repeated, even concurrently), stored with its SHA-256; an order that already
  has one gets an amendment (ISO/IEC 17025 §7.8.8) naming the certificate it replaces and why;
- `share()`: publishes the current certificate to the client's users and queues one e-mail to
  the company's certificate contacts in the mail outbox (sent by `flask mail send`);
- `current()`, `certificates_of()`, `visible_to()`: what a user may see;
- the company's settings (lab name, address, accreditation, contacts, decision rule, format:
  ISO/IEC 17025 or NOM-059-SSA1, issue 21 item 11).

Services: keyword-only session/user/today, no Flask request; the caller commits."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from app.calibration.certificates.models import (
    DEFAULT_DECISION_RULE,
    FORMAT_ISO17025,
    FORMAT_NOM059,
    FORMATS,
    SETTINGS_LABELS,
    CalibrationSettings,
    Certificate,
)
from app.calibration.certificates.pdf import CertificateData, ResultRow, render
from app.calibration.instruments.models import shown_plain
from app.core.audit import AuditEntry
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.identity import display_name, role_names
from app.core.mail import Attachment, addresses, enqueue
from app.core.models import utcnow
from app.core.pdf import format_value
from app.core.sequences import format_number, next_number
from app.core.storage import get_storage
from app.core.tenancy import Company
from app.core.validation import Checker, choice, text

SEQUENCE = "calibration_certificate"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
CODE_LENGTH = 12
CLIENT_ROLE = "CAL_CLIENTE"
SETTINGS_ROLES = {"Admin", "CAL_SUPERVISOR"}  # who keeps the company's certificate settings
SETTINGS_FIELDS = ("lab_name", "lab_address", "accreditation_number", "certificate_contacts", "decision_rule",
                   "format")


# --- settings -----------------------------------------------------------------------------

def settings_of(session: Session, company_id: int) -> CalibrationSettings:
    """The company's settings, or unsaved defaults (the company's name as the lab's)."""
    found = session.scalar(select(CalibrationSettings).where(CalibrationSettings.company_id == company_id))
    return found or CalibrationSettings(company_id=company_id, lab_name="", lab_address="",
                                        accreditation_number="", certificate_contacts="", decision_rule="",
                                        format=FORMAT_ISO17025)


LAB_IDENTITY = ("lab_name", "lab_address", "accreditation_number")


def missing_lab_identity(session: Session, company_id: int) -> list[str]:
    """The labels of the lab's identity the company has not set (issue 21 item 10: before its
    first certificate; the certificate never prints the client's name as the lab's)."""
    settings = settings_of(session, company_id)
    return [str(SETTINGS_LABELS[name]) for name in LAB_IDENTITY if not (getattr(settings, name) or "").strip()]


SETTINGS_REQUIRED = frozenset({"lab_name"})  # issue 29 · 8: refused without it, marked on the page


def settings_json(settings: CalibrationSettings) -> dict:
    """The settings as the REST API answers them: the format by code and label, and the choices."""
    values = {name: getattr(settings, name) or "" for name in SETTINGS_FIELDS}
    return {**values, "format": settings.format or FORMAT_ISO17025, "format_label": settings.format_label,
            "formats": [{"code": code, "label": str(label)} for code, label in FORMATS.items()]}


def save_settings(session: Session, *, company, user, values: dict) -> CalibrationSettings:
    """Admin / CAL_SUPERVISOR: every field checked at once; contacts must be e-mail addresses."""
    if user is not None and not role_names(user) & SETTINGS_ROLES:
        raise ActionNotAllowed(str(_l("Solo el administrador o el supervisor de calibración modifican los ajustes "
                                      "de certificados.")))
    check = Checker()
    clean = {
        name: check(text, values.get(name), name, SETTINGS_LABELS[name],
                    required=name in SETTINGS_REQUIRED, column=getattr(CalibrationSettings, name))
        for name in ("lab_name", "lab_address", "accreditation_number")
    }
    for name in ("certificate_contacts", "decision_rule"):
        clean[name] = check(text, values.get(name), name, SETTINGS_LABELS[name], max_length=2000)
    # issue 21 item 11: not sent (an older form, a script) keeps the default, ISO/IEC 17025
    clean["format"] = check(choice, values.get("format"), "format", SETTINGS_LABELS["format"], choices=FORMATS,
                            required=False) or FORMAT_ISO17025
    if check.ok("certificate_contacts") and clean["certificate_contacts"]:
        probe = CalibrationSettings(certificate_contacts=clean["certificate_contacts"])
        try:
            clean["certificate_contacts"] = "\n".join(addresses(probe.contacts()))
        except ValidationError as exc:
            check.add("certificate_contacts", exc.message)
    check.done()
    settings = settings_of(session, company.id)
    for name, value in clean.items():
        setattr(settings, name, value)
    session.add(settings)
    session.flush()
    return settings


# --- reading ------------------------------------------------------------------------------

def certificates_of(session: Session, order) -> list[Certificate]:
    """The order's certificates, oldest first."""
    return list(session.scalars(
        select(Certificate).where(Certificate.order_id == order.id).order_by(Certificate.id)
        .options(selectinload(Certificate.replaced_by_list), selectinload(Certificate.replaces))
    ))


def current(session: Session, order) -> Certificate | None:
    """The order's latest certificate (the one in force), or None."""
    return session.scalar(
        select(Certificate).where(Certificate.order_id == order.id).order_by(Certificate.id.desc()).limit(1)
    )


def is_client(user) -> bool:
    """A client user sees only shared certificates (lab staff see all of their company)."""
    roles = role_names(user)
    return CLIENT_ROLE in roles and not roles & {"Admin", "CAL_RESPONSABLE", "CAL_SUPERVISOR", "CAL_TECNICO"}


def visible_to(session: Session, order, user) -> list[Certificate]:
    """The order's certificates the user may see: a client, only shared ones."""
    items = certificates_of(session, order)
    return [c for c in items if c.shared_at is not None] if is_client(user) else items


# --- issuing ------------------------------------------------------------------------------

def new_code() -> str:
    """A 12-character random verification code (~60 bits): printed next to the QR code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verify_path(number: str, code: str) -> str:
    return f"/verificar/{number}?c={code}"


def _base_url() -> str:
    """PUBLIC_BASE_URL of the app (or the request's host): where the QR code points."""
    from flask import current_app, has_request_context, request

    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    return request.url_root.rstrip("/") if has_request_context() else "http://localhost:5000"


def _full_name(user) -> str:
    return display_name(user) or "—"


def _amendment_reason(session: Session, order) -> str:
    """The reason of the order's last AMEND (from the audit trail), or the order's reason."""
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "calibration_order", AuditEntry.entity_id == order.id,
                                 AuditEntry.action == "AMEND").order_by(AuditEntry.id.desc()).limit(1)
    )
    reason = ((entry.data or {}).get("reason") if entry else None) or order.reason
    return reason or "—"


def certificate_data(session: Session, order, *, number: str, code: str, issued_on: dt.date, user,
                     replaces: Certificate | None = None, reason: str | None = None,
                     base_url: str = "") -> CertificateData:
    """What the PDF prints, read from the order, its instrument, results and the settings."""
    settings = settings_of(session, order.company_id)
    company = session.get(Company, order.company_id)
    instrument = order.instrument
    span = "—"
    if instrument.range_low is not None or instrument.range_high is not None:
        span = (f"{_plain(shown_plain(instrument.range_low))} … {_plain(shown_plain(instrument.range_high))} "
                f"{instrument.unit or ''}").strip()
    return CertificateData(
        number=number, verification_code=code, verify_url=base_url + verify_path(number, code),
        lab_name=settings.lab_name, lab_address=settings.lab_address,
        accreditation_number=settings.accreditation_number or "",
        client_name=company.name, client_contact=client_contact(order, settings),
        instrument=[
            (_l("Etiqueta"), instrument.tag), (_l("Descripción"), instrument.description),
            (_l("Marca"), instrument.make), (_l("Modelo"), instrument.model),
            (_l("Número de serie"), instrument.serial), (_l("Intervalo de medida"), span),
            (_l("Resolución"), shown_plain(instrument.resolution)), (_l("Ubicación"), instrument.location),
            (_l("Orden de calibración"), order.number),
        ],
        received_on=order.received_on or order.requested_on,
        calibrated_from=order.started_on, calibrated_to=order.completed_on or order.started_on,
        issued_on=issued_on, method=order.method or "—", environment=order.environment or "—",
        standards=order.standards or "—", place=order.place_label or "—",
        condition_on_receipt=order.condition_on_receipt or "—", deviations=order.deviations or "—",
        results=[
            ResultRow(r.measurand, *(r.shown(n) for n in ("nominal", "as_found", "as_left", "error", "uncertainty",
                                                          "k")), r.unit, r.shown("tolerance"), r.conforms,
                      r.external_provider)
            for r in order.results
        ],
        authorised_by=_full_name(user), decision_rule=settings.decision_rule or str(DEFAULT_DECISION_RULE),
        next_due_on=_next_due(order, instrument) if order.wants_due_date else None,
        replaces_number=replaces.number if replaces else None,
        amendment_reason=reason if replaces else None,
        nom059=nom059_items(order, instrument) if settings.format == FORMAT_NOM059 else None,
    )


def nom059_items(order, instrument) -> list[tuple]:
    """Issue 21 item 11: what a NOM-059-SSA1 calibration record adds to the ISO/IEC 17025
    certificate (docs/decisions.md «Issue 21 · 11»), from the order and its instrument: the
    calibration programme (the instrument's interval), the next calibration, the status its
    label must show, what to do when a point is out of tolerance, who calibrated and who
    approved, and the standards' traceability to national or international standards."""
    verdicts = [r.conforms for r in order.results if r.conforms is not None]
    out_of_tolerance = False in verdicts
    if out_of_tolerance:
        status = _l("FUERA DE TOLERANCIA: no usar; retirar de uso y etiquetar hasta su evaluación")
        action = _l("Uno o más puntos fuera de tolerancia: el usuario debe retirar el instrumento de uso, abrir una "
                    "desviación y evaluar el impacto en los productos y resultados obtenidos desde su última "
                    "calibración conforme, antes de volver a usarlo.")
    else:
        status = _l("CALIBRADO: apto para uso") if verdicts else _l("CALIBRADO (sin criterio de aceptación declarado)")
        action = _l("Ninguna: todos los puntos con criterio de aceptación están dentro de tolerancia.") if verdicts \
            else _l("No aplica: la orden no declara tolerancias; el usuario evalúa la conformidad con sus criterios.")
    approved = _full_name(order.approved_by) if order.approved_by else "—"
    if order.approved_by and order.approved_at:
        approved = f"{approved} ({format_value(order.approved_at.date())})"
    adjusted = any(r.as_left is not None and r.as_left != r.as_found for r in order.results)
    return [
        (_l("Programa de calibración (frecuencia)"),
         str(_l("Cada %(days)s días", days=instrument.interval_days)) if instrument.interval_days else "—"),
        (_l("Próxima calibración"), _next_due(order, instrument) or "—"),
        (_l("Estado de calibración (etiqueta)"), str(status)),
        (_l("Criterio de aceptación"), str(_l("Tolerancia por punto (columna «Tol. ±»)")) if verdicts else "—"),
        (_l("Ajuste realizado"), str(_l("Sí")) if adjusted else str(_l("No"))),
        (_l("Acción ante resultados fuera de tolerancia"), str(action)),
        (_l("Calibrado por"), ", ".join(_full_name(t) for t in order.technicians) or "—"),
        (_l("Aprobado por (calidad)"), approved),
        (_l("Trazabilidad de los patrones"),
         str(_l("Patrones con trazabilidad a patrones nacionales (CENAM) o internacionales: %(standards)s",
                standards=order.standards or "—"))),
    ]


def client_contact(order, settings) -> str:
    """Issue 21 item 10: the client's contact is a person of the client: who requested the
    order when a client user did, else the client user who validated the instrument at
    reception, else the company's certificate contacts."""
    for person in (order.requested_by, order.instrument.validated_by):
        if person is not None and CLIENT_ROLE in role_names(person):
            return f"{_full_name(person)} <{person.email}>" if person.email else _full_name(person)
    return ", ".join(settings.contacts()) or "—"


def _plain(value) -> str:
    return format_value(value)


def _next_due(order, instrument) -> dt.date | None:
    done = order.completed_on or order.started_on
    if done is None or not instrument.interval_days:
        return None
    return done + dt.timedelta(days=instrument.interval_days)


def issue(session: Session, *, order, user, today: dt.date, reason: str | None = None,
          storage=None, base_url: str | None = None) -> Certificate:
    """ISSUE_CERTIFICATE: number, PDF, SHA-256, stored file; an amendment when the order
    already has a certificate (§7.8.8). The number is drawn in the caller's transaction:
    a rollback gives it back, a commit makes it the company's forever."""
    if not order.results:
        raise ValidationError(str(_l("La orden %(number)s no tiene resultados: no se puede emitir el certificado.",
                                     number=order.number)), field="results")
    replaces = current(session, order)
    if replaces is not None:
        reason = reason or _amendment_reason(session, order)
    value = next_number(session, company_id=order.company_id, name=SEQUENCE, year=today.year)
    number = format_number(value, prefix="CAL", year=today.year, width=5)
    code = new_code()
    data = certificate_data(session, order, number=number, code=code, issued_on=today, user=user,
                            replaces=replaces, reason=reason,
                            base_url=_base_url() if base_url is None else base_url)
    pdf = render(data)
    if storage is None:
        storage = get_storage()
    key = storage.save(order.company_id, f"{number}.pdf", pdf)
    session.info.setdefault(_PENDING_FILES, []).append((storage, order.company_id, key))
    certificate = Certificate(
        company_id=order.company_id, order_id=order.id, number=number, issued_on=today, issued_at=utcnow(),
        issued_by_id=getattr(user, "id", None), storage_key=key, sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf), verification_code=code, replaces=replaces,
        amendment_reason=reason if replaces is not None else None,
    )
    session.add(certificate)
    session.flush()
    return certificate


# A PDF is written before the transaction that records it commits: a rollback deletes it
# (the number goes back to the sequence, and no file is left without its row).
_PENDING_FILES = "calibration_certificate_files"


@event.listens_for(Session, "after_commit")
def _keep_files(session) -> None:
    session.info.pop(_PENDING_FILES, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_files(session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction goes on
        return
    for storage, company_id, key in session.info.pop(_PENDING_FILES, []):
        try:
            storage.delete(company_id, key)
        except OSError:  # pragma: no cover - best effort: an orphan file is harmless
            pass


# --- sharing ------------------------------------------------------------------------------

def share(session: Session, *, order, user, now: dt.datetime | None = None) -> Certificate:
    """SHARE_CERTIFICATE: the current certificate becomes visible to the client's users and
    one message with the PDF is queued for the certificate contacts. Sharing again sends
    nothing twice: an already shared certificate is returned as it is."""
    certificate = current(session, order)
    if certificate is None:
        raise ValidationError(str(_l("La orden %(number)s aún no tiene certificado.", number=order.number)))
    if certificate.shared_at is not None:
        return certificate
    certificate.shared_at = now or utcnow()
    certificate.shared_by_id = getattr(user, "id", None)
    contacts = settings_of(session, order.company_id).contacts()
    if contacts:
        instrument = order.instrument
        subject = str(_l("Certificado de calibración %(number)s – %(tag)s",
                         number=certificate.number, tag=instrument.tag))
        lines = [
            str(_l("Adjuntamos el certificado de calibración %(number)s del instrumento %(tag)s (%(name)s), "
                   "orden %(order)s.", number=certificate.number, tag=instrument.tag,
                   name=instrument.description, order=order.number)),
        ]
        if certificate.replaces is not None:
            lines.append(str(_l("Sustituye al certificado %(number)s. Motivo: %(reason)s",
                                number=certificate.replaces.number, reason=certificate.amendment_reason)))
        lines.append(str(_l("Código de verificación: %(code)s", code=certificate.verification_code)))
        lines.append(str(_l("SHA-256 del PDF: %(sha)s", sha=certificate.sha256)))
        enqueue(session, company_id=order.company_id, to=contacts, subject=subject, body="\n\n".join(lines),
                attachments=[Attachment(certificate.filename, certificate.storage_key, "application/pdf")],
                now=now)
    session.flush()
    return certificate

