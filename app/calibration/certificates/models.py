"""Calibration certificates and the company's certificate settings (issue 10 items 6 and 7;
ISO/IEC 17025 §7.8.8: an amendment is a new certificate naming the one it replaces, which
stays on record as "superseded")."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import constraints
from app.core.models import Model, utcnow
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit

VALID, SUPERSEDED = "valid", "superseded"
STATUS_LABELS = {VALID: _l("Vigente"), SUPERSEDED: _l("Sustituido")}
DEFAULT_DECISION_RULE = _l(
    "Aceptación simple con banda de guarda igual a la incertidumbre expandida U (ILAC-G8): un punto es "
    "conforme cuando |error| + U ≤ tolerancia; en otro caso, no conforme."
)

# Issue 21 item 11: the certificate's format (docs/decisions.md «Issue 21 · 11»). ISO/IEC 17025
# is the default; NOM-059-SSA1 adds the items a pharmaceutical client's calibration record needs.
FORMAT_ISO17025, FORMAT_NOM059 = "ISO17025", "NOM059"
FORMATS = {
    FORMAT_ISO17025: _l("ISO/IEC 17025 (certificado de calibración)"),
    FORMAT_NOM059: _l("NOM-059-SSA1 (buenas prácticas de fabricación de medicamentos)"),
}

SETTINGS_LABELS = {
    "lab_name": _l("Nombre del laboratorio"),
    "lab_address": _l("Dirección del laboratorio"),
    "accreditation_number": _l("Nº de acreditación"),
    "certificate_contacts": _l("Contactos para certificados"),
    "decision_rule": _l("Regla de decisión"),
    "format": _l("Formato del certificado"),
}


class Certificate(TenantMixin, Model):
    """One issued certificate (its PDF lives in the company's storage, with its SHA-256).
    Never deleted nor changed after issue, except for being shared."""

    __tablename__ = "calibration_certificate"
    __table_args__ = (
        UniqueConstraint("company_id", "number", name="uq_calibration_certificate_company_number"),
        UniqueConstraint("verification_code", name="uq_calibration_certificate_verification_code"),
        UniqueConstraint("replaces_id", name="uq_calibration_certificate_replaces"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("calibration_order.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    storage_key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    verification_code: Mapped[str] = mapped_column(String(12))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("calibration_certificate.id"))
    # as long as the AMEND reason it copies (seed/workflows/calibration.yaml, order.reason): 2000
    # refused a longer reason at issue, forever (issue 19 #6)
    amendment_reason: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Motivo")))
    shared_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    order = relationship("CalibrationOrder", foreign_keys=[order_id])
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    replaces = relationship("Certificate", remote_side=[id], foreign_keys=[replaces_id],
                            backref="replaced_by_list")

    @property
    def replaced_by(self) -> "Certificate | None":
        later = self.replaced_by_list
        return later[0] if later else None

    @property
    def status(self) -> str:
        return SUPERSEDED if self.replaced_by_list else VALID

    @property
    def status_label(self) -> str:
        if self.replaced_by is not None:
            return str(_l("Sustituido por %(number)s", number=self.replaced_by.number))
        return str(STATUS_LABELS[VALID])

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"

    def __repr__(self) -> str:
        return self.number


class CalibrationSettings(TenantMixin, Model):
    """What the company's certificates print about the lab, and who receives them."""

    __tablename__ = "calibration_settings"
    __table_args__ = (UniqueConstraint("company_id", name="uq_calibration_settings_company"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lab_name: Mapped[str] = mapped_column(String(200), default="")
    lab_address: Mapped[str] = mapped_column(String(300), default="")
    accreditation_number: Mapped[str] = mapped_column(String(80), default="")
    certificate_contacts: Mapped[str] = mapped_column(
        Text, default="", info=text_limit(2000, SETTINGS_LABELS["certificate_contacts"]))
    decision_rule: Mapped[str] = mapped_column(
        Text, default="", info=text_limit(2000, SETTINGS_LABELS["decision_rule"]))
    format: Mapped[str] = mapped_column(String(20), default=FORMAT_ISO17025, server_default=FORMAT_ISO17025)

    @property
    def format_label(self) -> str:
        return str(FORMATS.get(self.format or FORMAT_ISO17025, self.format))

    def contacts(self) -> list[str]:
        """The certificate contacts, one per line or separated by commas/semicolons."""
        text = (self.certificate_contacts or "").replace(";", "\n").replace(",", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return self.lab_name or str(_l("Ajustes de calibración"))


constraints.register("uq_calibration_certificate_company_number", field="number",
                     message=_l("Ya existe un certificado con ese número."))
constraints.register("uq_calibration_certificate_replaces", field="replaces_id",
                     message=_l("Ese certificado ya fue sustituido por otro."))
constraints.register("uq_calibration_settings_company", field="lab_name",
                     message=_l("La empresa ya tiene sus ajustes de calibración."))
