"""Read side of quotations (module COTIZADOR): who sees which quotation (COT-001), the list's
default date range (COT-002), the filtered list, one quotation (404 when not visible) and the
dictionaries the REST API answers. Used by the pages and the API alike; `today` passed in."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from app.core.errors import ActionNotAllowed, NotFound, ValidationError
from app.core.identity import user_ref
from app.core.validation import Checker, date, integer, lookup_id, text
from app.packaging import rules
from app.packaging.catalogs.models import PackagingProfile, profile_external_seller
from app.packaging.quotations.models import CURRENCIES, Quotation
from app.packaging.quotations.models import QUOTATION_LABELS as QL
from app.packaging.quotations.workflow import QWF

SALES_CHIEF = "ENV_JEFE_VENTAS"  # the spec's isJefeCotizador / isJefeVenta
LIST_PARAMS = ("date_from", "date_to", "creator", "state", "client", "page", "page_size")
QUOTATION_FUNCTIONS = ("CREAR_COTIZACION", "APROBAR_COTIZACION")


def may_use_quotations(actor: rules.Actor) -> bool:
    """The quotations are for the roles with "Crear Cotización" or "Aprobar Cotización"."""
    return any(rules.can(actor, f) for f in QUOTATION_FUNCTIONS)


def require_quotations(actor: rules.Actor) -> None:
    if not may_use_quotations(actor):
        raise ActionNotAllowed("Tu rol no permite «Crear Cotización» ni «Aprobar Cotización»: no ves cotizaciones.")


def sees_all(actor: rules.Actor) -> bool:
    """Admin and Super Admin see every quotation (COT-001); so do the approvers that are not
    sellers, Gerente and Gerente Comercial (docs/decisions.md): they decide on them."""
    return actor.is_admin or (rules.can(actor, "APROBAR_COTIZACION") and not rules.can(actor, "CREAR_COTIZACION"))


def team_of(company_id: int, chief_id: int):
    """The users whose packaging profile in the company names `chief_id` as boss (jefe_id)."""
    return select(PackagingProfile.user_id).where(PackagingProfile.company_id == company_id,
                                                  PackagingProfile.boss_id == chief_id)


def external_sellers_of(company_id: int, seller_id: int):
    """The external sellers assigned to `seller_id` in the company (PackagingProfile.external_sellers)."""
    return (select(profile_external_seller.c.user_id)
            .join(PackagingProfile, PackagingProfile.id == profile_external_seller.c.profile_id)
            .where(PackagingProfile.company_id == company_id, PackagingProfile.user_id == seller_id))


def visibility_clause(actor: rules.Actor | None, company_id: int | None, *, creator: int | None = None,
                      listing: bool = True):
    """COT-001: admin all; a sales chief with a creator filter that creator's, else their own
    and their sellers' (profile boss = them); a seller their own plus their assigned external
    sellers'. Outside a list (`listing=False`: one quotation, its actions) a sales chief sees
    every quotation their creator filter could list, that is all of the company."""
    if actor is None or actor.user is None or company_id is None or not may_use_quotations(actor):
        return false()
    if sees_all(actor):
        return true()
    me = actor.user.id
    if actor.role == SALES_CHIEF:
        if creator is not None or not listing:
            return true()  # the creator filter is applied by the list itself
        return or_(Quotation.creator_id == me, Quotation.creator_id.in_(team_of(company_id, me)))
    return or_(Quotation.creator_id == me, Quotation.creator_id.in_(external_sellers_of(company_id, me)))


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """COT-002: the first day of last month to tomorrow."""
    first_of_last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return first_of_last_month, today + dt.timedelta(days=1)


@dataclass
class QuotationFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    creator: int | None = None
    state: str = ""
    client: str = ""
    page: int = 0
    page_size: int = 25
    defaulted: bool = False  # COT-002 chose the range


def parse_filters(args, *, today: dt.date) -> QuotationFilters:
    """The list's parameters, checked (422 naming the filter); with neither date given, the
    range is COT-002's. Dates dd/mm/aaaa or aaaa-mm-dd; «Hasta» includes its whole day."""
    check, f = Checker(), QuotationFilters()
    f.date_from = check(date, args.get("date_from"), "date_from", QL["date_from"], required=False)
    f.date_to = check(date, args.get("date_to"), "date_to", QL["date_to"], required=False)
    f.creator = check(integer, args.get("creator"), "creator", QL["creator"], required=False, min=1)
    state = check(text, args.get("state"), "state", QL["state"], max_length=20) or ""
    if state and state not in QWF.states:
        check.add("state", f"El campo «{QL['state']}» debe ser uno de: "
                  + ", ".join(s.label for s in QWF.states.values()) + ".")
    f.state = state
    f.client = check(text, args.get("client"), "client", QL["client"], max_length=150) or ""
    f.page = check(integer, args.get("page"), "page", "Página", required=False, min=0, max=100000) or 0
    f.page_size = check(integer, args.get("page_size"), "page_size", "Filas por página", required=False,
                        min=1, max=100) or 25
    check.done()
    if f.date_from is None and f.date_to is None and not (args.get("date_from") or args.get("date_to")):
        f.date_from, f.date_to = default_range(today)
        f.defaulted = True
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ValidationError(f"«{QL['date_to']}» no puede ser anterior a «{QL['date_from']}».", field="date_to")
    return f


def list_statement(actor: rules.Actor, company_id: int, f: QuotationFilters):
    stmt = select(Quotation).where(visibility_clause(actor, company_id, creator=f.creator))
    if f.creator:
        stmt = stmt.where(Quotation.creator_id == f.creator)
    if f.state:
        stmt = stmt.where(Quotation.state == f.state)
    if f.client:
        stmt = stmt.where(func.lower(Quotation.client).contains(f.client.lower(), autoescape=True))
    if f.date_from:
        stmt = stmt.where(Quotation.created_at >= dt.datetime.combine(f.date_from, dt.time.min))
    if f.date_to:
        stmt = stmt.where(Quotation.created_at < dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min))
    return stmt


def list_quotations(*, session: Session, actor: rules.Actor, company_id: int,
                    f: QuotationFilters) -> tuple[int, list[Quotation]]:
    """One page of the quotations `actor` sees (COT-001) in the range (COT-002), newest first."""
    require_quotations(actor)
    stmt = list_statement(actor, company_id, f)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.order_by(Quotation.number.desc()).offset(f.page * f.page_size)
                           .limit(f.page_size)).all()
    return total, list(rows)


NOT_FOUND = "No existe esa cotización en la empresa activa o no la puedes ver."


def get_quotation(*, session: Session, actor: rules.Actor, company_id: int | None, quotation_id) -> Quotation:
    """The quotation if `actor` sees it (COT-001), else 404."""
    pk = lookup_id(quotation_id)
    found = session.scalar(select(Quotation).where(
        Quotation.id == pk, visibility_clause(actor, company_id, listing=False))) if pk else None
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def range_dict(f: QuotationFilters) -> dict:
    return {"from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None}


def creators(session: Session, actor: rules.Actor, company_id: int) -> list:
    """The people a sales chief (or an admin) may pick in the creator filter: whoever created
    a quotation in the company, plus the chief's team."""
    from flask_appbuilder.security.sqla.models import User

    if actor.role != SALES_CHIEF and not sees_all(actor):
        return []
    ids = select(Quotation.creator_id).where(Quotation.company_id == company_id)
    wanted = or_(User.id.in_(ids), User.id.in_(team_of(company_id, actor.user.id)))
    return list(session.scalars(select(User).where(and_(wanted)).order_by(User.first_name, User.last_name)))


def money(value) -> str:
    return format(value, "f")


def line_to_dict(line) -> dict:
    return {"id": line.id, "item": line.item, "quantity": money(line.quantity), "unit_price": money(line.unit_price),
            "currency": line.currency, "currency_label": str(CURRENCIES[line.currency]),
            "amount": money(line.amount.quantize(line.amount.__class__("0.01")))}


def quotation_to_dict(q: Quotation) -> dict:
    return {
        "id": q.id, "number": q.number, "client": q.client,
        "work_order": {"id": q.work_order.id, "number": q.work_order.number} if q.work_order else None,
        "notes": q.notes, "state": q.state, "state_label": QWF.state_label(q.state),
        "creator": user_ref(q.creator),
        "created_at": q.created_at.isoformat(timespec="minutes") if q.created_at else None,
        "lines": [line_to_dict(line) for line in q.lines],
        "totals": [{"currency": code, "currency_label": str(CURRENCIES[code]), "total": money(total)}
                   for code, total in q.totals.items()],
        "decided_by": user_ref(q.decided_by),
        "decided_at": q.decided_at.isoformat(timespec="minutes") if q.decided_at else None,
        "reject_reason": q.reject_reason, "version": q.version,
    }
