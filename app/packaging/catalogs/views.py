"""Mantenedores (function matrix: Admin only): FAB screens of the packaging catalogs, the
company's cutting rooms and the users' packaging profiles (area, boss, cutting room,
assigned external sellers). Permission PackagingMaintenance, given only to the admin roles;
the platform's structure (areas, states, management types, request types, roles' areas) has
PackagingStructureMaintenance instead: the admin roles read it, only Admin edits it (issue 19)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.catalogs import catalog_view
from app.packaging.catalogs.models import (
    Area,
    CuttingRoom,
    ManagementType,
    OtState,
    PackagingProfile,
    RequestType,
    RoleArea,
)

CATEGORY = "Envases"
MAINTENANCE = "PackagingMaintenance"
STRUCTURE_MAINTENANCE = "PackagingStructureMaintenance"
LABELS = {
    "name": _l("Nombre"), "description": _l("Descripción"), "default_area": _l("Área por defecto"),
    "closed": _l("Cerrado"), "flow": _l("Flujo"), "role_name": _l("Rol"), "label": _l("Nombre"),
    "area": _l("Área"), "chief": _l("Jefe de área"), "active": _l("Activa"), "user": _l("Usuario"),
    "boss": _l("Jefe"), "cutting_room": _l("Sala de corte"), "external_sellers": _l("Vendedores externos asignados"),
    "id": _l("Id"),
}


def maintenance_view(model, columns, *, edit=None, add=False, title="", permission=MAINTENANCE, **extra):
    """A packaging maintenance page (core/catalogs.py) under /envases/mantenedores/."""
    return catalog_view(model, columns, permission=permission, title=title, labels=extra.pop("label_columns", LABELS),
                        route_base=f"/envases/mantenedores/{model.__tablename__.replace('packaging_', '')}",
                        edit=edit, add=add, **extra)


VIEWS = [
    (maintenance_view(Area, ["name", "description"], title=_l("Áreas"), permission=STRUCTURE_MAINTENANCE),
     "Áreas", _l("Áreas")),
    (maintenance_view(OtState, ["name", "description", "default_area", "closed"], edit=["name", "description"],
                      title=_l("Estados de OT"), permission=STRUCTURE_MAINTENANCE),
     "Estados de OT", _l("Estados de OT")),
    (maintenance_view(ManagementType, ["name", "description"], title=_l("Tipos de gestión"),
                      permission=STRUCTURE_MAINTENANCE),
     "Tipos de gestión", _l("Tipos de gestión")),
    (maintenance_view(RequestType, ["name", "description", "flow"], edit=["name", "description"],
                      title=_l("Tipos de solicitud"), permission=STRUCTURE_MAINTENANCE), "Tipos de solicitud",
     _l("Tipos de solicitud")),
    (maintenance_view(RoleArea, ["label", "role_name", "area", "chief"], edit=["area", "chief"],
                      title=_l("Roles y áreas"), permission=STRUCTURE_MAINTENANCE),
     "Roles y áreas", _l("Roles y áreas")),
    (maintenance_view(CuttingRoom, ["name", "active"], add=True, title=_l("Salas de corte")), "Salas de corte",
     _l("Salas de corte")),
    (maintenance_view(PackagingProfile, ["user", "area", "boss", "cutting_room", "external_sellers"], add=True,
                      title=_l("Perfiles de envases")), "Perfiles de envases", _l("Perfiles de envases")),
]


def register(appbuilder) -> None:
    for view, name, label in VIEWS:
        appbuilder.add_view(view, name, label=label, icon="fa-cog", category=CATEGORY,
                            category_label=_l("Envases"), category_icon="fa-box")
