"""Public verification of a printed certificate (issue 10 item 6): `/verificar/<number>?c=<code>`,
no login. The number alone is neither unique (each company counts from 00001) nor secret
(numbers are consecutive), so the page answers only to the number together with the random
12-character code printed next to the QR code; any other pair gets the same "not found" page,
whether the number exists or not (docs/decisions.md, "Calibration certificates")."""
from __future__ import annotations

import re

from flask import make_response, render_template, request
from flask_appbuilder import BaseView, expose
from sqlalchemy import select

from app.calibration.certificate_models import CalibrationSettings, Certificate
from app.calibration.certificates import CODE_LENGTH
from app.core.tenancy import company_scope
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
        body = render_template("calibration/verify.html", number=number[:40], code=code, data=data,
                               asked=bool(code), appbuilder=self.appbuilder)
        response = make_response(body, status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response
