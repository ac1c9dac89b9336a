"""REST API of operator certifications (/api/v1/<resource>): thin, tenant-scoped, calling the
same services as the pages. Here the catalogs (operator, auditor, certification,
product_audit_type: CERT-CAT-1) and what every API of the module shares, at the bottom of its
layering: the active company, the JSON body restricted to known fields, a service called as
the caller."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.certification.catalogs import services
from app.certification.catalogs.models import (
    Auditor,
    Certification,
    Operator,
    ProductAuditType,
)
from app.core.api import (
    API_PERMISSIONS,
    TenantModelRestApi,
    json_body,
)
from app.core.validation import refuse_unknown
from app.core.tenancy import Company, current_company_id
from app.extensions import db


def active_company() -> Company:
    return db.session.get(Company, current_company_id())


def payload(fields: tuple[str, ...]) -> dict:
    """The JSON body restricted to `fields`; an unknown field is a 422 naming it."""
    data = json_body()
    refuse_unknown(data, fields)
    return {name: data.get(name) for name in fields}


class CertificationBaseApi(TenantModelRestApi):
    """The base of the module's APIs (catalogs, assignments, inspections)."""

    method_permission_name = {**API_PERMISSIONS, "status": "read", "annul": "write", "correct": "write"}


class _CatalogApi(CertificationBaseApi):
    """CRUD of a catalog (CERT-CAT-1): checked by the service; delete only without history."""

    def pre_add(self, item) -> None:
        super().pre_add(item)
        services.validate_catalog_item(session=db.session, item=item)

    def pre_update(self, item) -> None:
        super().pre_update(item)
        services.validate_catalog_item(session=db.session, item=item)

    def pre_delete(self, item) -> None:
        services.check_deletable(session=db.session, item=item)


PERSON = ["first_name", "last_name", "code", "active"]


class OperatorApi(_CatalogApi):
    resource_name = "operator"
    class_permission_name = "Operator"
    datamodel = SQLAInterface(Operator)
    list_columns = show_columns = ["id", *PERSON]
    add_columns = edit_columns = PERSON
    search_columns = PERSON
    order_columns = PERSON
    base_order = ("last_name", "asc")


class AuditorApi(OperatorApi):
    resource_name = "auditor"
    class_permission_name = "Auditor"
    datamodel = SQLAInterface(Auditor)


class CertificationApi(_CatalogApi):
    resource_name = "certification"
    class_permission_name = "Certification"
    datamodel = SQLAInterface(Certification)
    list_columns = show_columns = ["id", "name", "description", "active"]
    add_columns = edit_columns = search_columns = ["name", "description", "active"]
    order_columns = ["name", "active"]
    base_order = ("name", "asc")


class ProductAuditTypeApi(_CatalogApi):
    resource_name = "product_audit_type"
    class_permission_name = "ProductAuditType"
    datamodel = SQLAInterface(ProductAuditType)
    list_columns = show_columns = ["id", "certification.id", "certification.name", "name", "description", "active"]
    add_columns = edit_columns = search_columns = ["certification", "name", "description", "active"]
    order_columns = ["name", "active"]
    base_order = ("name", "asc")
