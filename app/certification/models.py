"""Operator certifications (spec operator-certifications.md §3): catalogs (operators, auditors,
certifications, product audit types), assignments of a certification to an operator, their
validation periods, the product inspections that count in them and the rules table.

The spec's guarantees are backed by the database wherever a database can (DESIGN "Operator
certifications"), on PostgreSQL and SQLite alike:

- one active assignment per operator and certification (partial unique index);
- active <=> no expiry date (CHECK);
- one open period per assignment (partial unique index), unique (assignment, number);
- a period never counts more than it requires, and a completed one counts exactly that (CHECK);
- periods never overlap: period n > 1 names period n-1 of the same assignment *as completed on
  a date* through a composite foreign key, and starts after that date (CHECK);
- an inspection's date lies inside the window of its period: it copies the window through a
  composite foreign key to (period, assignment, start, end) and a CHECK bounds the date.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    select,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.core import constraints
from app.core.models import Model, utcnow
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit

OPEN, COMPLETED, LAPSED = "open", "completed", "lapsed"
PERIOD_STATUSES = (OPEN, COMPLETED, LAPSED)
PERIOD_STATUS_LABELS = {OPEN: "Vigente", COMPLETED: "Completado", LAPSED: "Vencido"}
RESULT_LABELS = {"OK": "OK", "NO_OK": "NO OK"}
# Field labels: every message about a field names it by these (app/core/validation.py)
FIELD_LABELS = {
    "operator": "Operario", "certification": "Certificación", "assigned_on": "Fecha de asignación",
    "observations": "Observaciones", "assignment": "Operario · certificación", "audit_type": "Tipo de auditoría",
    "auditor": "Auditor", "date": "Fecha", "pieces": "Piezas", "result": "Resultado", "reason": "Motivo de anulación",
    "inspection": "Inspección", "first_name": "Nombre", "last_name": "Apellidos", "code": "Código interno",
    "name": "Nombre", "description": "Descripción",
}


def _partial_unique(name: str, *columns: str, where: str) -> Index:
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
    __table_args__ = (_partial_unique("uq_cert_operator_code", "company_id", "code", where="code IS NOT NULL"),)


class Auditor(TenantMixin, _Person, Model):
    """Auditor: the person who performs inspections; chosen from a list (spec §3.4)."""

    __tablename__ = "cert_auditor"
    __entity__ = "auditor"
    __table_args__ = (_partial_unique("uq_cert_auditor_code", "company_id", "code", where="code IS NOT NULL"),)


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


class CertificationRules(Model):
    """Reglas (spec §3.8): working days and inspections per period. Global, one active row;
    a change is a new row (the table is its own history) and each period copies the values
    it was opened with."""

    __tablename__ = "cert_rules"
    __table_args__ = (
        _partial_unique("uq_cert_rules_active", "active", where="active"),
        CheckConstraint("required_workdays >= 1 AND required_inspections >= 1", name="ck_cert_rules_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    required_workdays: Mapped[int] = mapped_column(Integer)
    required_inspections: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_by: Mapped[User | None] = relationship(User)

    def __repr__(self) -> str:
        return f"{self.required_inspections} inspecciones en {self.required_workdays} días laborables"


class CertificationAssignment(TenantMixin, Model):
    """Asignación: operator X holds certification Y from date Z (spec §3.5). Expiry makes it
    inactive with its expiry date; reactivation is a new assignment."""

    __tablename__ = "cert_assignment"
    __entity__ = "certification_assignment"
    __table_args__ = (
        _partial_unique("uq_cert_assignment_active", "operator_id", "certification_id", where="active"),
        CheckConstraint(
            "(active AND expired_on IS NULL) OR (NOT active AND expired_on IS NOT NULL)",
            name="ck_cert_assignment_expiry",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("cert_operator.id"), index=True)
    operator: Mapped[Operator] = relationship(Operator)
    certification_id: Mapped[int] = mapped_column(ForeignKey("cert_certification.id"), index=True)
    certification: Mapped[Certification] = relationship(Certification)
    assigned_on: Mapped[dt.date] = mapped_column(Date)
    observations: Mapped[str | None] = mapped_column(Text, default="", info=text_limit(2000, _l("Observaciones")))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    expired_on: Mapped[dt.date | None] = mapped_column(Date)
    periods: Mapped[list[ValidationPeriod]] = relationship(
        primaryjoin="CertificationAssignment.id == foreign(ValidationPeriod.assignment_id)",
        order_by="ValidationPeriod.number",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"{self.operator} · {self.certification}"

    @property
    def lapsed_on(self) -> dt.date | None:
        """The end date of its open period when that period has lapsed (ValidationPeriod.
        lapsed_by, in SQL: `lapsed_period_end`): expired, even before the job has run."""
        return self.lapsed_period_end if self.active else None

    @property
    def status_label(self) -> str:
        expired_on = self.expired_on or self.lapsed_on
        return f"Caducada el {expired_on:%d/%m/%Y}" if expired_on else "Activa"


# An inspection lies in its period's window, or on a (non-working) day between the previous
# period's completion and this period's start (ValidationPeriod.admits; migration 0018).
INSPECTION_IN_PERIOD = ("date <= period_end AND (date >= period_start"
                        " OR (period_after IS NOT NULL AND date > period_after))")


class ValidationPeriod(TenantMixin, Model):
    """Periodo de validación (spec §3.6): [start, end] both inclusive, its own copy of the
    rules, the count of inspections done and its status (open, completed, lapsed)."""

    __tablename__ = "cert_validation_period"
    __entity__ = "validation_period"
    __audited__ = False  # its events (open, complete, lapse) are recorded explicitly by the services
    __table_args__ = (
        UniqueConstraint("assignment_id", "number", name="uq_cert_period_number"),
        UniqueConstraint("assignment_id", "number", "completed_on", name="uq_cert_period_chain"),
        UniqueConstraint("id", "assignment_id", "start_date", "end_date", name="uq_cert_period_window"),
        UniqueConstraint("id", "assignment_id", "previous_completed_on", name="uq_cert_period_opening"),
        _partial_unique("uq_cert_period_open", "assignment_id", where="status = 'open'"),
        ForeignKeyConstraint(
            ["assignment_id", "previous_number", "previous_completed_on"],
            ["cert_validation_period.assignment_id", "cert_validation_period.number",
             "cert_validation_period.completed_on"],
            name="fk_cert_period_previous",
        ),
        CheckConstraint(f"status IN ('{OPEN}', '{COMPLETED}', '{LAPSED}')", name="ck_cert_period_status"),
        CheckConstraint("start_date <= end_date AND required_workdays >= 1", name="ck_cert_period_window"),
        CheckConstraint("done >= 0 AND done <= required_inspections", name="ck_cert_period_done"),
        CheckConstraint(
            f"(status = '{COMPLETED}' AND done = required_inspections AND completed_on IS NOT NULL"
            " AND completed_on BETWEEN start_date AND end_date)"
            f" OR (status <> '{COMPLETED}' AND completed_on IS NULL)",
            name="ck_cert_period_completed",
        ),
        CheckConstraint(
            "(number = 1 AND previous_number IS NULL AND previous_completed_on IS NULL)"
            " OR (number > 1 AND previous_number = number - 1 AND previous_completed_on IS NOT NULL"
            " AND start_date > previous_completed_on)",
            name="ck_cert_period_chain",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("cert_assignment.id"), index=True)
    assignment: Mapped[CertificationAssignment] = relationship(CertificationAssignment)
    number: Mapped[int] = mapped_column(Integer)
    start: Mapped[dt.date] = mapped_column("start_date", Date)
    end: Mapped[dt.date] = mapped_column("end_date", Date, index=True)
    required_workdays: Mapped[int] = mapped_column(Integer)
    required_inspections: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    previous_number: Mapped[int | None] = mapped_column(Integer)
    previous_completed_on: Mapped[dt.date | None] = mapped_column(Date)
    inspections: Mapped[list[Inspection]] = relationship(
        primaryjoin="ValidationPeriod.id == foreign(Inspection.period_id)",
        order_by=lambda: [Inspection.date, Inspection.id],
        viewonly=True,
    )

    def admits(self, day: dt.date) -> bool:
        """CERT-INS-1 with the reading of docs/decisions.md «Issue 29 · 9»: a date inside
        [start, end], or a non-working day between the previous period's completion and this
        start (the start is the next working day, so every day in between is non-working):
        such an inspection belongs to the opening period."""
        after = self.previous_completed_on
        return self.start <= day <= self.end or (after is not None and after < day < self.start)

    @hybrid_method
    def lapsed_by(self, today: dt.date) -> bool:
        """CERT-PER-3, the one home of the rule: an open period whose end date is before
        `today` has lapsed, even before the expiry job has written it (also a SQL clause)."""
        return self.status == OPEN and self.end < today

    @lapsed_by.expression
    def lapsed_by(cls, today: dt.date):
        return and_(cls.status == OPEN, cls.end < today)

    def effective_status(self, today: dt.date) -> str:
        """open / completed / lapsed as users must see it on `today`."""
        return LAPSED if self.lapsed_by(today) else self.status

    @property
    def status_label(self) -> str:
        """Vigente / Completado / Vencido, as of the server's date (list columns have no request's today)."""
        return PERIOD_STATUS_LABELS[self.effective_status(dt.date.today())]

    def __repr__(self) -> str:
        return f"Periodo {self.number} ({self.start:%d/%m/%Y} – {self.end:%d/%m/%Y})"


CertificationAssignment.lapsed_period_end = column_property(
    select(ValidationPeriod.end)
    .where(ValidationPeriod.assignment_id == CertificationAssignment.id,
           ValidationPeriod.lapsed_by(func.current_date()))
    .correlate_except(ValidationPeriod)
    .scalar_subquery()
)


class Inspection(TenantMixin, Model):
    """Inspección de producto (spec §3.7): counts in its period whatever its result; never
    deleted; an annulled one (with its reason) leaves the count."""

    __tablename__ = "cert_inspection"
    __entity__ = "inspection"
    __audited__ = False  # its events (register, annul) are recorded explicitly by the services
    __table_args__ = (
        ForeignKeyConstraint(
            ["period_id", "assignment_id", "period_start", "period_end"],
            ["cert_validation_period.id", "cert_validation_period.assignment_id",
             "cert_validation_period.start_date", "cert_validation_period.end_date"],
            name="fk_cert_inspection_period_window",
        ),
        ForeignKeyConstraint(
            ["period_id", "assignment_id", "period_after"],
            ["cert_validation_period.id", "cert_validation_period.assignment_id",
             "cert_validation_period.previous_completed_on"],
            name="fk_cert_inspection_period_opening",
        ),
        CheckConstraint(INSPECTION_IN_PERIOD, name="ck_cert_inspection_in_period"),
        CheckConstraint("pieces >= 1", name="ck_cert_inspection_pieces"),
        CheckConstraint("result IN ('OK', 'NO_OK')", name="ck_cert_inspection_result"),
        CheckConstraint(
            "(annulled AND annul_reason IS NOT NULL) OR (NOT annulled AND annul_reason IS NULL)",
            name="ck_cert_inspection_annulled",
        ),
        Index("ix_cert_inspection_period", "period_id", "date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("cert_assignment.id"), index=True)
    assignment: Mapped[CertificationAssignment] = relationship(CertificationAssignment)
    period_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[ValidationPeriod] = relationship(
        primaryjoin="foreign(Inspection.period_id) == ValidationPeriod.id", viewonly=True
    )
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    period_after: Mapped[dt.date | None] = mapped_column(Date)  # the previous period's completion
    audit_type_id: Mapped[int] = mapped_column(ForeignKey("cert_product_audit_type.id"), index=True)
    audit_type: Mapped[ProductAuditType] = relationship(ProductAuditType)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("cert_auditor.id"), index=True)
    auditor: Mapped[Auditor] = relationship(Auditor)
    date: Mapped[dt.date] = mapped_column(Date)
    pieces: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(5), info={"choices": RESULT_LABELS})  # API _info: code + label
    observations: Mapped[str] = mapped_column(Text, default="", info=text_limit(2000, _l("Observaciones")))
    annulled: Mapped[bool] = mapped_column(Boolean, default=False)
    annul_reason: Mapped[str | None] = mapped_column(Text, info=text_limit(1000, _l("Motivo de anulación")))
    annulled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result)

    def __repr__(self) -> str:
        return f"Inspección {self.id} ({self.date:%d/%m/%Y})"


# Unique constraints as sentences (app/core/constraints.py): pages and API name the field.
for _name, _field, _message in (
    ("uq_cert_operator_code", "code", _l("Ya existe un operario con el código %(code)s.")),
    ("uq_cert_auditor_code", "code", _l("Ya existe un auditor con el código %(code)s.")),
    ("uq_cert_certification_name", "name", _l("Ya existe un tipo de certificación llamado «%(name)s».")),
    ("uq_cert_audit_type_name", "name", _l("Esa certificación ya tiene un tipo de auditoría llamado «%(name)s».")),
    ("uq_cert_assignment_active", "certification", _l("El operario ya tiene activa esa certificación.")),
):
    constraints.register(_name, field=_field, message=_message)
