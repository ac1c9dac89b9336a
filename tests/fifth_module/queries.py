"""Who sees which request (the fifth module's row rule): an approver and the administrator
every request of the company, anyone else only their own."""
from __future__ import annotations

from sqlalchemy import true

from app.core.identity import current_user, is_admin, role_names
from tests.fifth_module.models import SupplyRequest


def visible_requests():
    user = current_user()
    return true() if is_admin(user) or "KIT_APPROVER" in role_names(user) else SupplyRequest.requester_id == user.id
