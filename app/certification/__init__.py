"""Operator certifications (spec operator-certifications.md): catalogs, assignments, validation
periods of N working days with M inspections each, expiry.

Layering: catalogs <- rules <- assignments <- inspections (an assignment opens its periods with
the active rules; an inspection counts in an assignment's period). Upward, by name only: a
period's inspections (a string relationship) and what refers to a catalog item
(catalogs/services.py HISTORY_OF); the operator's page is OperatorView in inspections/views.py.
cli.py, importer.py and demo.py, module-wide, use them all. Each aggregate's services.py names
its rule ids (CERT-*)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.certification import demo
from app.certification.assignments import views as assignment_views
from app.certification.assignments.api import CertificationAssignmentApi, ValidationPeriodApi
from app.certification.catalogs import views as catalog_views
from app.certification.catalogs.api import AuditorApi, CertificationApi, OperatorApi, ProductAuditTypeApi
from app.certification.cli import cli
from app.certification.inspections import views as inspection_views
from app.certification.inspections.api import InspectionApi
from app.certification.rules import views as rule_views
from app.certification.rules.api import CertificationRuleApi
from app.certification.rules.services import current_rules
from app.core.modules import Module

MODULE = Module(
    name="certification", label=_l("Certificaciones"), order=10,
    apis=(OperatorApi, AuditorApi, CertificationApi, ProductAuditTypeApi, CertificationAssignmentApi,
          ValidationPeriodApi, InspectionApi, CertificationRuleApi),
    pages=(inspection_views.register_operators, catalog_views.register, assignment_views.register,  # the menu's order
           inspection_views.register, assignment_views.register_periods, rule_views.register),
    seed=current_rules,  # the active rules row, 180 working days / 29 inspections
    cli=cli,
    demo=demo.load,
)
