"""Web pages of instruments (issue 10): instruments (list, add/edit), the client's
"Recepción" and instruments due within 30 days. Thin: rules in services."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.calibration.instruments import queries, services
from app.calibration.instruments.api import INSTRUMENT_PERMISSION
from app.calibration.instruments.models import Instrument
from app.calibration.instruments.services import CLIENTE_ROLE
from app.core.commands import run
from app.core.context import request_today
from app.core.errors import DomainError
from app.core.identity import current_user, is_admin, role_names
from app.core.views import TenantModelView
from app.extensions import db

CATEGORY = "Calibraciones"  # the module's menu, opened by orders/views.py

INSTRUMENT_LABELS = {
    "tag": _l("Etiqueta"), "description": _l("Descripción"), "make": _l("Marca"), "model": _l("Modelo"),
    "serial": _l("Número de serie"), "range_low": _l("Rango desde"), "range_high": _l("Rango hasta"),
    "unit": _l("Unidad"), "resolution": _l("Resolución"), "location": _l("Ubicación"),
    "interval_days": _l("Intervalo de calibración (días)"), "last_calibrated_on": _l("Última calibración"),
    "next_due_on": _l("Próxima calibración"), "active": _l("Activo"), "validated_at": _l("Validado (Recepción)"),
    "validated_by": _l("Validado por"),
}


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


class InstrumentView(TenantModelView):
    """Instrumentos of the company: tag unique in the company, range, interval, due dates."""

    datamodel = SQLAInterface(Instrument)
    route_base = "/calibracion/instrumentos"
    class_permission_name = INSTRUMENT_PERMISSION
    include_route_methods = {"list", "show", "add", "edit"}
    base_permissions = ["can_read", "can_write"]
    list_columns = ["tag", "description", "make", "model", "serial", "location", "next_due_on", "validated_at", "active"]
    add_columns = edit_columns = ["tag", "description", "make", "model", "serial", "range_low", "range_high", "unit",
                                  "resolution", "location", "interval_days", "last_calibrated_on", "next_due_on", "active"]
    show_columns = add_columns + ["validated_at", "validated_by"]
    search_columns = ["tag", "description", "serial", "location", "next_due_on", "active"]
    base_order = ("tag", "asc")
    label_columns = INSTRUMENT_LABELS
    formatters_columns = {"next_due_on": _date, "last_calibrated_on": _date,
                          "validated_at": lambda v: v.strftime("%d/%m/%Y") if v else "—"}
    list_title = _l("Instrumentos")
    add_title = _l("Nuevo instrumento")
    edit_title = _l("Editar instrumento")
    show_title = _l("Instrumento")

    def pre_add(self, item):
        services.check_instrument(item)

    def pre_update(self, item):
        services.check_instrument(item)
        reason = services.recheck_reception(item)
        if reason:
            flash(reason, "warning")


class InstrumentPagesView(BaseView):
    """Recepción (the client validates its instruments) and instruments due within 30 days."""

    route_base = "/calibracion"
    class_permission_name = INSTRUMENT_PERMISSION
    method_permission_name = {"reception": "read", "validate": "write", "due": "read"}
    default_view = "due"

    @expose("/recepcion")
    @has_access
    def reception(self):
        rows = queries.instruments(session=db.session, active_only=True)
        user = current_user()
        return self.render_template("calibration/instruments/reception.html", instruments=rows,
                                    can_validate=is_admin(user) or CLIENTE_ROLE in role_names(user))

    @expose("/recepcion/<int:pk>", methods=["POST"])
    @has_access
    def validate(self, pk):
        instrument = db.session.scalar(select(Instrument).where(Instrument.id == pk))
        if instrument is None:
            flash(str(_l("No existe ese instrumento en la empresa activa.")), "danger")
            return redirect(url_for(".reception")), 404
        try:
            run(services.validate_instrument, instrument=instrument)
            flash(str(_l("Instrumento %(tag)s validado.", tag=instrument.tag)), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        return redirect(url_for(".reception"))

    @expose("/vencimientos")
    @has_access
    def due(self):
        today = request_today()
        rows = queries.due_instruments(session=db.session, today=today)
        return self.render_template("calibration/instruments/due.html", instruments=rows, today=today, days=queries.DUE_SOON_DAYS)


def register(appbuilder) -> None:
    """Instruments, due within 30 days and Recepción, after the orders in the module's menu."""
    appbuilder.add_view(InstrumentView, "Instrumentos", label=_l("Instrumentos"), icon="fa-tachometer",
                        category=CATEGORY)
    appbuilder.add_view(InstrumentPagesView, "Vencen en 30 días", label=_l("Vencen en 30 días"), icon="fa-calendar",
                        category=CATEGORY)
    appbuilder.add_link("Recepción", label=_l("Recepción"), href="/calibracion/recepcion", icon="fa-check-square-o",
                        category=CATEGORY)
