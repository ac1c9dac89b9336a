"""REST resource of the period rules (issue 9, item 18; CERT-CFG-1): /api/v1/certification_rule.
Whoever has the module reads; Admin writes, by adding a row that becomes the active one (rows
are never edited or deleted: the table is its own history)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.certification.rules import services
from app.certification.rules.models import CertificationRules
from app.core.api import TenantModelRestApi
from app.core.identity import current_user
from app.extensions import db


class CertificationRuleApi(TenantModelRestApi):
    resource_name = "certification_rule"
    class_permission_name = "CertificationRules"
    datamodel = SQLAInterface(CertificationRules)
    include_route_methods = {"get", "get_list", "info", "post"}
    list_columns = show_columns = ["id", "required_workdays", "required_inspections", "active", "created_at",
                                   "created_by.first_name", "created_by.last_name"]
    add_columns = ["required_workdays", "required_inspections"]
    order_columns = ["created_at"]
    base_order = ("created_at", "desc")
    label_columns = {"required_workdays": "Días laborables por periodo",
                     "required_inspections": "Inspecciones por periodo", "active": "Activa",
                     "created_at": "Vigentes desde"}

    def pre_add(self, item) -> None:
        services.activate_rules(session=db.session, user=current_user(), rules=item)
