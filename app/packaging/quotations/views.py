"""Pages of quotations (module COTIZADOR) under /envases/cotizaciones: the list (COT-001, the
date range of COT-002 shown in its filter, the creator filter for sales chiefs and admins),
the new/edit form with its lines (rows added and removed in the page) and the detail page with
the workflow's actions (SUBMIT / APPROVE / REJECT). Thin: services.py and queries.py."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.commands import run
from app.core.context import request_today
from app.core.errors import DomainError
from app.core.identity import current_user, display_name
from app.core.localization import format_date
from app.core.pages import form_errors
from app.core.tenancy import current_company_id
from app.core.validation import typed_int
from app.core.workflow_views import WorkflowActionsView
from app.extensions import db
from app.packaging import rules
from app.packaging.orders.filters import current_actor
from app.packaging.orders.filters import visibility_clause as order_visibility
from app.packaging.orders.models import WorkOrder
from app.packaging.orders.views import CATEGORY
from app.packaging.quotations import queries as qq
from app.packaging.quotations import services as quotations
from app.packaging.quotations.models import CURRENCIES
from app.packaging.quotations.models import QUOTATION_LABELS as QL
from app.packaging.quotations.workflow import QWF, offered_actions

MENU = "Cotizaciones"


AMOUNT_FORMATS = {"quantity": "#,##0.##", "price": "#,##0.00##", "total": "#,##0.00"}


def amount(value, kind: str = "total") -> str:
    """An amount in the user's language (es: 15.250,00)."""
    return format_decimal(value, format=AMOUNT_FORMATS[kind])


def form_lines(form) -> list[dict]:
    """The line rows of the posted form, fully blank rows dropped (the rows keep their order)."""
    columns = {name: form.getlist(f"line-{name}") for name in quotations.LINE_FIELDS}
    count = max((len(v) for v in columns.values()), default=0)
    rows = []
    for i in range(count):
        row = {name: (values[i] if i < len(values) else "").strip() for name, values in columns.items()}
        if any(row[name] for name in ("item", "quantity", "unit_price")):
            rows.append(row)
    return rows


class PackagingQuotationView(WorkflowActionsView):
    route_base = "/envases/cotizaciones"
    class_permission_name = "PackagingQuotation"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {"list": "read", "details": "read", "act": "read", "new": "write", "edit": "write"}
    default_view = "list"
    workflow = QWF

    # --- WorkflowActionsView ----------------------------------------------------------
    def get_object(self, pk: int, *, details: bool = False):
        return qq.get_quotation(session=db.session, actor=current_actor(), company_id=current_company_id(), quotation_id=pk)

    def message_fields(self, obj) -> dict:
        return {"number": obj.number}

    def details_url(self, obj) -> str:
        return url_for(".details", pk=obj.id)

    def gone_url(self) -> str:
        return url_for(".list")

    def workflow_context(self, obj, *, form_state=None, act_endpoint: str) -> dict:
        """The engine's actions, without SUBMIT for who is neither the creator nor an admin."""
        context = super().workflow_context(obj, form_state=form_state, act_endpoint=act_endpoint)
        offered = offered_actions(db.session, obj, current_user())
        context["actions"] = [a for a in context["actions"] if a in offered]
        return context

    def details_response(self, obj, *, form_state=None, status=200):
        actor = current_actor()
        return self.render_template(
            "packaging/quotations/detail.html", q=obj, currencies=CURRENCIES, state_label=QWF.state_label,
            can_edit=quotations.edit_refusal(db.session, actor, obj) is None, person=display_name, amount=amount,
            **self.workflow_context(obj, form_state=form_state, act_endpoint=".act"),
        ), status

    # --- pages ---------------------------------------------------------------------------
    @expose("/")
    @has_access
    def list(self):
        """COT-001 and COT-002: the quotations the user sees in the range (default: first day
        of last month to tomorrow)."""
        actor = current_actor()
        status, errors = 200, {}
        try:
            qq.require_quotations(actor)
            f = qq.parse_filters(request.args, today=request_today())
            total, rows = qq.list_quotations(session=db.session, actor=actor, company_id=current_company_id(), f=f)
        except DomainError as exc:
            errors, status = form_errors(exc), exc.status
            f, total, rows = qq.QuotationFilters(), 0, []
        people = qq.creators(db.session, actor, current_company_id()) if not errors else []
        return self.render_template(
            "packaging/quotations/list.html", rows=rows, total=total, f=f, errors=errors, args=request.args,
            creators=people, person=display_name, amount=amount, sees_all=qq.sees_all(actor), state_label=QWF.state_label, states=QWF.states,
            currencies=CURRENCIES, can_create=rules.can(actor, "CREAR_COTIZACION"),
            date_from=request.args.get("date_from") or (format_date(f.date_from) if f.date_from else ""),
            date_to=request.args.get("date_to") or (format_date(f.date_to) if f.date_to else ""),
        ), status

    @expose("/<int:pk>")
    @has_access
    def details(self, pk):
        return self.details_response(self.get_object(pk))

    def _orders(self, actor):
        """The OTs the user may link (visible to them), newest first (at most 200)."""
        return db.session.scalars(select(WorkOrder).where(order_visibility(actor, listing=False))
                                  .order_by(WorkOrder.number.desc()).limit(200)).all()

    def _form(self, q):
        actor, user = current_actor(), current_user()
        values, errors, status = {}, {}, 200
        if q is not None:
            reason = quotations.edit_refusal(db.session, actor, q)
            if reason:
                flash(reason, "danger")
                return redirect(url_for(".details", pk=q.id))
            values = {"client": q.client, "work_order": str(q.work_order_id or ""), "notes": q.notes or "",
                      "lines": [{"item": line.item, "quantity": qq.money(line.quantity.normalize()),
                                 "unit_price": qq.money(line.unit_price.normalize()), "currency": line.currency}
                                for line in q.lines]}
        elif not rules.can(actor, "CREAR_COTIZACION"):
            flash(rules.role_refusal(actor, "CREAR_COTIZACION"), "danger")
            return redirect(url_for(".list"))
        if request.method == "POST":
            payload = {name: request.form.get(name, "") for name in ("client", "work_order", "notes")}
            payload["lines"] = form_lines(request.form)
            try:
                if q is None:
                    q = run(quotations.create_quotation, user=user, data=payload)
                    done = _l("Cotización %(n)s creada en borrador.", n=q.number)
                else:
                    version = request.form.get("version", "")
                    run(quotations.edit_quotation, user=user, quotation=q, data=payload,
                        expected_version=typed_int(version))
                    done = _l("Cotización %(n)s guardada.", n=q.number)
                flash(str(done), "success")
                return redirect(url_for(".details", pk=q.id))
            except DomainError as exc:
                errors, status = form_errors(exc, payload), exc.status
                values = payload
                if "" in errors:
                    flash(errors.pop(""), "danger")
        if not values.get("lines"):
            values["lines"] = [{"item": "", "quantity": "", "unit_price": "", "currency": "CLP"}]
        return self.render_template(
            "packaging/quotations/form.html", q=q, values=values, errors=errors, labels=QL, currencies=CURRENCIES,
            orders=self._orders(actor), required=quotations.QUOTATION_REQUIRED, line_required=quotations.LINE_REQUIRED,
        ), status

    @expose("/nueva", methods=["GET", "POST"])
    @has_access
    def new(self):
        return self._form(None)

    @expose("/<int:pk>/editar", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        return self._form(self.get_object(pk))


def register(appbuilder) -> None:
    appbuilder.add_view(PackagingQuotationView, MENU, label=_l("Cotizaciones"), icon="fa-calculator",
                        category=CATEGORY)

