"""REST resources of the packaging catalogs (ids are the spec's). The platform's structure
(areas, states, management types, request types, roles' areas: SharedCatalog) is read by
every ENV role and written by Admin only (permission PackagingStructure, issue 19); the
company's cutting rooms and users' packaging profiles are written by the admin roles
(PackagingCatalog, PackagingProfile)."""
from __future__ import annotations

from app.core.catalogs import CATALOG_ROUTES, catalog_api
from app.core.errors import ValidationError
from app.core.tenancy import company_user_ids
from app.core.validation import message
from app.packaging.catalogs.models import (
    PROFILE_LABELS,
    Area,
    CuttingRoom,
    ManagementType,
    OtState,
    PackagingProfile,
    RequestType,
    RoleArea,
)

CATALOG_PERMISSION = "PackagingCatalog"
STRUCTURE_PERMISSION = "PackagingStructure"  # every ENV role reads, only Admin writes


TAG = "Catálogos de envases"


def catalog_resource(model, resource: str, columns: list[str], routes=CATALOG_ROUTES,
                     permission: str = CATALOG_PERMISSION, **extra):
    """A packaging catalog's REST resource (core/catalogs.py), under the packaging tag."""
    return catalog_api(model, resource, columns, permission=permission, tag=TAG, routes=routes, **extra)


def _members_only(self, item) -> None:
    """A profile's user, boss and external sellers are members of the active company."""
    members = set(company_user_ids())
    for name in ("user", "boss"):
        person = getattr(item, name)
        if person is not None and person.id not in members:
            raise ValidationError(message("not_visible", label=PROFILE_LABELS.get(name, "Usuario")), field=name)
    if any(u.id not in members for u in item.external_sellers):
        raise ValidationError(message("not_visible", label=PROFILE_LABELS["external_sellers"]),
                              field="external_sellers")


# the spec's ids are fixed: reference rows are edited (labels), not created, through the API
FIXED = frozenset({"get", "get_list", "info", "put"})
CATALOG_APIS = [
    catalog_resource(Area, "packaging_area", ["name", "description"], FIXED, STRUCTURE_PERMISSION),
    catalog_resource(OtState, "packaging_state", ["name", "description", "default_area_id", "closed"], FIXED,
                     STRUCTURE_PERMISSION, edit_columns=["name", "description"]),
    catalog_resource(ManagementType, "packaging_management_type", ["name", "description"], FIXED,
                     STRUCTURE_PERMISSION),
    catalog_resource(RequestType, "packaging_request_type", ["name", "description", "flow", "first_state_id"], FIXED,
                     STRUCTURE_PERMISSION, edit_columns=["name", "description"]),
    catalog_resource(RoleArea, "packaging_role_area", ["role_name", "label", "area_id", "chief"], FIXED,
                     STRUCTURE_PERMISSION, edit_columns=["area_id", "chief"]),
    catalog_resource(CuttingRoom, "packaging_cutting_room", ["name", "active"]),
    catalog_resource(PackagingProfile, "packaging_profile", ["user_id", "area_id", "boss_id", "cutting_room_id"],
                     permission="PackagingProfile",
                     add_columns=["user", "area", "boss", "cutting_room", "external_sellers"],
                     edit_columns=["area", "boss", "cutting_room", "external_sellers"],
                     pre_add=_members_only, pre_update=_members_only),
]
