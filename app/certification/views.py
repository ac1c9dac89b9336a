"""Web pages of operator certifications (spec §4): catalogs, assignments, the inspection form
with dependent dropdowns, the operator's page, the "en riesgo" list, CSV exports and the rules
table. Thin: every rule is in services.py, every write commits once per user action."""
from __future__ import annotations

import csv
import io

from flask import Response, flash, jsonify, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.certification import services
from app.certification.models import (
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
from app.core.errors import DomainError
from app.core.localization import company_today
from app.core.security import READ_WRITE, current_user
from app.core.tenancy import Company, current_company_id
from app.core.views import TenantModelView
from app.extensions import db

CATEGORY = "Certificaciones"
ACTIVE_ONLY = [["active", FilterEqual, "y"]]  # FAB reads booleans as "y"
PERSON_LABELS = {"first_name": _l("Nombre"), "last_name": _l("Apellidos"), "code": _l("Código interno"),
                 "active": _l("Activo")}


class EagerInterface(SQLAInterface):
    """SQLAInterface whose list queries load the related rows they show up front (a constant
    number of queries however many rows the page has)."""

    def __init__(self, obj, *options):
        super().__init__(obj)
        self.load_options = options

    def apply_all(self, query, *args, **kwargs):
        return super().apply_all(query, *args, **kwargs).options(*self.load_options)


def _assignment_names(relationship):
    return selectinload(relationship).options(
        selectinload(CertificationAssignment.operator), selectinload(CertificationAssignment.certification)
    )


def active_company() -> Company:
    return db.session.get(Company, current_company_id())


def csv_response(filename: str, header: list[str], rows) -> Response:
    """A CSV for spreadsheets in Spanish locales: UTF-8 with BOM, ';' separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        "\ufeff" + buffer.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
        operator, assignments = services.operator_overview(session=db.session, company=active_company(), operator=pk)
        return self.render_template(
            "certification/operator_detail.html", operator=operator, assignments=assignments,
            result_labels=RESULT_LABELS, fmt=services.fmt, today=company_today(active_company()),
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
    datamodel = EagerInterface(ProductAuditType, selectinload(ProductAuditType.certification))
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
    datamodel = EagerInterface(
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
        services.start_assignment(session=db.session, user=current_user(), company=active_company(), assignment=item)

    def pre_update(self, item) -> None:
        item.observations = services.as_text(item.observations, "observations")


class ValidationPeriodView(TenantModelView):
    """Periodos (read-only) and the "en riesgo" list with its CSV."""

    route_base = "/certificaciones/periodos"
    datamodel = EagerInterface(ValidationPeriod, _assignment_names(ValidationPeriod.assignment))
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
        rows = services.at_risk(session=db.session, company=active_company())
        return self.render_template("certification/at_risk.html", rows=rows, fmt=services.fmt)

    @expose("/en-riesgo.csv")
    @has_access
    def at_risk_csv(self):
        rows = services.at_risk(session=db.session, company=active_company())
        return csv_response(
            "en_riesgo.csv",
            ["Operario", "Código", "Certificación", "Periodo", "Inicio", "Fin", "Realizadas", "Requeridas",
             "Faltan", "Días laborables restantes"],
            ([r.operator.full_name, r.operator.code or "", r.certification.name, r.period.number,
              services.fmt(r.period.start), services.fmt(r.period.end), r.period.done,
              r.period.required_inspections, r.missing, r.workdays_left] for r in rows),
        )


class InspectionView(TenantModelView):
    """Inspecciones: list, CSV, the registration form (spec §4.4) and annulment; never edited
    or deleted."""

    route_base = "/certificaciones/inspecciones"
    datamodel = EagerInterface(
        Inspection, _assignment_names(Inspection.assignment), selectinload(Inspection.audit_type),
        selectinload(Inspection.auditor),
    )
    class_permission_name = "Inspection"
    method_permission_name = {**READ_WRITE, "register": "write", "annul": "write", "csv": "read",
                              "assignment_options": "read", "period_options": "read"}
    include_route_methods = {"list", "show", "register", "annul", "csv", "assignment_options", "period_options"}
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
        error = None
        if request.method == "POST":
            values = {name: request.form.get(name, "") for name in ("operator", *self.FORM_FIELDS)}
            try:
                inspection = services.register_inspection(
                    session=db.session, user=current_user(), company=active_company(),
                    **{name: values[name] for name in self.FORM_FIELDS},
                )
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                error = exc
            else:
                flash(f"Inspección registrada ({services.fmt(inspection.date)}).", "success")
                return redirect(url_for("OperatorView.ficha", pk=inspection.assignment.operator_id))
        operators = db.session.scalars(
            select(Operator).where(Operator.active.is_(True)).order_by(Operator.last_name, Operator.first_name)
        ).all()
        auditors = db.session.scalars(
            select(Auditor).where(Auditor.active.is_(True)).order_by(Auditor.last_name, Auditor.first_name)
        ).all()
        return self.render_template(
            "certification/inspection_form.html", operators=operators, auditors=auditors, values=values,
            error=error, results=RESULT_LABELS,
        ), (422 if error else 200)

    @expose("/opciones/asignaciones")
    @has_access
    def assignment_options(self):
        """JSON for the form: the operator's active certifications."""
        try:
            return jsonify(assignments=services.active_assignments(
                session=db.session, operator=request.args.get("operator")))
        except DomainError as exc:
            return jsonify(exc.to_dict()), exc.status

    @expose("/opciones/periodo")
    @has_access
    def period_options(self):
        """JSON for the form: the open period of an assignment and its certification's audit types."""
        try:
            return jsonify(services.open_period_info(
                session=db.session, company=active_company(), assignment=request.args.get("assignment")))
        except DomainError as exc:
            return jsonify(exc.to_dict()), exc.status

    @expose("/<int:pk>/anular", methods=["POST"])
    @has_access
    def annul(self, pk):
        """CERT-INS-4 from the operator's page: annul with a reason."""
        try:
            inspection = services.annul_inspection(
                session=db.session, user=current_user(), company=active_company(), inspection=pk,
                reason=request.form.get("reason", ""),
            )
            db.session.commit()
            flash(f"Inspección {inspection.id} anulada.", "success")
            operator_id = inspection.assignment.operator_id
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            found = db.session.scalar(select(Inspection).where(Inspection.id == pk))
            if found is None:
                raise
            operator_id = found.assignment.operator_id
        return redirect(url_for("OperatorView.ficha", pk=operator_id))

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
            ([i.id, services.fmt(i.date), i.assignment.operator.full_name, i.assignment.operator.code or "",
              i.assignment.certification.name, i.period.number, i.audit_type.name, i.auditor.full_name, i.pieces,
              RESULT_LABELS[i.result], i.observations, "Sí" if i.annulled else "No", i.annul_reason or ""]
             for i in rows),
        )


class RulesView(ModelView):
    """Reglas (CERT-CFG-1): Admin adds a new row, which becomes the active one; rows are never
    edited or deleted, so the table is its own history."""

    route_base = "/certificaciones/reglas"
    datamodel = SQLAInterface(CertificationRules)
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


def register_views(appbuilder) -> None:
    """One menu category; permission names are the entities (seed/roles.yaml: CERT_USUARIO)."""
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
