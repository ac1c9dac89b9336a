"""Calibration work orders (spec calibrations-portal.md, issue 10): orders of the company's
instruments (instruments/models.py) numbered by the core sequence "calibration_order", results
per point, progress entries, evidence files, logistics of external equipment and the ISO/IEC
17025 review checklist. Certificates and the lab's settings live in certificates/models.py.
Rules in services.py, execution.py and checklist.py."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from app.calibration.certificates.models import DEFAULT_DECISION_RULE, CalibrationSettings
from app.calibration.instruments.models import NUM, Instrument, shown_plain
from app.core import constraints
from app.core.models import Model, WorkflowMixin, utcnow
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit

ENTITY = "calibration_order"  # the audit entity and the REST resource name

order_technician = Table(
    "calibration_order_technician",
    Model.metadata,
    Column("order_id", ForeignKey("calibration_order.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


# What the certificate prints and the order must hold before APPROVE (issue 21 item 10;
# ISO/IEC 17025 §7.8.2.1 c, f, g, h, n and §7.8.4.1 b, c), by the labels of the order's form
CERTIFICATE_DATA = {
    "received_on": "Fecha de recepción del ítem", "method": "Método de calibración",
    "environment": "Condiciones ambientales", "standards": "Patrones utilizados y trazabilidad",
    "place": "Lugar de la calibración", "condition_on_receipt": "Estado del ítem a la recepción",
    "deviations": "Desviaciones, adiciones o exclusiones del método",
}
PLACES_WITH_DETAIL = ("CLIENT_SITE", "OTHER")


def missing_certificate_data(order) -> list[str]:
    """The labels of the certificate's data the order lacks (a calibration away from the lab
    needs its address or detail too); [] when complete."""
    missing = [label for name, label in CERTIFICATE_DATA.items() if not str(getattr(order, name) or "").strip()]
    if order.place in PLACES_WITH_DETAIL and not (order.place_detail or "").strip():
        missing.append("Dirección o detalle del lugar")
    return missing



class CalibrationOrder(TenantMixin, WorkflowMixin, Model):
    """Orden de calibración. Changes go through services.py and the workflow engine, which
    audit them explicitly, hence no automatic CRUD audit."""

    __tablename__ = "calibration_order"
    __entity__ = ENTITY
    __audited__ = False
    __table_args__ = (
        UniqueConstraint("company_id", "number", name="uq_calibration_order_company_number"),
        Index("ix_calibration_order_company_state", "company_id", "state", "target_date"),
        Index("ix_calibration_order_company_target", "company_id", "target_date"),
        Index("ix_calibration_order_company_instrument", "company_id", "instrument_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("calibration_instrument.id"))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    window_start: Mapped[dt.date | None] = mapped_column(Date)
    window_end: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Notas internas")))
    observations: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Observaciones")))
    reason: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Motivo")))
    method: Mapped[str | None] = mapped_column(String(200))
    environment: Mapped[str | None] = mapped_column(String(200))
    standards: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Patrones y trazabilidad")))
    # issue 21 item 10 (ISO/IEC 17025 §7.8.2.1 c, g, n): where it was calibrated, the item's
    # condition on receipt, deviations from or exclusions of the method
    place: Mapped[str | None] = mapped_column(String(20))
    place_detail: Mapped[str | None] = mapped_column(String(200))
    condition_on_receipt: Mapped[str | None] = mapped_column(
        Text, info=text_limit(2000, _l("Estado del ítem a la recepción")))
    deviations: Mapped[str | None] = mapped_column(
        Text, info=text_limit(2000, _l("Desviaciones, adiciones o exclusiones del método")))
    wants_due_date: Mapped[bool] = mapped_column(Boolean, default=False)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    instrument: Mapped[Instrument] = relationship(Instrument)
    requested_by: Mapped[User | None] = relationship(User, foreign_keys=[requested_by_id])
    approved_by: Mapped[User | None] = relationship(User, foreign_keys=[approved_by_id])
    technicians: Mapped[list[User]] = relationship(User, secondary=order_technician, order_by=User.username)
    results: Mapped[list[CalibrationResult]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="CalibrationResult.position"
    )
    progress: Mapped[list[CalibrationProgress]] = relationship(
        back_populates="order", cascade="all, delete-orphan",
        order_by="(CalibrationProgress.entry_date, CalibrationProgress.id)",
    )
    evidence: Mapped[list[CalibrationEvidence]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="CalibrationEvidence.id"
    )
    logistics: Mapped[list[LogisticsEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan",
        order_by="(LogisticsEvent.event_date, LogisticsEvent.id)",
    )
    ticks: Mapped[list[ChecklistTick]] = relationship(back_populates="order", cascade="all, delete-orphan")

    @property
    def certificate_missing(self) -> list[str]:
        """What the certificate still lacks (missing_certificate_data): the order page's notice."""
        return missing_certificate_data(self)

    @property
    def decision_rule(self) -> str:
        """§7.8.6: the decision rule of the company's conformity statements (its settings, or
        the default), stated wherever conformity is: the certificate, the order page, the API."""
        session = object_session(self)
        rule = session.scalar(select(CalibrationSettings.decision_rule).where(
            CalibrationSettings.company_id == self.company_id)) if session is not None else None
        return rule or str(DEFAULT_DECISION_RULE)

    @property
    def place_label(self) -> str | None:
        """Where it was calibrated (§7.8.2.1 c): the place's label, with its detail."""
        if not self.place:
            return None
        label = str(PLACES.get(self.place, self.place))
        return f"{label}: {self.place_detail}" if (self.place_detail or "").strip() else label

    def __repr__(self) -> str:
        return f"Orden {self.number}"


PLACES = {"LAB": _l("En las instalaciones del laboratorio"), "CLIENT_SITE": _l("En las instalaciones del cliente"),
          "OTHER": _l("Otro lugar")}  # §7.8.2.1 c


class CalibrationResult(TenantMixin, Model):
    """A calibration point: reading as found (and as left when adjusted), error, expanded
    uncertainty U with its k, optional tolerance (ISO/IEC 17025 §7.8.4, §7.8.6)."""

    __tablename__ = "calibration_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("calibration_order.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    measurand: Mapped[str] = mapped_column(String(120))
    nominal: Mapped[Decimal] = mapped_column(NUM)
    as_found: Mapped[Decimal] = mapped_column(NUM)
    as_left: Mapped[Decimal | None] = mapped_column(NUM)
    error: Mapped[Decimal] = mapped_column(NUM)
    uncertainty: Mapped[Decimal] = mapped_column(NUM)
    k: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("2"))
    unit: Mapped[str] = mapped_column(String(20))
    tolerance: Mapped[Decimal | None] = mapped_column(NUM)
    # §7.8.2.1 p: the external provider a result comes from (None: the lab's own)
    external_provider: Mapped[str | None] = mapped_column(String(120))
    # the decimals each value was given with ({"nominal": 2, ...}): printed with those digits,
    # not the column's six (issue 21 item 10)
    digits: Mapped[dict | None] = mapped_column(JSON)

    order: Mapped[CalibrationOrder] = relationship(back_populates="results")

    def shown(self, name: str) -> Decimal | None:
        """A value as it was given: the decimals it was typed with (the column keeps six);
        a value from before `digits` existed loses its trailing zeros."""
        value = getattr(self, name)
        if value is None:
            return None
        places = (self.digits or {}).get(name)
        if places is None:
            return shown_plain(Decimal(value))
        return Decimal(value).quantize(Decimal(1).scaleb(-int(places)))

    @property
    def conforms(self) -> bool | None:
        """Simple acceptance with guard band U (docs/decisions.md): conforme when
        |error| + U <= tolerance; None without a tolerance."""
        if self.tolerance is None:
            return None
        return abs(Decimal(self.error)) + Decimal(self.uncertainty) <= Decimal(self.tolerance)

    def __repr__(self) -> str:
        return f"{self.measurand} {self.nominal} {self.unit}"


class CalibrationProgress(TenantMixin, Model):
    """A progress entry of the execution (date, text, author)."""

    __tablename__ = "calibration_progress"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("calibration_order.id", ondelete="CASCADE"), index=True)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, info=text_limit(4000, _l("Avance")))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[CalibrationOrder] = relationship(back_populates="progress")
    author: Mapped[User | None] = relationship(User)


class CalibrationEvidence(TenantMixin, Model):
    """An evidence file, stored by app.core.storage under the company's folder."""

    __tablename__ = "calibration_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("calibration_order.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[CalibrationOrder] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User | None] = relationship(User)

    def __repr__(self) -> str:
        return self.filename


LOGISTICS_STATUSES = {"SHIPPED": _l("Enviado"), "IN_TRANSIT": _l("En tránsito"), "RECEIVED": _l("Recibido")}


class LogisticsEvent(TenantMixin, Model):
    """A logistics event of external equipment: shipped, in transit, received."""

    __tablename__ = "calibration_logistics"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("calibration_order.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    carrier: Mapped[str | None] = mapped_column(String(120))
    tracking_number: Mapped[str | None] = mapped_column(String(120))
    event_date: Mapped[dt.date] = mapped_column(Date)
    responsible: Mapped[str | None] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[CalibrationOrder] = relationship(back_populates="logistics")
    created_by: Mapped[User | None] = relationship(User)

    @property
    def status_label(self) -> str:
        return str(LOGISTICS_STATUSES.get(self.status, self.status))


class ChecklistItem(TenantMixin, Model):
    """An item of the company's review checklist (ISO/IEC 17025 §7.7/§7.8), editable by Admin."""

    __tablename__ = "calibration_checklist_item"
    __table_args__ = (UniqueConstraint("company_id", "code", name="uq_calibration_checklist_item_company_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    clause: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return self.label


class ChecklistTick(TenantMixin, Model):
    """Whether an item is ticked for an order; each change is audited by services."""

    __tablename__ = "calibration_checklist_tick"
    __audited__ = False
    __table_args__ = (UniqueConstraint("order_id", "item_id", name="uq_calibration_checklist_tick_order_item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("calibration_order.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("calibration_checklist_item.id", ondelete="CASCADE"))
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    order: Mapped[CalibrationOrder] = relationship(back_populates="ticks")
    item: Mapped[ChecklistItem] = relationship(ChecklistItem)
    checked_by: Mapped[User | None] = relationship(User)


constraints.register("uq_calibration_checklist_item_company_code", field="code",
                     message=_l("Ya existe un punto de la lista con el código %(code)s."))
