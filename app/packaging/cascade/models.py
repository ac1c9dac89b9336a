"""CASCADA DE CAMPOS (CASC-001/002): the option catalog of each of the eight levels of the OT
form, in the spec's order, and the allowed combinations (`relacion_filtro_ingresos_principales`,
the spec's table name). Company data since issue 19 (TenantMixin): each company has its own
options and combinations, copied from seed/catalogs/packaging_cascade.yaml when the company
is created (cascade/seed.py, copy_catalog), and one company's edits are invisible to the others
(docs/decisions.md, "Issue 19")."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import constraints
from app.core.models import Model
from app.core.tenancy import TenantMixin


class _Option(TenantMixin):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return self.label


def _option(name: str, table: str, doc: str):
    return type(name, (_Option, Model), {"__tablename__": table, "__doc__": doc, "__module__": __name__})


ProductType = _option("ProductType", "packaging_product_type", "1. Tipo ítem.")
Printing = _option("Printing", "packaging_printing", "2. Impresión.")
Fsc = _option("Fsc", "packaging_fsc", "3. FSC.")
Tape = _option("Tape", "packaging_tape", "4. Cinta.")
CoverageInternal = _option("CoverageInternal", "packaging_coverage_internal", "5. Recubrimiento interno.")
CoverageExternal = _option("CoverageExternal", "packaging_coverage_external", "6. Recubrimiento externo.")
Plant = _option("Plant", "packaging_plant", "7. Planta objetivo.")
CartonColor = _option("CartonColor", "packaging_carton_color", "8. Color cartón.")


@dataclass(frozen=True)
class Level:
    field: str      # the OT's field (payload key; column `<field>_id`)
    legacy: str     # the spec's parameter of /postVerificacionFiltro
    model: type
    label: object

    @property
    def column(self) -> str:
        return f"{self.field}_id"


LEVELS = (
    Level("product_type", "product_type_id", ProductType, _l("Tipo de ítem")),
    Level("printing", "impresion_id", Printing, _l("Impresión")),
    Level("fsc", "fsc_id", Fsc, _l("FSC")),
    Level("tape", "cinta_id", Tape, _l("Cinta")),
    Level("coverage_internal", "coverage_internal_id", CoverageInternal, _l("Recubrimiento interno")),
    Level("coverage_external", "coverage_external_id", CoverageExternal, _l("Recubrimiento externo")),
    Level("plant", "planta_id", Plant, _l("Planta objetivo")),
    Level("carton_color", "carton_color_id", CartonColor, _l("Color cartón")),
)
BY_FIELD = {lv.field: lv for lv in LEVELS}
COMBINATION_COLUMNS = tuple(lv.column for lv in LEVELS)


class Combination(TenantMixin, Model):
    """An allowed combination of the eight levels (a row of relacion_filtro_ingresos_principales).
    The unique key over the eight columns, in cascade order, is also the index every
    prefix query of the cascade uses (option ids are the company's own, so it is unique per
    company too)."""

    __tablename__ = "relacion_filtro_ingresos_principales"
    __table_args__ = (
        UniqueConstraint(*COMBINATION_COLUMNS, name="uq_relacion_filtro_combinacion"),
        Index("ix_relacion_filtro_fsc", "fsc_id"),
        Index("ix_relacion_filtro_plant", "plant_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_type_id: Mapped[int] = mapped_column(ForeignKey("packaging_product_type.id"))
    printing_id: Mapped[int] = mapped_column(ForeignKey("packaging_printing.id"))
    fsc_id: Mapped[int] = mapped_column(ForeignKey("packaging_fsc.id"))
    tape_id: Mapped[int] = mapped_column(ForeignKey("packaging_tape.id"))
    coverage_internal_id: Mapped[int] = mapped_column(ForeignKey("packaging_coverage_internal.id"))
    coverage_external_id: Mapped[int] = mapped_column(ForeignKey("packaging_coverage_external.id"))
    plant_id: Mapped[int] = mapped_column(ForeignKey("packaging_plant.id"))
    carton_color_id: Mapped[int] = mapped_column(ForeignKey("packaging_carton_color.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    product_type: Mapped[ProductType] = relationship(ProductType, lazy="joined")
    printing: Mapped[Printing] = relationship(Printing, lazy="joined")
    fsc: Mapped[Fsc] = relationship(Fsc, lazy="joined")
    tape: Mapped[Tape] = relationship(Tape, lazy="joined")
    coverage_internal: Mapped[CoverageInternal] = relationship(CoverageInternal, lazy="joined")
    coverage_external: Mapped[CoverageExternal] = relationship(CoverageExternal, lazy="joined")
    plant: Mapped[Plant] = relationship(Plant, lazy="joined")
    carton_color: Mapped[CartonColor] = relationship(CartonColor, lazy="joined")

    def __repr__(self) -> str:
        return " / ".join(str(getattr(self, lv.field)) for lv in LEVELS)


constraints.register("uq_relacion_filtro_combinacion", field="product_type",
                     message=_l("Esa combinación ya existe en las combinaciones permitidas."))
