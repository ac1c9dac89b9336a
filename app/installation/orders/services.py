"""Installation orders: the commands (spec installation-orders-matrix.md, DESIGN
"Installation orders (matrix)"): create an order, perform a matrix action.

Plain functions with keyword-only `session`, `user`, `company`, `today` (read where the
request or CLI command starts); they flush and never commit: the caller commits once per
user action. The matrix binding (ownership, fields, guards, effects) is in workflow.py, the
read models in queries.py, the row rules in filters.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.core import audit, sequences
from app.core.db import begin_write
from app.core.errors import FieldErrors
from app.core.tenancy import TenantViolation
from app.core.validation import message as validation_message
from app.core.validation import validate_payload
from app.installation.orders.models import ENTITY, InstallationOrder
from app.installation.orders.workflow import (
    ORDER_FIELDS,
    REQUIRED_ON_CREATE,
    WF,
    apply_fields,
    ensure_can_create,
    own_doctor_id,
)

ORDER_SEQUENCE = "installation_order"  # the core sequence numbering orders (INST-002)


def next_order_number(*, session: Session, company_id: int) -> int:
    """INST-002: order numbers are sequential per company, without gaps or duplicates even
    under concurrency (core sequence ORDER_SEQUENCE, drawn in the caller's transaction)."""
    return sequences.next_number(session, company_id=company_id, name=ORDER_SEQUENCE, start=1)


def create_order(*, session: Session, user, company, today: dt.date, data: dict) -> InstallationOrder:
    """INST-001: create an order in the matrix's initial state (CREATED). Only the roles
    holding CREATED in the matrix create; `data` takes the EDIT_ORDER fields and needs
    doctor (a doctor creating defaults to themselves), address and scheduled_for.
    Numbered per company (INST-002) and audited as CREATE_ORDER."""
    ensure_can_create(user)
    if company is None:
        raise TenantViolation("No hay una empresa activa para crear la orden.")
    company_id = company.id
    clean = validate_payload(ORDER_FIELDS, data)
    if "doctor" not in clean and own_doctor_id(user):
        clean["doctor"] = own_doctor_id(user)
    missing = {name: validation_message("required", label=ORDER_FIELDS[name]["label"])
               for name in REQUIRED_ON_CREATE if name not in clean}
    if missing:  # every missing field at once, each beside its field (issue 29 · 8)
        raise FieldErrors(missing)
    begin_write(session)
    order = InstallationOrder(company_id=company_id, state=WF.initial_state, version=1, created_by_id=user.id)
    apply_fields(order, clean, session=session, user=user, company_id=company_id, today=today)
    order.number = next_order_number(session=session, company_id=company_id)
    session.add(order)
    session.flush()
    audit.record(
        session, entity=ENTITY, entity_id=order.id, company_id=company_id, action="CREATE_ORDER",
        to_state=order.state, data={**clean, "number": order.number}, workflow_version=WF.version, user=user,
    )
    session.flush()
    return order

