"""Read models of the equipment catalog: what order lines may install."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.installation.equipment.models import Equipment


def active_equipment(*, session: Session) -> list[Equipment]:
    """The company's active equipment catalog, by code."""
    return list(session.scalars(select(Equipment).where(Equipment.active.is_(True)).order_by(Equipment.code)))
