"""Catalogs in the kit (issue 20 point 4): the REST resource and the maintenance page of a
reference table, declared by its model and columns instead of written as a class each.
A class made here belongs to its model's module (`__module__`), as if written there.
Company isolation, error shapes and readable columns come from the bases
(TenantModelRestApi, TenantModelView); what a module decides is who may write (the
permission), which routes exist and how the page is named."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.core.api import TenantModelRestApi
from app.core.views import TenantModelView

CATALOG_ROUTES = frozenset({"get", "get_list", "info", "post", "put"})


def catalog_api(model, resource: str, columns: list[str], *, permission: str, tag: str,
                routes=CATALOG_ROUTES, **extra) -> type:
    """/api/v1/<resource> over `model`: `columns` listed, shown, added and edited (`extra`
    overrides any attribute, e.g. edit_columns or pre_add)."""
    editable = [c for c in columns if c != "id"]
    return type(f"{model.__name__}Api", (TenantModelRestApi,), {
        "datamodel": SQLAInterface(model), "resource_name": resource, "class_permission_name": permission,
        "include_route_methods": set(routes), "list_columns": ["id", *columns], "show_columns": ["id", *columns],
        "add_columns": editable, "edit_columns": editable, "base_order": ("id", "asc"),
        "openapi_spec_tag": tag, "__module__": model.__module__, **extra,
    })


def catalog_view(model, columns: list[str], *, permission: str, route_base: str, title, labels: dict,
                 edit: list[str] | None = None, add: bool = False, **extra) -> type:
    """The maintenance page of `model` at `route_base`: list, show and edit (and add when
    `add`); `edit` names the editable columns when they are fewer than the shown ones."""
    routes = {"list", "show", "edit"} | ({"add"} if add else set())
    return type(f"{model.__name__}MaintenanceView", (TenantModelView,), {
        "datamodel": SQLAInterface(model), "class_permission_name": permission, "route_base": route_base,
        "include_route_methods": routes, "base_permissions": ["can_read", "can_write"],
        "list_columns": ["id", *columns], "show_columns": ["id", *columns],
        "edit_columns": edit or columns, "add_columns": edit or columns, "label_columns": labels,
        "list_title": title, "base_order": ("id", "asc"), "__module__": model.__module__, **extra,
    })
