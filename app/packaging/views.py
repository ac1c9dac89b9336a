"""Web pages of packaging work orders (registration)."""
from __future__ import annotations


def register(appbuilder) -> None:
    from app.packaging import catalog_views

    catalog_views.register(appbuilder)
