"""Operator certifications (spec operator-certifications.md §3.5-3.6): assignments of a
certification to an operator and their validation periods. The catalogs, the inspections that
count in the periods and the rules table have their own models.py.

The spec's guarantees are backed by the database wherever a database can (DESIGN "Operator
certifications"), on PostgreSQL and SQLite alike:

- one active assignment per operator and certification (partial unique index);
- active <=> no expiry date (CHECK);
- one open period per assignment (partial unique index), unique (assignment, number);
- a period never counts more than it requires, and a completed one counts exactly that (CHECK);
- periods never overlap: period n > 1 names period n-1 of the same assignment *as completed on
  a date* through a composite foreign key, and starts after that date (CHECK);
- an inspection's date lies inside the window of its period: it copies the window through a
  composite foreign key to (period, assignment, start, end) and a CHECK bounds the date
  (inspections/models.py).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.certification.catalogs.models import Certification, Operator, partial_unique
from app.core import constraints
from app.core.models import Model
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit

OPEN, COMPLETED, LAPSED = "open", "completed", "lapsed"
PERIOD_STATUSES = (OPEN, COMPLETED, LAPSED)
PERIOD_STATUS_LABELS = {OPEN: "Vigente", COMPLETED: "Completado", LAPSED: "Vencido"}


class CertificationAssignment(TenantMixin, Model):
    """Asignación: operator X holds certification Y from date Z (spec §3.5). Expiry makes it
    inactive with its expiry date; reactivation is a new assignment."""

    __tablename__ = "cert_assignment"
    __label_loads__ = ("operator", "certification")  # what its label (__repr__) reads, for choices
    __entity__ = "certification_assignment"
    __table_args__ = (
        partial_unique("uq_cert_assignment_active", "operator_id", "certification_id", where="active"),
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
        partial_unique("uq_cert_period_open", "assignment_id", where="status = 'open'"),
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
    inspections = relationship(  # inspections sit above assignments: named, not imported
        "Inspection",
        primaryjoin="ValidationPeriod.id == foreign(Inspection.period_id)",
        order_by="[Inspection.date, Inspection.id]",
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


constraints.register("uq_cert_assignment_active", field="certification",
                     message=_l("El operario ya tiene activa esa certificación."))
