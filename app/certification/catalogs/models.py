"""Catalogs of operator certifications (spec operator-certifications.md §3.1-3.4): operators,
auditors, certifications and product audit types, and FIELD_LABELS, the labels every message
of the module names its fields by (at the bottom of the layering, so that assignments and
inspections name theirs by the same dict)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import constraints
from app.core.models import Model
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit

# Field labels: every message about a field names it by these (app/core/validation.py)
FIELD_LABELS = {
    "operator": "Operario", "certification": "Certificación", "assigned_on": "Fecha de asignación",
    "observations": "Observaciones", "assignment": "Operario · certificación", "audit_type": "Tipo de auditoría",
    "auditor": "Auditor", "date": "Fecha", "pieces": "Piezas", "result": "Resultado", "reason": "Motivo de anulación",
    "inspection": "Inspección", "first_name": "Nombre", "last_name": "Apellidos", "code": "Código interno",
    "name": "Nombre", "description": "Descripción",
}


def partial_unique(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows matching `where`, on PostgreSQL and SQLite."""
    return Index(name, *columns, unique=True, postgresql_where=text(where), sqlite_where=text(where))


class _Person:
    """Nombre, apellidos, código interno (opcional) y estado (spec §3.1 and §3.4)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(150))
    code: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"{self.full_name} ({self.code})" if self.code else self.full_name


class Operator(TenantMixin, _Person, Model):
    """Operario: never logs in; the record whose certifications are kept (spec §3.1)."""

    __tablename__ = "cert_operator"
    __entity__ = "operator"
    __table_args__ = (partial_unique("uq_cert_operator_code", "company_id", "code", where="code IS NOT NULL"),)


class Auditor(TenantMixin, _Person, Model):
    """Auditor: the person who performs inspections; chosen from a list (spec §3.4)."""

    __tablename__ = "cert_auditor"
    __entity__ = "auditor"
    __table_args__ = (partial_unique("uq_cert_auditor_code", "company_id", "code", where="code IS NOT NULL"),)


class Certification(TenantMixin, Model):
    """Certificación: a generic type, e.g. laboratory or workshop (spec §3.2)."""

    __tablename__ = "cert_certification"
    __entity__ = "certification"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_cert_certification_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str | None] = mapped_column(Text, default="", info=text_limit(2000, _l("Descripción")))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return self.name


class ProductAuditType(TenantMixin, Model):
    """Auditoría de producto: a type of product audit of one certification (spec §3.3)."""

    __tablename__ = "cert_product_audit_type"
    __entity__ = "product_audit_type"
    __table_args__ = (UniqueConstraint("certification_id", "name", name="uq_cert_audit_type_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("cert_certification.id"), index=True)
    certification: Mapped[Certification] = relationship(Certification)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str | None] = mapped_column(Text, default="", info=text_limit(2000, _l("Descripción")))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return self.name


# Unique constraints as sentences (app/core/constraints.py): pages and API name the field.
for _name, _field, _message in (
    ("uq_cert_operator_code", "code", _l("Ya existe un operario con el código %(code)s.")),
    ("uq_cert_auditor_code", "code", _l("Ya existe un auditor con el código %(code)s.")),
    ("uq_cert_certification_name", "name", _l("Ya existe un tipo de certificación llamado «%(name)s».")),
    ("uq_cert_audit_type_name", "name", _l("Esa certificación ya tiene un tipo de auditoría llamado «%(name)s».")),
):
    constraints.register(_name, field=_field, message=_message)
