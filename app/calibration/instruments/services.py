"""Instruments' commands (issue 10): the instrument rules and the client's "Recepción".

Plain functions with keyword-only `session` and `user`; they flush and never commit: the caller
commits once per user action."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.calibration.instruments.models import DEFAULT_INTERVAL_DAYS, Instrument
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.identity import is_admin, role_names
from app.core.models import utcnow
from app.core.validation import Checker, date, message
from app.core.workflow import get_workflow

# The client's role in seed/workflows/calibration.yaml, read here as orders/workflow.py reads
# it: instruments sit below orders.
CLIENTE_ROLE = get_workflow("calibration").roles["CLIENTE"]["role"]


def check_instrument(instrument: Instrument) -> None:
    """Instrument rules: tag and description given, range low <= high, resolution and
    interval positive (a new instrument without one: 365 days); the next due date follows the
    last calibration when not given."""
    check = Checker()
    if not (instrument.tag or "").strip():
        check.add("tag", message("required", label="Etiqueta"))
    if not (instrument.description or "").strip():
        check.add("description", message("required", label="Descripción"))
    if instrument.range_low is not None and instrument.range_high is not None and instrument.range_low > instrument.range_high:
        check.add("range_high", "El fin del rango no puede ser menor que su inicio.")
    if instrument.resolution is not None and instrument.resolution <= 0:
        check.add("resolution", "La resolución debe ser mayor que cero.")
    if instrument.interval_days is None and instrument.id is None:  # a new instrument: the usual year
        instrument.interval_days = DEFAULT_INTERVAL_DAYS                # (as the API documents it: optional)
    if instrument.interval_days is None or not 1 <= instrument.interval_days <= 3650:
        check.add("interval_days", "El intervalo de calibración debe estar entre 1 y 3650 días.")
    # a far date (31/12/9999) would overflow the next due date: refused naming the field
    for name, label in (("last_calibrated_on", "Última calibración"), ("next_due_on", "Próxima calibración")):
        check(date, getattr(instrument, name), name, label, required=False)
    check.done()
    instrument.tag = instrument.tag.strip()
    if instrument.last_calibrated_on and not instrument.next_due_on:
        due = instrument.last_calibrated_on + dt.timedelta(days=instrument.interval_days)
        instrument.next_due_on = date(due, "next_due_on", "Próxima calibración")


IDENTITY = {"tag": "etiqueta", "make": "marca", "model": "modelo", "serial": "número de serie"}


def recheck_reception(instrument: Instrument) -> str | None:
    """Issue 29, item 3: an edit of a validated instrument's identity (tag, make, model or
    serial) sends it back to reception: its validation is cleared (the edit's audit entry
    records it) and the sentence returned tells the user why. Other fields keep it."""
    state = inspect(instrument)
    changed = [label for name, label in IDENTITY.items() if state.attrs[name].history.has_changes()]
    if instrument.validated_at is None or not changed:
        return None
    instrument.validated_at = None
    instrument.validated_by_id = None
    return (f"El instrumento {instrument.tag} vuelve a Recepción: cambió su {', '.join(changed)}, "
            "y el cliente debe validarlo de nuevo.")


def validate_instrument(*, session: Session, user, instrument: Instrument) -> Instrument:
    """The client's "Recepción": its user confirms the instrument's data (who and when)."""
    if not (is_admin(user) or CLIENTE_ROLE in role_names(user)):
        raise ActionNotAllowed("Solo un usuario del cliente valida sus instrumentos (Recepción).")
    if not instrument.active:
        raise ValidationError("El instrumento está inactivo: actívalo antes de validarlo.", field="active")
    instrument.validated_at = utcnow()
    instrument.validated_by_id = user.id
    session.flush()
    return instrument
