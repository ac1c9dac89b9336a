"""Read models of instruments (issue 10): the company's instruments and those due soon."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calibration.instruments.models import Instrument

DUE_SOON_DAYS = 30


def due_instruments(*, session: Session, today: dt.date, days: int = DUE_SOON_DAYS) -> list[Instrument]:
    """Active instruments of the company whose next due date is within `days` (or passed)."""
    return list(session.scalars(
        select(Instrument).where(Instrument.active.is_(True), Instrument.next_due_on.is_not(None),
                                 Instrument.next_due_on <= today + dt.timedelta(days=days))
        .order_by(Instrument.next_due_on, Instrument.tag)
    ))


def instruments(*, session: Session, active_only: bool = True) -> list[Instrument]:
    stmt = select(Instrument).order_by(Instrument.tag)
    if active_only:
        stmt = stmt.where(Instrument.active.is_(True))
    return list(session.scalars(stmt))
