"""Samples of a packaging OT (spec packaging-work-orders.md, module MUESTRAS: MUE-001..003;
FLT-004 and WF-004 read them): the sample with its CAD, carton, gluing, recipient, unit time,
sample carton and, per destination (seller, designer, laboratory, 1 to 4, designer's review),
its cutting room, quantity and cutting date; and the company's small catalogs of CADs,
cartons and gluing types (Mantenedores). The sample points to its OT by the foreign key
alone: the OT's models do not know the samples."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import constraints
from app.core.models import Model, utcnow
from app.core.tenancy import TenantMixin

SAMPLE_ENTITY = "packaging_sample"
SAMPLE_PENDING, SAMPLE_IN_PROGRESS, SAMPLE_DONE, SAMPLE_CANCELLED = 0, 1, 2, 3
SAMPLE_STATES = {
    SAMPLE_PENDING: _l("Pendiente"), SAMPLE_IN_PROGRESS: _l("En progreso"),
    SAMPLE_DONE: _l("Terminada"), SAMPLE_CANCELLED: _l("Anulada"),
}
SAMPLE_OPEN = (SAMPLE_PENDING, SAMPLE_IN_PROGRESS)
# the spec's destinations (sala_corte_vendedor, _diseñador, _laboratorio, _1.._4,
# _diseñador_revision), by key; each has a cutting room, a quantity and a cutting date
DESTINATIONS = {
    "seller": _l("Vendedor"), "designer": _l("Diseñador"), "lab": _l("Laboratorio"),
    "1": _l("Destino 1"), "2": _l("Destino 2"), "3": _l("Destino 3"), "4": _l("Destino 4"),
    "designer_review": _l("Diseñador (revisión)"),
}
SAMPLE_ROOM_COLUMNS = tuple(f"room_{key}_id" for key in DESTINATIONS)

SAMPLE_LABELS = {
    "work_order": _l("OT"),
    "recipients": _l("Destinatarios"),
    "recipient": _l("Destinatario"),
    "cad": _l("CAD"),
    "carton": _l("Cartón"),
    "gluing": _l("Pegado"),
    "unit_time": _l("Tiempo unitario (min)"),
    "sample_carton": _l("Cartón muestra"),
    "state": _l("Estado de la muestra"),
    "note": _l("Observación"),
    "samples": _l("Muestras"),
    "sample": _l("Muestra"),
}


def destination_label(key: str) -> str:
    return str(DESTINATIONS.get(key, key))


def room_label(key: str) -> str:
    return f"{_l('Sala de corte')} {destination_label(key)}"


def quantity_label(key: str) -> str:
    return f"{_l('Cantidad')} {destination_label(key)}"


def cut_label(key: str) -> str:
    return f"{_l('Fecha de corte')} {destination_label(key)}"


def field_label(name: str) -> str:
    """The Spanish label of a sample field, per destination too (room_lab: «Sala de corte
    Laboratorio»)."""
    for prefix, make in (("room_", room_label), ("quantity_", quantity_label), ("cut_", cut_label)):
        if name.startswith(prefix) and name[len(prefix):] in DESTINATIONS:
            return make(name[len(prefix):])
    return str(SAMPLE_LABELS.get(name, name))


class _SampleCatalog:
    """A company's small catalog: name (unique in the company) and active."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return self.name


class SampleCad(_SampleCatalog, TenantMixin, Model):
    """CAD (structural drawing) a sample is cut from (cad_id)."""

    __tablename__ = "packaging_sample_cad"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_packaging_sample_cad_company_name"),)


class SampleCarton(_SampleCatalog, TenantMixin, Model):
    """Carton (board grade) of a sample (carton_id) and of the sample itself (carton_muestra_id)."""

    __tablename__ = "packaging_sample_carton"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_packaging_sample_carton_company_name"),)


class SampleGluing(_SampleCatalog, TenantMixin, Model):
    """Gluing type (pegado) of a sample (pegado_id)."""

    __tablename__ = "packaging_sample_gluing"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_packaging_sample_gluing_company_name"),)


def _room():
    return mapped_column(ForeignKey("packaging_cutting_room.id"), nullable=True)


def _quantity():
    return mapped_column(Integer, nullable=True)


def _cut():
    return mapped_column(Date, nullable=True)


class Sample(TenantMixin, Model):
    """Muestra of an OT: state (0 Pendiente, 1 En progreso, 2 Terminada, 3 Anulada; MUE-002),
    one recipient (MUE-003: one sample per recipient), CAD, carton, gluing, unit time, sample
    carton, and per destination its cutting room (FLT-004 reads all eight), quantity and
    cutting date (the form's checkbox). Written through services.py, which audits."""

    __tablename__ = "packaging_sample"
    # its history's events and states by their labels (app/core/history.py; issue 29 · 7)
    __history__ = {
        "events": {"CREAR_MUESTRA": {"label": _l("Crear la muestra")}, "EDITAR_MUESTRA": {"label": _l("Editar la muestra")},
                   "ENVIO_SALA_MUESTRA": {"label": _l("Enviar a la sala de corte")}},
        "states": {str(code): label for code, label in SAMPLE_STATES.items()},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("packaging_work_order.id", ondelete="CASCADE"), index=True)
    state: Mapped[int] = mapped_column(Integer, default=SAMPLE_PENDING)
    recipient: Mapped[str | None] = mapped_column(String(20))
    cad_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_sample_cad.id"))
    carton_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_sample_carton.id"))
    gluing_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_sample_gluing.id"))
    sample_carton_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_sample_carton.id"))
    unit_time: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    room_seller_id: Mapped[int | None] = _room()
    room_designer_id: Mapped[int | None] = _room()
    room_lab_id: Mapped[int | None] = _room()
    room_1_id: Mapped[int | None] = _room()
    room_2_id: Mapped[int | None] = _room()
    room_3_id: Mapped[int | None] = _room()
    room_4_id: Mapped[int | None] = _room()
    room_designer_review_id: Mapped[int | None] = _room()
    quantity_seller: Mapped[int | None] = _quantity()
    quantity_designer: Mapped[int | None] = _quantity()
    quantity_lab: Mapped[int | None] = _quantity()
    quantity_1: Mapped[int | None] = _quantity()
    quantity_2: Mapped[int | None] = _quantity()
    quantity_3: Mapped[int | None] = _quantity()
    quantity_4: Mapped[int | None] = _quantity()
    quantity_designer_review: Mapped[int | None] = _quantity()
    cut_seller_on: Mapped[dt.date | None] = _cut()
    cut_designer_on: Mapped[dt.date | None] = _cut()
    cut_lab_on: Mapped[dt.date | None] = _cut()
    cut_1_on: Mapped[dt.date | None] = _cut()
    cut_2_on: Mapped[dt.date | None] = _cut()
    cut_3_on: Mapped[dt.date | None] = _cut()
    cut_4_on: Mapped[dt.date | None] = _cut()
    cut_designer_review_on: Mapped[dt.date | None] = _cut()

    cad: Mapped[SampleCad | None] = relationship(SampleCad, lazy="selectin")
    carton: Mapped[SampleCarton | None] = relationship(SampleCarton, foreign_keys=[carton_id], lazy="selectin")
    gluing: Mapped[SampleGluing | None] = relationship(SampleGluing, lazy="selectin")
    sample_carton: Mapped[SampleCarton | None] = relationship(SampleCarton, foreign_keys=[sample_carton_id],
                                                              lazy="selectin")

    def __repr__(self) -> str:
        return f"{_l('Muestra')} {self.id}"

    @property
    def state_label(self) -> str:
        return str(SAMPLE_STATES.get(self.state, self.state))

    @property
    def is_open(self) -> bool:
        return self.state in SAMPLE_OPEN

    def destinations(self) -> list[str]:
        """The destinations this sample has data for (its recipient first)."""
        keys = [k for k in DESTINATIONS if getattr(self, f"room_{k}_id") or getattr(self, f"quantity_{k}")
                or getattr(self, f"cut_{k}_on")]
        if self.recipient in DESTINATIONS:
            keys = [self.recipient, *(k for k in keys if k != self.recipient)]
        return keys

    def room_ids(self) -> set[int]:
        return {getattr(self, c) for c in SAMPLE_ROOM_COLUMNS if getattr(self, c)}


for _name in ("cad", "carton", "gluing"):
    constraints.register(f"uq_packaging_sample_{_name}_company_name", field="name",
                         message=_l("Ya existe ese nombre en el catálogo: %(name)s."))
