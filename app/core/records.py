"""Workflow records (issue 20, point 3): a module declares one kind of workflow record as a
`RecordType` (its model, workflow, creation command, columns, creation fields and row rule)
and gets from here, with no further code:

- the REST resource `/api/v1/<resource>/`: list (FAB, with its filters and OpenAPI), show,
  create (through the command, in the request boundary), the shared actions endpoints
  (`GET .../<pk>/actions`, `POST .../<pk>/actions/<ACTION>`) and `GET .../<pk>/history`;
- the pages under `route_base`: the list (FAB, state badges, a link to each record), the
  record's page with exactly the buttons of `available_actions` and its timeline, the creation
  form (the creation fields, errors beside each field, what was typed kept) and the link to
  the record's full history (the audit's own page).

Rules stay in the module's services (the command validates with the same `fields`); this file
only wires them to the platform."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, joinedload

from app.core.api import READ_ONLY_ROUTES, WorkflowActionsApi, answers_errors, api_endpoint, json_body
from app.core.audit import AuditEntry, entity_name, json_safe
from app.core.commands import run
from app.core.errors import NotFound
from app.core.formatting import column_formatter, state_badge, translated
from app.core.history import action_label, history_link
from app.core.identity import current_user
from app.core.pages import FORM_FAILURES, as_domain_error, errors_by_field
from app.core.row_rules import VisibleRows
from app.core.views import TenantModelView
from app.core.workflow import Workflow
from app.core.workflow_views import WorkflowActionsView, form_payload, typed_values
from app.extensions import db


@dataclass(frozen=True)
class RecordType:
    """One kind of workflow record, as its module declares it.

    - `permission`: the FAB permission name the roles' YAML grants (read to see, write to create);
    - `columns`: column -> label, in order: the list, the record's page and the REST list;
    - `fields`: the creation fields as a workflow payload declares them (type, label, required,
      choices...): the form draws them and `create` validates with them;
    - `create(session=, user=, company=, today=, data=)`: the creation command (its module's
      services), run in the request boundary;
    - `rule()`: the SQL clause of the rows the request's user sees within the company, or None."""

    model: type
    workflow: Workflow
    permission: str
    resource: str
    route_base: str
    title: str
    name: str
    columns: dict
    fields: dict
    create: Callable
    rule: Callable | None = None
    category: str | None = None
    category_label: str | None = None
    icon: str = "fa-list"

    @property
    def entity(self) -> str:
        return entity_name(self.model)

    @property
    def base_filters(self) -> list:
        return [["id", VisibleRows, self.rule]] if self.rule else []

    def label_of(self, obj) -> str:
        """How a person names one record: «Solicitud 12»."""
        return f"{translated(self.name)} {obj.id}"


def visible_record(record: RecordType, pk: int, *, session: Session | None = None):
    """The record `pk` if the request's user sees it (company and row rule), else NotFound:
    another company's row and a row that does not exist answer the same."""
    session = session or db.session
    query = select(record.model).where(record.model.id == pk)
    if record.rule is not None:
        query = query.where(record.rule())
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise NotFound("No existe ese registro en la empresa activa.")
    return found


def timeline(record: RecordType, obj, *, session: Session | None = None) -> list[AuditEntry]:
    """The record's audit entries, oldest first: who, what, when, from -> to."""
    session = session or db.session
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.entity == record.entity, AuditEntry.entity_id == obj.id)
        .options(joinedload(AuditEntry.user)).order_by(AuditEntry.id)
    ))


def record_to_dict(record: RecordType, obj, user) -> dict:
    """The record for the API: its columns (JSON values), its state with its label, its
    version and the actions `user` may perform now."""
    wf = record.workflow
    state = wf.state_of(obj)
    return {
        "id": obj.id, **{column: json_safe(getattr(obj, column)) for column in record.columns},
        "state": state, "state_label": translated(wf.state_label(state)), "version": obj.version,
        "actions": [t.action for t in wf.available_actions(obj, user)],
    }


def entry_to_dict(record: RecordType, entry: AuditEntry) -> dict:
    return {
        "at": entry.created_at.isoformat(), "user": entry.actor_name, "action": entry.action,
        "action_label": translated(action_label(record.entity, entry.action)),
        "from_state": entry.from_state, "to_state": entry.to_state, "data": entry.data,
    }


# --- REST ------------------------------------------------------------------------------------

class RecordApi(WorkflowActionsApi):
    """The REST resource of one RecordType (built by `record_api`)."""

    record: RecordType = None
    include_route_methods = READ_ONLY_ROUTES | {"post", "actions", "perform_action", "history"}

    def get_visible(self, pk):
        return visible_record(self.record, pk)

    @answers_errors
    def get_headless(self, pk, **kwargs):
        """The record, its state and the caller's actions."""
        obj = visible_record(self.record, pk)
        return self.response(200, id=obj.id, result=record_to_dict(self.record, obj, current_user()))

    @answers_errors
    def post_headless(self):
        """Create a record through the module's command (one transaction)."""
        obj = run(self.record.create, data=json_body())
        return self.response(201, id=obj.id, result=record_to_dict(self.record, obj, current_user()))

    @api_endpoint("/<int:pk>/history", summary="Historial del registro", answers={200: "Las entradas de su auditoría, de la más antigua: quién, qué, cuándo, desde → hasta"})
    def history(self, pk):
        """The record's audit timeline"""
        obj = visible_record(self.record, pk)
        return self.response(200, id=obj.id, history=[entry_to_dict(self.record, e) for e in timeline(self.record, obj)])


def _model_columns(model, names) -> list[str]:
    mapped = inspect(model).columns.keys()
    return [name for name in names if name in mapped]


def record_api(record: RecordType) -> type[RecordApi]:
    """The REST resource class of `record` (FAB `add_api`, through the module's manifest)."""
    columns = ["id", *record.columns, "state", "version"]
    return type(f"{record.model.__name__}Api", (RecordApi,), {
        "__module__": record.model.__module__, "record": record, "workflow": record.workflow, "datamodel": SQLAInterface(record.model),
        "resource_name": record.resource, "class_permission_name": record.permission,
        "openapi_spec_tag": str(record.title), "base_filters": record.base_filters,
        "base_order": ("id", "desc"), "list_columns": columns, "show_columns": columns,
        "add_columns": _model_columns(record.model, record.fields),
        "order_columns": _model_columns(record.model, columns),
        "search_columns": _model_columns(record.model, [*record.columns, "state"]),
    })


# --- pages -----------------------------------------------------------------------------------

class RecordListView(TenantModelView):
    """The list of one RecordType (built by `record_pages`): FAB's list with its filters."""

    record: RecordType = None
    list_template = "records/list.html"
    include_route_methods = {"list"}
    method_permission_name = {"list": "read"}
    # read and write are shared with the record's pages and its API (which create)
    base_permissions = ["can_read", "can_write"]

    def render_template(self, template, **kwargs):
        pages = f"{self.record.model.__name__}Pages"
        return super().render_template(
            template, record=self.record, new_url=url_for(f"{pages}.new"),
            can_create=self.appbuilder.sm.has_access("can_write", self.record.permission), **kwargs)


class RecordPages(WorkflowActionsView):
    """The record's page (its actions and timeline) and the creation form of one RecordType."""

    record: RecordType = None
    method_permission_name = {"details": "read", "act": "read", "new": "write"}
    default_view = "new"

    def get_object(self, pk: int, *, details: bool = False):
        return visible_record(self.record, pk)

    def message_fields(self, obj) -> dict:
        return {"id": obj.id, "name": self.record.label_of(obj)}

    default_done = "{name}: {action} («{state}»)."

    def details_url(self, obj) -> str:
        return url_for(".details", pk=obj.id)

    def gone_url(self) -> str:
        return url_for(f"{self.record.model.__name__}ListView.list")

    def details_response(self, obj, *, form_state=None, status=200):
        record = self.record
        datamodel = SQLAInterface(record.model)
        rows = [(label, column_formatter(datamodel, column)(getattr(obj, column))) for column, label in record.columns.items()]
        return self.render_template(
            "records/detail.html", record=record, rows=rows, title=record.label_of(obj),
            badge=state_badge(record.workflow, record.workflow.state_of(obj)),
            timeline_entries=timeline(record, obj), history=history_link(record.entity, obj.id),
            action_label=lambda action: action_label(record.entity, action),
            list_url=self.gone_url(), **self.workflow_context(obj, form_state=form_state, act_endpoint=".act"),
        ), status

    @expose("/<int:pk>")
    @has_access
    def details(self, pk):
        return self.details_response(self.get_object(pk))

    @expose("/<int:pk>/accion/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        """An action from its button or form (core WorkflowActionsView)."""
        return self.perform_from_form(pk, action)

    @expose("/nuevo", methods=["GET", "POST"])
    @has_access
    def new(self):
        """The creation form: the command's refusals beside their fields, what was typed kept."""
        record, values, errors, status = self.record, {}, {}, 200
        if request.method == "POST":
            payload = form_payload(record.fields, request.form)
            try:
                obj = run(record.create, data=payload)
            except FORM_FAILURES as exc:  # a refusal, or a constraint the input broke: never a 500
                refusal = as_domain_error(exc, payload)
                beside, above = errors_by_field(refusal, record.fields)
                if above:
                    flash(above, "danger")
                errors, status, values = beside, refusal.status, typed_values(record.fields, payload)
            else:
                flash(Markup("{name} creado en «{state}».").format(
                    name=record.label_of(obj), state=translated(record.workflow.state_label(obj.state))), "success")
                return redirect(url_for(".details", pk=obj.id))
        return self.render_template("records/form.html", record=record, values=values, errors=errors,
                                    list_url=self.gone_url()), status


def _details_link(pages_endpoint: str):
    def link(pk) -> Markup:
        return Markup('<a class="btn btn-sm btn-primary record-link" href="{}"><i class="fa fa-search"></i> {}</a>').format(
            url_for(f"{pages_endpoint}.details", pk=pk), pk)
    return link


def record_pages(record: RecordType) -> Callable:
    """`register(appbuilder)` for `record`'s pages (a manifest's `pages`): the list in the menu,
    the record's page and the creation form beside it."""
    name = record.model.__name__
    columns = ["id", *record.columns, "state"]
    # the classes belong to the record's module (its pages are the module's, e.g. for the sweeps)
    list_view = type(f"{name}ListView", (RecordListView,), {
        "__module__": record.model.__module__, "record": record, "datamodel": SQLAInterface(record.model), "route_base": record.route_base,
        "class_permission_name": record.permission, "list_title": record.title,
        "base_filters": record.base_filters, "base_order": ("id", "desc"), "list_columns": columns,
        "order_columns": _model_columns(record.model, columns),
        "search_columns": _model_columns(record.model, [*record.columns, "state"]),
        "label_columns": {"id": "Nº", **record.columns, "state": "Estado"},
        "formatters_columns": {"id": _details_link(f"{name}Pages"),
                               "state": lambda code: state_badge(record.workflow, code)},
    })
    pages = type(f"{name}Pages", (RecordPages,), {
        "__module__": record.model.__module__, "record": record, "workflow": record.workflow, "route_base": record.route_base,
        "class_permission_name": record.permission,
    })

    def register(appbuilder) -> None:
        menu = {"category": record.category, "category_label": record.category_label} if record.category else {}
        appbuilder.add_view(list_view, str(record.title), label=record.title, icon=record.icon, **menu)
        appbuilder.add_view_no_menu(pages)

    return register
