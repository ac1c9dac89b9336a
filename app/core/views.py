"""Web views of the platform core: home, company switcher, companies, memberships, days off,
the read-only audit trail and the workflow diagrams."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, IndexView, ModelView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from app.core.audit import AuditEntry
from app.core.errors import DomainError
from app.core.formatting import ReadableColumns
from app.core.history import (
    HistoryInterface,
    VisibleHistory,
    entity_label,
    preload_related,
    readable_entry,
)
from app.core.identity import current_user, is_admin
from app.core.localization import check_tax_id
from app.core.pages import FormErrorsMixin
from app.core.redirects import is_safe_redirect
from app.core.security import READ_WRITE
from app.core.tenancy import (
    Company,
    Membership,
    NonWorkingDay,
    current_company_id,
    user_companies,
    user_company_ids,
)
from app.core.validation import typed_int
from app.core.workflow import all_workflows, get_workflow
from app.extensions import db


class EagerSQLAInterface(SQLAInterface):
    """SQLAInterface whose list queries load the related rows they show up front (issue 7
    item 6): a constant number of queries however many rows the page has. `options` are
    loader options; `joined` names relationships loaded in the same query. A related
    interface FAB derives from this one (self.__class__(model)) gets none."""

    def __init__(self, obj, *options, joined=()):
        super().__init__(obj)
        self.load_options = [*options, *(joinedload(getattr(obj, name)) for name in joined)]

    def apply_all(self, query, *args, **kwargs):
        return super().apply_all(query, *args, **kwargs).options(*self.load_options)


class HomeView(IndexView):
    index_template = "index.html"


class TenantModelView(FormErrorsMixin, ReadableColumns, ModelView):
    """ModelView over tenant rows (isolation is central); permissions by the read/write map;
    a refused add or edit comes back as the same form with each error beside its field."""

    method_permission_name = READ_WRITE
    # FAB's file download and row-action routes: no model here has files or actions, and
    # FAB answers a made-up file or action name with a 500
    exclude_route_methods = {"download", "action", "action_post"}
    page_size = 25


def tax_id_for_country(form, field) -> None:
    """The company form checks the tax id against the country typed beside it (issue 9, item 17)."""
    from wtforms.validators import ValidationError as FormError


    country = (form.country_code.data or "").strip().upper() if "country_code" in form else ""
    if country and field.data:
        try:
            check_tax_id(country, field.data.strip().upper())
        except DomainError as exc:
            raise FormError(exc.message) from None


class CompanyView(FormErrorsMixin, ReadableColumns, ModelView):
    datamodel = SQLAInterface(Company)
    class_permission_name = "Company"
    method_permission_name = READ_WRITE
    include_route_methods = {"list", "show", "add", "edit"}
    list_columns = ["name", "tax_id", "country_code", "subdivision", "timezone", "active"]
    edit_columns = show_columns = list_columns
    add_columns = ["name", "tax_id", "country_code", "subdivision", "active"]  # zone: its country's
    validators_columns = {"tax_id": [tax_id_for_country]}
    description_columns = {
        "timezone": _l("Zona horaria de sus fechas y horas (al crearla, la principal de su país)."),
        "tax_id": _l("Se comprueba según el país (NIF/CIF en ES, RFC en MX, RUT en CL...)."),
    }
    search_columns = ["name", "tax_id", "country_code", "active"]
    label_columns = {
        "name": _l("Nombre"), "tax_id": _l("NIF / RFC / RUT"), "country_code": _l("País (ISO)"),
        "subdivision": _l("Región (festivos)"), "active": _l("Activa"),
        "timezone": _l("Zona horaria"),
    }


class MembershipView(FormErrorsMixin, ReadableColumns, ModelView):
    datamodel = SQLAInterface(Membership)
    class_permission_name = "Membership"
    method_permission_name = READ_WRITE
    include_route_methods = {"list", "show", "add", "delete"}
    list_columns = ["user", "company"]
    add_columns = show_columns = list_columns
    search_columns = ["user", "company"]
    label_columns = {"user": _l("Usuario"), "company": _l("Empresa")}


class NonWorkingDayView(TenantModelView):
    datamodel = SQLAInterface(NonWorkingDay)
    class_permission_name = "NonWorkingDay"
    list_columns = ["date", "description"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["date", "description"]
    base_order = ("date", "asc")
    label_columns = {"date": _l("Fecha"), "description": _l("Descripción")}


class AuditView(ReadableColumns, ModelView):
    """Auditoría, read as a history (issue 9, item 6): no add, edit or delete route; each user
    reads the entries of the kinds of records they may read (app/core/history.py)."""

    datamodel = HistoryInterface(AuditEntry)
    class_permission_name = "AuditEntry"
    method_permission_name = {**READ_WRITE, "history": "read"}
    include_route_methods = {"list", "show", "history"}
    base_order = ("created_at", "desc")
    base_filters = [["entity", VisibleHistory, None]]
    # the actor's name as written at the time (issue 8, finding 5)
    list_columns = ["created_at", "actor_name", "entity_label", "entity_id", "action_label", "states"]
    show_columns = list_columns + ["client_address", "data_text", "workflow_version"]
    search_columns = ["entity", "entity_id", "user", "action", "created_at"]
    label_columns = {
        "created_at": _l("Fecha"), "user": _l("Usuario"), "actor_name": _l("Usuario"),
        "client_address": _l("Dirección del cliente"), "entity": _l("Entidad"), "entity_label": _l("Entidad"),
        "entity_id": _l("Id"), "action": _l("Acción"), "action_label": _l("Acción"), "states": _l("Estado"),
        "from_state": _l("Desde"), "to_state": _l("Hasta"), "data": _l("Datos"), "data_text": _l("Datos"),
        "workflow_version": _l("Versión del flujo"),
    }
    formatters_columns = {"user": lambda user: user.get_full_name() if user else "",
                          "data_text": lambda lines: Markup("<br>").join(lines)}

    @expose("/historial/<entity>/<int:pk>")
    @has_access
    def history(self, entity, pk):
        """One record's own history, oldest first."""
        query = db.session.query(AuditEntry).filter(AuditEntry.entity == entity, AuditEntry.entity_id == pk)
        visible = VisibleHistory("entity", self.datamodel).apply(query, None)
        entries = visible.order_by(AuditEntry.created_at, AuditEntry.id).all()
        related = preload_related(entries, db.session)
        return self.render_template("audit/history.html", entries=[readable_entry(e) for e in entries],
                                    related=related, entity=entity, pk=pk,
                                    title=f"{entity_label(entity)} {pk}")


class CompanySwitchView(BaseView):
    """The navbar's company switcher: makes another of the user's companies the active one."""

    route_base = "/empresa"
    class_permission_name = "CompanySwitch"
    method_permission_name = {"switch": "read"}

    @expose("/activa", methods=["POST"])
    @has_access
    def switch(self):
        raw = request.form.get("company_id", "")
        allowed = user_company_ids(db.session, current_user())
        chosen = typed_int(raw)  # "²" passes str.isdigit but not int()
        if chosen is None or chosen not in allowed:
            abort(403)
        session["company_id"] = chosen
        company = db.session.get(Company, chosen)
        flash(str(_l("Ahora trabajas en %(company)s.")) % {"company": company.name}, "info")
        target = request.form.get("next")
        return redirect(target if is_safe_redirect(target) else url_for("HomeView.index"))


class WorkflowView(BaseView):
    """One page per workflow: its state diagram (drawn in the browser, offline) and table."""

    route_base = "/flujos"
    class_permission_name = "Workflow"
    method_permission_name = {"show": "read", "index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("workflow/index.html", workflows=all_workflows())

    @expose("/<code>")
    @has_access
    def show(self, code):
        if code not in {w.code for w in all_workflows()}:
            abort(404)
        return self.render_template("workflow/show.html", workflow=get_workflow(code))


def company_context() -> dict:
    """Template globals: `appbuilder` (for pages rendered outside FAB views, such as error
    pages) and the navbar's company switcher."""
    base = {"appbuilder": current_app.appbuilder}
    user = current_user()
    if user is None:
        return base
    rows = g.get("companies")
    if rows is None:
        rows = user_companies(db.session, user)
    companies = sorted(rows, key=lambda c: c.name)  # read once per request (issue 13)
    active = next((c for c in companies if c.id == current_company_id()), None)
    return {**base, "my_companies": companies, "active_company": active, "user_is_admin": is_admin(user)}


def page_language() -> dict:
    """`html_lang`: the language Flask-Babel renders the page in, for `<html lang>` (issue 19):
    screen readers pronounce the page in the user's language, es or en."""
    locale = get_locale()
    return {"html_lang": locale.language if locale else current_app.config.get("BABEL_DEFAULT_LOCALE", "es")}


def register(appbuilder) -> None:
    appbuilder.add_view(
        CompanyView, "Empresas", label=_l("Empresas"), icon="fa-building",
        category="Plataforma", category_label=_l("Plataforma"), category_icon="fa-cogs",
    )
    appbuilder.add_view(MembershipView, "Membresías", label=_l("Membresías"), icon="fa-users", category="Plataforma")
    appbuilder.add_view(
        NonWorkingDayView, "Días no laborables", label=_l("Días no laborables"), icon="fa-calendar", category="Plataforma"
    )
    appbuilder.add_view(WorkflowView, "Flujos de trabajo", label=_l("Flujos de trabajo"), icon="fa-project-diagram", category="Plataforma")
    appbuilder.add_view(
        AuditView, "Auditoría", label=_l("Auditoría"), icon="fa-history",
        category="Auditoría", category_label=_l("Auditoría"), category_icon="fa-search",
    )
    appbuilder.add_view_no_menu(CompanySwitchView)


def _menu_labels(items, labels: dict) -> dict:
    for item in items:
        if item.baseview is not None and item.label:
            labels.setdefault(id(item.baseview), item.label)
        _menu_labels(item.childs, labels)
    return labels


def _titled(verb, label):
    return LazyString(lambda: f"{label} · {verb}") if verb else label


def name_default_titles(appbuilder) -> None:
    """FAB titles a page it was given no title for "List Company", "Add Company"...: fixed
    English. Such a page takes its menu label instead (issue 9, item 1)."""
    labels = _menu_labels(appbuilder.menu.menu, {})
    verbs = {"list_title": None, "show_title": _l("Ver"), "add_title": _l("Añadir"), "edit_title": _l("Editar")}
    for view in appbuilder.baseviews:
        label = labels.get(id(view), _l("Registros"))
        view.menu_label = labels.get(id(view))
        for attribute, verb in verbs.items():
            title = getattr(view, attribute, None)
            if isinstance(title, str) and title.split(" ", 1)[0] in {"List", "Show", "Add", "Edit"}:
                setattr(view, attribute, _titled(verb, label))
        if hasattr(view, "list_title"):
            view.title = view.list_title
