"""Web pages of assignments and their periods (spec §4.3, §4.5): the assignment form (which
creates period 1), the periods, the "en riesgo" list and its CSV. Thin: commands in
services.py, read models in queries.py; every write commits once per user action."""
from __future__ import annotations

from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.certification.assignments import queries, services
from app.certification.assignments.models import (
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.catalogs.api import active_company
from app.certification.catalogs.filters import ACTIVE_ONLY
from app.certification.catalogs.models import FIELD_LABELS
from app.core import validation as v
from app.core.exports import csv_response
from app.core.identity import current_user
from app.core.localization import company_today
from app.core.localization import format_date as fmt
from app.core.security import READ_WRITE
from app.core.views import EagerSQLAInterface, TenantModelView
from app.extensions import db

CATEGORY = "Certificaciones"  # the module's menu, opened by inspections/views.py's OperatorView


def assignment_names(relationship):
    return selectinload(relationship).options(
        selectinload(CertificationAssignment.operator), selectinload(CertificationAssignment.certification)
    )


class AssignmentView(TenantModelView):
    """Asignaciones (spec §4.3): saving creates the assignment and its period 1; only the
    observations are edited afterwards; never deleted."""

    route_base = "/certificaciones/asignaciones"
    datamodel = EagerSQLAInterface(
        CertificationAssignment, selectinload(CertificationAssignment.operator),
        selectinload(CertificationAssignment.certification),
    )
    class_permission_name = "CertificationAssignment"
    include_route_methods = {"list", "show", "add", "edit"}
    list_title = show_title = _l("Asignaciones de certificaciones")
    add_title, edit_title = _l("Asignar certificación"), _l("Editar observaciones")
    list_columns = ["operator", "certification", "assigned_on", "status_label"]
    show_columns = ["operator", "certification", "assigned_on", "status_label", "observations"]
    add_columns = ["operator", "certification", "assigned_on", "observations"]
    edit_columns = ["observations"]
    search_columns = ["operator", "certification", "assigned_on", "active", "expired_on"]
    add_form_query_rel_fields = {"operator": ACTIVE_ONLY, "certification": ACTIVE_ONLY}
    base_order = ("assigned_on", "desc")
    label_columns = {
        "operator": _l("Operario"), "certification": _l("Certificación"), "assigned_on": _l("Fecha de asignación"),
        "observations": _l("Observaciones"), "active": _l("Activa"), "expired_on": _l("Fecha de caducidad"),
        "status_label": _l("Estado"),
    }

    def pre_add(self, item) -> None:
        services.start_assignment(session=db.session, user=current_user(), company=active_company(), assignment=item,
                                  today=company_today(active_company()))

    def pre_update(self, item) -> None:
        item.observations = v.text(item.observations, "observations", FIELD_LABELS["observations"], column=CertificationAssignment.observations)


class ValidationPeriodView(TenantModelView):
    """Periodos (read-only) and the "en riesgo" list with its CSV."""

    route_base = "/certificaciones/periodos"
    datamodel = EagerSQLAInterface(ValidationPeriod, assignment_names(ValidationPeriod.assignment))
    class_permission_name = "ValidationPeriod"
    method_permission_name = {**READ_WRITE, "at_risk": "read", "at_risk_csv": "read"}
    include_route_methods = {"list", "show", "at_risk", "at_risk_csv"}
    list_title = show_title = _l("Periodos de validación")
    list_columns = ["assignment", "number", "start", "end", "done", "required_inspections", "status_label",
                    "completed_on"]
    show_columns = list_columns + ["required_workdays"]
    search_columns = ["assignment", "number", "start", "end", "status", "completed_on"]
    base_order = ("end", "asc")
    label_columns = {
        "assignment": _l("Asignación"), "number": _l("Nº"), "start": _l("Inicio"), "end": _l("Fin"),
        "done": _l("Realizadas"), "required_inspections": _l("Requeridas"), "status": _l("Estado"),
        "status_label": _l("Estado"), "completed_on": _l("Completado el"),
        "required_workdays": _l("Días laborables"),
    }

    @expose("/en-riesgo")
    @has_access
    def at_risk(self):
        rows = queries.at_risk(session=db.session, company=active_company(), today=company_today(active_company()))
        return self.render_template("certification/assignments/at_risk.html", rows=rows, fmt=fmt)

    @expose("/en-riesgo.csv")
    @has_access
    def at_risk_csv(self):
        rows = queries.at_risk(session=db.session, company=active_company(), today=company_today(active_company()))
        return csv_response(
            "en_riesgo.csv",
            ["Operario", "Código", "Certificación", "Periodo", "Inicio", "Fin", "Realizadas", "Requeridas",
             "Faltan", "Días laborables restantes"],
            ([r.operator.full_name, r.operator.code or "", r.certification.name, r.period.number,
              fmt(r.period.start), fmt(r.period.end), r.period.done,
              r.period.required_inspections, r.missing, r.workdays_left] for r in rows),
        )


def register(appbuilder) -> None:
    """Assignments, after the catalogs in the module's menu."""
    appbuilder.add_view(AssignmentView, "Asignaciones", label=_l("Asignaciones"), icon="fa-link", category=CATEGORY)


def register_periods(appbuilder) -> None:
    """Periods and "en riesgo", after the inspections in the module's menu."""
    appbuilder.add_view(ValidationPeriodView, "Periodos", label=_l("Periodos"), icon="fa-calendar", category=CATEGORY)
    appbuilder.add_link("En riesgo", href="/certificaciones/periodos/en-riesgo", label=_l("En riesgo"),
                        icon="fa-exclamation-triangle", category=CATEGORY)
