"""Quotations of packaging (module COTIZADOR): create and edit a quotation with its lines.
Create per the function matrix (Crear Cotización); only the creator (or an admin) edits, and
only a draft; the state changes (SUBMIT / APPROVE / REJECT) go through the workflow engine
(workflow.py). Keyword-only `session`, `user`, `company`, `today`; no Flask; they
flush, the caller commits once per user action."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit, sequences
from app.core.db import begin_write, lock_row
from app.core.errors import ActionNotAllowed, Conflict, NotFound, ValidationError
from app.core.models import utcnow
from app.core.tenancy import TenantViolation
from app.core.validation import (
    Checker,
    choice,
    decimal,
    message,
    refuse_unknown,
    text,
    visible,
)
from app.core.workflow import STALE_MESSAGE
from app.packaging import rules
from app.packaging.orders.filters import visibility_clause as order_visibility
from app.packaging.orders.models import WorkOrder
from app.packaging.quotations.models import (
    AMOUNT_LIMIT,
    CURRENCIES,
    DRAFT,
    PRICE_PLACES,
    QUANTITY_PLACES,
    QUOTATION_ENTITY,
    Quotation,
    QuotationLine,
)
from app.packaging.quotations.models import QUOTATION_LABELS as QL
from app.packaging.quotations.queries import NOT_FOUND
from app.packaging.quotations.workflow import QWF, creator_or_admin_refusal

SEQUENCE = "packaging_quotation"
FIELDS = ("client", "work_order", "notes", "lines")
LINE_FIELDS = ("item", "quantity", "unit_price", "currency")
MAX_LINES = 200


def _company_id(company) -> int:
    if company is None:
        raise TenantViolation("No hay una empresa activa.")
    return company.id


def _places(check: Checker, value: Decimal | None, name: str, label: str, places: int) -> None:
    if value is not None and check.ok(name) and -value.as_tuple().exponent > places:
        check.add(name, f"El campo «{label}» admite como mucho {places} decimales.")


# What a quotation and each of its lines must be given (issue 29 · 8): refused without, marked on the form.
QUOTATION_REQUIRED = frozenset({"client"})
LINE_REQUIRED = frozenset({"item", "quantity", "unit_price", "currency"})


def parse_lines(raw, check: Checker) -> list[dict]:
    """The lines of a payload or form: [{item, quantity, unit_price, currency}], each error on
    `lines.<i>.<field>` with the line's number in its label."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add("lines", f"El campo «{QL['lines']}» debe ser una lista de líneas.")
        return []
    if len(raw) > MAX_LINES:
        check.add("lines", f"Una cotización admite como mucho {MAX_LINES} líneas.")
        return []
    out = []
    for i, line in enumerate(raw):
        prefix = f"lines.{i}."
        if not isinstance(line, dict):
            check.add(f"lines.{i}", f"La línea {i + 1} debe ser un objeto con {', '.join(LINE_FIELDS)}.")
            continue
        try:
            refuse_unknown(line, LINE_FIELDS, prefix=prefix)
        except ValidationError as exc:
            check.add(exc.field, exc.message)
            continue
        label = {k: f"{QL[k]} (línea {i + 1})" for k in LINE_FIELDS}
        item = check(text, line.get("item"), prefix + "item", label["item"], required="item" in LINE_REQUIRED,
                     max_length=200)
        quantity = check(decimal, line.get("quantity"), prefix + "quantity", label["quantity"],
                         min=Decimal("0.01"), max=AMOUNT_LIMIT, required="quantity" in LINE_REQUIRED)
        _places(check, quantity, prefix + "quantity", label["quantity"], QUANTITY_PLACES)
        price = check(decimal, line.get("unit_price"), prefix + "unit_price", label["unit_price"], min=Decimal(0),
                      max=AMOUNT_LIMIT, required="unit_price" in LINE_REQUIRED)
        _places(check, price, prefix + "unit_price", label["unit_price"], PRICE_PLACES)
        currency = check(choice, line.get("currency"), prefix + "currency", label["currency"],
                         choices={code: str(name) for code, name in CURRENCIES.items()}, required="currency" in LINE_REQUIRED)
        out.append({"item": item, "quantity": quantity, "unit_price": price, "currency": currency})
    return out


def _work_order(session: Session, actor: rules.Actor, value) -> WorkOrder | None:
    """The OT the quotation is for: one of the company that the user sees (else 422 on the field)."""
    if value in (None, ""):
        return None
    ot = visible(session, WorkOrder, value, "work_order", QL["work_order"])
    if session.scalar(select(WorkOrder.id).where(WorkOrder.id == ot.id,
                                                 order_visibility(actor, listing=False))) is None:
        raise ValidationError(message("not_visible", label=QL["work_order"]), field="work_order")
    return ot


def parse(session: Session, actor: rules.Actor, data, *, partial: bool) -> dict:
    """The quotation's fields from a payload or a form, every error at once (422 by field)."""
    refuse_unknown(data, FIELDS)
    check, clean = Checker(), {}
    if not partial or "client" in data:
        clean["client"] = check(text, data.get("client"), "client", QL["client"], required="client" in QUOTATION_REQUIRED,
                                max_length=150)
    if not partial or "notes" in data:
        clean["notes"] = check(text, data.get("notes"), "notes", QL["notes"], max_length=4000) or None
    if not partial or "work_order" in data:
        clean["work_order"] = check(lambda v, n, label: _work_order(session, actor, v), data.get("work_order"),
                                    "work_order", QL["work_order"])
    if not partial or "lines" in data:
        clean["lines"] = parse_lines(data.get("lines"), check)
    check.done()
    return clean


def _snapshot(clean: dict) -> dict:
    """What the audit keeps of the input (JSON: amounts as text)."""
    out = {k: v for k, v in clean.items() if k not in ("lines", "work_order")}
    if "work_order" in clean:
        out["work_order"] = clean["work_order"].number if clean["work_order"] else None
    if "lines" in clean:
        out["lines"] = [{**line, "quantity": str(line["quantity"]), "unit_price": str(line["unit_price"])}
                        for line in clean["lines"]]
    return out


def _set_lines(quotation: Quotation, lines: list[dict]) -> None:
    quotation.lines.clear()
    for position, line in enumerate(lines, start=1):
        quotation.lines.append(QuotationLine(company_id=quotation.company_id, position=position, **line))


def create_quotation(*, session: Session, user, company, today: dt.date, data) -> Quotation:
    """Crear Cotización (function matrix): a draft for a client (and optionally an OT of the
    company the user sees) with its lines, the creator the current user, numbered per company
    by the core sequence; audited."""
    company_id = _company_id(company)
    actor = rules.actor_for(session, user, company_id)
    rules.require(actor, "CREAR_COTIZACION")
    clean = parse(session, actor, data, partial=False)
    begin_write(session)
    quotation = Quotation(company_id=company_id, state=QWF.initial_state, version=1, creator_id=user.id,
                          client=clean["client"], notes=clean["notes"], work_order=clean["work_order"])
    quotation.number = sequences.next_number(session, company_id=company_id, name=SEQUENCE, start=1)
    session.add(quotation)
    _set_lines(quotation, clean["lines"])
    session.flush()
    audit.record(session, entity=QUOTATION_ENTITY, entity_id=quotation.id, company_id=company_id,
                 action="CREAR_COTIZACION", to_state=quotation.state,
                 data={**_snapshot(clean), "number": quotation.number}, workflow_version=QWF.version, user=user)
    session.flush()
    return quotation


def edit_refusal(session: Session, actor: rules.Actor, quotation: Quotation) -> str | None:
    """Who may edit now: a draft, by its creator or an admin (None when allowed)."""
    if not rules.can(actor, "CREAR_COTIZACION"):
        return rules.role_refusal(actor, "CREAR_COTIZACION")
    if quotation.state != DRAFT:
        return (f"La cotización {quotation.number} está «{QWF.state_label(quotation.state)}»: "
                "solo se modifica en borrador.")
    return creator_or_admin_refusal(session, quotation, actor.user)


def edit_quotation(*, session: Session, user, company, today: dt.date, quotation: Quotation, data,
                   expected_version: int | None = None) -> Quotation:
    """Edit a draft (its creator or an admin): client, OT, notes and, when given, the whole
    list of lines (replaced). Another user's change since `expected_version` is a 409; audited."""
    company_id = _company_id(company)
    actor = rules.actor_for(session, user, company_id)
    reason = edit_refusal(session, actor, quotation)
    if reason:
        raise ActionNotAllowed(reason)
    clean = parse(session, actor, data, partial=True)
    begin_write(session)
    locked = lock_row(session, Quotation, quotation.id)
    if locked is None:  # another company's quotation (or none): refused as its lookup is, not a 500
        raise NotFound(NOT_FOUND)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(STALE_MESSAGE)
    reason = edit_refusal(session, actor, locked)  # the state may have moved while we waited
    if reason:
        raise ActionNotAllowed(reason)
    for name in ("client", "notes"):
        if name in clean:
            setattr(locked, name, clean[name])
    if "work_order" in clean:
        locked.work_order = clean["work_order"]
    if "lines" in clean:
        _set_lines(locked, clean["lines"])
    locked.updated_at = utcnow()
    locked.version = (locked.version or 1) + 1
    session.flush()
    audit.record(session, entity=QUOTATION_ENTITY, entity_id=locked.id, company_id=company_id,
                 action="EDITAR_COTIZACION", from_state=locked.state, to_state=locked.state,
                 data=_snapshot(clean), workflow_version=QWF.version, user=user)
    session.flush()
    return locked
