"""Database constraints as sentences a person understands (issue 7 item 5, issue 8 item 10).

Modules register their unique and check constraints by name:

    constraints.register("uq_non_working_day_company_date", field="date",
                         message=_l("Ya existe un día no laborable el %(date)s."))

and pages and the REST API turn an IntegrityError into `FieldErrors({field: sentence})` with
`explain(exc, values)`. The constraint's name comes from PostgreSQL's diagnostics, or, on
SQLite, from the columns its message names, matched against the tables' metadata. No
answer ever carries SQL, a driver's text or a constraint's name: an unregistered violation
becomes a generic Spanish sentence.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Index, UniqueConstraint
from sqlalchemy.exc import DBAPIError

from app.core.errors import DomainError, FieldErrors, ValidationError
from app.core.localization import format_date
from app.core.models import Model
from app.core.validation import message

GENERIC = {
    "unique": _l("Ya existe un registro con esos datos."),
    "foreign_key_delete": _l("No se puede borrar: otros registros dependen de este."),
    "foreign_key": _l("El registro elegido no existe o ya no está disponible."),
    "not_null": _l("Falta un dato obligatorio."),
    "other": _l("Los datos no cumplen una regla de la base de datos; revisa los valores."),
}


@dataclass(frozen=True)
class Rule:
    field: str | None
    message: object  # a lazy string with %(column)s placeholders


RULES: dict[str, Rule] = {}


def register(name: str, *, field: str | None, message) -> None:
    """Map a constraint (by its name in the schema) to the field to blame and a sentence;
    `%(column)s` placeholders take the values the user typed (dates as dd/mm/aaaa)."""
    RULES[name] = Rule(field, message)


def _shown(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return format_date(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return format_date(dt.date.fromisoformat(value.strip()))
        except ValueError:  # shaped like a date but none ("2026-13-01"): shown as typed
            return value
    return "" if value is None else str(value)


def _unique_by_columns(table: str, columns: set[str]) -> str | None:
    """SQLite names the columns, not the constraint: find the unique constraint or index of
    `table` over exactly those columns (partial indexes included)."""
    meta = Model.metadata.tables.get(table)
    if meta is None:
        return None
    candidates = [c for c in meta.constraints if isinstance(c, UniqueConstraint)]
    candidates += [i for i in meta.indexes if isinstance(i, Index) and i.unique]
    for item in candidates:
        if {c.name for c in item.columns} == columns:
            return item.name or f"{table}_{'_'.join(c.name for c in item.columns)}_key"
    for column in meta.columns:  # Column(unique=True) without a name: PostgreSQL's default
        if column.unique and {column.name} == columns:
            return f"{table}_{column.name}_key"
    return None


def constraint_of(exc: DBAPIError) -> tuple[str, str | None, str | None]:
    """(kind, constraint name, column) of a violation, from PostgreSQL's diagnostics or
    SQLite's message. kind: unique, foreign_key, not_null, check or other."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    if diag is not None:
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""
        kind = {"23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check"}.get(code, "other")
        return kind, diag.constraint_name, diag.column_name
    text = str(orig or "")
    found = re.search(r"UNIQUE constraint failed: (.+)", text)
    if found:
        index = re.match(r"index '([^']+)'", found[1])
        if index:
            return "unique", index[1], None
        pairs = [part.strip().split(".", 1) for part in found[1].split(",")]
        table = pairs[0][0]
        return "unique", _unique_by_columns(table, {p[1] for p in pairs if len(p) == 2}), None
    found = re.search(r"NOT NULL constraint failed: \w+\.(\w+)", text)
    if found:
        return "not_null", None, found[1]
    found = re.search(r"CHECK constraint failed: (\w+)", text)
    if found:
        return "check", found[1], None
    if "FOREIGN KEY constraint failed" in text:
        return "foreign_key", None, None
    return "other", None, None


def explain(exc: DBAPIError, values: Mapping | None = None, *, deleting: bool = False,
            labels: Mapping | None = None) -> DomainError:
    """The violation as a DomainError for the user: FieldErrors on the registered field with
    its sentence, or a generic sentence (never the driver's text)."""
    kind, name, column = constraint_of(exc)
    rule = RULES.get(name or "")
    if rule is not None:
        shown = {key: _shown(value) for key, value in (values or {}).items()}
        try:
            sentence = str(rule.message) % shown
        except (KeyError, TypeError, ValueError):
            sentence = str(GENERIC["unique" if kind == "unique" else "other"])
        return FieldErrors({rule.field: sentence}) if rule.field else ValidationError(sentence)
    if kind == "not_null" and column:
        label = (labels or {}).get(column, column)
        return FieldErrors({column: message("required", label=label)})
    if kind == "foreign_key":
        return ValidationError(str(GENERIC["foreign_key_delete" if deleting else "foreign_key"]))
    return ValidationError(str(GENERIC.get(kind, GENERIC["other"])))


# --- the platform's own -------------------------------------------------------------------
register("uq_non_working_day_company_date", field="date", message=_l("Ya existe un día no laborable el %(date)s."))
register("uq_membership_user_company", field="user", message=_l("Ese usuario ya es miembro de esa empresa."))
register("company_name_key", field="name", message=_l("Ya existe una empresa llamada «%(name)s»."))
