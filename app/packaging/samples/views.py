"""Pages of packaging samples: the "Muestras" section of the OT page (templates/packaging/
samples/_samples.html, filled by the template global `packaging_samples(ot)`), its create and edit
forms (a refused form comes back on the OT page, 422, with the typed values and each error
beside its field) and the Mantenedores of CADs, cartons and gluing types. Thin: the rules
are in services.py."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.commands import run
from app.core.errors import DomainError
from app.core.pages import form_errors
from app.extensions import db
from app.packaging.catalogs.models import CuttingRoom
from app.packaging.catalogs.views import CATEGORY, maintenance_view
from app.packaging.orders import queries
from app.packaging.orders.filters import current_actor
from app.packaging.orders.views import PackagingOrdersView
from app.packaging.samples import queries as sq
from app.packaging.samples import services as samples
from app.packaging.samples.api import SAMPLE_APIS
from app.packaging.samples.models import (
    DESTINATIONS,
    SAMPLE_LABELS,
    SampleCad,
    SampleCarton,
    SampleGluing,
    destination_label,
)

TEXT_FIELDS = ("cad", "carton", "gluing", "sample_carton", "unit_time", "note",
               *(f"{p}_{k}" for p in ("room", "quantity") for k in DESTINATIONS))


def _options(session, model) -> list[tuple[int, str, bool]]:
    return [(r.id, r.name, r.active) for r in session.scalars(select(model).order_by(model.name))]


def samples_context(ot) -> dict:
    """What the "Muestras" section shows to the current user on `ot`'s page."""
    session = db.session
    actor = current_actor()
    rows = sq.order_samples(session=session, ot=ot)
    rooms = sq.room_names(session)
    editable = {}
    for sample in rows:
        if samples.edit_refusal(session, actor, sample, ot) is None:
            editable[sample.id] = True
    return {
        "rows": [(s, sq.destination_rows(s, rooms)) for s in rows],
        "can_create": samples.may_create(actor, ot),
        "limited": samples.limited(actor),
        "editable": editable,
        "destinations": [(k, destination_label(k)) for k in DESTINATIONS],
        "labels": {k: str(v) for k, v in SAMPLE_LABELS.items()},
        "cads": _options(session, SampleCad), "cartons": _options(session, SampleCarton),
        "gluings": _options(session, SampleGluing), "rooms": _options(session, CuttingRoom),
        "form": g.get("sample_form") or {},
        "required": set(samples.REQUIRED_CATALOGS), "destination_required": set(samples.DESTINATION_REQUIRED),
    }


def _payload(form, *, creating: bool) -> dict:
    """The form's fields as the service reads them (absent fields are not sent: a sample
    technician's form has only what they may change)."""
    data = {name: form.get(name, "") for name in TEXT_FIELDS if name in form}
    if creating:
        data["recipients"] = form.getlist("recipients")
    for key in DESTINATIONS:
        values = form.getlist(f"cut_{key}")
        if values:
            data[f"cut_{key}"] = "1" in values
    return data


class PackagingSamplesView(BaseView):
    route_base = "/envases/ots"
    class_permission_name = "PackagingWorkOrder"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {"create": "write", "edit": "write"}

    def _refused(self, pk, exc, payload, *, sample_id=None):
        errors = form_errors(exc, payload)
        if "" in errors:
            flash(errors.pop(""), "danger")
        g.sample_form = {"sample_id": sample_id, "values": payload, "errors": errors}

        orders = next(v for v in self.appbuilder.baseviews if isinstance(v, PackagingOrdersView))
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        page, _status = orders._detail(ot)
        return page, exc.status

    @expose("/<int:pk>/muestras", methods=["POST"])
    @has_access
    def create(self, pk):
        """MUE-001..003: Nueva muestra (one per recipient) from the OT page."""
        ot = queries.get_order(session=db.session, actor=current_actor(), order_id=pk)
        payload = _payload(request.form, creating=True)
        try:
            made, _entry = run(samples.create, ot=ot, data=payload)
        except DomainError as exc:
            return self._refused(pk, exc, payload)
        flash(str(_l("Muestras creadas en la OT %(n)s: %(ids)s.", n=ot.number,
                     ids=", ".join(str(s.id) for s in made))), "success")
        return redirect(url_for("PackagingOrdersView.detail", pk=pk) + "#muestras")

    @expose("/<int:pk>/muestras/<int:sid>", methods=["POST"])
    @has_access
    def edit(self, pk, sid):
        """MUE-001: edit a sample from the OT page (sample chief/technician: their fields only)."""
        actor = current_actor()
        sample, ot = sq.get_sample(session=db.session, actor=actor, sample_id=sid)
        if ot.id != pk:
            return redirect(url_for("PackagingOrdersView.detail", pk=ot.id))
        payload = _payload(request.form, creating=False)
        try:
            run(samples.edit, sample=sample, ot=ot, data=payload)
        except DomainError as exc:
            return self._refused(pk, exc, payload, sample_id=sid)
        flash(str(_l("Muestra %(id)s guardada.", id=sid)), "success")
        return redirect(url_for("PackagingOrdersView.detail", pk=pk) + "#muestras")


MAINTENANCE_VIEWS = [
    (maintenance_view(SampleCad, ["name", "active"], add=True, title=_l("CAD de muestras")), "CAD de muestras",
     _l("CAD de muestras")),
    (maintenance_view(SampleCarton, ["name", "active"], add=True, title=_l("Cartones de muestras")),
     "Cartones de muestras", _l("Cartones de muestras")),
    (maintenance_view(SampleGluing, ["name", "active"], add=True, title=_l("Tipos de pegado")), "Tipos de pegado",
     _l("Tipos de pegado")),
]


def register(appbuilder) -> None:
    """The sample pages and APIs, the Mantenedores, and the template global of the section."""
    for api in SAMPLE_APIS:
        appbuilder.add_api(api)
    appbuilder.add_view_no_menu(PackagingSamplesView())
    for view, name, label in MAINTENANCE_VIEWS:
        appbuilder.add_view(view, name, label=label, icon="fa-cog", category=CATEGORY,
                            category_label=_l("Envases"), category_icon="fa-box")
    from flask import current_app

    current_app.add_template_global(samples_context, "packaging_samples")
