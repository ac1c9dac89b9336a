"""Certificate endpoints (issue 10, REST API):

- GET /api/v1/calibration_order/<pk>/certificate: the current PDF (a client: the latest
  shared one); GET /api/v1/calibration_order/<pk>/certificate/<number>: one of them (a
  superseded certificate stays downloadable); GET .../certificates: all, with their status.
An order of another company, or one the user does not see, is a 404.

- GET/PUT /api/v1/calibration_settings/: the company's certificate settings, the format
  (ISO/IEC 17025 or NOM-059-SSA1, issue 21 item 11) by code and label; Admin and
  CAL_SUPERVISOR (as the page), others 403."""
from __future__ import annotations

from flask import Response
from flask_appbuilder.api import BaseApi
from flask_babel import lazy_gettext as _l

from app.calibration.certificates import services
from app.calibration.certificates.models import FORMATS, SETTINGS_LABELS, Certificate
from app.core.api import GuardedApi, api_endpoint, json_body
from app.core.commands import run
from app.core.downloads import download_response
from app.core.errors import ActionNotAllowed, NotFound, ValidationError
from app.core.identity import current_user, role_names
from app.core.tenancy import active_company
from app.core.validation import message, refuse_unknown
from app.core.storage import get_storage
from app.extensions import db


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


class OrderCertificatesApi(GuardedApi, BaseApi):
    """Certificates of an order, under the order's resource and permission. Which orders the
    caller sees is the orders' row rule: `visible_order` is given by orders/api.py's
    CertificateApi, the class the module registers (certificates sit below orders)."""

    resource_name = "calibration_order"
    class_permission_name = "CalibrationOrder"
    method_permission_name = {"certificate": "read", "certificate_by_number": "read", "certificates": "read"}
    allow_browser_login = True  # the order page links the PDF (GET only)

    def visible_order(self, pk: int, user):
        """The order if `user` sees it in the active company, else NotFound: the subclass's."""
        raise NotImplementedError

    def _visible(self, pk: int) -> list[Certificate]:
        user = current_user()
        order = self.visible_order(pk, user)
        return services.visible_to(db.session, order, user)

    @api_endpoint("/<int:pk>/certificate", summary="Certificado vigente de la orden (PDF)",
                  answers={200: ("El PDF", "application/pdf")})
    def certificate(self, pk):
        """The order's current certificate (PDF)."""
        items = self._visible(pk)
        if not items:
            raise NotFound(str(_l("La orden aún no tiene un certificado disponible.")))
        return pdf_response(items[-1])

    @api_endpoint("/<int:pk>/certificate/<number>", summary="Un certificado de la orden por su número (PDF), "
                  "también uno reemplazado", answers={200: ("El PDF", "application/pdf")})
    def certificate_by_number(self, pk, number):
        """One certificate of the order by its number (PDF), superseded ones included."""
        for cert in self._visible(pk):
            if cert.number == number:
                return pdf_response(cert)
        raise NotFound(str(_l("No existe ese certificado en la orden.")))

    @api_endpoint("/<int:pk>/certificates", summary="Los certificados de la orden con su estado",
                  answers={200: "result: cada certificado con número, estado (vigente / reemplazado), a quién "
                                "reemplaza y quién lo reemplaza"})
    def certificates(self, pk):
        """Every certificate of the order with its status (valid / superseded)."""
        return self.response(200, result=[certificate_json(c) for c in self._visible(pk)])


SETTINGS_BODY = {"type": "object", "properties": {
    **{name: {"type": "string"} for name in services.SETTINGS_FIELDS},
    "format": {"type": "string", "enum": list(FORMATS)},
}}


class CertificateSettingsApi(GuardedApi, BaseApi):
    """The company's certificate settings (the page «Ajustes de certificados» as a resource):
    Admin and CAL_SUPERVISOR of the active company; omitted fields keep their value."""

    resource_name = "calibration_settings"
    class_permission_name = "CalibrationOrder"
    method_permission_name = {"get_settings": "read", "put_settings": "read"}  # and the roles, below

    @staticmethod
    def _company():
        if not role_names(current_user()) & services.SETTINGS_ROLES:
            raise ActionNotAllowed(str(_l("Solo el administrador o el supervisor de calibración modifican los "
                                          "ajustes de certificados.")))
        company = active_company(db.session)
        if company is None:
            raise NotFound(str(_l("No existe ese registro en la empresa activa.")))
        return company

    @api_endpoint("/", summary="Ajustes de certificados de la empresa activa (laboratorio, regla de decisión, "
                  "formato ISO/IEC 17025 o NOM-059-SSA1)", errors=(403,),
                  answers={200: "result: los ajustes, el formato con su etiqueta y los formatos posibles"})
    def get_settings(self):
        """The active company's certificate settings."""
        company = self._company()
        return self.response(200, result=services.settings_json(services.settings_of(db.session, company.id)))

    @api_endpoint("/", methods=["PUT"], errors=(403, 422), body=SETTINGS_BODY,
                  summary="Modificar los ajustes de certificados (los campos omitidos conservan su valor)",
                  answers={200: "result: los ajustes guardados"})
    def put_settings(self):
        """Change the active company's certificate settings."""
        company = self._company()
        body = json_body()
        refuse_unknown(body, services.SETTINGS_FIELDS)
        for name, value in body.items():  # as documented: texts (an empty one clears a field)
            if not isinstance(value, str):
                raise ValidationError(message("text", label=SETTINGS_LABELS[name]), field=name)
        current = services.settings_json(services.settings_of(db.session, company.id))
        values = {name: body.get(name, current[name]) for name in services.SETTINGS_FIELDS}
        settings = run(services.save_settings, company=company, values=values)
        return self.response(200, result=services.settings_json(settings))
