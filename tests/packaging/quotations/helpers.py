"""Helpers of the quotation tests (module COTIZADOR): build quotations through the service as
any user, move their creation date back, give sellers a boss or external sellers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.core.identity import acting_as
from app.core.localization import company_today
from app.core.tenancy import company_scope
from app.packaging.catalogs.models import PackagingProfile
from app.packaging.quotations import services as quotations
from app.packaging.quotations.models import Quotation

URL = "/api/v1/packaging_quotation/"
LINE = {"item": "Caja 30x20x15", "quantity": "1000", "unit_price": "350.5", "currency": "CLP"}


def today(w) -> dt.date:
    return company_today(w.company)


def quote(w, user, *, days_ago: int = 0, lines=(LINE,), state: str | None = None, **data) -> Quotation:
    """A quotation created by `user` through the service (`days_ago`: its creation moved back;
    `state`: put directly in a state)."""
    payload = {"client": "Cliente Uno", "lines": [dict(line) for line in lines], **data}
    with company_scope(w.company.id), acting_as(user):
        q = quotations.create_quotation(session=w.session, user=user, company=w.company, today=today(w), data=payload)
        if days_ago:
            q.created_at = q.created_at - dt.timedelta(days=days_ago)
        if state:
            q.state = state
        w.session.commit()
        return q


def profile(w, user, *, boss=None, external=()):
    """The user's packaging profile in the company, with a boss and external sellers."""
    with company_scope(w.company.id):
        row = w.session.scalar(select(PackagingProfile).where(PackagingProfile.user_id == user.id))
        if row is None:
            row = PackagingProfile(company_id=w.company.id, user_id=user.id)
            w.session.add(row)
        row.boss_id = boss.id if boss else None
        row.external_sellers = list(external)
        w.session.commit()
        return row


def listed(api, w, user, **params) -> set[int]:
    r = api(w.u(user) if isinstance(user, str) else user, w.company).get(URL, query_string={"page_size": 100, **params})
    assert r.status_code == 200, r.get_json()
    return {row["id"] for row in r.get_json()["result"]}


def stored(w, pk) -> Quotation | None:
    w.session.rollback()
    with company_scope(None):
        return w.session.get(Quotation, pk)
