"""The equipment catalog's page, /instalacion/equipos, in the module's menu after the orders' pages."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.core.views import TenantModelView
from app.installation.equipment.models import Equipment

CATEGORY = "Instalación"  # the module's menu, opened by orders/views.py


class EquipmentView(TenantModelView):
    """Catálogo de equipos of the company (what order lines install). Items are deactivated,
    never deleted: orders keep referring to them."""

    datamodel = SQLAInterface(Equipment)
    route_base = "/instalacion/equipos"
    class_permission_name = "InstallationEquipment"
    include_route_methods = {"list", "show", "add", "edit"}
    list_columns = ["code", "name", "active"]
    add_columns = edit_columns = show_columns = ["code", "name", "description", "active"]
    search_columns = ["code", "name", "active"]
    base_order = ("code", "asc")
    label_columns = {"code": _l("Código"), "name": _l("Nombre"), "description": _l("Descripción"), "active": _l("Activo")}


def register(appbuilder) -> None:
    appbuilder.add_view(EquipmentView, "Catálogo de equipos", label=_l("Catálogo de equipos"), icon="fa-medkit",
                        category=CATEGORY)
