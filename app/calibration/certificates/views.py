"""Certificate pages: the certificate settings screen and the public verification.

- /calibracion/ajustes-certificados: lab name, address, accreditation number, certificate
  contacts, decision rule and the certificate's format (ISO/IEC 17025 or NOM-059-SSA1, issue 21
  item 11) (Admin and CAL_SUPERVISOR).

Public verification of a printed certificate (issue 10 item 6): `/verificar/<number>?c=<code>`,
no login. The number alone is neither unique (each company counts from 00001) nor secret
(numbers are consecutive), so the page answers only to the number together with the random
12-character code printed next to the QR code; any other pair gets the same "not found" page,
whether the number exists or not (docs/decisions.md, "Calibration certificates")."""
from __future__ import annotations

import re

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user as login_user
from sqlalchemy import select

from app.calibration.certificates import services
from app.calibration.certificates.models import (
    DEFAULT_DECISION_RULE,
    FORMATS,
    SETTINGS_LABELS,
    CalibrationSettings,
    Certificate,
)
from app.calibration.certificates.services import CODE_LENGTH, SETTINGS_FIELDS, SETTINGS_ROLES
from app.core.commands import run
from app.core.errors import DomainError
from app.core.identity import role_names
from app.core.pages import form_errors
from app.core.tenancy import active_company, company_scope
from app.extensions import db

NUMBER = re.compile(r"CAL-\d{4}-\d{5}")


def clean_code(raw) -> str:
    """The code as typed from paper: spaces and dashes ignored, case ignored."""
    return re.sub(r"[\s-]", "", str(raw or "")).upper()[: CODE_LENGTH + 8]


def find(session, number: str, code: str) -> Certificate | None:
    """The certificate with this number AND code, in any company (system context), or None."""
    if not NUMBER.fullmatch(number or "") or len(code) != CODE_LENGTH:
        return None
    with company_scope(None):
        return session.scalar(
            select(Certificate).where(Certificate.verification_code == code, Certificate.number == number)
        )


def summary(session, certificate: Certificate) -> dict:
    """What the page shows: number, instrument, dates, status, SHA-256, issuing lab."""
    with company_scope(None):
        order = certificate.order
        instrument = order.instrument
        later = certificate.replaced_by
        lab = session.scalar(select(CalibrationSettings.lab_name)
                             .where(CalibrationSettings.company_id == certificate.company_id))
        return {
            "number": certificate.number,
            "instrument": f"{instrument.tag} · {instrument.description}",
            "serial": instrument.serial,
            "calibrated_from": order.started_on,
            "calibrated_to": order.completed_on or order.started_on,
            "issued_on": certificate.issued_on,
            "status": certificate.status,
            "replaced_by": later.number if later else None,
            "replaced_on": later.issued_on if later else None,
            "replaces": certificate.replaces.number if certificate.replaces else None,
            "sha256": certificate.sha256,
            "lab": lab or "",
        }


class VerificationView(BaseView):
    """GET /verificar/<number>?c=<code>: public, read-only, never indexed or cached."""

    route_base = "/verificar"
    default_view = "verify"

    @expose("/<string:number>")
    def verify(self, number):
        code = clean_code(request.args.get("c"))
        found = find(db.session, number.strip().upper(), code) if code else None
        data = summary(db.session, found) if found else None
        status = 200 if (data or not code) else 404
        body = render_template("calibration/certificates/verify.html", number=number[:40], code=code, data=data,
                               asked=bool(code), appbuilder=self.appbuilder)
        response = make_response(body, status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response


class CertificateSettingsView(BaseView):
    """The company's certificate settings (Admin and CAL_SUPERVISOR of the active company)."""

    route_base = "/calibracion/ajustes-certificados"
    default_view = "edit"
    FIELDS = SETTINGS_FIELDS

    @expose("/", methods=["GET", "POST"])
    def edit(self):
        if not login_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login_with(request.full_path))
        if not role_names(login_user) & SETTINGS_ROLES:
            abort(403)
        company = active_company(db.session)
        if company is None:
            abort(403)
        settings = services.settings_of(db.session, company.id)
        values = {name: getattr(settings, name) or "" for name in self.FIELDS}
        errors, status = {}, 200
        if request.method == "POST":
            values = {name: request.form.get(name, "") for name in self.FIELDS}
            try:
                run(services.save_settings, company=company, values=values)
            except DomainError as exc:
                errors, status = form_errors(exc, values), 422
            else:
                flash(str(_l("Ajustes de certificados guardados.")), "success")
                return redirect(url_for("CertificateSettingsView.edit"))
        return render_template("calibration/certificates/certificate_settings.html", values=values, errors=errors,
                               labels=SETTINGS_LABELS, company=company, appbuilder=self.appbuilder,
                               default_rule=DEFAULT_DECISION_RULE, required=services.SETTINGS_REQUIRED,
                               formats=FORMATS), status


def register(appbuilder) -> None:
    """The certificate settings screen and the public verification page."""
    appbuilder.add_view_no_menu(CertificateSettingsView)
    # the menu: Admin and CAL_SUPERVISOR (seed/roles/*.yaml); the view itself checks the same roles
    appbuilder.add_link("Ajustes de certificados", label=_l("Ajustes de certificados"),
                        href="/calibracion/ajustes-certificados/", icon="fa-certificate", category="Calibraciones")
    appbuilder.add_view_no_menu(VerificationView)
