"""REST API of quotations (module COTIZADOR): /api/v1/packaging_quotation/ (list with COT-001
and COT-002's default range echoed as "range", show, create, edit; the lines inside the
quotation's payload) and the core's /<pk>/actions (GET: what the caller may do now) and
/<pk>/actions/<SUBMIT|APPROVE|REJECT> (POST). Thin: commands in services.py, reads in
queries.py."""
from __future__ import annotations

from flask import request
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.core.api import (
    API_PERMISSIONS,
    WorkflowActionsApi,
    answers_errors,
    if_match_version,
    json_body,
)
from app.core.commands import run
from app.core.context import request_today
from app.core.errors import ValidationError
from app.core.row_rules import VisibleRows
from app.core.tenancy import current_company_id
from app.extensions import db
from app.packaging.orders.filters import current_actor
from app.packaging.quotations import queries as qq
from app.packaging.quotations import services as quotations
from app.packaging.quotations.models import QUOTATION_ENTITY, Quotation
from app.packaging.quotations.workflow import QWF, offered_actions


def visible_quotations():
    """The row rule of quotation lookups (the core /actions endpoints): COT-001."""
    return qq.visibility_clause(current_actor(), current_company_id(), listing=False)


class PackagingQuotationApi(WorkflowActionsApi):
    datamodel = SQLAInterface(Quotation)
    resource_name = QUOTATION_ENTITY
    class_permission_name = "PackagingQuotation"
    method_permission_name = API_PERMISSIONS
    workflow = QWF
    include_route_methods = {"get", "get_list", "post", "put", "actions", "perform_action"}
    base_filters = [["id", VisibleRows, visible_quotations]]
    list_columns = show_columns = ["id", "number", "client", "work_order_id", "notes", "state", "creator_id",
                                   "created_at", "version"]
    add_columns = edit_columns = ["client", "work_order", "notes"]
    openapi_spec_tag = "Cotizaciones de envases"

    def action_result(self, item) -> dict:
        db.session.refresh(item)
        return qq.quotation_to_dict(item)

    @answers_errors
    def get_list_headless(self, **kwargs):
        """COT-001 (who sees which) and COT-002 (with neither date_from nor date_to: from the
        first day of last month to tomorrow, echoed as "range"); filters creator, state, client,
        page, page_size."""
        unknown = sorted(set(request.args) - set(qq.LIST_PARAMS) - {"q"})
        if unknown:
            raise ValidationError(f"Parámetro desconocido «{unknown[0]}». Parámetros admitidos: "
                                  f"{', '.join(qq.LIST_PARAMS)}.", field=unknown[0])
        actor = current_actor()
        qq.require_quotations(actor)
        f = qq.parse_filters(request.args, today=request_today())
        total, rows = qq.list_quotations(session=db.session, actor=actor, company_id=current_company_id(), f=f)
        return self.response(200, count=total, range=qq.range_dict(f),
                             result=[qq.quotation_to_dict(q) for q in rows])

    @answers_errors
    def get_headless(self, pk, **kwargs):
        q = qq.get_quotation(session=db.session, actor=current_actor(), company_id=current_company_id(), quotation_id=pk)
        return self.response(200, id=q.id, result=qq.quotation_to_dict(q))

    @answers_errors
    def post_headless(self):
        q = run(quotations.create_quotation, data=json_body())
        return self.response(201, id=q.id, result=qq.quotation_to_dict(q))

    @answers_errors
    def put_headless(self, pk):
        """Edit a draft (its creator or an admin); "lines", when given, replaces every line.
        An If-Match header with the version seen answers 409 when someone changed it since."""
        q = qq.get_quotation(session=db.session, actor=current_actor(), company_id=current_company_id(), quotation_id=pk)
        q = run(quotations.edit_quotation, quotation=q, data=json_body(), expected_version=if_match_version())
        db.session.refresh(q)
        return self.response(200, id=q.id, result=qq.quotation_to_dict(q))

    def offered_actions(self, item, user) -> list[str]:
        """GET .../actions: the engine's actions minus SUBMIT for who is neither its creator
        nor an admin (the row found through COT-001, base_filters)."""
        return offered_actions(db.session, item, user)

QUOTATION_APIS = [PackagingQuotationApi]
