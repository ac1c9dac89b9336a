"""SAP material codes (spec CODIGO DE MATERIAL, MAT-001; INTEGRACIONES EXTERNAS / SAP): the
company's prefix and suffix catalogs (the spec's prefijo_material, sufijo_material) and the
materials (the spec's materials): one code per OT, PREFIX + NUMBER + SUFFIX, the number from
the core sequence "packaging_material_code" (the spec's materials_codes, from 700000)."""
from __future__ import annotations

import datetime as dt
import re

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core import constraints
from app.core.errors import ValidationError
from app.core.models import Model, utcnow
from app.core.tenancy import TenantMixin
from app.core.validation import message
from app.packaging.orders.models import WorkOrder

MATERIAL_ENTITY = "packaging_material"
AFFIX_MAX = 5  # 5 + 7 digits + 5 = 17: within SAP's 18-character material number
CODE_PATTERN = re.compile(r"[A-Z0-9]{1,%d}" % AFFIX_MAX)

MATERIAL_LABELS = {
    "code": _l("Código"),
    "description": _l("Descripción"),
    "active": _l("Activo"),
    "prefix_id": _l("Prefijo"),
    "suffix_id": _l("Sufijo"),
    "number": _l("Número"),
    "work_order": _l("OT"),
}


class _Affix(TenantMixin, Model):
    """A prefix or suffix of material codes: code (1-5 capital letters or digits, stored as
    typed in upper case), description, active (only active ones are offered)."""

    __abstract__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(AFFIX_MAX))
    description: Mapped[str] = mapped_column(String(150))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @validates("code")
    def _code(self, key, value):
        code = str(value or "").strip().upper()
        if not CODE_PATTERN.fullmatch(code):
            raise ValidationError(str(_l("El campo «Código» debe tener de 1 a %(n)s letras o dígitos, sin espacios "
                                         "(por ejemplo CC).", n=AFFIX_MAX)), field="code")
        return code

    @validates("description")
    def _description(self, key, value):
        text = str(value or "").strip()
        if not text:
            raise ValidationError(message("required", label=MATERIAL_LABELS["description"]), field="description")
        return text

    def __repr__(self) -> str:
        return f"{self.code} · {self.description}"


class MaterialPrefix(_Affix):
    """Prefijo de material (the spec's prefijo_material) of the company."""

    __tablename__ = "packaging_material_prefix"
    __table_args__ = (UniqueConstraint("company_id", "code", name="uq_packaging_material_prefix_company_code"),)


class MaterialSuffix(_Affix):
    """Sufijo de material (the spec's sufijo_material) of the company."""

    __tablename__ = "packaging_material_suffix"
    __table_args__ = (UniqueConstraint("company_id", "code", name="uq_packaging_material_suffix_company_code"),)


class Material(TenantMixin, Model):
    """MAT-001: the material (SAP code) of one OT. One per OT (unique work order), its number
    drawn once from the core sequence (unique per company) and its code PREFIX + NUMBER +
    SUFFIX as it was written then (unique per company): renaming a prefix later does not
    change codes already given."""

    __tablename__ = "packaging_material"
    __table_args__ = (
        UniqueConstraint("work_order_id", name="uq_packaging_material_work_order"),
        UniqueConstraint("company_id", "number", name="uq_packaging_material_company_number"),
        UniqueConstraint("company_id", "code", name="uq_packaging_material_company_code"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("packaging_work_order.id", ondelete="CASCADE"))
    prefix_id: Mapped[int] = mapped_column(ForeignKey("packaging_material_prefix.id"))
    suffix_id: Mapped[int] = mapped_column(ForeignKey("packaging_material_suffix.id"))
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(18))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    work_order: Mapped[WorkOrder] = relationship(WorkOrder)
    prefix: Mapped[MaterialPrefix] = relationship(MaterialPrefix, lazy="selectin")
    suffix: Mapped[MaterialSuffix] = relationship(MaterialSuffix, lazy="selectin")
    created_by: Mapped[User | None] = relationship(User, lazy="selectin")

    def __repr__(self) -> str:
        return self.code


constraints.register("uq_packaging_material_prefix_company_code", field="code",
                     message=_l("Ya existe un prefijo de material con el código %(code)s."))
constraints.register("uq_packaging_material_suffix_company_code", field="code",
                     message=_l("Ya existe un sufijo de material con el código %(code)s."))
constraints.register("uq_packaging_material_work_order", field="work_order",
                     message=_l("La OT ya tiene un código de material."))
constraints.register("uq_packaging_material_company_number", field="number",
                     message=_l("Ese número de material ya se entregó a otra OT."))
constraints.register("uq_packaging_material_company_code", field="code",
                     message=_l("Ese código de material ya existe en la empresa."))
