"""The rules table of operator certifications (spec §3.8, CERT-CFG-1)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.certification.catalogs.models import partial_unique
from app.core.models import Model, utcnow


class CertificationRules(Model):
    """Reglas (spec §3.8): working days and inspections per period. Global, one active row;
    a change is a new row (the table is its own history) and each period copies the values
    it was opened with."""

    __tablename__ = "cert_rules"
    __table_args__ = (
        partial_unique("uq_cert_rules_active", "active", where="active"),
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
