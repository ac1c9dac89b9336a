"""REST API of inspections (/api/v1/inspection): registering and annulling one go through
the services in one transaction; inspections are read-only afterwards, corrected only inside
the open period (CERT-INS-5), and have no delete route."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.certification.catalogs.api import CertificationBaseApi, payload
from app.certification.inspections import services
from app.certification.inspections.models import Inspection
from app.certification.inspections.services import EDITABLE, correct_inspection
from app.core.commands import run
from app.core.api import READ_ONLY_ROUTES, answers_errors, api_endpoint, json_body

INSPECTION_FIELDS = ("assignment", "audit_type", "auditor", "date", "pieces", "result", "observations")


class InspectionApi(CertificationBaseApi):
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

    @answers_errors
    def post_headless(self):
        inspection = run(services.register_inspection, **payload(INSPECTION_FIELDS))
        return self.response(201, id=inspection.id, result=self.show_model_schema.dump(inspection))

    @api_endpoint("/<int:pk>/annul", methods=["POST"], summary="Anular una inspección del periodo abierto",
                  body={"type": "object", "properties": {"reason": {"type": "string"}}},
                  answers={200: "La inspección anulada"})
    def annul(self, pk):
        """Annul an inspection of the open period."""
        self.get_visible(pk)
        inspection = run(services.annul_inspection, inspection=pk, **payload(("reason",)))
        return self.response(200, id=inspection.id, result=self.show_model_schema.dump(inspection))

    @api_endpoint("/<int:pk>/correct", methods=["PUT"], errors=(403, 404, 422),
                  summary="Corregir una inspección del periodo abierto (los campos omitidos conservan su valor)",
                  body={"type": "object", "properties": {
                      "date": {"type": "string", "format": "date"}, "audit_type": {"type": "integer"},
                      "auditor": {"type": "integer"}, "pieces": {"type": "integer"}, "result": {"type": "string"},
                      "observations": {"type": "string"}}},
                  answers={200: "La inspección corregida"})
    def correct(self, pk):
        """Correct an inspection of the open period (CERT-INS-5)."""
        found = self.get_visible(pk)
        current = {"date": found.date.isoformat(), "audit_type": found.audit_type_id, "auditor": found.auditor_id,
                   "pieces": found.pieces, "result": found.result, "observations": found.observations or ""}
        sent = {k: v for k, v in payload(EDITABLE).items() if k in json_body()}
        inspection = run(correct_inspection, inspection=pk, **{**current, **sent})
        return self.response(200, id=inspection.id, result=self.show_model_schema.dump(inspection))
