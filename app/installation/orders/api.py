"""REST API of installation orders: /api/v1/installation_order (create, list, show; edit
only through EDIT_ORDER, delete only through DELETE_ORDER), the uniform action endpoints
of the core and the order's history. Thin: commands in services.py, read models in queries.py."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.core.api import (
    READ_ONLY_ROUTES,
    WorkflowActionsApi,
    answers_errors,
    api_endpoint,
    json_body,
)
from app.core.commands import run
from app.core.identity import current_user
from app.core.row_rules import VisibleRows
from app.extensions import db
from app.installation.orders import queries, services
from app.installation.orders.filters import visible_orders
from app.installation.orders.models import ENTITY, InstallationOrder
from app.installation.orders.workflow import WF, ensure_reads_history

PERMISSION = "InstallationOrder"


class InstallationOrderApi(WorkflowActionsApi):
    datamodel = SQLAInterface(InstallationOrder)
    resource_name = ENTITY
    class_permission_name = PERMISSION
    workflow = WF
    include_route_methods = (READ_ONLY_ROUTES - {"info"}) | {"post", "actions", "perform_action", "history"}
    base_filters = [["id", VisibleRows, visible_orders]]
    base_order = ("number", "desc")
    list_columns = [
        "id", "number", "state", "doctor_id", "site", "address", "patient_ref",
        "requested_for", "scheduled_for", "version",
    ]
    # show and create are served by services.order_to_dict / services.create_order; these two
    # only shape FAB's OpenAPI schemas
    show_columns = list_columns + ["notes", "created_at"]
    add_columns = ["doctor", "site", "address", "patient_ref", "requested_for", "scheduled_for", "notes"]
    order_columns = ["number", "state", "scheduled_for", "requested_for"]
    search_columns = ["number", "state", "doctor", "technicians", "scheduled_for", "requested_for", "site", "patient_ref"]
    openapi_spec_tag = "Órdenes de instalación"

    @answers_errors
    def get_headless(self, pk, **kwargs):
        """The order, its lines, technicians, contacts and templates, and the caller's actions."""
        order = queries.get_order(session=db.session, user=current_user(), order_id=pk, details=True)
        reasons = queries.current_reasons(session=db.session, order=order)
        return self.response(200, id=order.id, result=queries.order_to_dict(order, user=current_user(), reasons=reasons))

    @answers_errors
    def post_headless(self):
        """Create an order through services.create_order (INST-001)."""
        order = run(services.create_order, data=json_body())
        order = queries.get_order(session=db.session, user=current_user(), order_id=order.id, details=True)
        return self.response(201, id=order.id, result=queries.order_to_dict(order, user=current_user()))

    @api_endpoint("/<int:pk>/history", summary="Historial de la orden", errors=(403, 404),
                  answers={200: "Las entradas de su auditoría, de la más antigua: quién, qué, cuándo, desde → hasta"})
    def history(self, pk):
        """The order's audit timeline."""
        order = queries.get_order(session=db.session, user=current_user(), order_id=pk)
        ensure_reads_history(order, current_user())  # issue 9 #10: 403 for who does not hold it
        entries = queries.timeline(session=db.session, order=order)
        return self.response(200, id=order.id, history=[queries.entry_to_dict(e) for e in entries])
