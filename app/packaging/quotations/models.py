"""Quotations of packaging (spec packaging-work-orders.md, module COTIZADOR; COT-001/002):
a quotation for a client, optionally of an OT of the same company, numbered per company by
the core sequence, with its lines (item, quantity, unit price, currency). Its states (draft,
submitted, approved, rejected) are seed/workflows/packaging_quotation.yaml; the totals per
currency are computed from the lines, never stored."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import constraints
from app.core.models import Model, WorkflowMixin, utcnow
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit
from app.packaging.orders.models import WorkOrder

QUOTATION_ENTITY = "packaging_quotation"  # the audit entity and the REST resource name
DRAFT, SUBMITTED, APPROVED, REJECTED = "DRAFT", "SUBMITTED", "APPROVED", "REJECTED"
APPROVE_ACTIONS = ("APPROVE", "REJECT")  # the matrix's "Aprobar Cotización"

# stable codes, Spanish labels (issue 9 item 19)
CURRENCIES = {"CLP": _l("Peso chileno (CLP)"), "USD": _l("Dólar estadounidense (USD)"), "UF": _l("Unidad de Fomento (UF)")}
QUANTITY_PLACES, PRICE_PLACES = 2, 4
AMOUNT_LIMIT = Decimal("9999999999")  # what Numeric(14, 4) holds in its integer part

QUOTATION_LABELS = {
    "client": _l("Cliente"),
    "work_order": _l("OT"),
    "notes": _l("Observaciones"),
    "lines": _l("Líneas"),
    "item": _l("Ítem"),
    "quantity": _l("Cantidad"),
    "unit_price": _l("Precio unitario"),
    "currency": _l("Moneda"),
    "creator": _l("Creador"),
    "date_from": _l("Desde"),
    "date_to": _l("Hasta"),
    "state": _l("Estado"),
    "reason": _l("Motivo del rechazo"),
}


class Quotation(TenantMixin, WorkflowMixin, Model):
    """Cotización: client (text, as the OT's), optional OT, number per company, creator,
    creation time; state and version for the workflow engine; the decision (who, when, and
    the reason of a rejection)."""

    __tablename__ = "packaging_quotation"
    __entity__ = QUOTATION_ENTITY
    __audited__ = False  # audited explicitly by the services and the engine
    __table_args__ = (
        UniqueConstraint("company_id", "number", name="uq_packaging_quotation_company_number"),
        Index("ix_packaging_quotation_company_created", "company_id", "created_at"),
        Index("ix_packaging_quotation_company_creator", "company_id", "creator_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    client: Mapped[str] = mapped_column(String(150))
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_work_order.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Observaciones")))
    creator_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reject_reason: Mapped[str | None] = mapped_column(Text, info=text_limit(4000, _l("Motivo del rechazo")))

    creator: Mapped[User] = relationship(User, foreign_keys=[creator_id], lazy="selectin")
    decided_by: Mapped[User | None] = relationship(User, foreign_keys=[decided_by_id], lazy="selectin")
    work_order: Mapped[WorkOrder | None] = relationship(WorkOrder, lazy="selectin")
    lines: Mapped[list[QuotationLine]] = relationship(
        back_populates="quotation", order_by="QuotationLine.position", cascade="all, delete-orphan", lazy="selectin")

    def __repr__(self) -> str:
        return f"Cotización {self.number}"

    @property
    def totals(self) -> dict[str, Decimal]:
        """Total per currency (code -> sum of quantity x unit price), in the order of CURRENCIES."""
        sums: dict[str, Decimal] = {}
        for line in self.lines:
            sums[line.currency] = sums.get(line.currency, Decimal(0)) + line.amount
        return {code: sums[code].quantize(Decimal("0.01")) for code in CURRENCIES if code in sums}


class QuotationLine(TenantMixin, Model):
    """A line of a quotation: item, quantity, unit price and its currency (a code of CURRENCIES)."""

    __tablename__ = "packaging_quotation_line"
    __audited__ = False
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_packaging_quotation_line_quantity"),
        CheckConstraint("unit_price >= 0", name="ck_packaging_quotation_line_price"),
        CheckConstraint("currency IN ('CLP', 'USD', 'UF')", name="ck_packaging_quotation_line_currency"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(ForeignKey("packaging_quotation.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    item: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, QUANTITY_PLACES))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, PRICE_PLACES))
    currency: Mapped[str] = mapped_column(String(3), info={"choices": CURRENCIES})

    quotation: Mapped[Quotation] = relationship(back_populates="lines")

    @property
    def amount(self) -> Decimal:
        return Decimal(self.quantity) * Decimal(self.unit_price)


constraints.register("uq_packaging_quotation_company_number", field="number",
                     message=_l("Ya existe una cotización con ese número en la empresa."))
constraints.register("ck_packaging_quotation_line_quantity", field="lines",
                     message=_l("La cantidad de cada línea debe ser mayor que cero."))
constraints.register("ck_packaging_quotation_line_price", field="lines",
                     message=_l("El precio unitario no puede ser negativo."))
constraints.register("ck_packaging_quotation_line_currency", field="lines",
                     message=_l("La moneda de cada línea debe ser CLP, USD o UF."))
