"""Web pages of installation orders: the list (FAB ModelView with filters), the board (one
column per state), "Detalles de la Orden" (page and modal) with exactly the buttons of
available_actions(order, user) and the new-order form (the catalog's page is equipment/views.py).
Thin: commands in services.py and read models in queries.py, the same functions the REST API calls."""
from __future__ import annotations

from flask import g, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField

from app.core.formatting import state_badge
from app.core.identity import current_user
from app.core.record_pages import FlowOrderInterface, RecordListView, RecordPages
from app.core.record_pages import state_filter_arg as record_state_filter_arg
from app.core.records import RecordType
from app.core.tenancy import current_company_id
from app.extensions import db
from app.installation.equipment import queries as equipment_queries
from app.installation.orders import queries, services
from app.installation.orders.api import PERMISSION
from app.installation.orders.filters import visible_orders
from app.installation.orders.models import ENTITY, InstallationOrder
from app.installation.orders.workflow import (
    CHANNEL_LABELS,
    DOCTOR_ROLE,
    ORDER_FIELDS,
    REQUIRED_ON_CREATE,
    TECNICO_ROLE,
    WF,
    can_create,
    ensure_can_create,
    own_doctor_id,
    reads_history,
)

CATEGORY = "Instalación"


def _role_user_ids(role: str) -> list[int]:
    """Ids of the active company's users holding `role`, read once per request (FAB's search
    form asks for them twice per field: for its count and for its rows; issue 13)."""
    cache = g.setdefault("role_user_ids", {})
    if role not in cache:
        cache[role] = queries.company_user_ids(session=db.session, role=role, company_id=current_company_id())
    return cache[role]


def _doctor_ids():
    return _role_user_ids(DOCTOR_ROLE)


def _technician_ids():
    return _role_user_ids(TECNICO_ROLE)


def _card_urls() -> dict:
    """A board card's page (coming back to the board) and modal addresses, built once per
    page with a slot for the order's id (url_for per card cost ~17 ms on 320 cards; issue 13)."""
    slot = str(2**31 - 1)  # a number found nowhere else in the two addresses
    board = url_for("InstallationOrderDetailsView.board")
    return {"slot": slot,
            "details": url_for("InstallationOrderDetailsView.details", pk=int(slot), next=board),
            "modal": url_for("InstallationOrderDetailsView.modal", pk=int(slot))}


def _details_button(pk) -> Markup:
    return Markup(
        '<a class="btn btn-sm btn-primary order-details-link" href="{page}" data-modal-url="{modal}" '
        'title="Detalles de la Orden"><i class="fa fa-search"></i> Detalles</a>'
    ).format(page=url_for("InstallationOrderDetailsView.details", pk=pk),
             modal=url_for("InstallationOrderDetailsView.modal", pk=pk))


ORDERS = RecordType(
    model=InstallationOrder, workflow=WF, permission=PERMISSION, resource=ENTITY, route_base="/instalacion",
    title=_l("Órdenes de instalación"), name=_l("Orden"), number="number", rule=visible_orders,
    columns={"number": _l("Nº"), "doctor": _l("Doctor"), "site": _l("Lugar"), "patient_ref": _l("Paciente o clínica"),
             "scheduled_for": _l("Fecha programada")},
    fields={name: dict(spec, required=name in REQUIRED_ON_CREATE) for name, spec in ORDER_FIELDS.items()},
    create=services.create_order, may_create=ensure_can_create,
)


class InstallationOrderView(RecordListView):
    """Órdenes de instalación: the orders the user sees (INST-011), with filters."""

    record = ORDERS
    pages_endpoint = "InstallationOrderDetailsView"
    datamodel = FlowOrderInterface(InstallationOrder, joined=["doctor"], workflow=WF, tie="number")
    route_base = "/instalacion/ordenes"
    class_permission_name = PERMISSION
    list_template = "installation/orders/list.html"
    list_title = ORDERS.title
    base_filters = ORDERS.base_filters
    base_order = ("number", "desc")
    list_columns = ["id", "number", "state", "doctor", "site", "patient_ref", "scheduled_for"]
    order_columns = ["number", "state", "scheduled_for"]
    search_columns = ["state", "doctor", "technicians", "scheduled_for", "requested_for", "number", "patient_ref", "site"]
    search_form_extra_fields = {
        "state": SelectField(_l("Estado"), choices=[(c, _l(s.label)) for c, s in WF.states.items()], widget=Select2Widget()),
    }
    search_form_query_rel_fields = {
        "doctor": [["id", FilterInFunction, _doctor_ids]],
        "technicians": [["id", FilterInFunction, _technician_ids]],
    }
    formatters_columns = {"id": _details_button, "state": lambda code: state_badge(WF, code),
                          "scheduled_for": lambda d: d.strftime("%d/%m/%Y") if d else ""}
    label_columns = {
        "id": _l("Detalles"), "state": _l("Estado"), "technicians": _l("Técnico"),
        "requested_for": _l("Fecha solicitada"), **ORDERS.columns,
    }


def state_filter_arg() -> str:
    """The list's URL argument for "Estado es igual a" (the board's links)."""
    return record_state_filter_arg(InstallationOrderView)


# --- Detalles de la Orden: the kit's record pages --------------------------------------------

def _person(user) -> str:
    return f"{user.first_name} {user.last_name} ({user.username})"


class InstallationOrderDetailsView(RecordPages):
    """Detalles de la Orden (page and modal) on the kit's record pages, the board and the
    new-order form. The order's fields and lines are installation's own template bits."""

    record = ORDERS
    workflow = WF
    route_base = "/instalacion"
    list_endpoint = "InstallationOrderView.list"
    class_permission_name = PERMISSION
    method_permission_name = {"details": "read", "modal": "read", "act": "read", "board": "read", "new": "write"}
    default_view = "board"
    default_done = "{action}: la orden {number} está en «{state}»."
    created_done = "Orden {number} creada en «{state}»."
    detail_template = "installation/orders/details_page.html"
    form_template = "installation/orders/new.html"

    def get_object(self, pk: int, *, details: bool = False):
        return queries.get_order(session=db.session, user=current_user(), order_id=pk, details=details)

    def field_options(self, fields: set[str], obj) -> dict:
        """Choices the forms shown need (only those of the buttons shown): doctors and
        technicians of the company, its active equipment."""
        options: dict = {}
        for field, role in (("doctor", DOCTOR_ROLE), ("technicians", TECNICO_ROLE)):
            if field in fields:
                options[field] = [(u.id, _person(u)) for u in queries.company_users(
                    session=db.session, role=role, company_id=current_company_id())]
        if "lines" in fields:
            catalog = equipment_queries.active_equipment(session=db.session)
            options["lines"] = [(e.id, f"{e.code} · {e.name}") for e in catalog]
        return options

    def field_values(self, action: str, obj) -> dict:
        """The edit form starts from the order's current values."""
        if action != "EDIT_ORDER":
            return {}
        return {
            "doctor": obj.doctor_id, "site": obj.site, "address": obj.address, "patient_ref": obj.patient_ref,
            "requested_for": obj.requested_for, "scheduled_for": obj.scheduled_for, "notes": obj.notes,
            "lines": {line.equipment_id: line.quantity for line in obj.lines},
        }

    def initial_values(self, user) -> dict:
        """A doctor creating an order is its doctor."""
        return {"doctor": own_doctor_id(user)} if own_doctor_id(user) else {}

    def detail_context(self, order) -> dict:
        full = reads_history(order, current_user())  # issue 9 #10
        return dict(
            order=order, timeline_entries=queries.timeline(session=db.session, order=order) if full else None,
            reasons=queries.current_reasons(session=db.session, order=order), channel_labels=CHANNEL_LABELS,
            action_label=queries.action_label,
        )

    def read_action_response(self, obj, action):
        return self.render_template("installation/orders/history.html", **self.detail_context(obj),
                                    **self.workflow_context(obj, act_endpoint=".act"))

    @expose("/orden/<int:pk>")
    @has_access
    def details(self, pk):
        return self.details_response(self.get_object(pk, details=True))

    @expose("/orden/<int:pk>/modal")
    @has_access
    def modal(self, pk):
        order = self.get_object(pk, details=True)
        return self.render_template("installation/orders/_details.html", **self.detail_context(order),
                                    **self.workflow_context(order, act_endpoint=".act"))

    @expose("/orden/<int:pk>/accion/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        """A matrix action from its button or form (core WorkflowActionsView)."""
        return self.perform_from_form(pk, action)

    @expose("/orden/nueva", methods=["GET", "POST"])
    @has_access
    def new(self):
        """Create an order (INST-001) with the EDIT_ORDER fields of the matrix (the kit's form)."""
        return self.creation_page()

    @expose("/tablero")
    @has_access
    def board(self):
        columns = queries.board(session=db.session, user=current_user())
        return self.render_template("installation/orders/board.html", columns=columns, wf=WF, state_filter=state_filter_arg(),
                                    can_create=can_create(current_user()), card_urls=_card_urls())


def register(appbuilder) -> None:
    """The module's menu with the orders' list and board (the catalog follows them)."""
    appbuilder.add_view(
        InstallationOrderView, "Órdenes de instalación", label=_l("Órdenes de instalación"), icon="fa-list",
        category=CATEGORY, category_label=_l("Instalación"), category_icon="fa-truck",
    )
    appbuilder.add_view(
        InstallationOrderDetailsView, "Tablero de órdenes", label=_l("Tablero de órdenes"), icon="fa-columns",
        category=CATEGORY,
    )


def register_flow_link(appbuilder) -> None:
    """The menu's last entry: the orders' flow diagram."""
    appbuilder.add_link(
        "Diagrama del flujo", label=_l("Diagrama del flujo"), href=f"/flujos/{WF.code}", icon="fa-project-diagram",
        category=CATEGORY,
    )

