"""The rules table's page (CERT-CFG-1), Admin only, the last of the module's menu."""
from __future__ import annotations

from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l

from app.certification.rules import services
from app.certification.rules.models import CertificationRules
from app.core.identity import current_user
from app.core.security import READ_WRITE
from app.core.views import EagerSQLAInterface
from app.extensions import db

CATEGORY = "Certificaciones"  # the module's menu, opened by inspections/views.py's OperatorView


class RulesView(ModelView):
    """Reglas (CERT-CFG-1): Admin adds a new row, which becomes the active one; rows are never
    edited or deleted, so the table is its own history."""

    route_base = "/certificaciones/reglas"
    datamodel = EagerSQLAInterface(CertificationRules, joined=["created_by"])
    class_permission_name = "CertificationRules"
    method_permission_name = READ_WRITE
    include_route_methods = {"list", "show", "add"}
    list_title = show_title = _l("Reglas de los periodos")
    add_title = _l("Nuevas reglas")
    list_columns = ["required_workdays", "required_inspections", "active", "created_at", "created_by"]
    show_columns = list_columns
    add_columns = ["required_workdays", "required_inspections"]
    base_order = ("created_at", "desc")
    label_columns = {
        "required_workdays": _l("Días laborables por periodo"), "required_inspections": _l("Inspecciones por periodo"),
        "active": _l("Activa"), "created_at": _l("Vigentes desde"), "created_by": _l("Por"),
    }

    def pre_add(self, item) -> None:
        services.activate_rules(session=db.session, user=current_user(), rules=item)

    def post_add(self, item) -> None:
        # FAB flashes datamodel.message right after post_add (issue 9, item 8)
        self.datamodel.message = (str(_l("Reglas activadas: %(rules)s.")) % {"rules": item}, "success")


def register(appbuilder) -> None:
    appbuilder.add_view(RulesView, "Reglas", label=_l("Reglas"), icon="fa-sliders", category=CATEGORY)
