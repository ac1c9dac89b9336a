"""The page that corrects an inspection (issue 9 #13, CERT-INS-5), served by InspectionView:
the form starts from the inspection; a refusal comes back with what was typed and each
error beside its field."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.certification import queries
from app.certification.api import active_company
from app.certification.corrections import EDITABLE, correct_inspection
from app.certification.models import (
    RESULT_LABELS,
    Auditor,
    Inspection,
    ProductAuditType,
)
from app.core.errors import NotFound
from app.core.identity import current_user
from app.core.localization import company_today
from app.core.pages import FORM_FAILURES, form_errors
from app.extensions import db


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
            correct_inspection(session=db.session, user=current_user(), company=active_company(),
                               today=company_today(active_company()), inspection=pk, **values)
            db.session.commit()
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
        "certification/inspection_correct.html", inspection=inspection, values=values, errors=errors,
        audit_types=list(audit_types), auditors=list(auditors), results=RESULT_LABELS,
    ), (422 if errors else 200)
