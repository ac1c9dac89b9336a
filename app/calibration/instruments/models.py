"""The client company's instruments (spec calibrations-portal.md, issue 10): what orders
calibrate; the client registers and validates them ("Recepción"). Rules in services.py."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import constraints
from app.core.models import Model
from app.core.tenancy import TenantMixin

NUM = Numeric(18, 6)  # measured values: the instruments' ranges and the orders' results
DEFAULT_INTERVAL_DAYS = 365  # an instrument calibrated once a year unless told otherwise


def shown_plain(value: Decimal | None) -> Decimal | None:
    """A decimal as printed when its typed digits are unknown: without the column's trailing
    zeros, never in exponent form (25.000000 -> 25, 0.001000 -> 0.001; issue 21 item 10)."""
    if value is None:
        return None
    value = Decimal(value).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


class Instrument(TenantMixin, Model):
    """An instrument of the client company; the client registers and validates it ("Recepción")."""

    __tablename__ = "calibration_instrument"
    __table_args__ = (
        UniqueConstraint("company_id", "tag", name="uq_calibration_instrument_company_tag"),
        Index("ix_calibration_instrument_company_due", "company_id", "next_due_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    make: Mapped[str | None] = mapped_column(String(80))
    model: Mapped[str | None] = mapped_column(String(80))
    serial: Mapped[str | None] = mapped_column(String(80))
    range_low: Mapped[Decimal | None] = mapped_column(NUM)
    range_high: Mapped[Decimal | None] = mapped_column(NUM)
    unit: Mapped[str | None] = mapped_column(String(20))
    resolution: Mapped[Decimal | None] = mapped_column(NUM)
    location: Mapped[str | None] = mapped_column(String(120))
    interval_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_INTERVAL_DAYS)
    last_calibrated_on: Mapped[dt.date | None] = mapped_column(Date)
    next_due_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    validated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    validated_by: Mapped[User | None] = relationship(User, foreign_keys=[validated_by_id])

    def __repr__(self) -> str:
        return f"{self.tag} · {self.description}"


constraints.register("uq_calibration_instrument_company_tag", field="tag",
                     message=_l("Ya existe un instrumento con la etiqueta %(tag)s."))
