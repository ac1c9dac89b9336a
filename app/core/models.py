"""Shared model helpers: the declarative base and small mixins."""
from datetime import datetime, timezone

from flask_appbuilder.models.sqla import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

__all__ = ["Model", "WorkflowMixin", "utcnow"]


def utcnow() -> datetime:
    """Timestamps are stored in UTC (DESIGN: dates local, timestamps UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class WorkflowMixin:
    """A record driven by a workflow (issue 7 item 2): its `state` code and its `version`,
    the mapper's version_id_col. The engine sets the next version itself (a read action or
    a self-transition that only adds child rows still counts as a change of the record);
    SQLAlchemy adds `WHERE version = <read>` to every UPDATE, so a lost race fails with
    StaleDataError, which the engine answers as a 409."""

    state: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}
