"""REST API of instruments (issue 10): /api/v1/instrument, and POST /<pk>/validate, the
client's "Recepción". Thin: rules in services.py."""
from __future__ import annotations

from flask import g
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.calibration.instruments import services
from app.calibration.instruments.models import Instrument
from app.core.api import (
    API_PERMISSIONS,
    READ_WRITE_ROUTES,
    TenantModelRestApi,
    api_endpoint,
)
from app.core.commands import run
from app.core.identity import current_user

INSTRUMENT_PERMISSION = "CalibrationInstrument"

INSTRUMENT_COLUMNS = [
    "tag", "description", "make", "model", "serial", "range_low", "range_high", "unit", "resolution",
    "location", "interval_days", "last_calibrated_on", "next_due_on", "active",
]


class InstrumentApi(TenantModelRestApi):
    """/api/v1/instrument: the company's instruments; POST /<pk>/validate is the client's
    "Recepción"."""

    datamodel = SQLAInterface(Instrument)
    resource_name = "instrument"
    class_permission_name = INSTRUMENT_PERMISSION
    method_permission_name = {**API_PERMISSIONS, "validate": "write"}
    include_route_methods = (READ_WRITE_ROUTES - {"info"}) | {"validate"}
    list_columns = ["id", *INSTRUMENT_COLUMNS, "validated_at"]
    show_columns = list_columns
    add_columns = INSTRUMENT_COLUMNS
    edit_columns = INSTRUMENT_COLUMNS
    order_columns = ["tag", "next_due_on", "last_calibrated_on", "description"]
    search_columns = ["tag", "description", "serial", "location", "next_due_on", "active"]
    base_order = ("tag", "asc")
    openapi_spec_tag = "Calibración · Instrumentos"

    def pre_add(self, item):
        services.check_instrument(item)

    def pre_update(self, item):
        services.check_instrument(item)
        g.reception_reopened = services.recheck_reception(item)

    def put_headless(self, pk):
        """FAB's edit; when the identity of a validated instrument changed, the answer says it
        went back to reception (issue 29, item 3)."""
        answer = super().put_headless(pk)
        reason = g.pop("reception_reopened", None)
        if reason and answer.status_code == 200:
            return self.response(200, **{**answer.get_json(), "message": reason})
        return answer

    @api_endpoint("/<int:pk>/validate", methods=["POST"], summary="El cliente valida el instrumento (Recepción)",
                  answers={200: "Validado: quién y cuándo"})
    def validate(self, pk):
        """The client validates the instrument (Recepción)."""
        instrument = self.get_visible(pk)
        run(services.validate_instrument, instrument=instrument)
        return self.response(200, id=instrument.id, validated_at=instrument.validated_at.isoformat(),
                             validated_by=current_user().username)
