"""The audit trail read as a history (issue 9, item 6): entity, action and states by their
labels, data as "campo: antes → después" with related rows by name, and who may read what.

Labels come from what the app already declares: an entity's label and field labels from the
FAB view over its model (menu label, label_columns), actions and states from the workflow bound
to the model. A user reads the entries of the kinds of records they may read (the `can_read`
permission on the model's name); Admin and the roles in AUDIT_READ_ALL_ROLES read everything.
"""
from __future__ import annotations

import datetime as dt
import functools

from flask import current_app, url_for
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import false, inspect, select

from app.core.audit import entity_name
from app.core.formatting import fecha, translated
from app.core.identity import current_user, is_admin, role_names
from app.core.models import Model
from app.core.workflow import all_workflows

# actions recorded outside a workflow (CRUD hooks and module events), by their labels
CRUD_ACTIONS = {"create": _l("Alta"), "update": _l("Cambio"), "delete": _l("Baja"), "register": _l("Registro"),
                "annul": _l("Anulación"), "open": _l("Apertura"), "complete": _l("Completado"),
                "expire": _l("Caducidad"), "edit": _l("Corrección")}
AUDIT_READ_ALL_ROLES = {"AUDITOR"}


@functools.lru_cache(maxsize=None)
def _mapped_models() -> dict[str, type]:
    return {entity_name(m.class_): m.class_ for m in Model.registry.mappers if hasattr(m.class_, "__tablename__")}


def _models() -> dict[str, type]:
    """Every audited kind of record: the app's models and the models bound to a workflow (a
    module may map its records on a base of its own)."""
    bound = {entity_name(w.binding.model): w.binding.model for w in all_workflows() if w.binding is not None}
    return {**_mapped_models(), **bound}


def model_of(entity: str):
    return _models().get(entity)


def _view_of(model):
    """The web view over the model (one with a menu entry first; REST APIs are not pages)."""
    views = [v for v in getattr(current_app.appbuilder, "baseviews", [])
             if getattr(getattr(v, "datamodel", None), "obj", None) is model and hasattr(v, "list_template")]
    return next((v for v in views if getattr(v, "menu_label", None)), views[0] if views else None)


def entity_label(entity: str) -> str:
    model = model_of(entity)
    view = _view_of(model) if model else None
    return str(getattr(view, "menu_label", None) or entity) if view else entity


def _workflow_of(model):
    for workflow in all_workflows():
        if workflow.binding is not None and workflow.binding.model is model:
            return workflow
    return None


def _declared(model) -> dict:
    """A record outside any workflow may declare its events and states on its model
    (`__history__ = {"events": {CODE: {"label", "summary"}}, "states": {code: label}}`)."""
    return getattr(model, "__history__", None) or {}


def action_label(entity: str, action: str) -> str:
    if action in CRUD_ACTIONS:
        return str(CRUD_ACTIONS[action])
    model = model_of(entity)
    workflow = _workflow_of(model)
    if workflow:
        return workflow.action_label(action)
    return str((_declared(model).get("events", {}).get(action) or {}).get("label", action))


def summary_keys(entity: str, action: str) -> tuple[str, ...]:
    """The data keys that say what an entry did (its workflow's, or its model's declaration)."""
    model = model_of(entity)
    workflow = _workflow_of(model)
    if workflow:
        return workflow.summary_keys(action)
    return tuple((_declared(model).get("events", {}).get(action) or {}).get("summary") or ())


def state_label(entity: str, code: str | None) -> str:
    model = model_of(entity)
    workflow = _workflow_of(model)
    if workflow and code:
        return workflow.state_label(code)
    return str(_declared(model).get("states", {}).get(code, code or "")) if code else ""


def _related_model(model, key: str):
    """The model a foreign key or relationship field of `model` points to, or None."""
    mapper = inspect(model)
    if key in mapper.relationships:
        return mapper.relationships[key].mapper.class_
    if key in mapper.columns and mapper.columns[key].foreign_keys:
        table = next(iter(mapper.columns[key].foreign_keys)).column.table
        target = next((m.class_ for m in Model.registry.mappers if m.local_table is table), None)
        if target is None and table.name == "ab_user":
            target = User
        return target
    return None


def _related_name(model, key: str, value, session):
    """A foreign key or relationship value by the related row's name (rows preloaded by
    `preload_related` come from the session's identity map, without SQL)."""
    target = _related_model(model, key)
    if target is None:
        return None
    ids = value if isinstance(value, list) else [value]
    names = []
    for pk in ids:
        row = session.get(target, pk) if isinstance(pk, int) else None
        names.append(_name(row) if row is not None else str(pk))
    return ", ".join(names)


def preload_related(entries, session) -> list:
    """Load every row the entries' data names, one query per related model, so that a
    history page runs the same number of queries whatever its number of entries. The caller
    keeps the returned rows while it renders (the identity map holds them only weakly)."""
    wanted: dict[type, set[int]] = {}
    for entry in entries:
        model = model_of(entry.entity)
        for key, value in (entry.data or {}).items() if model is not None else ():
            target = _related_model(model, key)
            if target is None:
                continue
            for part in value if isinstance(value, list) else [value]:
                for pk in part if isinstance(part, list) else [part]:
                    if isinstance(pk, int) and not isinstance(pk, bool):
                        wanted.setdefault(target, set()).add(pk)
    rows = []
    for target, ids in wanted.items():
        key = inspect(target).primary_key[0]
        rows.extend(session.execute(select(target).where(key.in_(sorted(ids)))).scalars())
    return rows


def _name(row) -> str:
    if hasattr(row, "get_full_name"):
        return row.get_full_name()
    return str(row)


def _plain(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Sí") if value else gettext("No")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return fecha(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def data_lines(entry, session) -> list[str]:
    """One line per field: "campo: antes → después" (a change: `[antes, después]` in an
    "update" entry or in an action the model lists in `__change_actions__`) or "campo: valor"."""
    model = model_of(entry.entity)
    view = _view_of(model) if model else None
    labels = {**_all_field_labels(), **_model_labels(model), **(getattr(view, "label_columns", {}) or {})}
    changes = entry.action == "update" or entry.action in getattr(model, "__change_actions__", ())
    lines = []
    for key, value in (entry.data or {}).items():
        if key in {"id", "company_id", "version"}:
            continue
        label = str(labels.get(key) or labels.get(key.removesuffix("_id")) or key.replace("_", " ").capitalize())
        change = changes and isinstance(value, list) and len(value) == 2
        parts = value if change else [value]
        shown = []
        for part in parts:
            named = _related_name(model, key, part, session) if model is not None and part is not None else None
            shown.append(named if named is not None else _plain(part))
        lines.append(f"{label}: {shown[0]} → {shown[1]}" if change else f"{label}: {shown[0]}")
    return lines


def _model_labels(model) -> dict:
    """The labels a model declares for its history (`__field_labels__`, a field's name ->
    label; a foreign key's `<name>_id` reads the same label), for records without a page of
    their own over the model; a page's label_columns still win."""
    labels = {}
    for key, label in (getattr(model, "__field_labels__", None) or {}).items():
        labels[key] = labels[f"{key}_id"] = label
    return labels


def _all_field_labels() -> dict:
    """Field labels of every page, for data keys that are not columns of the entry's model."""
    labels = {}
    for view in getattr(current_app.appbuilder, "baseviews", []):
        if hasattr(view, "list_template"):
            for key, label in (getattr(view, "label_columns", None) or {}).items():
                labels.setdefault(key, label)
    return labels


def readable_entities(user) -> set[str] | None:
    """The entities whose entries the user may read; None: all of them."""
    if user is None:
        return set()
    if is_admin(user) or AUDIT_READ_ALL_ROLES & set(role_names(user)):
        return None
    readable = {view for perm, view in current_app.appbuilder.sm.get_user_permissions(user) if perm == "can_read"}
    return {entity for entity, model in _models().items() if model.__name__ in readable}


class VisibleHistory(BaseFilter):
    """Row rule of the audit list: the entries of the kinds of records the user may read."""

    name = "Entradas de los registros que el usuario puede leer"

    def apply(self, query, value):
        entities = readable_entities(current_user())
        if entities is None:
            return query
        column = self.datamodel.obj.entity
        return query.filter(column.in_(sorted(entities))) if entities else query.filter(false())


def history_url(entity: str, pk) -> str:
    """The page listing a record's own history (for links from record pages)."""
    return url_for("AuditView.history", entity=entity, pk=pk)


def history_link(entity: str | None, pk) -> Markup:
    """A "Historial" button for a record page; nothing for a user who may not read the audit."""
    if not entity or pk is None or not current_app.appbuilder.sm.has_access("can_read", "AuditEntry"):
        return Markup("")
    return Markup('<a class="btn btn-sm btn-default history-link" href="{}"><i class="fa fa-history"></i> {}</a>').format(
        history_url(entity, pk), escape(gettext("Historial"))
    )


def changes_state(entry) -> bool:
    """Issue 29 · 7: whether the entry moved the record to another state (a creation into its
    first state does; an edit, a result or a file recorded «X → X» does not)."""
    return bool(entry.to_state) and entry.to_state != entry.from_state


def states_text(entry) -> str:
    """«antes → después» by the states' labels; empty when the entry changed no state."""
    if not changes_state(entry):
        return ""
    return (f"{translated(state_label(entry.entity, entry.from_state)) or '—'} → "
            f"{translated(state_label(entry.entity, entry.to_state)) or '—'}")


SUMMARY_LENGTH = 80


def event_summary(entry, session=None) -> str:
    """What the event did, from the data keys its workflow declares as its `summary` (a
    result's «Presión 10 bar», a file's name), related rows by name; empty when none is
    declared or given. Only declared keys: an entry's data may hold what a reader of the
    record's page may not see (calibration's internal notes)."""
    model = model_of(entry.entity)
    data = entry.data if isinstance(entry.data, dict) else {}
    parts = []
    for key in summary_keys(entry.entity, entry.action) if model is not None else ():
        value = data.get(key)
        if value is None or value == "" or value == []:
            continue
        named = _related_name(model, key, value, session) if session is not None else None
        parts.append(named if named is not None else _plain(value))
    text = " ".join(parts)
    return text if len(text) <= SUMMARY_LENGTH else text[:SUMMARY_LENGTH - 1].rstrip() + "…"


def event_text(entry, session=None) -> str:
    """An entry's event as a line: «Resultado añadido: Presión 10 bar» (issue 29 · 7)."""
    label = translated(action_label(entry.entity, entry.action))
    summary = event_summary(entry, session)
    return f"{label}: {summary}" if summary else label


def entry_event(entry) -> str:
    """`event_text` of an entry of the session (the `history_event` template global)."""
    return event_text(entry, inspect(entry).session)


#: An audit entry read as a history (issue 9, item 6): the pseudo-columns of the audit pages.
ENTRY_COLUMNS = {
    "entity_label": lambda entry: entity_label(entry.entity),
    "action_label": entry_event,
    "states": states_text,
    "data_text": lambda entry: data_lines(entry, inspect(entry).session),
}


class HistoryInterface(SQLAInterface):
    """FAB's interface over AuditEntry that answers ENTRY_COLUMNS too (the model carries no
    presentation: history sits above the audit)."""

    def _get_attr_value(self, item, col):
        if col in ENTRY_COLUMNS:
            return ENTRY_COLUMNS[col](item)
        return SQLAInterface._get_attr_value(item, col)

    def get_order_columns_list(self, list_columns=None):
        """The labels are computed per row: lists sort by the stored columns only."""
        return [c for c in super().get_order_columns_list(list_columns) if c not in ENTRY_COLUMNS]


def readable_entry(entry) -> dict:
    """One entry of a record's history page: its columns and ENTRY_COLUMNS."""
    return {"created_at": entry.created_at, "actor_name": entry.actor_name,
            **{name: read(entry) for name, read in ENTRY_COLUMNS.items()}}
