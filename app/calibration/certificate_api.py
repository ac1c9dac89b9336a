"""Certificate endpoints and the certificate settings screen (issue 10, REST API):

- GET /api/v1/calibration_order/<pk>/certificate: the current PDF (a client: the latest
  shared one); GET /api/v1/calibration_order/<pk>/certificate/<number>: one of them (a
  superseded certificate stays downloadable); GET .../certificates: all, with their status.
- /calibracion/ajustes-certificados: lab name, address, accreditation number, certificate
  contacts and decision rule (Admin and CAL_SUPERVISOR).
An order of another company, or one the user does not see, is a 404."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi
from flask_babel import lazy_gettext as _l
from flask_login import current_user as login_user
from sqlalchemy import select

from app.calibration import certificates
from app.calibration.certificate_models import (
    SETTINGS_LABELS,
    Certificate,
)
from app.calibration.filters import visibility_clause
from app.calibration.models import CalibrationOrder
from app.calibration.verification import VerificationView
from app.core.api import api_endpoint
from app.core.downloads import download_response
from app.core.errors import DomainError, NotFound
from app.core.identity import current_user, role_names
from app.core.pages import form_errors
from app.core.storage import get_storage
from app.core.tenancy import active_company
from app.extensions import db

SETTINGS_ROLES = {"Admin", "CAL_SUPERVISOR"}


def visible_order(session, pk: int, user) -> CalibrationOrder:
    """The order if the user sees it in the active company (cal-core's row rules), else 404."""
    order = session.scalar(select(CalibrationOrder).where(CalibrationOrder.id == pk, visibility_clause(user)))
    if order is None:
        raise NotFound(str(_l("No existe ese registro en la empresa activa.")))
    return order


def certificate_json(cert: Certificate) -> dict:
    later = cert.replaced_by
    return {
        "id": cert.id, "number": cert.number, "issued_on": cert.issued_on.isoformat(),
        "status": cert.status, "status_label": cert.status_label,
        "replaces": cert.replaces.number if cert.replaces else None,
        "replaced_by": later.number if later else None, "amendment_reason": cert.amendment_reason,
        "shared": cert.shared_at is not None, "shared_at": cert.shared_at.isoformat() if cert.shared_at else None,
        "sha256": cert.sha256, "size": cert.size, "verification_code": cert.verification_code,
    }


def pdf_response(cert: Certificate) -> Response:
    data = get_storage().open(cert.company_id, cert.storage_key)
    response = download_response(data, filename=cert.filename, mimetype="application/pdf")
    response.headers["X-Certificate-Status"] = cert.status
    response.headers["X-Content-SHA256"] = cert.sha256
    if cert.replaced_by is not None:
        response.headers["X-Superseded-By"] = cert.replaced_by.number
    response.headers["Cache-Control"] = "private, no-store"
    return response


class CertificateApi(BaseApi):
    """Certificates of an order, under the order's resource and permission."""

    resource_name = "calibration_order"
    class_permission_name = "CalibrationOrder"
    method_permission_name = {"certificate": "read", "certificate_by_number": "read", "certificates": "read"}
    allow_browser_login = True  # the order page links the PDF (GET only)

    def _guarded(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            return self.response(exc.status, **exc.to_dict())

    def _visible(self, pk: int) -> list[Certificate]:
        user = current_user()
        order = visible_order(db.session, pk, user)
        return certificates.visible_to(db.session, order, user)

    @api_endpoint("/<int:pk>/certificate", methods=["GET"])
    def certificate(self, pk):
        """The order's current certificate (PDF)
        ---
        get:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: 'The PDF', content: {application/pdf: {}}}
            404: {$ref: '#/components/responses/404'}
        """
        items = self._visible(pk)
        if not items:
            raise NotFound(str(_l("La orden aún no tiene un certificado disponible.")))
        return pdf_response(items[-1])

    @api_endpoint("/<int:pk>/certificate/<number>", methods=["GET"])
    def certificate_by_number(self, pk, number):
        """One certificate of the order by its number (PDF), superseded ones included
        ---
        get:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          - {in: path, name: number, schema: {type: string}}
          responses:
            200: {description: 'The PDF', content: {application/pdf: {}}}
            404: {$ref: '#/components/responses/404'}
        """
        for cert in self._visible(pk):
            if cert.number == number:
                return pdf_response(cert)
        raise NotFound(str(_l("No existe ese certificado en la orden.")))

    @api_endpoint("/<int:pk>/certificates", methods=["GET"])
    def certificates(self, pk):
        """Every certificate of the order with its status (valid / superseded)
        ---
        get:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: '{"result": [{"number", "status", "replaced_by", ...}]}'}
            404: {$ref: '#/components/responses/404'}
        """
        return self.response(200, result=[certificate_json(c) for c in self._visible(pk)])


class CertificateSettingsView(BaseView):
    """The company's certificate settings (Admin and CAL_SUPERVISOR of the active company)."""

    route_base = "/calibracion/ajustes-certificados"
    default_view = "edit"
    FIELDS = ("lab_name", "lab_address", "accreditation_number", "certificate_contacts", "decision_rule")

    @expose("/", methods=["GET", "POST"])
    def edit(self):
        if not login_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login_with(request.full_path))
        if not role_names(login_user) & SETTINGS_ROLES:
            abort(403)
        company = active_company(db.session)
        if company is None:
            abort(403)
        settings = certificates.settings_of(db.session, company.id)
        values = {name: getattr(settings, name) or "" for name in self.FIELDS}
        errors, status = {}, 200
        if request.method == "POST":
            values = {name: request.form.get(name, "") for name in self.FIELDS}
            try:
                certificates.save_settings(db.session, company=company, user=current_user(), values=values)
                db.session.commit()
            except DomainError as exc:
                errors, status = form_errors(exc, values), 422
            else:
                flash(str(_l("Ajustes de certificados guardados.")), "success")
                return redirect(url_for("CertificateSettingsView.edit"))
        return render_template("calibration/certificate_settings.html", values=values, errors=errors,
                               labels=SETTINGS_LABELS, company=company, appbuilder=self.appbuilder,
                               default_rule=certificates.DEFAULT_DECISION_RULE), status


def register_pages(appbuilder) -> None:
    """The certificate settings screen and the public verification page."""
    appbuilder.add_view_no_menu(CertificateSettingsView)
    # the menu: Admin and CAL_SUPERVISOR (seed/roles/*.yaml); the view itself checks the same roles
    appbuilder.add_link("Ajustes de certificados", label=_l("Ajustes de certificados"),
                        href="/calibracion/ajustes-certificados/", icon="fa-certificate", category="Calibraciones")
    appbuilder.add_view_no_menu(VerificationView)
