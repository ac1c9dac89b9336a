"""One vocabulary for parsing input, for payloads, forms and services (issue 7 item 4).

Each parser takes the raw value (a form's string or any JSON value), the field's name and
its label, and returns the clean value or raises ValidationError(message, field=name). The
message names the field by its label («Fecha programada», never 'scheduled_for') and is the
same sentence for the same mistake everywhere (one translatable message per kind of error).

`Checker` collects the errors of several fields and raises them together as FieldErrors, so
a form shows every error at once, each beside its field.

Free text has a maximum length (issue 8 item 4): the column's own `String(n)` length or, for
a `Text`, the application limit in its `info={"max_length": n}`; `check_columns` enforces it
for every row flushed, whoever writes it (REST API, FAB forms, services).

Dates are between MIN_DATE and MAX_DATE (issue 19, point 9): `date()` refuses a far one
naming the field, and `check_columns` refuses any Date or DateTime column written outside
them, so that no date the application adds days or years to (next due dates, periods,
working days, "until" filters) can overflow Python's year 9999.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.core.errors import FieldErrors, ValidationError

MAX_DB_INT = 2**31 - 1  # PostgreSQL INTEGER: every id and count column
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)

MESSAGES = {
    "required": _l("El campo «%(label)s» es obligatorio."),
    "text": _l("El campo «%(label)s» debe ser un texto."),
    "too_long": _l("El campo «%(label)s» admite como mucho %(max)s caracteres."),
    "integer": _l("El campo «%(label)s» debe ser un número entero."),
    "range": _l("El campo «%(label)s» debe ser un número entero entre %(min)s y %(max)s."),
    "min": _l("El campo «%(label)s» debe ser un número entero mayor o igual que %(min)s."),
    "decimal": _l("El campo «%(label)s» debe ser un número (por ejemplo 12,5)."),
    "decimal_range": _l("El campo «%(label)s» debe ser un número entre %(min)s y %(max)s."),
    "date": _l("El campo «%(label)s» debe ser una fecha dd/mm/aaaa o aaaa-mm-dd (no «%(value)s»)."),
    "date_range": _l("El campo «%(label)s» debe ser una fecha entre el %(min)s y el %(max)s."),
    "boolean": _l("El campo «%(label)s» debe ser Sí o No."),
    "choice": _l("El campo «%(label)s» debe ser uno de: %(choices)s."),
    "ids": _l("El campo «%(label)s» debe ser una lista de ids."),
    "at_least_one": _l("El campo «%(label)s» necesita al menos un elemento."),
    "id": _l("El campo «%(label)s» debe ser el id numérico de un registro."),
    "not_visible": _l("El campo «%(label)s» no corresponde a ningún registro de la empresa activa."),
    "object": _l("El campo «%(label)s» debe ser un objeto JSON."),
    "unknown": _l("Campo desconocido «%(name)s». Campos admitidos: %(allowed)s."),
    "body": _l("El cuerpo debe ser un objeto JSON."),
}


def message(kind: str, **params) -> str:
    """The sentence of one kind of error, in the request's language."""
    return str(MESSAGES[kind]) % {key: str(value) for key, value in params.items()}


def refuse_unknown(data, allowed, *, prefix: str = "") -> None:
    """A JSON object whose keys are all in `allowed` (422 naming the first other key, with
    `prefix` for a nested object such as a line: "lines.2.")."""
    if not isinstance(data, dict):
        raise ValidationError(message("body"), field=prefix.rstrip(".") or None)
    extra = sorted(set(data) - set(allowed), key=str)
    if extra:
        raise ValidationError(message("unknown", name=extra[0], allowed=", ".join(sorted(allowed, key=str))),
                              field=f"{prefix}{extra[0]}")


def fail(kind: str, name: str, label, **params):
    raise ValidationError(message(kind, label=label or name, **params), field=name)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def max_length_of(column) -> int | None:
    """The length limit of a column (a mapped attribute or a Column): String(n), or a Text's
    `info={"max_length": n}`."""
    if hasattr(column, "property") and hasattr(column.property, "columns"):
        column = column.property.columns[0]
    limit = getattr(getattr(column, "type", None), "length", None)
    return limit or getattr(column, "info", {}).get("max_length")


def text_limit(max_length: int, label=None) -> dict:
    """A Text column's `info`: its application limit and the label its messages use."""
    return {"max_length": max_length, **({"label": label} if label else {})}


# --- one field --------------------------------------------------------------------------

def required(value, name: str, label=None):
    if _blank(value):
        fail("required", name, label)
    return value


def text(value, name: str, label=None, *, required: bool = False, max_length: int | None = None,
         column=None) -> str:
    """A stripped string ('' when empty and not required), at most the column's length."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        fail("text", name, label)
    value = value.strip()
    if required and not value:
        fail("required", name, label)
    limit = max_length or (max_length_of(column) if column is not None else None)
    if limit and len(value) > limit:
        fail("too_long", name, label, max=limit)
    return value


def integer(value, name: str, label=None, *, required: bool = True, min: int | None = None,
            max: int | None = None) -> int | None:
    """An integer (a JSON number without fraction or a string of digits) within [min, max]."""
    if _blank(value):
        if required:
            fail("required", name, label)
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"[+-]?\d{1,12}", str(value).strip()):
        fail("range" if min is not None and max is not None else "integer", name, label, min=min, max=max)
    number = int(value)
    low = -MAX_DB_INT if min is None else min
    high = MAX_DB_INT if max is None else max
    if not low <= number <= high:
        fail("min" if max is None and min is not None and number < min else "range", name, label, min=low, max=high)
    return number


def decimal(value, name: str, label=None, *, required: bool = True, min=None, max=None) -> Decimal | None:
    """A decimal number; a string may use a comma or a point ("12,5", "12.5")."""
    if _blank(value):
        if required:
            fail("required", name, label)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        fail("decimal", name, label)
    if isinstance(value, float) and not math.isfinite(value):
        fail("decimal", name, label)
    raw = value.strip().replace(",", ".") if isinstance(value, str) else str(value)
    if isinstance(value, str) and not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", raw):
        fail("decimal", name, label)
    try:
        number = Decimal(raw)
    except InvalidOperation:
        fail("decimal", name, label)
    if (min is not None and number < min) or (max is not None and number > max):
        fail("decimal_range", name, label, min=min, max=max)
    return number


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def date(value, name: str, label=None, *, required: bool = True) -> dt.date | None:
    """A date written dd/mm/aaaa or aaaa-mm-dd (or a date object), between MIN_DATE and
    MAX_DATE. Anything else ("mañana", "20/13/2026") is refused, never read as today (issue 9
    item 4); so is a far date ("31/12/9999"), which date arithmetic would overflow."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return in_date_range(value, name, label)
    if _blank(value):
        if required:
            fail("required", name, label)
        return None
    if isinstance(value, str):
        raw = value.strip()
        dmy, iso = _DMY.fullmatch(raw), _ISO.fullmatch(raw)
        day = None
        try:
            if dmy:
                day = dt.date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
            elif iso:
                day = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            pass
        if day is not None:
            return in_date_range(day, name, label)
    shown = value if isinstance(value, str) else repr(value)
    fail("date", name, label, value=shown[:40])


def in_date_range(value, name: str, label=None):
    """A date (or datetime) between MIN_DATE and MAX_DATE, else the sentence naming both."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        fail("date_range", name, label, min=MIN_DATE.strftime("%d/%m/%Y"), max=MAX_DATE.strftime("%d/%m/%Y"))
    return value


_TRUE = {"1", "true", "y", "yes", "on", "sí", "si", "s"}
_FALSE = {"0", "false", "n", "no", "off", ""}


def boolean(value, name: str, label=None) -> bool:
    """True/False, or a form's "y"/"on"/"sí"/"1" and "n"/"off"/"no"/"0"/"" (unchecked)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    fail("boolean", name, label)


def choice(value, name: str, label=None, *, choices: Mapping | Iterable, required: bool = True):
    """One of the codes of `choices` (a {code: label} mapping or a list of codes); the
    message lists the labels."""
    labels = dict(choices) if isinstance(choices, Mapping) else {code: code for code in choices}
    if _blank(value):
        if required:
            fail("required", name, label)
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or value not in labels:
        fail("choice", name, label, choices=", ".join(str(v) for v in labels.values()))
    return value


def ids(value, name: str, label=None, *, required: bool = False) -> list[int]:
    """A list of record ids (JSON list, or a form's repeated values)."""
    if value is None:
        value = []
    if not isinstance(value, (list, tuple)):
        fail("ids", name, label)
    out = []
    for item in value:
        if not _is_digits(item) or int(item) > 2**31 - 1:  # beyond INTEGER no row has it
            fail("ids", name, label)
        out.append(int(item))
    if required and not out:
        fail("at_least_one", name, label)
    return out


def _is_digits(value) -> bool:
    """An id typed with ASCII digits ("²" passes str.isdigit but not int())."""
    return not isinstance(value, bool) and isinstance(value, (int, str)) and bool(re.fullmatch(r"[0-9]+", str(value).strip()))


def record_id(value, name: str, label=None) -> int:
    """The numeric id of a record (required); one beyond the id columns' range names no record."""
    if _blank(value):
        fail("required", name, label)
    if not _is_digits(value):
        fail("id", name, label)
    if int(value) > MAX_DB_INT:
        fail("not_visible", name, label)
    return int(value)


def typed_int(value) -> int | None:
    """A whole number typed in a form or header (ASCII digits, within the database's INTEGER),
    else None: for re-rendering what was typed and for optional versions, never a 500. A
    float (a JSON 5.0, Infinity, 1e400, NaN) is not typed digits: None."""
    return int(str(value).strip()) if _is_digits(value) and int(str(value).strip()) <= MAX_DB_INT else None


def lookup_id(value) -> int:
    """The id to look a row up by, from a path, a query argument or a JSON body: a typed id
    (see typed_int), else 0, which no row has, so that the caller answers its 404 (never
    int(Infinity)'s OverflowError, nor 5 for 5.7 or 1 for true)."""
    return typed_int(value) or 0


def visible(session: Session, model, value, name: str, label=None):
    """The row `value` of `model` as the tenancy isolation lets this request see it: the same
    answer for another company's id and for one that does not exist."""
    if model is not None and not isinstance(value, (int, str)) and isinstance(value, model):
        return value
    pk = record_id(value, name, label)
    column = inspect(model).primary_key[0]
    row = session.scalar(select(model).where(column == pk)) if pk <= MAX_DB_INT else None
    if row is None:
        fail("not_visible", name, label)
    return row


def json_object(value, name: str, label=None) -> dict:
    if not isinstance(value, dict):
        fail("object", name, label)
    return value


# --- several fields -----------------------------------------------------------------------

class Checker:
    """Collects the errors of several fields, then raises them together.

        check = Checker()
        day = check(date, raw["date"], "date", "Fecha")
        pieces = check(integer, raw["pieces"], "pieces", "Piezas", min=1)
        check.done()   # FieldErrors({"date": ..., "pieces": ...}) if any failed
    """

    def __init__(self):
        self.errors: dict[str, str] = {}

    def __call__(self, parser, value, name: str, label=None, **options) -> Any:
        try:
            return parser(value, name, label, **options)
        except ValidationError as exc:
            self.add(exc.field or name, exc.message)
            return None

    def add(self, name: str, text_: str) -> None:
        self.errors.setdefault(name, str(text_))

    def ok(self, *names: str) -> bool:
        """No error so far (on `names`, or on any field)."""
        return not (set(names) & set(self.errors) if names else self.errors)

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


# --- workflow payloads ---------------------------------------------------------------------

PAYLOAD_PARSERS = {
    "string": text, "text": text, "date": date, "integer": integer, "decimal": decimal,
    "boolean": boolean, "ids": ids, "object": json_object,
}


def validate_payload(specs: dict, payload) -> dict:
    """A payload against its fields' specs (type, label, required, choices, max_length, min,
    max): an unknown field is refused at once; every other error is collected (FieldErrors)."""
    if not isinstance(payload, dict):
        raise ValidationError(message("body"))
    unknown = sorted(set(payload) - set(specs), key=str)
    if unknown:
        allowed = ", ".join(sorted(specs)) or "ninguno"
        raise ValidationError(message("unknown", name=unknown[0], allowed=allowed), field=str(unknown[0]))
    check, clean = Checker(), {}
    for name, spec in specs.items():
        label, value = spec.get("label", name), payload.get(name)
        kind = spec.get("type", "string")
        if _blank(value) and kind not in ("boolean",):
            if spec.get("required"):
                check.add(name, message("required", label=label))
            continue
        options = {}
        if kind in ("string", "text") and spec.get("max_length"):
            options["max_length"] = spec["max_length"]
        if kind in ("integer", "decimal"):
            options.update({k: spec[k] for k in ("min", "max") if k in spec})
        if kind == "ids":
            options["required"] = bool(spec.get("required"))
        parsed = check(PAYLOAD_PARSERS[kind], value, name, label, **options)
        if check.ok(name) and spec.get("choices"):
            parsed = check(choice, parsed, name, label, choices=spec["choices"])
        if check.ok(name):
            clean[name] = parsed
    check.done()
    return clean


# --- free-text limits and date ranges on every flush -----------------------------------------

@event.listens_for(Session, "before_flush")
def check_columns(session: Session, flush_context=None, instances=None) -> None:
    """before_flush (issue 8 item 4, issue 19): no string longer than its column allows and
    no date outside MIN_DATE..MAX_DATE, whoever writes it; the message names the column's
    label (`info={"label": ...}`) when it has one."""
    check = Checker()
    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            column = attr.columns[0]
            limit = max_length_of(column)
            value = state.dict.get(attr.key)  # loaded values only: no query inside a flush
            label = (getattr(column, "info", None) or {}).get("label", attr.key)
            if limit and isinstance(value, str) and len(value) > limit:
                check.add(attr.key, message("too_long", label=label, max=limit))
            elif isinstance(value, dt.date):
                check(in_date_range, value, attr.key, label)
    check.done()
