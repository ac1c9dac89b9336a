"""A supply request: a tenant-scoped workflow record (the fifth module's one model). Its table
lives in a metadata of its own, so the app's schema, migrations and table walks never see it;
the test app creates it beside the app's tables."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.models import WorkflowMixin
from app.core.tenancy import TenantMixin


class KitBase(DeclarativeBase):
    pass


class SupplyRequest(TenantMixin, WorkflowMixin, KitBase):
    __tablename__ = "kit_supply_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(Integer, index=True)  # no foreign key across metadatas
    item: Mapped[str] = mapped_column(String(80))
    quantity: Mapped[int] = mapped_column(Integer)
    needed_by: Mapped[dt.date | None] = mapped_column(Date)
    requester_id: Mapped[int] = mapped_column(Integer)
