"""Web pages of operator certifications (spec §4): catalogs, assignments, the inspection form
with dependent dropdowns, the operator's page, the "en riesgo" list, CSV exports and the rules
table. Thin: commands in services.py, read models in queries.py, row rules in filters.py;
every write commits once per user action."""
from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.certification import queries, services
from app.certification.api import active_company
from app.certification.correction_page import correction_page
from app.certification.filters import ACTIVE_ONLY
from app.certification.models import (
    FIELD_LABELS,
    RESULT_LABELS,
    Auditor,
    Certification,
    CertificationAssignment,
    CertificationRules,
    Inspection,
    Operator,
    ProductAuditType,
    ValidationPeriod,
)
from app.core import validation as v
from app.core.errors import DomainError, NotFound
from app.core.exports import csv_response
from app.core.identity import current_user
from app.core.localization import company_today
from app.core.pages import FORM_FAILURES, form_errors
from app.core.security import READ_WRITE
from app.core.views import EagerSQLAInterface, TenantModelView
from app.extensions import db

CATEGORY = "Certificaciones"
PERSON_LABELS = {"first_name": _l("Nombre"), "last_name": _l("Apellidos"), "code": _l("Código interno"),
                 "active": _l("Activo")}


def _assignment_names(relationship):
    return selectinload(relationship).options(
        selectinload(CertificationAssignment.operator), selectinload(CertificationAssignment.certification)
    )


def _json_or_error(query, **kwargs):
    """A query's answer for the form's script, or its refusal as JSON {message, field}."""
    try:
        found = query(session=db.session, today=company_today(active_company()), **kwargs)
    except DomainError as exc:
        return jsonify(exc.to_dict()), exc.status
    return jsonify(assignments=found) if isinstance(found, list) else jsonify(found)


class _CatalogView(TenantModelView):
    """Catalog CRUD (CERT-CAT-1): checked by the service; delete only without history."""

    def pre_add(self, item) -> None:
        services.validate_catalog_item(session=db.session, item=item)

    def pre_update(self, item) -> None:
        services.validate_catalog_item(session=db.session, item=item)

    def pre_delete(self, item) -> None:
        services.check_deletable(session=db.session, item=item)


class OperatorView(_CatalogView):
    """Operarios; "show" is the operator's page (spec §4.5)."""

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

    @expose("/ficha/<int:pk>")
    @has_access
    def ficha(self, pk):
        """Active and expired certifications, open period with progress, history, inspections."""
        operator, assignments = queries.operator_overview(session=db.session, company=active_company(), operator=pk,
                                                       today=company_today(active_company()))
        return self.render_template(
            "certification/operator_detail.html", operator=operator, assignments=assignments,
            result_labels=RESULT_LABELS, fmt=queries.fmt, today=company_today(active_company()),
        )


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
    datamodel = EagerSQLAInterface(ValidationPeriod, _assignment_names(ValidationPeriod.assignment))
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
        return self.render_template("certification/at_risk.html", rows=rows, fmt=queries.fmt)

    @expose("/en-riesgo.csv")
    @has_access
    def at_risk_csv(self):
        rows = queries.at_risk(session=db.session, company=active_company(), today=company_today(active_company()))
        return csv_response(
            "en_riesgo.csv",
            ["Operario", "Código", "Certificación", "Periodo", "Inicio", "Fin", "Realizadas", "Requeridas",
             "Faltan", "Días laborables restantes"],
            ([r.operator.full_name, r.operator.code or "", r.certification.name, r.period.number,
              queries.fmt(r.period.start), queries.fmt(r.period.end), r.period.done,
              r.period.required_inspections, r.missing, r.workdays_left] for r in rows),
        )


class InspectionView(TenantModelView):
    """Inspecciones: list, CSV, the registration form (spec §4.4) and annulment; never edited
    or deleted."""

    route_base = "/certificaciones/inspecciones"
    datamodel = EagerSQLAInterface(
        Inspection, _assignment_names(Inspection.assignment), selectinload(Inspection.audit_type),
        selectinload(Inspection.auditor),
    )
    class_permission_name = "Inspection"
    method_permission_name = {**READ_WRITE, "register": "write", "annul": "write", "correct": "write", "csv": "read",
                              "assignment_options": "read", "period_options": "read"}
    include_route_methods = {"list", "show", "register", "annul", "correct", "csv", "assignment_options",
                             "period_options"}
    list_title = show_title = _l("Inspecciones de producto")
    list_columns = ["date", "assignment", "audit_type", "auditor", "pieces", "result", "annulled"]
    show_columns = list_columns + ["period", "observations", "annul_reason", "annulled_at", "created_at"]
    search_columns = ["date", "assignment", "audit_type", "auditor", "result", "annulled"]
    base_order = ("date", "desc")
    formatters_columns = {"result": lambda code: RESULT_LABELS.get(code, code)}
    label_columns = {
        "date": _l("Fecha"), "assignment": _l("Operario · certificación"), "audit_type": _l("Tipo de auditoría"),
        "auditor": _l("Auditor"), "pieces": _l("Piezas"), "result": _l("Resultado"), "annulled": _l("Anulada"),
        "period": _l("Periodo"), "observations": _l("Observaciones"), "annul_reason": _l("Motivo de anulación"),
        "annulled_at": _l("Anulada el"), "created_at": _l("Registrada el"),
    }

    FORM_FIELDS = ("assignment", "audit_type", "auditor", "date", "pieces", "result", "observations")

    @expose("/registrar", methods=["GET", "POST"])
    @has_access
    def register(self):
        """The spec's §4.4 form: operator -> active certification -> open period -> audit type ->
        auditor -> date, pieces, result, observations; validated and saved by the service."""
        values = {"date": company_today(active_company()).isoformat(), "result": "OK", "pieces": "1"}
        errors = {}
        if request.method == "POST":
            values = {name: request.form.get(name, "") for name in ("operator", *self.FORM_FIELDS)}
            try:
                inspection = services.register_inspection(
                    session=db.session, user=current_user(), company=active_company(), today=company_today(active_company()),
                    **{name: values[name] for name in self.FORM_FIELDS},
                )
                db.session.commit()
            except FORM_FAILURES as exc:
                errors = form_errors(exc, values)
            else:
                flash(queries.inspection_message(inspection, _l("Inspección del %(date)s de %(operator)s registrada.")), "success")
                return redirect(url_for("OperatorView.ficha", pk=inspection.assignment.operator_id))
        operators, auditors = queries.form_choices(session=db.session, today=company_today(active_company()))
        return self.render_template(
            "certification/inspection_form.html", operators=operators, auditors=auditors, values=values,
            errors=errors, results=RESULT_LABELS,
        ), (422 if errors else 200)

    @expose("/opciones/asignaciones")
    @has_access
    def assignment_options(self):
        """JSON for the form: the operator's active certifications."""
        return _json_or_error(queries.active_assignments, operator=request.args.get("operator"))

    @expose("/opciones/periodo")
    @has_access
    def period_options(self):
        """JSON for the form: the open period of an assignment and its certification's audit types."""
        return _json_or_error(queries.open_period_info, company=active_company(),
                              assignment=request.args.get("assignment"))

    @expose("/<int:pk>/corregir", methods=["GET", "POST"])
    @has_access
    def correct(self, pk):
        """CERT-INS-5 (issue 9 #13): correct an inspection of the open period; the same rules
        as the registration; refused once the period is completed or lapsed."""
        return correction_page(self, pk)

    @expose("/<int:pk>/anular", methods=["POST"])
    @has_access
    def annul(self, pk):
        """CERT-INS-4 from the operator's page: annul with a reason."""
        try:
            inspection = services.annul_inspection(
                session=db.session, user=current_user(), company=active_company(), inspection=pk,
                reason=request.form.get("reason", ""), today=company_today(active_company()),
            )
            db.session.commit()
        except FORM_FAILURES as exc:
            for message in form_errors(exc, request.form).values():  # the form is on the operator's page
                flash(message, "danger")
            inspection = db.session.scalar(select(Inspection).where(Inspection.id == pk))
            if inspection is None:
                raise NotFound("No existe esa inspección en la empresa activa.") from None
        else:
            flash(queries.inspection_message(inspection, _l("Inspección del %(date)s de %(operator)s anulada.")), "success")
        return redirect(url_for("OperatorView.ficha", pk=inspection.assignment.operator_id))

    @expose("/inspecciones.csv")
    @has_access
    def csv(self):
        """Every inspection of the company (annulled ones marked), newest first."""
        rows = db.session.scalars(
            select(Inspection).order_by(Inspection.date.desc(), Inspection.id.desc()).options(
                joinedload(Inspection.assignment).joinedload(CertificationAssignment.operator),
                joinedload(Inspection.assignment).joinedload(CertificationAssignment.certification),
                joinedload(Inspection.audit_type), joinedload(Inspection.auditor), joinedload(Inspection.period),
            )
        ).unique()
        return csv_response(
            "inspecciones.csv",
            ["Id", "Fecha", "Operario", "Código operario", "Certificación", "Periodo", "Tipo de auditoría",
             "Auditor", "Piezas", "Resultado", "Observaciones", "Anulada", "Motivo de anulación"],
            ([i.id, queries.fmt(i.date), i.assignment.operator.full_name, i.assignment.operator.code or "",
              i.assignment.certification.name, i.period.number, i.audit_type.name, i.auditor.full_name, i.pieces,
              RESULT_LABELS[i.result], i.observations, "Sí" if i.annulled else "No", i.annul_reason or ""]
             for i in rows),
        )


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


def register_views(appbuilder) -> None:
    """One menu category; permission names are the entities (seed/roles/*.yaml: CERT_USUARIO)."""
    appbuilder.add_view(
        OperatorView, "Operarios", label=_l("Operarios"), icon="fa-user", category=CATEGORY,
        category_label=_l("Certificaciones"), category_icon="fa-certificate",
    )
    appbuilder.add_view(AuditorView, "Auditores", label=_l("Auditores"), icon="fa-user-secret", category=CATEGORY)
    appbuilder.add_view(CertificationView, "Tipos de certificación", label=_l("Tipos de certificación"),
                        icon="fa-certificate", category=CATEGORY)
    appbuilder.add_view(ProductAuditTypeView, "Tipos de auditoría", label=_l("Tipos de auditoría"),
                        icon="fa-tags", category=CATEGORY)
    appbuilder.add_view(AssignmentView, "Asignaciones", label=_l("Asignaciones"), icon="fa-link", category=CATEGORY)
    appbuilder.add_view(InspectionView, "Inspecciones", label=_l("Inspecciones"), icon="fa-check-square-o",
                        category=CATEGORY)
    appbuilder.add_link("Registrar inspección", href="/certificaciones/inspecciones/registrar", label=_l("Registrar inspección"),
                        icon="fa-plus", category=CATEGORY)
    appbuilder.add_view(ValidationPeriodView, "Periodos", label=_l("Periodos"), icon="fa-calendar", category=CATEGORY)
    appbuilder.add_link("En riesgo", href="/certificaciones/periodos/en-riesgo", label=_l("En riesgo"),
                        icon="fa-exclamation-triangle", category=CATEGORY)
    appbuilder.add_view(RulesView, "Reglas", label=_l("Reglas"), icon="fa-sliders", category=CATEGORY)
