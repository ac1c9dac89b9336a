"""Web pages of installation orders: the list (FAB ModelView with filters), the board (one
column per state), "Detalles de la Orden" (page and modal) with exactly the buttons of
available_actions(order, user) and the new-order form (the catalog's page is equipment/views.py).
Thin: commands in services.py and read models in queries.py, the same functions the REST API calls."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterInFunction
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import asc, case, desc
from wtforms import SelectField

from app.core.commands import run
from app.core.errors import DomainError
from app.core.formatting import translated
from app.core.identity import current_user
from app.core.pages import errors_by_field
from app.core.row_rules import VisibleRows
from app.core.tenancy import current_company_id
from app.core.views import EagerSQLAInterface, TenantModelView
from app.core.workflow_views import WorkflowActionsView, form_payload, typed_values
from app.extensions import db
from app.installation.equipment import queries as equipment_queries
from app.installation.orders import queries, services
from app.installation.orders.api import PERMISSION
from app.installation.orders.filters import visible_orders
from app.installation.orders.models import InstallationOrder
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


def _state_badge(code) -> Markup:
    return Markup('<span class="label label-default state-{c}">{label}</span>').format(
        c=code, label=translated(WF.state_label(code)))


class OrderInterface(EagerSQLAInterface):
    """Issue 9 #11: sorting orders by state follows the flow's order (the matrix's states),
    not the alphabet of the codes; ties by number."""

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column != "state" or self.obj is not InstallationOrder:
            return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)
        direction = asc if order_direction == "asc" else desc
        flow = case({code: i for i, code in enumerate(WF.states)}, value=InstallationOrder.state, else_=len(WF.states))
        return query.order_by(direction(flow), direction(InstallationOrder.number))


class InstallationOrderView(TenantModelView):
    """Órdenes de instalación: the orders the user sees (INST-011), with filters."""

    datamodel = OrderInterface(InstallationOrder, joined=["doctor"])
    route_base = "/instalacion/ordenes"
    class_permission_name = PERMISSION
    include_route_methods = {"list"}
    method_permission_name = {"list": "read"}  # no show/edit/delete here: no empty CRUD column
    # The entity's permissions are shared with the details view and the API (which create):
    # declaring both here keeps FAB's permission sync from trying to drop can_write.
    base_permissions = ["can_read", "can_write"]
    list_template = "installation/orders/list.html"
    list_title = _l("Órdenes de instalación")
    base_filters = [["id", VisibleRows, visible_orders]]
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
    formatters_columns = {"id": _details_button, "state": _state_badge,
                          "scheduled_for": lambda d: d.strftime("%d/%m/%Y") if d else ""}
    label_columns = {
        "id": _l("Detalles"), "number": _l("Nº"), "state": _l("Estado"), "doctor": _l("Doctor"),
        "technicians": _l("Técnico"), "site": _l("Lugar"), "patient_ref": _l("Paciente o clínica"),
        "scheduled_for": _l("Fecha programada"), "requested_for": _l("Fecha solicitada"),
    }

    def render_template(self, template, **kwargs):
        chosen = request.args.get(state_filter_arg())
        return super().render_template(
            template, states=WF.states, state_filter=state_filter_arg(), can_create=can_create(current_user()),
            chosen_label=WF.state_label(chosen) if chosen in WF.states else None, **kwargs,
        )


def state_filter_arg() -> str:
    """The list's URL argument for "Estado es igual a" (the state shortcuts and the board's links)."""
    view = InstallationOrderView
    filters = view.datamodel.get_filters(view.search_columns).get_search_filters()["state"]
    index = next(i for i, f in enumerate(filters) if isinstance(f, FilterEqual))
    return f"_flt_{index}_state"


# --- Detalles de la Orden: the core workflow pages -----------------------------------------

def _person(user) -> str:
    return f"{user.first_name} {user.last_name} ({user.username})"


class InstallationOrderDetailsView(WorkflowActionsView):
    """Detalles de la Orden (page and modal) on the core workflow pages, the board and the
    new-order form. The order's fields and lines are installation's own template bits."""

    route_base = "/instalacion"
    class_permission_name = PERMISSION
    method_permission_name = {"details": "read", "modal": "read", "act": "read", "board": "read", "new": "write"}
    default_view = "board"
    workflow = WF
    default_done = "{action}: la orden {number} está en «{state}»."

    def get_object(self, pk: int, *, details: bool = False):
        return queries.get_order(session=db.session, user=current_user(), order_id=pk, details=details)

    def field_options(self, fields: set[str], obj) -> dict:
        """Choices the forms shown need (only those of the buttons shown): doctors and
        technicians of the company, its active equipment."""
        options: dict = {}
        if "doctor" in fields:
            options["doctor"] = [(u.id, _person(u)) for u in queries.company_users(
                session=db.session, role=DOCTOR_ROLE, company_id=current_company_id())]
        if "technicians" in fields:
            options["technicians"] = [(u.id, _person(u)) for u in queries.company_users(
                session=db.session, role=TECNICO_ROLE, company_id=current_company_id())]
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

    def message_fields(self, obj) -> dict:
        return {"number": obj.number}

    def details_url(self, obj) -> str:
        return url_for(".details", pk=obj.id)

    def gone_url(self) -> str:
        return url_for("InstallationOrderView.list")

    def _context(self, order, form_state=None) -> dict:
        full = reads_history(order, current_user())  # issue 9 #10
        return dict(
            order=order, timeline_entries=queries.timeline(session=db.session, order=order) if full else None,
            reasons=queries.current_reasons(session=db.session, order=order), channel_labels=CHANNEL_LABELS,
            action_label=queries.action_label,
            **self.workflow_context(order, form_state=form_state, act_endpoint=".act"),
        )

    def details_response(self, obj, *, form_state=None, status=200):
        return self.render_template("installation/orders/details_page.html", **self._context(obj, form_state)), status

    def read_action_response(self, obj, action):
        return self.render_template("installation/orders/history.html", **self._context(obj))

    @expose("/orden/<int:pk>")
    @has_access
    def details(self, pk):
        return self.details_response(self.get_object(pk, details=True))

    @expose("/orden/<int:pk>/modal")
    @has_access
    def modal(self, pk):
        return self.render_template("installation/orders/_details.html", **self._context(self.get_object(pk, details=True)))

    @expose("/orden/<int:pk>/accion/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        """A matrix action from its button or form (core WorkflowActionsView)."""
        return self.perform_from_form(pk, action)

    @expose("/tablero")
    @has_access
    def board(self):
        columns = queries.board(session=db.session, user=current_user())
        return self.render_template("installation/orders/board.html", columns=columns, wf=WF, state_filter=state_filter_arg(),
                                    can_create=can_create(current_user()), card_urls=_card_urls())

    @expose("/orden/nueva", methods=["GET", "POST"])
    @has_access
    def new(self):
        """Create an order (INST-001) with the EDIT_ORDER fields of the matrix."""
        user = current_user()
        try:
            ensure_can_create(user)
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("InstallationOrderView.list"))
        values, errors, status = {}, {}, 200
        if request.method == "POST":
            payload = form_payload(ORDER_FIELDS, request.form)
            try:
                order = run(services.create_order, user=user, data=payload)
                flash(Markup("Orden {number} creada en «{state}».").format(
                    number=order.number, state=WF.state_label(order.state)), "success")
                return redirect(url_for(".details", pk=order.id))
            except DomainError as exc:
                db.session.rollback()
                beside, above = errors_by_field(exc, ORDER_FIELDS)
                if above:
                    flash(above, "danger")
                errors, status = beside, exc.status
                values = typed_values(ORDER_FIELDS, payload)
        if not values and own_doctor_id(user):
            values = {"doctor": own_doctor_id(user)}
        return self.render_template(
            "installation/orders/new.html", wf=WF, fields=ORDER_FIELDS, required=REQUIRED_ON_CREATE,
            options=self.field_options(set(ORDER_FIELDS), None), values=values, errors=errors,
        ), status


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

