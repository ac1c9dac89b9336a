"""A fifth workflow module that lives only in the tests (issue 20, "how we will know"): a
model, a two-state workflow, one command, one query and a roles file, declared to the kit as
a RecordType and installed through its manifest. Everything else comes from app/core."""
from __future__ import annotations

import os

from app.core.modules import Module
from app.core.record_pages import record_pages
from app.core.records import RecordType, record_api
from tests.fifth_module import queries, services
from tests.fifth_module.models import SupplyRequest

RECORD = RecordType(
    model=SupplyRequest, workflow=services.WF, permission="SupplyRequest", resource="kit_supply_request",
    route_base="/material/solicitudes", title="Solicitudes de material", name="Solicitud",
    columns={"item": "Material", "quantity": "Cantidad", "needed_by": "Para el día"},
    fields=services.FIELDS, create=services.create_request, rule=queries.visible_requests,
)

MODULE = Module(
    name="kit_supply", label="Material", order=90,
    apis=(record_api(RECORD),), pages=(record_pages(RECORD),), workflows=(services.bind,),
    roles=os.path.join(os.path.dirname(__file__), "roles.yaml"),
)
