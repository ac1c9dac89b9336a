"""REST resource of the equipment catalog (issue 9, item 18): /api/v1/installation_equipment.
Items are deactivated, never deleted (orders keep referring to them), as on the page."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.core.api import TenantModelRestApi
from app.installation.equipment.models import Equipment

COLUMNS = ["code", "name", "description", "active"]


class InstallationEquipmentApi(TenantModelRestApi):
    resource_name = "installation_equipment"
    class_permission_name = "InstallationEquipment"
    datamodel = SQLAInterface(Equipment)
    include_route_methods = {"get", "get_list", "info", "post", "put"}
    list_columns = show_columns = ["id", *COLUMNS]
    add_columns = edit_columns = COLUMNS
    order_columns = ["code", "name"]
    search_columns = ["code", "name", "active"]
    base_order = ("code", "asc")
    label_columns = {"code": "Código", "name": "Nombre", "description": "Descripción", "active": "Activo"}
