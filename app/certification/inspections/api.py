"""REST API of inspections (/api/v1/inspection): registering and annulling one go through
the services in one transaction; inspections are read-only afterwards, corrected only inside
the open period (CERT-INS-5), and have no delete route."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.certification.catalogs.api import _CertificationApi, payload
from app.certification.inspections import services
from app.certification.inspections.models import Inspection
from app.certification.inspections.services import EDITABLE, correct_inspection
from app.core.commands import run
from app.core.api import READ_ONLY_ROUTES, api_endpoint, json_body

INSPECTION_FIELDS = ("assignment", "audit_type", "auditor", "date", "pieces", "result", "observations")


class InspectionApi(_CertificationApi):
    """POST registers through the service (201 | 422 {"message"}); PUT /<pk>/correct corrects
    it inside the open period (CERT-INS-5); POST /<pk>/annul {reason}; never deleted."""

    resource_name = "inspection"
    class_permission_name = "Inspection"
    datamodel = SQLAInterface(Inspection)
    include_route_methods = READ_ONLY_ROUTES | {"post", "annul", "correct"}
    list_columns = show_columns = [
        "id", "assignment.id", "period.id", "period.number", "audit_type.id", "auditor.id", "date", "pieces",
        "result", "observations", "annulled", "annul_reason", "annulled_at",
    ]
    add_columns = list(INSPECTION_FIELDS)
    search_columns = ["assignment", "audit_type", "auditor", "date", "result", "annulled"]
    order_columns = ["date", "result", "annulled"]
    base_order = ("date", "desc")

    def post_headless(self):
        return self._guarded(self._create)

    def _create(self):
        inspection = run(services.register_inspection, **payload(INSPECTION_FIELDS))
        return self.response(201, id=inspection.id, result=self.show_model_schema.dump(inspection))

    @api_endpoint("/<int:pk>/annul", methods=["POST"])
    def annul(self, pk):
        """Annul an inspection of the open period
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {reason: {type: string}}}
          responses:
            200: {description: 'The annulled inspection'}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        return self._guarded(self._annul, pk)

    @api_endpoint("/<int:pk>/correct", methods=["PUT"])
    def correct(self, pk):
        """Correct an inspection of the open period (fields left out keep their value)
        ---
        put:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {date: {type: string, format: date}, audit_type: {type: integer},
                  auditor: {type: integer}, pieces: {type: integer}, result: {type: string}, observations: {type: string}}}
          responses:
            200: {description: 'The corrected inspection'}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        return self._guarded(self._correct, pk)

    def _correct(self, pk):
        found = self.get_visible(pk)
        current = {"date": found.date.isoformat(), "audit_type": found.audit_type_id, "auditor": found.auditor_id,
                   "pieces": found.pieces, "result": found.result, "observations": found.observations or ""}
        sent = {k: v for k, v in payload(EDITABLE).items() if k in json_body()}
        inspection = run(correct_inspection, inspection=pk, **{**current, **sent})
        return self.response(200, id=inspection.id, result=self.show_model_schema.dump(inspection))

    def _annul(self, pk):
        self.get_visible(pk)
        inspection = run(services.annul_inspection, inspection=pk, **payload(("reason",)))
        return self.response(200, id=inspection.id, result=self.show_model_schema.dump(inspection))
