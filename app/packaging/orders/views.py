"""Web pages of packaging work orders: the OT list (FLT rules and filters), the new/edit
form, the detail page (data, area, state, responsible per area, management history, the new
management form offering only what WF-004/WF-001..003 allow, alerts), the assignments page
(ASIG-001; /envases/asignacionesConMensaje shows it with a message) and the user's packaging
profile. Thin: commands in services.py, reads in queries.py, rules.py and workflow.py."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.commands import run
from app.core.errors import DomainError
from app.core.identity import current_user, display_name
from app.core.pages import form_errors
from app.core.storage import check_upload, get_storage
from app.core.tenancy import Membership, current_company_id
from app.core.uploads import accepts_upload, received_file
from app.core.validation import typed_int
from app.extensions import db
from app.packaging import rules
from app.packaging.cascade import services as cascade
from app.packaging.catalogs import queries as cat
from app.packaging.orders import filters, queries, services, workflow
from app.packaging.orders.api import file_download
from app.packaging.orders.filters import current_actor
from app.packaging.orders.models import FIELD_LABELS, WorkOrder

CATEGORY = "Envases"
ORDER_FORM = {name: {**spec, "required": name in services.ORDER_REQUIRED} for name, spec in {  # issue 29 · 8
    "client": {"label": FIELD_LABELS["client"]},
    "description": {"label": FIELD_LABELS["description"], "type": "text"},
    "request_type": {"label": FIELD_LABELS["request_type"]},
    **{name: {"label": FIELD_LABELS[name]} for name in services.PRODUCT_FIELDS},
}.items()}


def _people(session, area_id=None):
    """Members of the active company with a packaging role (of `area_id` when given): their
    roles and profiles in two statements whatever their number (issue 29 item 1)."""
    return [a.user for a in _actors(session) if area_id is None or a.area == area_id]


def _actors(session) -> list[rules.Actor]:
    """The active company's active members with a packaging role, as the rules see them."""
    company_id = current_company_id()
    users = session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                            .where(Membership.company_id == company_id, User.active.is_(True))
                            .options(selectinload(User.roles))
                            .order_by(User.first_name, User.last_name)).all()
    return [a for a in rules.actors_for(session, users, company_id) if a.role]


class PackagingOrdersView(BaseView):
    route_base = "/envases"
    class_permission_name = "PackagingWorkOrder"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {"list": "read", "detail": "read", "assignments": "read", "assignments_message": "read",
                              "profile": "read", "new": "write", "edit": "write", "manage": "write",
                              "assign": "write", "approve": "write", "reports": "read",
                              "download": "read", "history": "read"}
    default_view = "list"

    def _context(self, **kwargs) -> dict:
        """What every page template reads: `names`, the catalogs' labels from their rows."""
        return dict(cat=cat, names=cat.labels(db.session), **kwargs)

    @expose("/ots/")
    @has_access
    def list(self):
        """OT list: FLT-001..FLT-005 and the filters state, area, client, seller, responsible, date."""
        actor = current_actor()
        status, errors = 200, {}
        try:
            rules.require(actor, "VER_OTS")
            f = queries.parse_filters(request.args)
            total, rows = queries.list_orders(session=db.session, actor=actor, f=f)
        except DomainError as exc:
            errors, status = form_errors(exc), exc.status
            f, total, rows = queries.ListFilters(), 0, []
        people = _people(db.session)
        return self.render_template(
            "packaging/orders/list.html", rows=rows, total=total, f=f, errors=errors, args=request.args,
            sellers=[u for u in people if cat.role_of(u) in cat.SELLERS], people=people,
            can_create=rules.can(actor, "CREAR_OT"), assigned_filter=actor.role in filters.ASSIGNED_ONLY,
            **self._context(),
        ), status

    def _form(self, ot: WorkOrder | None):
        actor, user = current_actor(), current_user()
        values, errors, status = {}, {}, 200
        if ot is not None:
            reason = rules.edit_refusal(db.session, actor, ot)
            if reason:
                flash(reason, "danger")
                return redirect(url_for(".detail", pk=ot.id))
            values = {name: getattr(ot, name) for name in ("client", "description")}
            values["request_type"] = ot.request_type_id
            values.update({name: getattr(ot, f"{name}_id") for name in services.PRODUCT_FIELDS})
        elif not rules.can(actor, "CREAR_OT"):
            flash(rules.role_refusal(actor, "CREAR_OT"), "danger")
            return redirect(url_for(".list"))
        if request.method == "POST":
            payload = {name: request.form.get(name, "") for name in ORDER_FORM}
            try:
                if ot is None:
                    ot = run(services.create_order, user=user, data=payload)
                    done = _l("OT %(n)s creada en «%(s)s».", n=ot.number, s=cat.labels(db.session).state(ot.state))
                else:
                    run(services.edit_order, user=user, ot=ot, data=payload)
                    done = _l("OT %(n)s guardada.", n=ot.number)
                flash(str(done), "success")
                return redirect(url_for(".detail", pk=ot.id))
            except DomainError as exc:
                errors, status = form_errors(exc, payload), exc.status
                values = dict(payload)
                if typed_int(values.get("request_type")) is not None:
                    values["request_type"] = typed_int(values["request_type"])
                if "" in errors:
                    flash(errors.pop(""), "danger")
        options = {"request_type": list(cat.labels(db.session).request_types.items())}
        fields = {k: v for k, v in ORDER_FORM.items() if k not in services.PRODUCT_FIELDS}
        return self.render_template("packaging/orders/form.html", ot=ot, fields=fields, values=values, errors=errors,
                                    options=options, cascade=cascade.form_levels(db.session, values),
                                    **self._context()), status

    @expose("/ots/nueva", methods=["GET", "POST"])
    @has_access
    def new(self):
        return self._form(None)

    @expose("/ots/<int:pk>/editar", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        return self._form(queries.get_order(session=db.session, actor=current_actor(), order_id=pk))

    def _detail(self, ot, *, values=None, errors=None, status=200):
        actor = current_actor()
        options = workflow.allowed_states(db.session, actor, ot)
        types = workflow.allowed_management_types(db.session, actor, ot)
        names = cat.labels(db.session)
        return self.render_template(
            "packaging/orders/detail.html", ot=ot, entries=queries.history(session=db.session, ot=ot),
            responsibles=queries.responsibles(ot), types=[(t, names.management_type(t)) for t in types],
            states=[(s, names.state(s)) for s in options.states], alerts=options.alerts,
            can_edit=rules.edit_refusal(db.session, actor, ot) is None,
            can_approve=workflow.may_approve(db.session, actor, ot),
            values=values or {}, errors=errors or {}, **self._context(),
        ), status

    @expose("/ots/<int:pk>")
    @has_access
    def detail(self, pk):
        return self._detail(queries.get_order(session=db.session, actor=current_actor(), order_id=pk))

    @expose("/ots/<int:pk>/archivos/<int:entry_id>")
    @has_access
    def download(self, pk, entry_id):
        """A file attached by a type 3 entry (issue 21 · 4): 404 unless the user sees the OT (FLT
        rules, active company); always a download under its own name, never shown inline."""
        return file_download(queries.get_order(session=db.session, actor=current_actor(), order_id=pk), entry_id)

    @expose("/ots/<int:pk>/historial")
    @has_access
    def history(self, pk):
        """The OT's audit history (issue 21 · 4) for whoever sees the OT (FLT rules; 404 else):
        the core's history reading, under the OT's own permission and row rules."""
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        entries = queries.audit_trail(session=db.session, ot=ot, names=cat.labels(db.session))
        return self.render_template("packaging/orders/history.html", ot=ot, entries=entries,
                                    title=f"{_l('OT')} {ot.number}", **self._context())

    @accepts_upload
    @expose("/ots/<int:pk>/gestion", methods=["POST"])
    @has_access
    def manage(self, pk):
        """A new management entry from the detail page (files: type 3, checked on upload)."""
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        payload = {k: request.form.get(k, "") for k in ("management_type", "state", "note", "provider",
                                                         "event_date", "consulted_area")}
        payload = {k: v for k, v in payload.items() if v != ""}
        payload["work_order"] = ot.id
        try:
            upload = None
            if payload.get("management_type") == str(cat.FILE):
                file = received_file("file")
                content = file.stream if file else b""
                upload = (check_upload(file.filename if file else "", content), content)
            run(services.add_management, ot=ot, data=payload, upload=upload, storage=get_storage())
            db.session.refresh(ot)
            names = cat.labels(db.session)
            flash(str(_l("Gestión registrada en la OT %(n)s: «%(s)s», %(a)s.", n=ot.number,
                         s=names.state(ot.state), a=names.area(ot.current_area_id))), "success")
            try:  # a state change may take the OT out of the user's sight (FLT-002/003/004)
                queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
            except DomainError:
                return redirect(url_for(".list"))
            return redirect(url_for(".detail", pk=pk))
        except DomainError as exc:
            errors = form_errors(exc, payload)
            if "" in errors:
                flash(errors.pop(""), "danger")
            ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
            return self._detail(ot, values=payload, errors=errors, status=exc.status)

    @expose("/ots/<int:pk>/aprobar", methods=["POST"])
    @has_access
    def approve(self, pk):
        """«Aprobar OT» from the detail page (issue 21 · 2): the workflow action, as on the API."""
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        try:
            run(services.act, ot=ot, action=workflow.APPROVE, data={})
            flash(str(_l("OT %(n)s aprobada.", n=ot.number)), "success")
        except DomainError as exc:
            flash(exc.message, "danger")
        return redirect(url_for(".detail", pk=pk))

    @expose("/reportes")
    @has_access
    def reports(self):
        """«Ver Reportes» (function matrix): a placeholder that lists nothing until the reports
        issue delivers them; the matrix's refusal (403) for the roles without the function."""
        rules.require(current_actor(), "VER_REPORTES")
        return self.render_template("packaging/orders/reports.html", **self._context())

    def _assignments(self, message=None):
        actor = current_actor()
        area = None if actor.is_admin else actor.area
        f = queries.parse_filters(request.args)
        f.area = f.area or area
        total, rows = queries.list_orders(session=db.session, actor=actor, f=f)
        people = {}
        for a in _actors(db.session) if rows else ():
            people.setdefault(a.area, []).append(a.user)
        if message:
            flash(message, "success")
        return self.render_template("packaging/orders/assignments.html", rows=rows, total=total, people=people,
                                    can_assign=rules.can(actor, "ASIGNAR_OT"), name=display_name, **self._context())

    @expose("/asignaciones")
    @has_access
    def assignments(self):
        """The OTs of the chief's area with their responsible, to assign (ASIG-001)."""
        return self._assignments()

    @expose("/asignacionesConMensaje")
    @has_access
    def assignments_message(self):
        """The spec's /asignacionesConMensaje: the assignments page with the last message."""
        return self._assignments(request.args.get("mensaje", "")[:300] or None)

    @expose("/ots/<int:pk>/asignar", methods=["POST"])
    @has_access
    def assign(self, pk):
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        try:
            row = run(services.assign, ot=ot, data={"asignado_id": request.form.get("asignado_id")})
            message = str(_l("OT %(n)s asignada a %(u)s.", n=ot.number, u=display_name(row.user)))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for(".assignments"))
        return redirect(url_for(".assignments_message", mensaje=message))

    @expose("/perfil")
    @has_access
    def profile(self):
        """The user's packaging profile in the active company (Admin edits it in Mantenedores)."""
        actor = current_actor()
        context = self._context()
        return self.render_template("packaging/orders/profile.html", actor=actor,
                                    role_label=context["names"].roles.get(actor.role), **context)


def register(appbuilder) -> None:
    appbuilder.add_view(PackagingOrdersView, "OTs de envases", label=_l("OTs de envases"), icon="fa-box",
                        category=CATEGORY, category_label=_l("Envases"), category_icon="fa-box")
    appbuilder.add_link("Asignaciones", label=_l("Asignaciones"), href="/envases/asignaciones", icon="fa-user-plus",
                        category=CATEGORY)
    appbuilder.add_link("Mi perfil de envases", label=_l("Mi perfil de envases"), href="/envases/perfil",
                        icon="fa-id-card", category=CATEGORY)
