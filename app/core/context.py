"""What a request reads once where it starts (issue 9 item 4; issue 20 point 2): the active
company's time zone and its today. Services never read these: they are given `today`."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import has_request_context

from app.core.localization import company_today, zone_of
from app.core.tenancy import Company, active_company, current_company_id
from app.extensions import db


def active_company_zone() -> ZoneInfo:
    """The active company's zone in a request (UTC outside one or without a company)."""
    if not has_request_context() or not current_company_id():
        return ZoneInfo("UTC")
    company = db.session.get(Company, current_company_id())
    return zone_of(company) if company else ZoneInfo("UTC")


def request_today() -> dt.date:
    """Today as the active company sees it (its time zone): what a request passes down as
    `today` when it starts."""
    return company_today(active_company(db.session))
