"""Web pages of calibration orders: the management page (the spec's list_calibrations: filters
and, on the same page, the work-order form), the order page (actions through
app/core/workflow_views.py, timeline, progress, results, evidence, logistics, checklist), the
review checklist (Admin) and the menu. Thin: rules in services/execution/checklist."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.calibration.certificates import services as certificates
from app.calibration.instruments import queries as instrument_queries
from app.calibration.orders import checklist, execution, queries, services
from app.calibration.orders.api import ORDER_PERMISSION, file_response
from app.calibration.orders.models import (
    ENTITY,
    LOGISTICS_STATUSES,
    CalibrationEvidence,
    CalibrationOrder,
    CalibrationResult,
    ChecklistItem,
)
from app.calibration.orders.workflow import (
    SUPERVISOR_ROLE,
    TECNICO_ROLE,
    WF,
    company_technicians,
    is_manager,
    sees_internal_notes,
)
from app.core.commands import run
from app.core.context import request_today
from app.core.errors import DomainError, NotFound, ValidationError
from app.core.identity import current_user, display_name, is_admin, role_names
from app.core.pages import errors_by_field
from app.core.record_pages import RecordPages
from app.core.records import RecordType
from app.core.storage import get_storage, upload_limit
from app.core.tenancy import current_company_id
from app.core.uploads import accepts_upload, received_file
from app.core.validation import Checker, boolean, date, integer, typed_int
from app.core.views import TenantModelView
from app.core.workflow_views import form_payload, typed_values
from app.extensions import db

CATEGORY = "Calibraciones"
PAGE_SIZE = 25
WORK_ORDER_FIELDS = dict(WF.actions["SCHEDULE"]["payload"])
SECTION_FIELDS = {
    "execution": set(services.EDIT_FIELDS), "progress": {"entry_date", "text"}, "results": set(execution.RESULT_LABELS),
    "evidence": {"file"}, "logistics": {"status", "event_date", "carrier", "tracking_number", "responsible"},
    "checklist": set(),
}


def list_filters(args) -> tuple[dict, dict]:
    """The management list's filters from the URL (state, instrument, technician, target date
    range, overdue): (clean values, {field: error})."""
    check = Checker()
    state = args.get("state") or None
    if state and state not in WF.states:
        check.add("state", "Estado desconocido.")
        state = None
    clean = {
        "state": state,
        "instrument_id": check(integer, args.get("instrument"), "instrument", "Instrumento", required=False, min=1),
        "technician_id": check(integer, args.get("technician"), "technician", "Técnico", required=False, min=1),
        "date_from": check(date, args.get("date_from"), "date_from", "Desde", required=False),
        "date_to": check(date, args.get("date_to"), "date_to", "Hasta", required=False),
        "overdue": check(boolean, args.get("overdue"), "overdue", "Vencidas"),
    }
    return clean, check.errors


ORDERS = RecordType(
    model=CalibrationOrder, workflow=WF, permission=ORDER_PERMISSION, resource=ENTITY, route_base="/calibracion",
    title=_l("Órdenes de calibración"), name=_l("Orden"), number="number",
    columns={"number": _l("Nº"), "instrument": _l("Instrumento"), "target_date": _l("Fecha objetivo")},
    fields=services.ORDER_FIELDS, create=services.create_order, may_create=services.ensure_can_create,
)


class CalibrationOrderDetailsView(RecordPages):
    """Órdenes de calibración on the kit's record pages: the management list with the
    work-order form, the new-order form, the order page with its execution forms."""

    record = ORDERS
    workflow = WF
    route_base = "/calibracion"
    list_endpoint = "CalibrationOrderDetailsView.list_calibrations"
    class_permission_name = ORDER_PERMISSION
    method_permission_name = {
        "list_calibrations": "read", "work_order": "read", "details": "read", "act": "read", "new": "write",
        "execution": "read", "progress": "read", "result": "read", "result_delete": "read", "evidence": "read",
        "upload_evidence": "read", "logistics": "read", "ticks": "read",
    }
    base_permissions = ["can_read", "can_write"]
    default_view = "list_calibrations"
    default_done = "{action}: la orden {number} está en «{state}»."
    created_done = "Orden {number} creada: «{state}»."
    detail_template = "calibration/orders/order.html"
    form_template = "calibration/orders/new.html"

    # --- the kit's hooks ------------------------------------------------------------------
    def get_object(self, pk: int, *, details: bool = False):
        return queries.get_order(session=db.session, user=current_user(), order_id=pk, details=details)

    def field_options(self, fields: set[str], obj) -> dict:
        """The company's technicians (work-order forms) and instruments (the new-order form)."""
        options = {}
        if "technicians" in fields:
            options["technicians"] = [(u.id, display_name(u)) for u in company_technicians(db.session, company_id=current_company_id())]
        if "instrument" in fields:
            options["instrument"] = [(i.id, f"{i.tag} · {i.description}") for i in instrument_queries.instruments(session=db.session)]
        return options

    def field_values(self, action: str, obj) -> dict:
        if action in ("SCHEDULE", "RESCHEDULE"):
            return {"target_date": obj.target_date, "window_start": obj.window_start, "window_end": obj.window_end,
                    "technicians": [t.id for t in obj.technicians], "notes": obj.notes, "observations": obj.observations}
        return {}

    def form_fields(self, user) -> dict:
        """Internal notes are the lab's: a client's request form has none."""
        return {k: v for k, v in services.ORDER_FIELDS.items() if k != "notes" or is_manager(user)}

    def initial_values(self, user) -> dict:
        return {"requested_on": request_today()}

    def detail_context(self, obj) -> dict:
        """The order, its timeline, checklist, certificates and what the user may do on them."""
        user = current_user()
        certs = [{"number": c.number, "status_label": c.status_label, "shared": c.shared_at is not None,
                  "replaces": c.replaces.number if c.replaces else None,
                  "url": f"/api/v1/calibration_order/{obj.id}/certificate/{c.number}"}
                 for c in certificates.visible_to(db.session, obj, user)]
        return dict(
            order=obj, timeline_entries=queries.timeline(session=db.session, order=obj), action_label=queries.action_label,
            checklist_items=checklist.checklist(db.session, order=obj), logistics_statuses=LOGISTICS_STATUSES,
            is_staff=is_manager(user) or TECNICO_ROLE in role_names(user), sees_notes=sees_internal_notes(user),
            can_tick=(is_admin(user) or SUPERVISOR_ROLE in role_names(user)) and obj.state in checklist.TICKABLE_STATES,
            certificates=certs, max_mb=f"{upload_limit() / 1048576:g}", edit_fields=services.EDIT_FIELDS,
            required={"results": execution.RESULT_REQUIRED, "progress": execution.PROGRESS_REQUIRED,
                      "logistics": execution.LOGISTICS_REQUIRED, "evidence": execution.EVIDENCE_REQUIRED},
        )

    def details_response(self, obj, *, form_state=None, status=200, section=None):
        """`section` = {"form": name, "typed": ..., "errors": ..., "message": ...} reopens one of
        the execution forms with what was typed and its errors."""
        return super().details_response(obj, form_state=form_state, status=status, section=section or {})

    # --- management list (list_calibrations) -------------------------------------------
    @expose("/ordenes")
    @has_access
    def list_calibrations(self):
        return self._list_page()

    def _list_page(self, *, selected=None, form_state=None, status=200):
        user, today = current_user(), request_today()
        filters, errors = list_filters(request.args)
        page = max(0, (integer(request.args.get("page"), "page", "Página", required=False, min=1, max=10**6) or 1) - 1) \
            if typed_int(request.args.get("page")) is not None else 0
        stmt = queries.visible_orders(user=user, today=today, **filters)
        orders, total = queries.list_page(db.session, stmt, page=page, page_size=PAGE_SIZE)
        if selected is None and typed_int(request.args.get("orden")) is not None:
            try:
                selected = self.get_object(typed_int(request.args["orden"]))
            except NotFound:
                selected = None
        manage = is_manager(user)
        form = None
        if selected is not None and manage:
            values = (form_state or {}).get("values") or self.field_values("SCHEDULE", selected)
            form = {"order": selected, "typed": values, "errors": (form_state or {}).get("errors", {}),
                    "message": (form_state or {}).get("message"),
                    "actions": [t.action for t in WF.available_actions(selected, user)
                                if t.action not in ("SCHEDULE", "RESCHEDULE")]}
        technicians = company_technicians(db.session, company_id=current_company_id()) if current_company_id() else []
        return self.render_template(
            "calibration/orders/list.html", orders=orders, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
            filters=filters, filter_errors=errors, args=request.args,
            link_args={k: v for k, v in request.args.items() if k not in ("orden", "page")}, wf=WF, today=today, form=form,
            fields=WORK_ORDER_FIELDS, technicians=[(u.id, display_name(u)) for u in technicians],
            instruments=instrument_queries.instruments(session=db.session, active_only=False),
            can_create=services.can_create(user), open_states=queries.OPEN_STATES, manage=manage,
        ), status

    @expose("/ordenes/<int:pk>/ot", methods=["POST"])
    @has_access
    def work_order(self, pk):
        """The work-order form: dates, window, technicians, notes, observations and an action."""
        order = self.get_object(pk)
        payload = form_payload(WORK_ORDER_FIELDS, request.form)
        if order.state not in ("RECEIVED", "SCHEDULED"):
            payload = {k: v for k, v in payload.items() if k in ("notes", "observations")}
        action = request.form.get("action") or None
        data = {**payload, **({"action": action} if action else {}),
                **({"reason": request.form.get("reason")} if request.form.get("reason") else {})}
        try:
            order = run(services.update_work_order, order=order, data=data)
        except NotFound:
            raise
        except DomainError as exc:
            beside, above = errors_by_field(exc, {**WORK_ORDER_FIELDS, "reason": {}})
            state = {"values": {**typed_values(WORK_ORDER_FIELDS, payload), "reason": request.form.get("reason", "")},
                     "errors": beside, "message": above}
            return self._list_page(selected=self.get_object(pk), form_state=state, status=exc.status)
        flash(str(Markup("Orden {n} guardada: «{s}».").format(n=order.number, s=WF.state_label(order.state))), "success")
        return redirect(url_for(".list_calibrations", orden=order.id,
                                **{k: v for k, v in request.args.items() if k not in ("orden", "page")}))

    # --- new order and the order page -----------------------------------------------------
    @expose("/orden/nueva", methods=["GET", "POST"])
    @has_access
    def new(self):
        return self.creation_page()

    @expose("/orden/<int:pk>")
    @has_access
    def details(self, pk):
        return self.details_response(self.get_object(pk, details=True))

    @expose("/orden/<int:pk>/accion/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        return self.perform_from_form(pk, action)

    def _section(self, pk, name: str, command, values: dict, done: str | None = None, **arguments):
        """Run one execution form's command in the request boundary and say `done` (or what the
        command returns); on a refusal the page comes back with that form open, what was typed
        and the errors beside the fields."""
        order = self.get_object(pk, details=True)
        try:
            result = run(command, order=order, **arguments)
        except DomainError as exc:
            errors, above = errors_by_field(exc, SECTION_FIELDS[name])
            section = {"form": name, "typed": values, "errors": errors, "message": above}
            return self.details_response(self.get_object(pk, details=True), section=section, status=exc.status)
        flash(done or result, "success")
        return redirect(url_for(".details", pk=pk) + f"#{name}")

    @expose("/orden/<int:pk>/detalles", methods=["POST"])
    @has_access
    def execution(self, pk):
        values = {k: request.form.get(k, "") for k in services.EDIT_FIELDS if k in request.form}
        if "wants_due_date" in services.EDIT_FIELDS and "wants_due_date_present" in request.form:
            values["wants_due_date"] = request.form.get("wants_due_date", "")
        return self._section(pk, "execution", services.update_order, values, "Datos de la orden guardados.", data=values)

    @expose("/orden/<int:pk>/avance", methods=["POST"])
    @has_access
    def progress(self, pk):
        values = {"entry_date": request.form.get("entry_date", ""), "text": request.form.get("text", "")}
        return self._section(pk, "progress", execution.add_progress, values, "Avance registrado.", data=values)

    @expose("/orden/<int:pk>/resultado", methods=["POST"])
    @has_access
    def result(self, pk):
        values = {k: request.form.get(k, "") for k in execution.RESULT_LABELS if request.form.get(k, "") != ""}
        return self._section(pk, "results", execution.add_result, values, "Resultado añadido.", data=values)

    @expose("/orden/<int:pk>/resultado/<int:rid>/borrar", methods=["POST"])
    @has_access
    def result_delete(self, pk, rid):
        def delete(*, session, user, order):
            result = queries.get_child(session=session, user=user, model=CalibrationResult, child_id=rid, what="resultado")
            if result.order_id != order.id:
                raise NotFound("No existe ese resultado en esta orden.")
            execution.delete_result(session=session, user=user, result=result)
        return self._section(pk, "results", delete, {}, "Resultado eliminado.")

    @accepts_upload
    @expose("/orden/<int:pk>/evidencia", methods=["POST"])
    @has_access
    def upload_evidence(self, pk):
        def attach(*, session, user, order):
            upload = received_file("file")
            if "file" in execution.EVIDENCE_REQUIRED and (upload is None or not upload.filename):
                raise ValidationError("Elige el archivo de evidencia.", field="file")
            evidence = execution.add_evidence(session=session, user=user, order=order, filename=upload.filename,
                                              data=upload.stream, storage=get_storage())
            return f"Evidencia «{evidence.filename}» adjunta."
        return self._section(pk, "evidence", attach, {})

    @expose("/evidencia/<int:eid>")
    @has_access
    def evidence(self, eid):
        evidence = queries.get_child(session=db.session, user=current_user(), model=CalibrationEvidence, child_id=eid,
                                     what="evidencia")
        return file_response(evidence)

    @expose("/orden/<int:pk>/logistica", methods=["POST"])
    @has_access
    def logistics(self, pk):
        values = {k: request.form.get(k, "") for k in ("status", "event_date", "carrier", "tracking_number", "responsible")}
        return self._section(pk, "logistics", execution.add_logistics, values, "Evento logístico registrado.", data=values)

    @expose("/orden/<int:pk>/lista", methods=["POST"])
    @has_access
    def ticks(self, pk):
        ticked = set(request.form.getlist("item"))

        def tick(*, session, user, order):
            items = {i["code"]: i["code"] in ticked for i in checklist.checklist(session, order=order)}
            changed = checklist.set_ticks(session, user=user, order=order, items=items)
            return f"Lista de revisión guardada ({len(changed)} cambios)."
        return self._section(pk, "checklist", tick, {})


class ChecklistItemView(TenantModelView):
    """Lista de revisión ISO/IEC 17025 of the company (Admin): items are deactivated, not deleted."""

    datamodel = SQLAInterface(ChecklistItem)
    route_base = "/calibracion/lista-revision"
    class_permission_name = "CalibrationChecklist"
    include_route_methods = {"list", "add", "edit"}
    list_columns = ["position", "code", "clause", "label", "active"]
    add_columns = edit_columns = ["code", "label", "clause", "position", "active"]
    base_order = ("position", "asc")
    label_columns = {"position": _l("Orden"), "code": _l("Código"), "clause": _l("Cláusula"), "label": _l("Punto"),
                     "active": _l("Activo")}
    list_title = _l("Lista de revisión (ISO/IEC 17025)")


def register(appbuilder) -> None:
    """The module's menu, opened by the orders' pages (the instruments' follow them)."""
    appbuilder.add_view(
        CalibrationOrderDetailsView, "Órdenes de calibración", label=_l("Órdenes de calibración"),
        icon="fa-list", category=CATEGORY, category_label=_l("Calibraciones"), category_icon="fa-balance-scale",
    )


def register_review(appbuilder) -> None:
    """After the instruments: the review checklist (Admin) and the flow diagram."""
    appbuilder.add_view(ChecklistItemView, "Lista de revisión", label=_l("Lista de revisión"), icon="fa-check",
                        category=CATEGORY)
    appbuilder.add_link("Diagrama del flujo de calibración", label=_l("Diagrama del flujo"),
                        href="/flujos/calibration", icon="fa-project-diagram", category=CATEGORY)
