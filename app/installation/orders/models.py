"""Installation orders (spec installation-orders-matrix.md): orders numbered by the core
sequence "installation_order", their equipment lines (over equipment/models.py's catalog),
doctor contacts, equipment templates and assigned technicians. Rules live in services.py;
the matrix in seed/workflows/installation.yaml."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Model, WorkflowMixin, utcnow
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit
from app.installation.equipment.models import Equipment

ENTITY = "installation_order"  # the audit entity and the REST resource name

order_technician = Table(
    "installation_order_technician",
    Model.metadata,
    Column("order_id", ForeignKey("installation_order.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class InstallationOrder(TenantMixin, WorkflowMixin, Model):
    """Orden de instalación. Every change goes through services.py, which audits it
    explicitly (creation and matrix actions), hence no automatic CRUD audit."""

    __tablename__ = "installation_order"
    __entity__ = ENTITY
    __audited__ = False
    __table_args__ = (
        UniqueConstraint("company_id", "number", name="uq_installation_order_company_number"),
        Index("ix_installation_order_company_state", "company_id", "state", "scheduled_for"),
        Index("ix_installation_order_company_doctor", "company_id", "doctor_id"),
        Index("ix_installation_order_company_scheduled", "company_id", "scheduled_for"),
        # the order count and the board's count by state read only this (issue 13)
        Index("ix_installation_order_live_state", "company_id", "state",
              postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    site: Mapped[str | None] = mapped_column(String(150))
    address: Mapped[str] = mapped_column(String(300))
    patient_ref: Mapped[str | None] = mapped_column(String(150))
    requested_for: Mapped[dt.date | None] = mapped_column(Date)
    scheduled_for: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Notas")))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    doctor: Mapped[User] = relationship(User, foreign_keys=[doctor_id])
    created_by: Mapped[User | None] = relationship(User, foreign_keys=[created_by_id])
    technicians: Mapped[list[User]] = relationship(User, secondary=order_technician, order_by=User.username)
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    contacts: Mapped[list[DoctorContact]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="DoctorContact.id"
    )
    templates: Mapped[list[EquipmentTemplate]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="EquipmentTemplate.id"
    )

    def __repr__(self) -> str:
        return f"Orden {self.number}"


class OrderLine(TenantMixin, Model):
    """An equipment line of an order: which catalog item, how many."""

    __tablename__ = "installation_order_line"
    __table_args__ = (UniqueConstraint("order_id", "equipment_id", name="uq_installation_order_line_equipment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("installation_order.id", ondelete="CASCADE"), index=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("installation_equipment.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)

    order: Mapped[InstallationOrder] = relationship(back_populates="lines")
    equipment: Mapped[Equipment] = relationship(Equipment, lazy="joined")

    def __repr__(self) -> str:
        return f"{self.quantity} × {self.equipment}"


class DoctorContact(TenantMixin, Model):
    """A contact with the order's doctor (CONTACT_DOCTOR): channel, note, who and when."""

    __tablename__ = "installation_doctor_contact"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("installation_order.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, info=text_limit(4000, _l("Nota del contacto")))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[InstallationOrder] = relationship(back_populates="contacts")
    user: Mapped[User | None] = relationship(User)


class EquipmentTemplate(TenantMixin, Model):
    """Plantilla de equipo: one per equipment line, created by CONFIRM_ORDER."""

    __tablename__ = "installation_equipment_template"
    __table_args__ = (UniqueConstraint("line_id", name="uq_installation_equipment_template_line"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("installation_order.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("installation_order_line.id", ondelete="CASCADE"))
    equipment_id: Mapped[int] = mapped_column(ForeignKey("installation_equipment.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[InstallationOrder] = relationship(back_populates="templates")
    equipment: Mapped[Equipment] = relationship(Equipment, lazy="joined")

    def __repr__(self) -> str:
        return f"Plantilla {self.equipment} × {self.quantity}"
