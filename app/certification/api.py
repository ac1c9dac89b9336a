"""REST API of operator certifications (/api/v1/<resource>): thin, tenant-scoped, calling the
same services as the pages. Creating an assignment or an inspection, and annulling one, go
through the services in one transaction; inspections are read-only afterwards and have no
delete route; periods are read-only. Lapsed periods read as "lapsed" (and their assignment
as expired) even before the expiry job has run."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select

from app.certification import queries, services
from app.certification.corrections import EDITABLE, correct_inspection
from app.certification.models import (
    FIELD_LABELS,
    LAPSED,
    Auditor,
    Certification,
    CertificationAssignment,
    Inspection,
    Operator,
    ProductAuditType,
    ValidationPeriod,
)
from app.core import validation as v
from app.core.api import (
    API_PERMISSIONS,
    READ_ONLY_ROUTES,
    TenantModelRestApi,
    api_endpoint,
    json_body,
)
from app.core.context import request_today
from app.core.errors import ValidationError
from app.core.identity import current_user
from app.core.tenancy import Company, current_company_id
from app.extensions import db

READ_ONLY = READ_ONLY_ROUTES


def active_company() -> Company:
    return db.session.get(Company, current_company_id())


def payload(fields: tuple[str, ...]) -> dict:
    """The JSON body restricted to `fields`; an unknown field is a 422 naming it."""
    data = json_body()
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValidationError(
            f"Campo desconocido: {', '.join(unknown)}. Campos admitidos: {', '.join(fields)}.", field=unknown[0]
        )
    return {name: data.get(name) for name in fields}


class _CertificationApi(TenantModelRestApi):
    method_permission_name = {**API_PERMISSIONS, "status": "read", "annul": "write", "correct": "write"}

    def service(self, fn, **kwargs):
        """Run a service as the caller in the active company; commit once; DomainError -> 4xx."""
        return fn(session=db.session, user=current_user(), company=active_company(), today=request_today(), **kwargs)


class _CatalogApi(_CertificationApi):
    """CRUD of a catalog (CERT-CAT-1): checked by the service; delete only without history."""

    def pre_add(self, item) -> None:
        super().pre_add(item)
        services.validate_catalog_item(session=db.session, item=item)

    def pre_update(self, item) -> None:
        super().pre_update(item)
        services.validate_catalog_item(session=db.session, item=item)

    def pre_delete(self, item) -> None:
        services.check_deletable(session=db.session, item=item)


PERSON = ["first_name", "last_name", "code", "active"]


class OperatorApi(_CatalogApi):
    resource_name = "operator"
    class_permission_name = "Operator"
    datamodel = SQLAInterface(Operator)
    list_columns = show_columns = ["id", *PERSON]
    add_columns = edit_columns = PERSON
    search_columns = PERSON
    order_columns = PERSON
    base_order = ("last_name", "asc")


class AuditorApi(OperatorApi):
    resource_name = "auditor"
    class_permission_name = "Auditor"
    datamodel = SQLAInterface(Auditor)


class CertificationApi(_CatalogApi):
    resource_name = "certification"
    class_permission_name = "Certification"
    datamodel = SQLAInterface(Certification)
    list_columns = show_columns = ["id", "name", "description", "active"]
    add_columns = edit_columns = search_columns = ["name", "description", "active"]
    order_columns = ["name", "active"]
    base_order = ("name", "asc")


class ProductAuditTypeApi(_CatalogApi):
    resource_name = "product_audit_type"
    class_permission_name = "ProductAuditType"
    datamodel = SQLAInterface(ProductAuditType)
    list_columns = show_columns = ["id", "certification.id", "certification.name", "name", "description", "active"]
    add_columns = edit_columns = search_columns = ["certification", "name", "description", "active"]
    order_columns = ["name", "active"]
    base_order = ("name", "asc")


def _lazy_assignment(result: dict, lapsed_on: dict[int, dt.date]) -> None:
    if result.get("active") and result.get("id") in lapsed_on:
        result["active"], result["expired_on"] = False, lapsed_on[result["id"]].isoformat()


class CertificationAssignmentApi(_CertificationApi):
    """POST {operator, certification, assigned_on, observations} -> 201 with period 1;
    GET /<pk>/status; PUT edits the observations only; no delete (history)."""

    resource_name = "certification_assignment"
    class_permission_name = "CertificationAssignment"
    datamodel = SQLAInterface(CertificationAssignment)
    include_route_methods = READ_ONLY | {"post", "put", "status"}
    list_columns = show_columns = [
        "id", "operator.id", "certification.id", "assigned_on", "observations", "active", "expired_on",
    ]
    add_columns = ["operator", "certification", "assigned_on", "observations"]
    edit_columns = ["observations"]
    search_columns = ["operator", "certification", "assigned_on", "active", "expired_on"]
    order_columns = ["assigned_on", "expired_on", "active"]
    base_order = ("assigned_on", "desc")

    def post_headless(self):
        return self._guarded(self._create)

    def _create(self):
        assignment = self.service(services.assign_certification, **payload(tuple(self.add_columns)))
        db.session.commit()
        return self.response(201, id=assignment.id, result=self._status(assignment))

    def pre_update(self, item) -> None:
        super().pre_update(item)
        item.observations = v.text(item.observations, "observations", FIELD_LABELS["observations"], column=CertificationAssignment.observations)

    def _status(self, assignment) -> dict:
        status = queries.assignment_status(session=db.session, assignment=assignment, today=request_today())
        return {
            "operator": assignment.operator_id, "certification": assignment.certification_id,
            "assigned_on": assignment.assigned_on.isoformat(), "observations": assignment.observations,
            **status,
        }

    def _lapsed_on(self, ids) -> dict[int, dt.date]:
        rows = db.session.execute(
            select(ValidationPeriod.assignment_id, ValidationPeriod.end).where(
                ValidationPeriod.assignment_id.in_(ids), ValidationPeriod.lapsed_by(request_today()),
            )
        )
        return dict(rows.all())

    def pre_get(self, data) -> None:
        _lazy_assignment(data["result"], self._lapsed_on([data["id"]]))

    def pre_get_list(self, data) -> None:
        lapsed_on = self._lapsed_on([row.get("id") for row in data["result"]])
        for row in data["result"]:
            _lazy_assignment(row, lapsed_on)

    @api_endpoint("/<int:pk>/status", methods=["GET"])
    def status(self, pk):
        """The assignment and its periods
        ---
        get:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: '{"active", "expired_on", "periods": [...]}'}
            404: {$ref: '#/components/responses/404'}
        """
        return self.response(200, **self._status(self.get_visible(pk)))


class ValidationPeriodApi(_CertificationApi):
    """Read-only: periods change only through inspections and expiry."""

    resource_name = "validation_period"
    class_permission_name = "ValidationPeriod"
    datamodel = SQLAInterface(ValidationPeriod)
    include_route_methods = READ_ONLY
    list_columns = show_columns = [
        "id", "assignment.id", "number", "start", "end", "required_workdays", "required_inspections",
        "done", "status", "completed_on",
    ]
    search_columns = ["assignment", "number", "status", "start", "end"]
    order_columns = ["number", "start", "end", "status"]
    base_order = ("end", "asc")

    def _show_lapsed(self, rows: list[dict], ids: list) -> None:
        """Lapsed periods read "lapsed" before the job has run (ValidationPeriod.lapsed_by)."""
        lapsed = set(db.session.scalars(select(ValidationPeriod.id).where(
            ValidationPeriod.id.in_(ids), ValidationPeriod.lapsed_by(request_today()))))
        for row, pk in zip(rows, ids):
            if pk in lapsed:
                row["status"] = LAPSED

    def pre_get(self, data) -> None:
        self._show_lapsed([data["result"]], [data["id"]])

    def pre_get_list(self, data) -> None:
        self._show_lapsed(data["result"], [row.get("id") for row in data["result"]])


INSPECTION_FIELDS = ("assignment", "audit_type", "auditor", "date", "pieces", "result", "observations")


class InspectionApi(_CertificationApi):
    """POST registers through the service (201 | 422 {"message"}); PUT /<pk>/correct corrects
    it inside the open period (CERT-INS-5); POST /<pk>/annul {reason}; never deleted."""

    resource_name = "inspection"
    class_permission_name = "Inspection"
    datamodel = SQLAInterface(Inspection)
    include_route_methods = READ_ONLY | {"post", "annul", "correct"}
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
        inspection = self.service(services.register_inspection, **payload(INSPECTION_FIELDS))
        db.session.commit()
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
        inspection = self.service(correct_inspection, inspection=pk, **{**current, **sent})
        db.session.commit()
        return self.response(200, id=inspection.id, result=self.show_model_schema.dump(inspection))

    def _annul(self, pk):
        self.get_visible(pk)
        inspection = self.service(services.annul_inspection, inspection=pk, **payload(("reason",)))
        db.session.commit()
        return self.response(200, id=inspection.id, result=self.show_model_schema.dump(inspection))


APIS = (
    OperatorApi, AuditorApi, CertificationApi, ProductAuditTypeApi, CertificationAssignmentApi,
    ValidationPeriodApi, InspectionApi,
)
