"""Pages of SAP material codes (MAT-001): "Crear código material" posted from the OT page
(the section packaging/materials/_code.html, filled by the template global
`packaging_material_panel(ot)`), and the Mantenedores of prefixes and suffixes (admin roles,
permission PackagingMaintenance). Thin: the rules are in services.py."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app.core.commands import run
from app.core.errors import DomainError
from app.core.pages import form_errors
from app.extensions import db
from app.packaging.catalogs.views import CATEGORY, LABELS, maintenance_view
from app.packaging.materials import services as materials
from app.packaging.materials.models import MaterialPrefix, MaterialSuffix
from app.packaging.orders import queries
from app.packaging.orders.filters import current_actor

AFFIX = ["code", "description", "active"]
AFFIX_LABELS = {**LABELS, "code": _l("Código"), "active": _l("Activo")}
VIEWS = [
    (maintenance_view(MaterialPrefix, AFFIX, add=True, title=_l("Prefijos de material"),
                      label_columns=AFFIX_LABELS),
     "Prefijos de material", _l("Prefijos de material")),
    (maintenance_view(MaterialSuffix, AFFIX, add=True, title=_l("Sufijos de material"),
                      label_columns=AFFIX_LABELS),
     "Sufijos de material", _l("Sufijos de material")),
]


def material_panel(ot) -> materials.Panel:
    """For the OT page's section: the code, or the form to create it, or why not."""
    return materials.panel(session=db.session, actor=current_actor(), ot=ot)


class PackagingMaterialView(BaseView):
    route_base = "/envases"
    class_permission_name = "PackagingWorkOrder"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {"material_code": "write"}

    @expose("/ots/<int:pk>/codigo_material", methods=["POST"])
    @has_access
    def material_code(self, pk):
        """"Crear código material" (MAT-001) from the OT page; errors beside their field (422)."""
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        payload = {k: request.form.get(k, "") for k in ("prefix_id", "suffix_id")}
        try:
            material, created = run(materials.create_code, ot=ot, data=payload)
            code = material.code
        except DomainError as exc:
            errors = form_errors(exc, payload)
            if "" in errors:
                flash(errors.pop(""), "danger")
            orders = next(v for v in current_app.appbuilder.baseviews if type(v).__name__ == "PackagingOrdersView")
            ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
            return orders._detail(ot, values=payload, errors=errors, status=exc.status)
        done = _l("Código de material %(c)s creado.", c=code) if created else \
            _l("La OT ya tenía el código de material %(c)s.", c=code)
        flash(str(done), "success" if created else "info")
        return redirect(url_for("PackagingOrdersView.detail", pk=pk))


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(PackagingMaterialView)
    current_app.add_template_global(material_panel, "packaging_material_panel")
    for view, name, label in VIEWS:
        appbuilder.add_view(view, name, label=label, icon="fa-barcode", category=CATEGORY,
                            category_label=_l("Envases"), category_icon="fa-box")
