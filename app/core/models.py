"""Shared model helpers: the declarative base and small mixins."""
from datetime import datetime, timezone

from flask_appbuilder.models.sqla import Model

__all__ = ["Model", "utcnow"]


def utcnow() -> datetime:
    """Timestamps are stored in UTC (DESIGN: dates local, timestamps UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
