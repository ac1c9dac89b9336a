"""Packaging work orders (spec packaging-work-orders.md): the OT (`packaging_work_order`,
numbered per company by the core sequence), its management entries and its assignments per
area (ASIG-001). The catalogs it points to are in catalogs/ and cascade/; its samples
(MUE-001..003) are in samples/, which points to the OT (not the other way)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import constraints
from app.core.audit import actor_name
from app.core.models import Model, WorkflowMixin, utcnow
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit
from app.packaging.cascade.models import (
    CartonColor,
    CoverageExternal,
    CoverageInternal,
    Fsc,
    Plant,
    Printing,
    ProductType,
    Tape,
)
from app.packaging.catalogs.models import Area, ManagementType, RequestType

ENTITY = "packaging_work_order"  # the audit entity and the REST resource name

FIELD_LABELS = {
    "client": _l("Cliente"),
    "description": _l("Descripción"),
    "request_type": _l("Tipo de solicitud"),
    "product_type": _l("Tipo de ítem"),
    "printing": _l("Impresión"),
    "fsc": _l("FSC"),
    "tape": _l("Cinta"),
    "coverage_internal": _l("Recubrimiento interno"),
    "coverage_external": _l("Recubrimiento externo"),
    "plant": _l("Planta objetivo"),
    "carton_color": _l("Color cartón"),
    "work_order": _l("OT"),
    "management_type": _l("Tipo de gestión"),
    "state": _l("Estado"),
    "note": _l("Observación"),
    "provider": _l("Proveedor"),
    "event_date": _l("Fecha"),
    "consulted_area": _l("Área consultada"),
    "file": _l("Archivo"),
    "asignado_id": _l("Profesional"),
}

# the OT's audit data read on its history page (core/history.py), beyond the form's fields
HISTORY_LABELS = {**FIELD_LABELS, "number": _l("Número"), "approved": _l("Aprobada"), "approved_by": _l("Aprobada por"),
                  "area": _l("Área"), "asignado": _l("Responsable"), "anterior": _l("Responsable anterior"),
                  "file_name": _l("Nombre del archivo"), "file_size": _l("Tamaño (bytes)"),
                  "external_received": _l("Recibido"), "code": _l("Código"), "prefix": _l("Prefijo"),
                  "suffix": _l("Sufijo")}


class WorkOrder(TenantMixin, WorkflowMixin, Model):
    """Orden de trabajo (OT) de envases. `state` is the state's id as text (the workflow's
    code); `current_area_id` moves with each state change (the state's default area).
    Changes go through services.py, which audits them explicitly."""

    __tablename__ = "packaging_work_order"
    __entity__ = ENTITY
    __audited__ = False
    __field_labels__ = HISTORY_LABELS  # its history page's labels (no FAB page is over the model)
    __change_actions__ = ("EDITAR_OT",)  # an edit's data: {field: [antes, después]}
    __table_args__ = (
        UniqueConstraint("company_id", "number", name="uq_packaging_work_order_company_number"),
        Index("ix_packaging_work_order_company_state", "company_id", "state"),
        Index("ix_packaging_work_order_company_area", "company_id", "current_area_id", "state"),
        Index("ix_packaging_work_order_company_creator", "company_id", "creator_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    client: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, info=text_limit(4000, _l("Descripción")))
    request_type_id: Mapped[int] = mapped_column(ForeignKey("packaging_request_type.id"))
    current_area_id: Mapped[int] = mapped_column(ForeignKey("packaging_area.id"))
    creator_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    # the product's eight levels (CASC-001/002: a prefix of an allowed combination)
    product_type_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_product_type.id"))
    printing_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_printing.id"))
    fsc_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_fsc.id"))
    tape_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_tape.id"))
    coverage_internal_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_coverage_internal.id"))
    coverage_external_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_coverage_external.id"))
    plant_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_plant.id"))
    carton_color_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_carton_color.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # «Aprobar OT» (issue 21 · 2): who approved it (their name as shown then) and when
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", name="fk_packaging_work_order_approved_by"))
    approved_by_name: Mapped[str | None] = mapped_column(String(150))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    # selectin, not joined: the engine locks the OT with FOR UPDATE, which PostgreSQL refuses
    # on the nullable side of an outer join. The request type and area are not loaded with
    # the OT: pages and the API read their names from catalogs.queries.labels (issue 20 · 7)
    request_type: Mapped[RequestType] = relationship(RequestType)
    current_area: Mapped[Area] = relationship(Area)
    creator: Mapped[User] = relationship(User, foreign_keys=[creator_id], lazy="selectin")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="work_order", order_by="Assignment.area_id")
    product_type: Mapped[ProductType | None] = relationship(ProductType, lazy="selectin")
    printing: Mapped[Printing | None] = relationship(Printing, lazy="selectin")
    fsc: Mapped[Fsc | None] = relationship(Fsc, lazy="selectin")
    tape: Mapped[Tape | None] = relationship(Tape, lazy="selectin")
    coverage_internal: Mapped[CoverageInternal | None] = relationship(CoverageInternal, lazy="selectin")
    coverage_external: Mapped[CoverageExternal | None] = relationship(CoverageExternal, lazy="selectin")
    plant: Mapped[Plant | None] = relationship(Plant, lazy="selectin")
    carton_color: Mapped[CartonColor | None] = relationship(CartonColor, lazy="selectin")

    def __repr__(self) -> str:
        return f"OT {self.number}"


class Management(TenantMixin, Model):
    """Gestión of an OT: a state change (type 1, from/to state and area), a consultation to
    another area (2), a file (3), a log entry (4), an external design sent (9, pending until
    received) or received (10), and the other types as notes."""

    __tablename__ = "packaging_management"
    __table_args__ = (Index("ix_packaging_management_order_type", "work_order_id", "management_type_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("packaging_work_order.id", ondelete="CASCADE"))
    management_type_id: Mapped[int] = mapped_column(ForeignKey("packaging_management_type.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    user_name: Mapped[str | None] = mapped_column(String(200))  # as written at the time
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Observación")))
    state_from: Mapped[str | None] = mapped_column(String(40))
    state_to: Mapped[str | None] = mapped_column(String(40))
    area_from_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_area.id"))
    area_to_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_area.id"))
    consulted_area_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_area.id"))
    provider: Mapped[str | None] = mapped_column(String(150))
    event_date: Mapped[dt.date | None] = mapped_column(Date)
    external_received: Mapped[bool | None] = mapped_column(Boolean)  # type 9: received yet (WF-002)
    file_key: Mapped[str | None] = mapped_column(String(300))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(Integer)

    work_order: Mapped[WorkOrder] = relationship(WorkOrder)
    management_type: Mapped[ManagementType] = relationship(ManagementType)  # its name: catalogs.queries.labels
    user: Mapped[User | None] = relationship(User)
    consulted_area: Mapped[Area | None] = relationship(Area, foreign_keys=[consulted_area_id])

    @classmethod
    def record(cls, session, ot: WorkOrder, user, type_id: int, **fields) -> "Management":
        """A new entry of type `type_id` on `ot` by `user`, added to the session (the user's
        name kept as written at the time)."""
        entry = cls(company_id=ot.company_id, work_order_id=ot.id, management_type_id=type_id, user_id=user.id,
                    user_name=actor_name(user), **fields)
        session.add(entry)
        return entry


class Assignment(TenantMixin, Model):
    """The OT's responsible in one area (ASIG-001; the spec's user_work_orders)."""

    __tablename__ = "packaging_assignment"
    __table_args__ = (
        UniqueConstraint("work_order_id", "area_id", name="uq_packaging_assignment_order_area"),
        Index("ix_packaging_assignment_user", "user_id", "area_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("packaging_work_order.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("packaging_area.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    work_order: Mapped[WorkOrder] = relationship(back_populates="assignments")
    area: Mapped[Area] = relationship(Area, lazy="joined")
    user: Mapped[User] = relationship(User, foreign_keys=[user_id], lazy="joined")


constraints.register("uq_packaging_assignment_order_area", field="asignado_id",
                     message=_l("La OT ya tiene un responsable en esa área."))
