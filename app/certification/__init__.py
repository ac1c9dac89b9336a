"""Operator certifications (spec operator-certifications.md): catalogs, assignments, validation
periods of N working days with M inspections each, expiry. Registered by create_app()."""
from __future__ import annotations

from app.certification import models  # noqa: F401  (the tables belong to the metadata)
from app.certification.cli import cli  # noqa: F401  (`flask certification ...`)


def register(appbuilder) -> None:
    """Views and APIs of the module."""
    from app.certification.api import APIS
    from app.certification.rules_api import CertificationRuleApi
    from app.certification.views import register_views

    for api in (*APIS, CertificationRuleApi):
        appbuilder.add_api(api)
    register_views(appbuilder)


def seed(session) -> None:
    """Reference data (idempotent): the active rules row, 180 working days / 29 inspections."""
    from app.certification.services import current_rules

    current_rules(session)

