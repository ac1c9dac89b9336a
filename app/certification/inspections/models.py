"""Product inspections of operator certifications (spec §3.7): each counts in its assignment's
period; the database keeps its date inside that period's window (see assignments/models.py)."""
from __future__ import annotations

import datetime as dt

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.certification.assignments.models import (
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.catalogs.models import Auditor, ProductAuditType
from app.core.models import Model, utcnow
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit

RESULT_LABELS = {"OK": "OK", "NO_OK": "NO OK"}

# An inspection lies in its period's window, or on a (non-working) day between the previous
# period's completion and this period's start (ValidationPeriod.admits; migration 0018).
INSPECTION_IN_PERIOD = ("date <= period_end AND (date >= period_start"
                        " OR (period_after IS NOT NULL AND date > period_after))")


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
