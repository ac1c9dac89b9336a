"""The packaging catalogs (spec packaging-work-orders.md): the platform's structure with the
spec's numeric ids (areas, states, management types, request types, roles' areas:
SharedCatalog, written by Admin only since issue 19), the company's cutting rooms and a
user's packaging profile per company (area, boss, cutting room, external sellers)."""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import constraints
from app.core.models import Model
from app.core.tenancy import SharedCatalog, TenantMixin

PROFILE_LABELS = {
    "area": _l("Área"),
    "boss": _l("Jefe"),
    "user": _l("Usuario"),
    "cutting_room": _l("Sala de corte"),
    "external_sellers": _l("Vendedores externos asignados"),
}


class Area(SharedCatalog, Model):
    """Área de trabajo (WorkSpace), spec §2; the id is the spec's."""

    __tablename__ = "packaging_area"
    __catalog_label__ = _l("Áreas")
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return self.name


class OtState(SharedCatalog, Model):
    """Estado de OT, spec §3 (from seed/workflows/packaging.yaml): id, label, default area."""

    __tablename__ = "packaging_state"
    __catalog_label__ = _l("Estados de OT")
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200))
    default_area_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_area.id"))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    default_area: Mapped[Area | None] = relationship(Area, lazy="joined")

    def __repr__(self) -> str:
        return self.name


class ManagementType(SharedCatalog, Model):
    """Tipo de gestión, spec §4."""

    __tablename__ = "packaging_management_type"
    __catalog_label__ = _l("Tipos de gestión")
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return self.name


class RequestType(SharedCatalog, Model):
    """Tipo de solicitud OT, spec §5, with its flow (areas in order) and first state."""

    __tablename__ = "packaging_request_type"
    __catalog_label__ = _l("Tipos de solicitud")
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200))
    flow: Mapped[str | None] = mapped_column(String(200))
    first_state_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_state.id"))

    def __repr__(self) -> str:
        return self.name


class RoleArea(SharedCatalog, Model):
    """A packaging role (spec §1, id = the spec's code): its FAB role, label, area, chief."""

    __tablename__ = "packaging_role_area"
    __catalog_label__ = _l("Roles y áreas")
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    role_name: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_area.id"))
    chief: Mapped[bool] = mapped_column(Boolean, default=False)

    area: Mapped[Area | None] = relationship(Area, lazy="joined")

    def __repr__(self) -> str:
        return self.label


class CuttingRoom(TenantMixin, Model):
    """Sala de corte of the company (FLT-004)."""

    __tablename__ = "packaging_cutting_room"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_packaging_cutting_room_company_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return self.name


profile_external_seller = Table(
    "packaging_profile_external_seller",
    Model.metadata,
    Column("profile_id", ForeignKey("packaging_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True),
)


class PackagingProfile(TenantMixin, Model):
    """A user's packaging profile in one company: area (else their role's), boss, cutting
    room (FLT-004), assigned external sellers (COT-001, issue II)."""

    __tablename__ = "packaging_profile"
    __table_args__ = (UniqueConstraint("company_id", "user_id", name="uq_packaging_profile_company_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_area.id"))
    boss_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    cutting_room_id: Mapped[int | None] = mapped_column(ForeignKey("packaging_cutting_room.id"))

    user: Mapped[User] = relationship(User, foreign_keys=[user_id])
    area: Mapped[Area | None] = relationship(Area)
    boss: Mapped[User | None] = relationship(User, foreign_keys=[boss_id])
    cutting_room: Mapped[CuttingRoom | None] = relationship(CuttingRoom)
    external_sellers: Mapped[list[User]] = relationship(User, secondary=profile_external_seller)

    def __repr__(self) -> str:
        return f"{self.user}"


constraints.register("uq_packaging_cutting_room_company_name", field="name",
                     message=_l("Ya existe una sala de corte llamada %(name)s."))
constraints.register("uq_packaging_profile_company_user", field="user",
                     message=_l("Ese usuario ya tiene un perfil de envases en esta empresa."))
