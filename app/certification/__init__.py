"""Operator certifications (spec operator-certifications.md): catalogs, assignments, validation
periods of N working days with M inspections each, expiry."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.certification import demo, periods
from app.certification.api import APIS
from app.certification.cli import cli
from app.certification.rules_api import CertificationRuleApi
from app.certification.views import register_views
from app.core.modules import Module

MODULE = Module(
    name="certification", label=_l("Certificaciones"), order=10,
    apis=(*APIS, CertificationRuleApi),
    pages=(register_views,),
    seed=periods.current_rules,  # the active rules row, 180 working days / 29 inspections
    cli=cli,
    demo=demo.load,
)
