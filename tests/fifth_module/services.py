"""The fifth module's command and workflow: create a request (validated against the same
fields the form draws), and the workflow bound to the model by the manifest."""
from __future__ import annotations

import datetime as dt
import os

from sqlalchemy.orm import Session

from app.core.tenancy import Company
from app.core.validation import validate_payload
from app.core.workflow import Workflow, register_workflow
from tests.fifth_module.models import SupplyRequest

FIELDS = {
    "item": {"type": "string", "label": "Material", "required": True, "max_length": 80},
    "quantity": {"type": "integer", "label": "Cantidad", "required": True, "min": 1, "max": 999},
    "needed_by": {"type": "date", "label": "Para el día"},
}
WF = Workflow.from_yaml(os.path.join(os.path.dirname(__file__), "workflow.yaml"))


def bind() -> None:
    register_workflow(WF.bind(SupplyRequest))


def create_request(*, session: Session, user, company: Company, today: dt.date, data: dict) -> SupplyRequest:
    """A new open request of `user` in `company`."""
    clean = validate_payload(FIELDS, data)
    request = SupplyRequest(company_id=company.id, state=WF.initial_state, requester_id=user.id, **clean)
    session.add(request)
    session.flush()
    return request
