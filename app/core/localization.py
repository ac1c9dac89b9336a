"""A company's country and time zone: its tax id checked with python-stdnum, its local date
("today" of every rule) and how dates and times read on screen (issue 9, items 4 and 17).

Dates read dd/mm/aaaa; timestamps (stored in UTC) read dd/mm/aaaa hh:mm in the company's zone.
No Flask here: app/core/context.py reads the request's company and its day.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytz
from stdnum import exceptions as stdnum_errors
from stdnum.util import get_cc_module

from app.core.errors import ValidationError

DEFAULT_ZONE = "Europe/Madrid"
# stdnum's reasons, in the users' words (its own messages are English)
_REASONS = {
    stdnum_errors.InvalidChecksum: "el dígito de control no es correcto",
    stdnum_errors.InvalidLength: "no tiene la longitud correcta",
    stdnum_errors.InvalidFormat: "no tiene el formato correcto",
    stdnum_errors.InvalidComponent: "una de sus partes no es válida",
}


def default_timezone(country_code: str | None) -> str:
    """The first (main) zone the tz database lists for the country."""
    zones = pytz.country_timezones.get((country_code or "").upper()) or [DEFAULT_ZONE]
    return zones[0]


def check_timezone(value: str | None) -> str:
    value = (value or "").strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"La zona horaria '{value}' no existe (p. ej. Europe/Madrid, America/Mexico_City).", field="timezone"
        ) from None
    return value


def check_tax_id(country_code: str, value: str) -> str:
    """The company's tax id must be valid for its country (ES NIF/CIF/NIE, MX RFC, CL RUT...);
    a country python-stdnum does not know takes any non-empty text."""
    module = get_cc_module(country_code.lower(), "vat")
    if module is None:
        return value
    try:
        module.validate(value)
    except stdnum_errors.ValidationError as exc:
        reason = next((text for kind, text in _REASONS.items() if isinstance(exc, kind)), "no es válido")
        name = getattr(module, "__doc__", "").split("(", 1)[0].split(" ", 1)[0] or "NIF"
        raise ValidationError(
            f"El identificador fiscal '{value}' no es un {name} válido de {country_code}: {reason}.", field="tax_id"
        ) from None
    return value


def zone_of(company) -> ZoneInfo:
    return ZoneInfo(getattr(company, "timezone", None) or DEFAULT_ZONE)


def company_now(company, now: dt.datetime | None = None) -> dt.datetime:
    """Now in the company's zone (aware)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(zone_of(company))


def company_today(company, now: dt.datetime | None = None) -> dt.date:
    """The company's local date: the `today` a request or CLI command passes to services."""
    return company_now(company, now).date()


def format_date(value) -> str:
    """dd/mm/aaaa; an empty cell for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value)


def format_datetime(value, zone: ZoneInfo | None = None) -> str:
    """dd/mm/aaaa hh:mm in the zone given (the active company's); naive values are UTC."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return format_date(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(zone or ZoneInfo("UTC")).strftime("%d/%m/%Y %H:%M")
