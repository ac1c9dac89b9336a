"""REST API of assignments and their periods (/api/v1/certification_assignment,
/api/v1/validation_period): creating an assignment goes through the service in one
transaction; periods are read-only. Lapsed periods read as "lapsed" (and their assignment as
expired) even before the expiry job has run."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select

from app.certification.assignments import queries, services
from app.certification.assignments.models import (
    LAPSED,
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.catalogs.api import CertificationBaseApi, payload
from app.certification.catalogs.models import FIELD_LABELS
from app.core import validation as v
from app.core.commands import run
from app.core.api import READ_ONLY_ROUTES, answers_errors, api_endpoint
from app.core.context import request_today
from app.extensions import db


def _lazy_assignment(result: dict, lapsed_on: dict[int, dt.date]) -> None:
    if result.get("active") and result.get("id") in lapsed_on:
        result["active"], result["expired_on"] = False, lapsed_on[result["id"]].isoformat()


class CertificationAssignmentApi(CertificationBaseApi):
    """POST {operator, certification, assigned_on, observations} -> 201 with period 1;
    GET /<pk>/status; PUT edits the observations only; no delete (history)."""

    resource_name = "certification_assignment"
    class_permission_name = "CertificationAssignment"
    datamodel = SQLAInterface(CertificationAssignment)
    include_route_methods = READ_ONLY_ROUTES | {"post", "put", "status"}
    list_columns = show_columns = [
        "id", "operator.id", "certification.id", "assigned_on", "observations", "active", "expired_on",
    ]
    add_columns = ["operator", "certification", "assigned_on", "observations"]
    edit_columns = ["observations"]
    search_columns = ["operator", "certification", "assigned_on", "active", "expired_on"]
    order_columns = ["assigned_on", "expired_on", "active"]
    base_order = ("assigned_on", "desc")

    @answers_errors
    def post_headless(self):
        assignment = run(services.assign_certification, **payload(tuple(self.add_columns)))
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

    @api_endpoint("/<int:pk>/status", summary="La asignación y sus periodos",
                  answers={200: "active, expired_on y los periodos de validación"})
    def status(self, pk):
        """The assignment and its periods."""
        return self.response(200, **self._status(self.get_visible(pk)))


class ValidationPeriodApi(CertificationBaseApi):
    """Read-only: periods change only through inspections and expiry."""

    resource_name = "validation_period"
    class_permission_name = "ValidationPeriod"
    datamodel = SQLAInterface(ValidationPeriod)
    include_route_methods = READ_ONLY_ROUTES
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
