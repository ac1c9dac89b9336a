"""Web pages of installation orders: the list (FAB ModelView with filters), the board (one
column per state), "Detalles de la Orden" (page and modal) with exactly the buttons of
available_actions(order, user), the new-order form and the equipment catalog. Thin: every
rule is in services.py, the same functions the REST API calls."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterInFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField

from app.core.errors import DomainError, NotFound
from app.core.security import current_user, role_names
from app.core.views import EagerSQLAInterface, TenantModelView
from app.extensions import db
from app.installation import services
from app.installation.api import PERMISSION, VisibleOrders
from app.installation.models import Equipment, InstallationOrder

WF = services.WF
CATEGORY = "Instalación"


def _doctor_ids():
    return [u.id for u in services.company_users(session=db.session, role=services.DOCTOR_ROLE)]


def _technician_ids():
    return [u.id for u in services.company_users(session=db.session, role=services.TECNICO_ROLE)]


def _details_button(pk) -> Markup:
    return Markup(
        '<a class="btn btn-sm btn-primary order-details-link" href="{page}" data-modal-url="{modal}" '
        'title="Detalles de la Orden"><i class="fa fa-search"></i> Detalles</a>'
    ).format(page=url_for("InstallationOrderDetailsView.details", pk=pk),
             modal=url_for("InstallationOrderDetailsView.modal", pk=pk))


def _state_badge(code) -> Markup:
    return Markup('<span class="label label-default state-{c}">{label}</span>').format(c=code, label=WF.state_label(code))


class InstallationOrderView(TenantModelView):
    """Órdenes de instalación: the orders the user sees (INST-011), with filters."""

    datamodel = EagerSQLAInterface(InstallationOrder, joined=["doctor"])
    route_base = "/instalacion/ordenes"
    class_permission_name = PERMISSION
    include_route_methods = {"list"}
    method_permission_name = {"list": "read"}  # no show/edit/delete here: no empty CRUD column
    # The entity's permissions are shared with the details view and the API (which create):
    # declaring both here keeps FAB's permission sync from trying to drop can_write.
    base_permissions = ["can_read", "can_write"]
    list_template = "installation/list.html"
    list_title = _l("Órdenes de instalación")
    base_filters = [["id", VisibleOrders, None]]
    base_order = ("number", "desc")
    list_columns = ["id", "number", "state", "doctor", "site", "patient_ref", "scheduled_for"]
    order_columns = ["number", "state", "scheduled_for"]
    search_columns = ["state", "doctor", "technicians", "scheduled_for", "requested_for", "number", "patient_ref", "site"]
    search_form_extra_fields = {
        "state": SelectField(_l("Estado"), choices=[(c, s.label) for c, s in WF.states.items()], widget=Select2Widget()),
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
        return super().render_template(
            template, states=WF.states, state_filter=state_filter_arg(), can_create=services.can_create(current_user()),
            **kwargs,
        )


def state_filter_arg() -> str:
    """The list's URL argument for "Estado es igual a" (the state shortcuts and the board's links)."""
    view = InstallationOrderView
    filters = view.datamodel.get_filters(view.search_columns).get_search_filters()["state"]
    index = next(i for i, f in enumerate(filters) if isinstance(f, FilterEqual))
    return f"_flt_{index}_state"


class EquipmentView(TenantModelView):
    """Catálogo de equipos of the company (what order lines install). Items are deactivated,
    never deleted: orders keep referring to them."""

    datamodel = SQLAInterface(Equipment)
    route_base = "/instalacion/equipos"
    class_permission_name = "InstallationEquipment"
    include_route_methods = {"list", "show", "add", "edit"}
    list_columns = ["code", "name", "active"]
    add_columns = edit_columns = show_columns = ["code", "name", "description", "active"]
    search_columns = ["code", "name", "active"]
    base_order = ("code", "asc")
    label_columns = {"code": _l("Código"), "name": _l("Nombre"), "description": _l("Descripción"), "active": _l("Activo")}


# --- form <-> payload ---------------------------------------------------------------------

def form_payload(specs: dict, form) -> dict:
    """The action's payload from a posted form, field by field as the matrix declares them."""
    payload = {}
    for name, spec in specs.items():
        kind = spec.get("type", "string")
        if kind == "ids":
            payload[name] = [v for v in form.getlist(name) if v]
        elif kind == "object":  # equipment lines: one quantity input per catalog item
            prefix = f"{name}-"
            payload[name] = {key[len(prefix):]: value.strip() for key, value in form.items()
                             if key.startswith(prefix) and value.strip() not in ("", "0")}
        else:
            payload[name] = form.get(name, "")
    return payload


def form_context(actions: list[str], order: InstallationOrder | None = None) -> dict:
    """Choices the forms of these actions need (only what the buttons shown need) and the
    order's current values (the edit form starts from them)."""
    fields = {name for a in actions for name in ((WF.actions.get(a) or {}).get("payload") or {})}
    ctx: dict = {"values": {}}
    if "doctor" in fields:
        ctx["doctors"] = services.company_users(session=db.session, role=services.DOCTOR_ROLE)
    if "technicians" in fields:
        ctx["technicians"] = services.company_users(session=db.session, role=services.TECNICO_ROLE)
    if "lines" in fields:
        ctx["equipment"] = services.active_equipment(session=db.session)
    if order is not None:
        ctx["values"] = {
            "doctor": order.doctor_id, "site": order.site, "address": order.address, "patient_ref": order.patient_ref,
            "requested_for": order.requested_for, "scheduled_for": order.scheduled_for, "notes": order.notes,
            "lines": {line.equipment_id: line.quantity for line in order.lines},
            "technicians": [t.id for t in order.technicians],
        }
    return ctx


class InstallationOrderDetailsView(BaseView):
    """Detalles de la Orden (page and modal), the action forms, the board and the new-order form."""

    route_base = "/instalacion"
    class_permission_name = PERMISSION
    method_permission_name = {"details": "read", "modal": "read", "act": "read", "board": "read", "new": "write"}
    default_view = "board"

    def _details_context(self, pk: int) -> dict:
        user = current_user()
        order = services.get_order(session=db.session, user=user, order_id=pk, details=True)
        actions = [t.action for t in WF.available_actions(order, user)]
        return dict(
            order=order, wf=WF, actions=actions, timeline=services.timeline(session=db.session, order=order),
            action_label=services.action_label, form_ctx=form_context(actions, order),
        )

    @expose("/orden/<int:pk>")
    @has_access
    def details(self, pk):
        return self.render_template("installation/details_page.html", **self._details_context(pk))

    @expose("/orden/<int:pk>/modal")
    @has_access
    def modal(self, pk):
        return self.render_template("installation/_details.html", **self._details_context(pk))

    @expose("/orden/<int:pk>/accion/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        """Perform a matrix action from its button; errors are flashed and change nothing."""
        specs = WF.transitions_for_action(action)[0].payload if action in WF.action_codes else {}
        version = request.form.get("version", "")
        try:
            order = services.perform_action(
                session=db.session, user=current_user(), order_id=pk, action=action,
                payload=form_payload(specs, request.form),
                expected_version=int(version) if version.isdigit() else None,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            if isinstance(exc, NotFound):
                return redirect(url_for("InstallationOrderView.list"))
            return redirect(url_for(".details", pk=pk))
        if action == "VIEW_ORDER_HISTORY":
            return self.render_template("installation/history.html", **self._details_context(pk))
        flash(Markup("{label}: la orden {number} está en «{state}».").format(
            label=WF.action_label(action), number=order.number, state=WF.state_label(order.state)), "success")
        if order.deleted_at is not None:
            return redirect(url_for("InstallationOrderView.list"))
        return redirect(url_for(".details", pk=pk))

    @expose("/tablero")
    @has_access
    def board(self):
        columns = services.board(session=db.session, user=current_user())
        return self.render_template("installation/board.html", columns=columns, wf=WF, state_filter=state_filter_arg(),
                                    can_create=services.can_create(current_user()))

    @expose("/orden/nueva", methods=["GET", "POST"])
    @has_access
    def new(self):
        """Create an order (INST-001) with the EDIT_ORDER fields of the matrix."""
        user = current_user()
        try:
            services.ensure_can_create(user)
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("InstallationOrderView.list"))
        values, status = {}, 200
        if request.method == "POST":
            payload = form_payload(services.ORDER_FIELDS, request.form)
            try:
                order = services.create_order(session=db.session, user=user, data=payload)
                db.session.commit()
                flash(Markup("Orden {number} creada en «{state}».").format(
                    number=order.number, state=WF.state_label(order.state)), "success")
                return redirect(url_for(".details", pk=order.id))
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
                status = 422
                values = {**payload, "lines": {int(k): v for k, v in payload["lines"].items() if str(k).isdigit()},
                          "doctor": int(payload["doctor"]) if str(payload["doctor"]).isdigit() else None}
        if not values and services.DOCTOR_ROLE in role_names(user) and not services.is_manager(user):
            values = {"doctor": user.id}
        return self.render_template(
            "installation/new.html", wf=WF, fields=services.ORDER_FIELDS, required=services.REQUIRED_ON_CREATE,
            form_ctx=form_context(["EDIT_ORDER"]), values=values,
        ), status


def register(appbuilder) -> None:
    appbuilder.add_view(
        InstallationOrderView, "Órdenes de instalación", label=_l("Órdenes de instalación"), icon="fa-list",
        category=CATEGORY, category_label=_l("Instalación"), category_icon="fa-truck",
    )
    appbuilder.add_view(
        InstallationOrderDetailsView, "Tablero de órdenes", label=_l("Tablero de órdenes"), icon="fa-columns",
        category=CATEGORY,
    )
    appbuilder.add_view(EquipmentView, "Catálogo de equipos", label=_l("Catálogo de equipos"), icon="fa-medkit",
                        category=CATEGORY)
    appbuilder.add_link(
        "Diagrama del flujo", label=_l("Diagrama del flujo"), href=f"/flujos/{WF.code}", icon="fa-project-diagram",
        category=CATEGORY,
    )

