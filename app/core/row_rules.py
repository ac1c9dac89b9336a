"""The row rule of a module's lists, lookups and actions (issue 20 point 3), one filter for
every module: `base_filters = [["id", VisibleRows, rule]]`, where `rule()` gives the SQL clause
of the rows the request's user sees (e.g. installation's INST-011, packaging's FLT-001..005).
Company isolation itself is central (app/core/tenancy.py); this narrows within a company."""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter


class VisibleRows(BaseFilter):
    """FAB base filter whose value is the rule: a callable returning a SQLAlchemy clause."""

    name = "Registros visibles"

    def apply(self, query, rule):
        return query.filter(rule())
