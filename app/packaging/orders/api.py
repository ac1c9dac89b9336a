"""REST API of packaging work orders (ids are the spec's numeric ids):
/api/v1/packaging_work_order (list with the FLT rules and filters, show, create, edit),
/<pk>/assign (ASIG-001), /<pk>/allowed (WF-004, WF-001..003 for the caller), the core's
/<pk>/actions and /<pk>/actions/<CAMBIO_<id>|APROBAR_OT> (issue 29 item 5: the same command as a
type 1 entry), /api/v1/packaging_management (POST a management entry; list per OT). Thin: commands in
services.py, reads in queries.py; the catalogs' resources are in catalogs/api.py."""
from __future__ import annotations

from flask import request
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.core.api import (
    API_PERMISSIONS,
    TenantModelRestApi,
    WorkflowActionsApi,
    answers_errors,
    api_endpoint,
    json_body,
)
from app.core.commands import request_context, run
from app.core.downloads import download_response
from app.core.errors import ValidationError
from app.core.row_rules import VisibleRows
from app.core.storage import get_storage, stored_content_type
from app.core.validation import integer
from app.extensions import db
from app.packaging import rules
from app.packaging.catalogs import queries as cat
from app.packaging.orders import queries, services, workflow
from app.packaging.orders.filters import current_actor, visible_orders
from app.packaging.orders.models import ENTITY, Management, WorkOrder

PERMISSIONS = {**API_PERMISSIONS, "assign": "write", "allowed": "read", "history": "read", "download": "read"}


def _order(ot: WorkOrder) -> dict:
    """The OT as answered, its labels from the catalogs' rows (read once per request)."""
    return queries.order_to_dict(ot, cat.labels(db.session))


class PackagingWorkOrderApi(WorkflowActionsApi):
    datamodel = SQLAInterface(WorkOrder)
    resource_name = ENTITY
    class_permission_name = "PackagingWorkOrder"
    method_permission_name = PERMISSIONS
    workflow = workflow.WF
    include_route_methods = {"get", "get_list", "post", "put", "assign", "allowed", "actions", "perform_action",
                             "download", "history"}
    base_filters = [["id", VisibleRows, visible_orders]]
    list_columns = show_columns = ["id", "number", "client", "description", "state", "current_area_id",
                                   "request_type_id", "creator_id", "version"]
    add_columns = edit_columns = ["client", "description", "request_type", *services.PRODUCT_FIELDS]
    openapi_spec_tag = "OT de envases"

    def offered_actions(self, item, user) -> list[str]:
        """GET .../actions: the state changes WF-004 and WF-001..003 offer the caller now, and
        APROBAR_OT where the caller may approve the OT."""
        return workflow.offered_actions(db.session, current_actor(), item)

    def perform(self, item, action, user, *, payload, expected_version, today):
        """POST .../actions/<ACTION>: services.act, the command a type 1 entry runs too; the
        core's endpoint commits once (with its Idempotency-Key, if any)."""
        context = request_context()
        return services.act(session=context.session, user=user, company=context.company, today=today, ot=item,
                            action=action, data=payload, expected_version=expected_version)

    def action_result(self, item) -> dict:
        """The core's answer (id, state, version), the OT and the type 1 entry the action wrote."""
        names = cat.labels(db.session)
        out = {**super().action_result(item), "work_order": queries.order_to_dict(item, names)}
        if workflow.target_of(request.view_args["action"]) is not None:
            out["management"] = queries.management_to_dict(queries.history(session=db.session, ot=item)[-1], names)
        return out

    @answers_errors
    def get_list_headless(self, **kwargs):
        """FLT-001..FLT-005 and the filters state, area, client, seller, responsible,
        date_from, date_to, asignado (NO), page, page_size."""
        actor = current_actor()
        rules.require(actor, "VER_OTS")
        f = queries.parse_filters(request.args)
        total, rows = queries.list_orders(session=db.session, actor=actor, f=f)
        return self.response(200, count=total, result=[_order(ot) for ot in rows])

    @answers_errors
    def get_headless(self, pk, **kwargs):
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        return self.response(200, id=ot.id, result=_order(ot))

    @answers_errors
    def post_headless(self):
        ot = run(services.create_order, data=json_body())
        return self.response(201, id=ot.id, result=_order(ot))

    @answers_errors
    def put_headless(self, pk):
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        run(services.edit_order, ot=ot, data=json_body())
        return self.response(200, id=ot.id, result=_order(ot))

    @api_endpoint("/<int:pk>/assign", methods=["POST"],
                  summary="ASIG-001: asignar la OT a un profesional de su área actual",
                  body={"type": "object", "properties": {"asignado_id": {"type": "integer"}}},
                  answers={200: "La OT con su responsable por área"})
    def assign(self, pk):
        """ASIG-001: assign the OT to a professional of its current area."""
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        run(services.assign, ot=ot, data=json_body())
        return self.response(200, id=ot.id, result=_order(ot))

    @api_endpoint("/<int:pk>/allowed",
                  summary="Lo que quien llama puede registrar ahora en la OT (WF-004; WF-001..WF-003)",
                  answers={200: "management_types, states, alerts y can_edit"})
    def allowed(self, pk):
        """What the caller may record on the OT now (WF-004; WF-001..WF-003 for the states)."""
        actor = current_actor()
        ot = queries.get_order(session=db.session, actor=actor, order_id=pk)
        options = workflow.allowed_states(db.session, actor, ot)
        return self.response(200, management_types=workflow.allowed_management_types(db.session, actor, ot),
                             states=options.states, alerts=options.alerts,
                             can_edit=rules.edit_refusal(db.session, actor, ot) is None)

    @api_endpoint("/<int:pk>/files/<int:entry_id>", errors=(403, 404),
                  summary="Descargar el archivo de una gestión «Archivo» (tipo 3) de la OT",
                  answers={200: ("El archivo, como descarga con su nombre original (nunca en línea)", "*/*")})
    def download(self, pk, entry_id):
        """The file attached by a type 3 entry of the OT (issue 21 · 4): the OT's visibility."""
        return file_download(queries.get_order(session=db.session, actor=current_actor(), order_id=pk), entry_id)

    @api_endpoint("/<int:pk>/history", errors=(403, 404), summary="Historial (auditoría) de la OT",
                  answers={200: "Sus entradas de auditoría, de la más antigua: cuándo, quién, acción, "
                                "estado antes → después y datos por sus etiquetas"})
    def history(self, pk):
        """The OT's audit history (issue 21 · 4), as its history page reads it."""
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        entries = queries.audit_trail(session=db.session, ot=ot, names=cat.labels(db.session))
        return self.response(200, id=ot.id, history=[
            {**{k: v for k, v in row.items() if k != "entity_label"},
             "created_at": row["created_at"].isoformat(timespec="seconds") if row["created_at"] else None}
            for row in entries])


def file_download(ot: WorkOrder, entry_id):
    """The file of the OT's entry `entry_id` as a download under its own name, never inline
    (page and REST API alike; the caller found the OT with its visibility)."""
    entry = queries.attached_file(session=db.session, ot=ot, entry_id=entry_id)
    data = queries.file_content(entry, storage=get_storage())
    return download_response(data, filename=entry.file_name, mimetype=stored_content_type(entry.file_name))


class PackagingManagementApi(TenantModelRestApi):
    datamodel = SQLAInterface(Management)
    resource_name = "packaging_management"
    class_permission_name = "PackagingManagement"
    method_permission_name = API_PERMISSIONS
    include_route_methods = {"get_list", "post"}
    list_columns = ["id", "work_order_id", "management_type_id", "note", "state_to", "created_at"]
    add_columns = ["work_order_id", "management_type_id", "note"]
    openapi_spec_tag = "OT de envases"

    @answers_errors
    def get_list_headless(self, **kwargs):
        """The management entries of one OT (?work_order=<id>), oldest first."""
        actor = current_actor()
        if request.args.get("work_order") in (None, ""):
            raise ValidationError("Indica la OT (parámetro work_order).", field="work_order")
        integer(request.args.get("work_order"), "work_order", "OT", min=1)
        ot = queries.get_order(session=db.session, actor=actor, order_id=request.args.get("work_order"))
        entries, names = queries.history(session=db.session, ot=ot), cat.labels(db.session)
        return self.response(200, count=len(entries), result=[queries.management_to_dict(m, names) for m in entries])

    @answers_errors
    def post_headless(self):
        """A management entry (types 1, 2, 4, 9, 10, ...; files through the page): 403 with
        the rule's reason when refused, 422 for a bad payload."""
        data = json_body()
        actor = current_actor()
        ot_id = integer(data.get("work_order"), "work_order", "OT", min=1)
        ot = queries.get_order(session=db.session, actor=actor, order_id=ot_id)
        if data.get("management_type") == cat.FILE:
            raise ValidationError("Los archivos (tipo 3) se suben desde la página de la OT.", field="management_type")
        entry = run(services.add_management, ot=ot, data=data)
        db.session.refresh(ot)
        names = cat.labels(db.session)
        result = {"work_order": queries.order_to_dict(ot, names)}
        if entry is None:
            entry = queries.history(session=db.session, ot=ot)[-1]
        result["management"] = queries.management_to_dict(entry, names)
        return self.response(201, result=result)


APIS = [PackagingWorkOrderApi, PackagingManagementApi]
