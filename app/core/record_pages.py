"""Pages of workflow records (issue 20, point 3): the list, the record's page with exactly the
buttons of `available_actions` and its timeline, and the creation form of one `RecordType`
(app/core/records.py).

`record_pages(record)` builds them with no further code (the fifth module's case). A module
whose records need more (installation's board and modal, calibration's execution forms)
subclasses `RecordListView` and `RecordPages` and fills the hooks; everything else, the
action forms, the creation form's errors beside their fields, the refusal of who may not
create, sorting by the flow's order and the state shortcuts, is the kit's."""
from __future__ import annotations

from typing import Callable

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup
from sqlalchemy import asc, case, desc

from app.core.commands import run
from app.core.errors import DomainError
from app.core.formatting import column_formatter, state_badge, translated
from app.core.history import action_label, history_link
from app.core.identity import current_user
from app.core.pages import FORM_FAILURES, as_domain_error, errors_by_field
from app.core.records import RecordType, model_columns, timeline, visible_record
from app.core.views import EagerSQLAInterface, TenantModelView
from app.core.workflow_views import WorkflowActionsView, form_payload, typed_values


class FlowOrderInterface(EagerSQLAInterface):
    """Sorting a list by state follows the flow's order (the workflow's states as declared),
    not the alphabet of the codes; ties by `tie` (issue 9 #11). A related interface FAB derives
    from this one (self.__class__(model)) sorts as plain FAB does."""

    def __init__(self, obj, *options, joined=(), workflow=None, tie: str = "id"):
        super().__init__(obj, *options, joined=joined)
        self.workflow, self.tie = workflow, tie

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column != "state" or self.workflow is None:
            return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)
        direction = asc if order_direction == "asc" else desc
        states = list(self.workflow.states)
        flow = case({code: i for i, code in enumerate(states)}, value=self.obj.state, else_=len(states))
        return query.order_by(direction(flow), direction(getattr(self.obj, self.tie)))


def state_filter_arg(view) -> str:
    """The list's URL argument for "Estado es igual a" (its state shortcuts, a board's links)."""
    filters = view.datamodel.get_filters(view.search_columns).get_search_filters()["state"]
    index = next(i for i, f in enumerate(filters) if isinstance(f, FilterEqual))
    return f"_flt_{index}_state"


def may_create(record: RecordType, user) -> bool:
    """Whether `user` may create `record`s: the module's own check (`may_create`), else write."""
    if record.may_create is None:
        return True
    try:
        record.may_create(user)
    except DomainError:
        return False
    return True


class RecordListView(TenantModelView):
    """The list of one RecordType: FAB's list with its filters, the states as shortcuts, the
    «Añadir» button for who may create."""

    record: RecordType = None
    pages_endpoint: str = None  # the RecordPages class's name
    list_template = "records/list.html"
    include_route_methods = {"list"}
    method_permission_name = {"list": "read"}
    # read and write are shared with the record's pages and its API (which create)
    base_permissions = ["can_read", "can_write"]

    def render_template(self, template, **kwargs):
        wf, arg = self.record.workflow, state_filter_arg(self)
        chosen = request.args.get(arg)
        can_create = self.appbuilder.sm.has_access("can_write", self.record.permission) and may_create(self.record, current_user())
        return super().render_template(
            template, record=self.record, new_url=url_for(f"{self.pages_endpoint}.new"), can_create=can_create,
            states=wf.states, state_filter=arg, list_url=url_for(f"{self.__class__.__name__}.list"),
            chosen=chosen, chosen_label=wf.state_label(chosen) if chosen in wf.states else None, **kwargs)


class RecordPages(WorkflowActionsView):
    """The record's page (its actions and timeline) and the creation form of one RecordType.

    Hooks: `detail_template` and `detail_context(obj)` (what the page shows besides the
    actions), `form_template`, `form_fields(user)` and `initial_values(user)` (the creation
    form), `field_options`/`field_values` (WorkflowActionsView), `created_done` (the message)."""

    record: RecordType = None
    list_endpoint: str = None  # the list's endpoint, e.g. "InstallationOrderView.list"
    method_permission_name = {"details": "read", "act": "read", "new": "write"}
    default_view = "new"
    detail_template = "records/detail.html"
    form_template = "records/form.html"
    default_done = "{name}: {action} («{state}»)."
    created_done = "{name} creado en «{state}»."

    def get_object(self, pk: int, *, details: bool = False):
        return visible_record(self.record, pk)

    def message_fields(self, obj) -> dict:
        return {"id": obj.id, "number": getattr(obj, self.record.number), "name": self.record.label_of(obj)}

    def details_url(self, obj) -> str:
        return url_for(".details", pk=obj.id)

    def gone_url(self) -> str:
        return url_for(self.list_endpoint)

    def detail_context(self, obj) -> dict:
        """The record's columns, its state, its timeline and the link to its full history."""
        record = self.record
        datamodel = SQLAInterface(record.model)
        rows = [(label, column_formatter(datamodel, column)(getattr(obj, column))) for column, label in record.columns.items()]
        return dict(rows=rows, title=record.label_of(obj), badge=state_badge(record.workflow, record.workflow.state_of(obj)),
                    timeline_entries=timeline(record, obj), history=history_link(record.entity, obj.id),
                    action_label=lambda action: action_label(record.entity, action))

    def details_response(self, obj, *, form_state=None, status=200, **extra):
        """The record's page; `extra` reaches the template (e.g. a module's reopened form)."""
        return self.render_template(
            self.detail_template, record=self.record, list_url=self.gone_url(), **self.detail_context(obj),
            **self.workflow_context(obj, form_state=form_state, act_endpoint=".act"), **extra,
        ), status

    def form_fields(self, user) -> dict:
        """The creation form's fields (the command validates with the same declaration)."""
        return self.record.fields

    def initial_values(self, user) -> dict:
        return {}

    @expose("/<int:pk>")
    @has_access
    def details(self, pk):
        return self.details_response(self.get_object(pk, details=True))

    @expose("/<int:pk>/accion/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        """An action from its button or form (core WorkflowActionsView)."""
        return self.perform_from_form(pk, action)

    @expose("/nuevo", methods=["GET", "POST"])
    @has_access
    def new(self):
        return self.creation_page()

    def creation_page(self):
        """The creation form: who may not create is sent back to the list with the reason; the
        command's refusals beside their fields, what was typed kept."""
        record, user = self.record, current_user()
        try:
            if record.may_create is not None:
                record.may_create(user)
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(self.gone_url())
        fields = self.form_fields(user)
        values, errors, status = self.initial_values(user), {}, 200
        if request.method == "POST":
            payload = form_payload(fields, request.form)
            try:
                obj = run(record.create, data=payload)
            except FORM_FAILURES as exc:  # a refusal, or a constraint the input broke: never a 500
                refusal = as_domain_error(exc, payload)
                beside, above = errors_by_field(refusal, fields)
                if above:
                    flash(above, "danger")
                errors, status, values = beside, refusal.status, typed_values(fields, payload)
            else:
                state = translated(record.workflow.state_label(record.workflow.state_of(obj)))
                flash(Markup(self.created_done).format(**self.message_fields(obj), state=state), "success")
                return redirect(url_for(".details", pk=obj.id))
        return self.render_template(
            self.form_template, record=record, wf=record.workflow, fields=fields, values=values, errors=errors,
            options=self.field_options(set(fields), None), list_url=self.gone_url(),
        ), status


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
        "__module__": record.model.__module__, "record": record, "pages_endpoint": f"{name}Pages",
        "datamodel": FlowOrderInterface(record.model, workflow=record.workflow), "route_base": record.route_base,
        "class_permission_name": record.permission, "list_title": record.title,
        "base_filters": record.base_filters, "base_order": ("id", "desc"), "list_columns": columns,
        "order_columns": model_columns(record.model, columns),
        "search_columns": model_columns(record.model, [*record.columns, "state"]),
        "label_columns": {"id": "Nº", **record.columns, "state": "Estado"},
        "formatters_columns": {"id": _details_link(f"{name}Pages"),
                               "state": lambda code: state_badge(record.workflow, code)},
    })
    pages = type(f"{name}Pages", (RecordPages,), {
        "__module__": record.model.__module__, "record": record, "workflow": record.workflow, "route_base": record.route_base,
        "class_permission_name": record.permission, "list_endpoint": f"{name}ListView.list",
    })

    def register(appbuilder) -> None:
        menu = {"category": record.category, "category_label": record.category_label} if record.category else {}
        appbuilder.add_view(list_view, str(record.title), label=record.title, icon=record.icon, **menu)
        appbuilder.add_view_no_menu(pages)

    return register
