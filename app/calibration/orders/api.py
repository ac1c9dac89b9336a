"""REST API of calibration orders (issue 10): calibration_order (+ the core /actions
endpoints, history, evidence upload, checklist, and its certificates: certificates/api.py),
calibration_result, calibration_progress, calibration_logistics and calibration_evidence (its
file). Thin: commands in services.py, execution.py and checklist.py; read models in queries.py.
Writes on an order's children are authorised by the services (assigned technician, manager,
supervisor), not by the entity permission, so the child resources need only `read`."""
from __future__ import annotations

from flask import Response
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields
from sqlalchemy import select

from app.calibration.certificates.api import CertificateSettingsApi, OrderCertificatesApi
from app.calibration.orders import checklist, execution, queries, services
from app.calibration.orders.filters import (
    OfVisibleOrders,
    visibility_clause,
    visible_orders,
)
from app.calibration.orders.models import (
    ENTITY,
    CalibrationEvidence,
    CalibrationOrder,
    CalibrationProgress,
    CalibrationResult,
    LogisticsEvent,
)
from app.calibration.orders.workflow import WF
from app.core.api import (
    API_PERMISSIONS,
    READ_ONLY_ROUTES,
    READ_WRITE_ROUTES,
    TenantModelRestApi,
    WorkflowActionsApi,
    answers_errors,
    api_endpoint,
    json_body,
)
from app.core.commands import run
from app.core.downloads import download_response
from app.core.errors import NotFound, ValidationError
from app.core.identity import current_user
from app.core.row_rules import VisibleRows
from app.core.storage import get_storage
from app.core.uploads import accepts_upload, received_file
from app.core.validation import record_id, refuse_unknown
from app.extensions import db

ORDER_PERMISSION = "CalibrationOrder"
CHILD_PERMISSIONS = {name: "read" for name in API_PERMISSIONS} | {"file": "read"}


DATE = {"type": "string", "format": "date", "nullable": True}
ORDER_ANSWER = {"required": ["id", "number", "state", "version"], "properties": {
    "id": {"type": "integer"}, "number": {"type": "string", "example": "OC-2026-00001"},
    "state": {"type": "string"}, "state_label": {"type": "string"}, "version": {"type": "integer"},
    "instrument": {"type": "object", "properties": {"id": {"type": "integer"}, "tag": {"type": "string"},
                                                     "description": {"type": "string"}}},
    "requested_on": DATE, "received_on": DATE, "target_date": DATE, "observations": {"type": "string", "nullable": True},
    "actions": {"type": "array", "items": {"type": "string"}, "description": "Lo que quien llama puede hacer ahora"},
}}


class CalibrationOrderApi(WorkflowActionsApi):
    datamodel = SQLAInterface(CalibrationOrder)
    resource_name = ENTITY
    class_permission_name = ORDER_PERMISSION
    workflow = WF
    method_permission_name = {**API_PERMISSIONS, "upload_evidence": "read", "get_checklist": "read",
                              "put_checklist": "read", "put": "read"}
    include_route_methods = (READ_ONLY_ROUTES - {"info"}) | {
        "post", "put", "actions", "perform_action", "history", "upload_evidence", "get_checklist", "put_checklist",
    }
    base_filters = [["id", VisibleRows, visible_orders]]
    base_order = ("id", "desc")
    list_columns = ["id", "number", "state", "instrument_id", "requested_on", "received_on", "target_date",
                    "window_start", "window_end", "observations", "version"]
    show_columns = list_columns + ["reason", "method", "environment", "standards", "place", "place_detail",
                                   "condition_on_receipt", "deviations", "started_on", "completed_on"]
    add_columns = ["instrument", "requested_on", "received_on", "target_date", "observations", "notes", "wants_due_date"]
    answer_schema = ORDER_ANSWER  # queries.order_to_dict, for the OpenAPI document
    edit_columns = ["received_on", "observations", "notes", "wants_due_date", "method", "environment", "standards",
                    "place", "place_detail", "condition_on_receipt", "deviations"]
    order_columns = ["number", "state", "target_date", "requested_on"]
    search_columns = ["number", "state", "instrument", "technicians", "target_date", "requested_on"]
    openapi_spec_tag = "Calibración · Órdenes"

    @answers_errors
    def get_headless(self, pk, **kwargs):
        """The order with results, progress, evidence, logistics and the caller's actions."""
        order = queries.get_order(session=db.session, user=current_user(), order_id=pk, details=True)
        return self.response(200, id=order.id, result=queries.order_to_dict(order, user=current_user()))

    @answers_errors
    def post_headless(self):
        """A new order (the client's request or the manager's order), in RECEIVED."""
        order = run(services.create_order, data=json_body())
        order = queries.get_order(session=db.session, user=current_user(), order_id=order.id, details=True)
        return self.response(201, id=order.id, result=queries.order_to_dict(order, user=current_user()))

    @answers_errors
    def put_headless(self, pk):
        """Edit the order's details (services.update_order decides who may change what)."""
        order = queries.get_order(session=db.session, user=current_user(), order_id=pk)
        changes = run(services.update_order, order=order, data=json_body())
        order = queries.get_order(session=db.session, user=current_user(), order_id=pk, details=True)
        return self.response(200, id=order.id, changed=sorted(changes), result=queries.order_to_dict(order, user=current_user()))

    @api_endpoint("/<int:pk>/history", summary="Historial de la orden",
                  answers={200: "Las entradas de su auditoría, de la más antigua"})
    def history(self, pk):
        """The order's audit timeline."""
        user = current_user()
        order = queries.get_order(session=db.session, user=user, order_id=pk)
        return self.response(200, id=order.id, history=[queries.entry_to_dict(e, user=user)
                                                        for e in queries.timeline(session=db.session, order=order)])

    @accepts_upload
    @api_endpoint("/<int:pk>/evidence", methods=["POST"], errors=(403, 404, 413, 422),
                  summary="Adjuntar una evidencia (multipart «file»: pdf, png, jpg, csv o xlsx; hasta 20 MB)",
                  body=({"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
                        "multipart/form-data"),
                  answers={201: "La evidencia guardada: nombre, tamaño, SHA-256 y URL de descarga"})
    def upload_evidence(self, pk):
        """Attach an evidence file (multipart `file`; <= MAX_UPLOAD_BYTES)."""
        order = queries.get_order(session=db.session, user=current_user(), order_id=pk)
        upload = received_file("file")
        if upload is None:
            raise ValidationError("Falta el archivo (campo multipart «file»).", field="file")
        evidence = run(execution.add_evidence, order=order, filename=upload.filename or "", data=upload.stream,
                       storage=get_storage())
        return self.response(201, id=evidence.id, result=queries.evidence_to_dict(evidence))

    @api_endpoint("/<int:pk>/checklist", summary="Lista de revisión de la orden",
                  answers={200: "Los puntos: código, texto, cláusula, marcado, por quién y cuándo"})
    def get_checklist(self, pk):
        """The review checklist of the order."""
        order = queries.get_order(session=db.session, user=current_user(), order_id=pk)
        items = checklist.checklist(db.session, order=order)
        return self.response(200, id=order.id, items=[_tick_dict(i) for i in items],
                             complete=all(i["checked"] for i in items))

    @api_endpoint("/<int:pk>/checklist", methods=["PUT"], errors=(403, 404, 422),
                  summary='Marcar o desmarcar puntos: {"items": {"<código>": true}} (supervisor, orden en revisión)',
                  body={"type": "object", "properties": {"items": {"type": "object"}}},
                  answers={200: "La lista de revisión tras el cambio"})
    def put_checklist(self, pk):
        """Tick or untick items of the review checklist (supervisor, order in review)."""
        order = queries.get_order(session=db.session, user=current_user(), order_id=pk)
        body = json_body()
        refuse_unknown(body, {"items"})
        changed = run(checklist.set_ticks, order=order, items=body.get("items"))
        items = checklist.checklist(db.session, order=order)
        return self.response(200, id=order.id, changed=changed, items=[_tick_dict(i) for i in items],
                             complete=all(i["checked"] for i in items))


def _tick_dict(item: dict) -> dict:
    return {**item, "checked_at": item["checked_at"].isoformat() if item["checked_at"] else None}


class _ChildApi(TenantModelRestApi):
    """A child resource of orders: rows of the orders the caller sees; writes via services."""

    method_permission_name = CHILD_PERMISSIONS
    base_filters = [["id", OfVisibleOrders, None]]
    base_order = ("id", "asc")
    what = "registro"

    def _order(self, body: dict):
        if "order_id" not in body and "order" not in body:
            raise ValidationError("Falta el campo «order_id» (la orden de calibración).", field="order_id")
        order_id = record_id(body.get("order_id", body.get("order")), "order_id", "Orden de calibración")
        return queries.get_order(session=db.session, user=current_user(), order_id=order_id)

    def _child(self, pk):
        return queries.get_child(session=db.session, user=current_user(), model=self.datamodel.obj, child_id=pk,
                                 what=self.what)


def _shown(name: str):
    """A result's value with the decimals it was given (CalibrationResult.shown), as text."""
    def value(result):
        shown = result.shown(name)
        return None if shown is None else str(shown)
    return value


# issue 21 item 10: FAB's list and show print each value with the digits typed, as the order's
# JSON and the certificate do (not the column's six decimals)
RESULT_SCHEMA = Schema.from_dict({
    "id": fields.Integer(), "order_id": fields.Integer(), "position": fields.Integer(), "measurand": fields.String(),
    **{name: fields.Function(_shown(name), allow_none=True)
       for name in ("nominal", "as_found", "as_left", "error", "uncertainty", "k", "tolerance")},
    "unit": fields.String(), "external_provider": fields.String(allow_none=True),
}, name="CalibrationResultShown")


class CalibrationResultApi(_ChildApi):
    datamodel = SQLAInterface(CalibrationResult)
    resource_name = "calibration_result"
    class_permission_name = ORDER_PERMISSION
    include_route_methods = READ_WRITE_ROUTES - {"info"}
    what = "resultado"
    list_columns = ["id", "order_id", "position", "measurand", "nominal", "as_found", "as_left", "error",
                    "uncertainty", "k", "unit", "tolerance", "external_provider"]
    show_columns = list_columns
    list_model_schema = RESULT_SCHEMA()
    show_model_schema = RESULT_SCHEMA()
    add_columns = [c for c in list_columns[1:] if c != "error"]  # the error is computed (issue 21 item 10)
    edit_columns = add_columns[1:]
    search_columns = ["order_id", "measurand"]
    openapi_spec_tag = "Calibración · Resultados"

    @answers_errors
    def post_headless(self):
        body = json_body()
        order = self._order(body)
        result = run(execution.add_result, order=order, data=body)
        return self.response(201, id=result.id, result=queries.result_to_dict(result))

    @answers_errors
    def put_headless(self, pk):
        result = self._child(pk)
        result = run(execution.update_result, result=result, data=json_body())
        return self.response(200, id=result.id, result=queries.result_to_dict(result))

    @answers_errors
    def delete_headless(self, pk):
        result = self._child(pk)
        run(execution.delete_result, result=result)
        return self.response(200, message="Resultado eliminado.")


class CalibrationProgressApi(_ChildApi):
    datamodel = SQLAInterface(CalibrationProgress)
    resource_name = "calibration_progress"
    class_permission_name = ORDER_PERMISSION
    include_route_methods = (READ_ONLY_ROUTES - {"info"}) | {"post"}
    what = "avance"
    list_columns = ["id", "order_id", "entry_date", "text", "author_id"]
    show_columns = list_columns
    add_columns = ["order_id", "entry_date", "text"]
    search_columns = ["order_id", "entry_date"]
    openapi_spec_tag = "Calibración · Avances"

    @answers_errors
    def post_headless(self):
        body = json_body()
        order = self._order(body)
        refuse_unknown(body, {"order_id", "order", "entry_date", "text"})
        data = {k: v for k, v in body.items() if k not in ("order_id", "order")}
        entry = run(execution.add_progress, order=order, data=data)
        return self.response(201, id=entry.id, result=queries.progress_to_dict(entry))


class CalibrationLogisticsApi(_ChildApi):
    datamodel = SQLAInterface(LogisticsEvent)
    resource_name = "calibration_logistics"
    class_permission_name = ORDER_PERMISSION
    include_route_methods = (READ_ONLY_ROUTES - {"info"}) | {"post"}
    what = "logística"
    list_columns = ["id", "order_id", "status", "carrier", "tracking_number", "event_date", "responsible"]
    show_columns = list_columns
    add_columns = list_columns[1:]
    search_columns = ["order_id", "status", "event_date"]
    openapi_spec_tag = "Calibración · Logística"

    @answers_errors
    def post_headless(self):
        body = json_body()
        order = self._order(body)
        event = run(execution.add_logistics, order=order, data=body)
        return self.response(201, id=event.id, result=queries.logistics_to_dict(event))


class CalibrationEvidenceApi(_ChildApi):
    datamodel = SQLAInterface(CalibrationEvidence)
    resource_name = "calibration_evidence"
    class_permission_name = ORDER_PERMISSION
    include_route_methods = (READ_ONLY_ROUTES - {"info"}) | {"file"}
    what = "evidencia"
    list_columns = ["id", "order_id", "filename", "content_type", "size", "sha256", "uploaded_at"]
    show_columns = list_columns
    search_columns = ["order_id", "filename"]
    openapi_spec_tag = "Calibración · Evidencias"

    @api_endpoint("/<int:pk>/file", summary="Descargar el archivo de la evidencia",
                  answers={200: ("El archivo, con el tipo con que se subió", "*/*")})
    def file(self, pk):
        """Download the evidence file (only users of its company who see its order)."""
        evidence = self._child(pk)
        return file_response(evidence)


def file_response(evidence: CalibrationEvidence) -> Response:
    """The evidence's bytes as a download under its own name (never rendered inline)."""
    data = execution.read_evidence(evidence, storage=get_storage())
    return download_response(data, filename=evidence.filename, mimetype=evidence.content_type)


class CertificateApi(OrderCertificatesApi):
    """The order's certificates (certificates/api.py), the order found by its row rule."""

    def visible_order(self, pk: int, user) -> CalibrationOrder:
        """The order if the user sees it in the active company (cal-core's row rules), else 404."""
        order = db.session.scalar(select(CalibrationOrder).where(CalibrationOrder.id == pk, visibility_clause(user)))
        if order is None:
            raise NotFound(str(_l("No existe ese registro en la empresa activa.")))
        return order


APIS = (CalibrationOrderApi, CalibrationResultApi, CalibrationProgressApi, CalibrationLogisticsApi,
        CalibrationEvidenceApi, CertificateApi, CertificateSettingsApi)
