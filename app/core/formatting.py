"""Values as people read them (issue 9, items 4 and 5): dd/mm/aaaa dates, timestamps to the
minute in the company's zone, Sí/No, an empty cell for none, states by label with the colour
of their kind. Jinja filters for our templates and `ReadableColumns` for FAB's lists and
detail pages (every view built on core's base views gets them without asking)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from markupsafe import Markup, escape

from app.core.audit import entity_name
from app.core.context import active_company_zone
from app.core.localization import format_date, format_datetime

KIND_CLASSES = {"initial": "state-initial", "progress": "state-progress", "waiting": "state-waiting",
                "final": "state-final", "cancelled": "state-cancelled"}
KIND_FILLS = {"initial": "#d9f0f7", "progress": "#dbe8f5", "waiting": "#fcebd1", "final": "#dff0d8",
              "cancelled": "#eeeeee"}  # the diagram's pale versions of the badges' colours


def yes_no(value) -> str:
    if value is None:
        return ""
    return gettext("Sí") if value else gettext("No")


def blank(value):
    """An empty cell for none (FAB prints "None")."""
    return "" if value is None else value


def fecha(value) -> str:
    """Jinja `|fecha`: dd/mm/aaaa (a timestamp: its date in the active company's zone)."""
    if isinstance(value, dt.datetime):
        return format_datetime(value, active_company_zone())[:10]
    return format_date(value)


def fecha_hora(value) -> str:
    """Jinja `|fecha_hora`: dd/mm/aaaa hh:mm in the active company's zone."""
    return format_datetime(value, active_company_zone())


def state_badge(workflow, code) -> Markup:
    """A state by its label, coloured by its kind (initial, progress, waiting, final, cancelled)."""
    if not code:
        return Markup("")
    state = workflow.states.get(code) if workflow else None
    label = translated(getattr(state, "label", None) or code)
    kind = state_kind(workflow, code)
    return Markup('<span class="state-label {}" title="{}">{}</span>').format(
        KIND_CLASSES.get(kind, ""), escape(code), escape(label)
    )


def state_kind(workflow, code) -> str:
    """The state's `kind` from the YAML; without one: initial, final or in progress."""
    state = workflow.states.get(code) if workflow else None
    if state is None:
        return "progress"
    kind = state.attrs.get("kind")  # the engine keeps a state's extra YAML keys
    if kind:
        return kind
    if getattr(state, "initial", False):
        return "initial"
    return "final" if getattr(state, "final", False) else "progress"


def translated(label) -> str:
    """Jinja `|t`: a label that comes from data (workflow YAML) in the user's language;
    `make translations` puts those labels in the catalogues."""
    return gettext(str(label)) if label else ""


class ReadableColumns:
    """A FAB view mixin: list and detail columns of type date, timestamp and boolean read as
    dd/mm/aaaa, dd/mm/aaaa hh:mm (company zone) and Sí/No; any none is an empty cell. A view's
    own formatters win."""

    show_template = "audit/show.html"  # FAB's detail page plus a link to the record's history

    def _init_properties(self):
        super()._init_properties()
        self.extra_args = {**(self.extra_args or {}), "history_entity": entity_name(self.datamodel.obj)}
        self.formatters_columns = dict(self.formatters_columns or {})
        for column in {*(self.list_columns or []), *(self.show_columns or [])}:
            if column in self.formatters_columns or "." in column:
                continue
            self.formatters_columns[column] = column_formatter(self.datamodel, column)


def column_formatter(datamodel, column):
    try:
        if datamodel.is_boolean(column):
            return yes_no
        if datamodel.is_datetime(column):
            return fecha_hora
        if datamodel.is_date(column):
            return format_date
    except Exception:  # a computed column FAB's interface cannot type
        pass
    return blank
