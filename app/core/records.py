"""Workflow records (issue 20, point 3): a module declares one kind of workflow record as a
`RecordType` (its model, workflow, creation command, columns, creation fields and row rule)
and gets from here, with no further code:

- the REST resource `/api/v1/<resource>/`: list (FAB, with its filters and OpenAPI), show,
  create (through the command, in the request boundary), the shared actions endpoints
  (`GET .../<pk>/actions`, `POST .../<pk>/actions/<ACTION>`) and `GET .../<pk>/history`;
- the pages under `route_base` (app/core/record_pages.py): the list, the record's page with
  exactly the buttons of `available_actions` and its timeline, and the creation form.

Rules stay in the module's services (the command validates with the same `fields`); this file
only wires them to the platform."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, joinedload

from app.core.api import READ_ONLY_ROUTES, WorkflowActionsApi, answers_errors, api_endpoint, json_body
from app.core.audit import AuditEntry, entity_name, json_safe
from app.core.commands import run
from app.core.errors import NotFound
from app.core.formatting import translated
from app.core.history import action_label
from app.core.identity import current_user
from app.core.row_rules import VisibleRows
from app.core.workflow import Workflow
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
    - `rule()`: the SQL clause of the rows the request's user sees within the company, or None;
    - `number`: the column people name a record by («Orden 12»);
    - `may_create(user)`: raises the module's refusal (DomainError) when `user` may not create."""

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
    number: str = "id"
    may_create: Callable | None = None
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
        return f"{translated(self.name)} {getattr(obj, self.number)}"


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


def model_columns(model, names) -> list[str]:
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
        "add_columns": model_columns(record.model, record.fields),
        "order_columns": model_columns(record.model, columns),
        "search_columns": model_columns(record.model, [*record.columns, "state"]),
    })
