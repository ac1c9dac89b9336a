"""Web pages of inspections (spec §4.4, §4.5): the operator's page (on the operators' catalog
view), the inspection form with dependent dropdowns, its correction (CERT-INS-5), annulment
and the CSV export. Thin: commands in services.py, read models in queries.py; every write
commits once per user action."""
from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.certification.assignments.models import CertificationAssignment
from app.certification.assignments.views import assignment_names
from app.certification.catalogs.api import active_company
from app.certification.catalogs.models import Auditor, ProductAuditType
from app.certification.catalogs.views import OperatorCatalogView
from app.certification.inspections import queries, services
from app.certification.inspections.models import RESULT_LABELS, Inspection
from app.certification.inspections.services import EDITABLE, correct_inspection
from app.core.commands import run
from app.core.errors import DomainError, NotFound
from app.core.exports import csv_response
from app.core.localization import company_today
from app.core.localization import format_date as fmt
from app.core.pages import FORM_FAILURES, form_errors
from app.core.security import READ_WRITE
from app.core.views import EagerSQLAInterface, TenantModelView
from app.extensions import db

CATEGORY = "Certificaciones"  # the module's menu, opened here by OperatorView


def _json_or_error(query, **kwargs):
    """A query's answer for the form's script, or its refusal as JSON {message, field}."""
    try:
        found = query(session=db.session, today=company_today(active_company()), **kwargs)
    except DomainError as exc:
        return jsonify(exc.to_dict()), exc.status
    return jsonify(assignments=found) if isinstance(found, list) else jsonify(found)


class OperatorView(OperatorCatalogView):
    """Operarios (catalogs/views.py) with the operator's page (spec §4.5)."""

    @expose("/ficha/<int:pk>")
    @has_access
    def ficha(self, pk):
        """Active and expired certifications, open period with progress, history, inspections."""
        operator, assignments = queries.operator_overview(session=db.session, company=active_company(), operator=pk,
                                                       today=company_today(active_company()))
        return self.render_template(
            "certification/inspections/operator_detail.html", operator=operator, assignments=assignments,
            result_labels=RESULT_LABELS, fmt=fmt, today=company_today(active_company()),
            annul_required=services.ANNUL_REQUIRED,
        )


class InspectionView(TenantModelView):
    """Inspecciones: list, CSV, the registration form (spec §4.4) and annulment; never edited
    or deleted."""

    route_base = "/certificaciones/inspecciones"
    datamodel = EagerSQLAInterface(
        Inspection, assignment_names(Inspection.assignment), selectinload(Inspection.audit_type),
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
                inspection = run(services.register_inspection, **{name: values[name] for name in self.FORM_FIELDS})
            except FORM_FAILURES as exc:
                errors = form_errors(exc, values)
            else:
                flash(queries.inspection_message(inspection, _l("Inspección del %(date)s de %(operator)s registrada.")), "success")
                return redirect(url_for("OperatorView.ficha", pk=inspection.assignment.operator_id))
        operators, auditors = queries.form_choices(session=db.session, today=company_today(active_company()))
        return self.render_template(
            "certification/inspections/inspection_form.html", operators=operators, auditors=auditors, values=values,
            errors=errors, results=RESULT_LABELS, required=services.INSPECTION_REQUIRED,
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
            inspection = run(services.annul_inspection, inspection=pk, reason=request.form.get("reason", ""))
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
            ([i.id, fmt(i.date), i.assignment.operator.full_name, i.assignment.operator.code or "",
              i.assignment.certification.name, i.period.number, i.audit_type.name, i.auditor.full_name, i.pieces,
              RESULT_LABELS[i.result], i.observations, "Sí" if i.annulled else "No", i.annul_reason or ""]
             for i in rows),
        )


def correction_page(view, pk: int):
    inspection = db.session.scalar(select(Inspection).where(Inspection.id == pk))
    if inspection is None:
        raise NotFound("No existe esa inspección en la empresa activa.")
    values = {"date": inspection.date.isoformat(), "audit_type": inspection.audit_type_id,
              "auditor": inspection.auditor_id, "pieces": inspection.pieces, "result": inspection.result,
              "observations": inspection.observations or ""}
    errors = {}
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in EDITABLE}
        try:
            run(correct_inspection, inspection=pk, **values)
        except FORM_FAILURES as exc:
            errors = form_errors(exc, values)
        else:
            inspection = db.session.get(Inspection, pk)
            flash(queries.inspection_message(inspection, _l("Inspección del %(date)s de %(operator)s corregida.")), "success")
            return redirect(url_for("OperatorView.ficha", pk=inspection.assignment.operator_id))
        inspection = db.session.scalar(select(Inspection).where(Inspection.id == pk))
    audit_types = db.session.scalars(select(ProductAuditType).where(
        ProductAuditType.certification_id == inspection.assignment.certification_id).order_by(ProductAuditType.name))
    auditors = db.session.scalars(select(Auditor).where(
        (Auditor.active.is_(True)) | (Auditor.id == inspection.auditor_id)).order_by(Auditor.last_name))
    return view.render_template(
        "certification/inspections/inspection_correct.html", inspection=inspection, values=values, errors=errors,
        audit_types=list(audit_types), auditors=list(auditors), results=RESULT_LABELS,
        required=services.CORRECTION_REQUIRED,
    ), (422 if errors else 200)


def register_operators(appbuilder) -> None:
    """The module's menu, opened by the operators (permission names are the entities:
    seed/roles/*.yaml, CERT_USUARIO)."""
    appbuilder.add_view(
        OperatorView, "Operarios", label=_l("Operarios"), icon="fa-user", category=CATEGORY,
        category_label=_l("Certificaciones"), category_icon="fa-certificate",
    )


def register(appbuilder) -> None:
    """Inspections and the registration form, after the assignments in the module's menu."""
    appbuilder.add_view(InspectionView, "Inspecciones", label=_l("Inspecciones"), icon="fa-check-square-o",
                        category=CATEGORY)
    appbuilder.add_link("Registrar inspección", href="/certificaciones/inspecciones/registrar", label=_l("Registrar inspección"),
                        icon="fa-plus", category=CATEGORY)
