"""Web pages of the catalogs of operator certifications (spec §4, CERT-CAT-1): operators,
auditors, certification types and product audit types. Thin: checks in services.py, row rules
in filters.py; every write commits once per user action."""
from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.certification.catalogs import services
from app.certification.catalogs.filters import ACTIVE_ONLY
from app.certification.catalogs.models import (
    Auditor,
    Certification,
    Operator,
    ProductAuditType,
)
from app.core.security import READ_WRITE
from app.core.views import EagerSQLAInterface, TenantModelView
from app.extensions import db

CATEGORY = "Certificaciones"  # the module's menu, opened by inspections/views.py's OperatorView
PERSON_LABELS = {"first_name": _l("Nombre"), "last_name": _l("Apellidos"), "code": _l("Código interno"),
                 "active": _l("Activo")}


class _CatalogView(TenantModelView):
    """Catalog CRUD (CERT-CAT-1): checked by the service; delete only without history."""

    def pre_add(self, item) -> None:
        services.validate_catalog_item(session=db.session, item=item)

    def pre_update(self, item) -> None:
        services.validate_catalog_item(session=db.session, item=item)

    def pre_delete(self, item) -> None:
        services.check_deletable(session=db.session, item=item)


class OperatorCatalogView(_CatalogView):
    """Operarios; "show" is the operator's page (spec §4.5), added by OperatorView
    (inspections/views.py), the class the module registers: the page reads the operator's
    assignments and inspections, which sit above the catalogs."""

    route_base = "/certificaciones/operarios"
    datamodel = SQLAInterface(Operator)
    class_permission_name = "Operator"
    method_permission_name = {**READ_WRITE, "ficha": "read"}
    list_title = show_title = _l("Operarios")
    add_title, edit_title = _l("Nuevo operario"), _l("Editar operario")
    list_columns = ["last_name", "first_name", "code", "active"]
    add_columns = edit_columns = ["first_name", "last_name", "code", "active"]
    search_columns = ["first_name", "last_name", "code", "active"]
    base_order = ("last_name", "asc")
    label_columns = PERSON_LABELS

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        return redirect(url_for(f"{type(self).__name__}.ficha", pk=pk))


class AuditorView(_CatalogView):
    route_base = "/certificaciones/auditores"
    datamodel = SQLAInterface(Auditor)
    class_permission_name = "Auditor"
    list_title = show_title = _l("Auditores")
    add_title, edit_title = _l("Nuevo auditor"), _l("Editar auditor")
    list_columns = ["last_name", "first_name", "code", "active"]
    add_columns = edit_columns = show_columns = ["first_name", "last_name", "code", "active"]
    search_columns = ["first_name", "last_name", "code", "active"]
    base_order = ("last_name", "asc")
    label_columns = {**PERSON_LABELS}


class CertificationView(_CatalogView):
    route_base = "/certificaciones/tipos"
    datamodel = SQLAInterface(Certification)
    class_permission_name = "Certification"
    list_title = show_title = _l("Tipos de certificación")
    add_title, edit_title = _l("Nueva certificación"), _l("Editar certificación")
    list_columns = ["name", "description", "active"]
    add_columns = edit_columns = show_columns = search_columns = ["name", "description", "active"]
    base_order = ("name", "asc")
    label_columns = {"name": _l("Nombre"), "description": _l("Descripción"), "active": _l("Activa")}


class ProductAuditTypeView(_CatalogView):
    route_base = "/certificaciones/auditorias"
    datamodel = EagerSQLAInterface(ProductAuditType, selectinload(ProductAuditType.certification))
    class_permission_name = "ProductAuditType"
    list_title = show_title = _l("Tipos de auditoría de producto")
    add_title, edit_title = _l("Nuevo tipo de auditoría"), _l("Editar tipo de auditoría")
    list_columns = ["certification", "name", "description", "active"]
    add_columns = edit_columns = show_columns = search_columns = ["certification", "name", "description", "active"]
    add_form_query_rel_fields = {"certification": ACTIVE_ONLY}
    base_order = ("name", "asc")
    label_columns = {"certification": _l("Certificación"), "name": _l("Nombre"),
                     "description": _l("Descripción"), "active": _l("Activo")}


def register(appbuilder) -> None:
    """Auditors, certification types and audit types, after the operators in the module's menu."""
    appbuilder.add_view(AuditorView, "Auditores", label=_l("Auditores"), icon="fa-user-secret", category=CATEGORY)
    appbuilder.add_view(CertificationView, "Tipos de certificación", label=_l("Tipos de certificación"),
                        icon="fa-certificate", category=CATEGORY)
    appbuilder.add_view(ProductAuditTypeView, "Tipos de auditoría", label=_l("Tipos de auditoría"),
                        icon="fa-tags", category=CATEGORY)
