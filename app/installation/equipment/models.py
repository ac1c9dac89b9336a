"""The company's equipment catalog (spec installation-orders-matrix.md): what an order line
installs. Items are deactivated, never deleted: orders keep referring to them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import constraints
from app.core.models import Model
from app.core.tenancy import TenantMixin
from app.core.validation import text_limit


class Equipment(TenantMixin, Model):
    """An item of the company's equipment catalog (what an order line installs)."""

    __tablename__ = "installation_equipment"
    __table_args__ = (UniqueConstraint("company_id", "code", name="uq_installation_equipment_company_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str | None] = mapped_column(Text, info=text_limit(2000, _l("Descripción")))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"{self.code} · {self.name}"


constraints.register("uq_installation_equipment_company_code", field="code",
                     message=_l("Ya existe un equipo con el código %(code)s."))
