"""The rules table of operator certifications (spec §3.8; DESIGN "Operator certifications").

- CERT-CFG-1  rules table: one active row (180 working days, 29 inspections); each period
              keeps its own copy (spec §3.8).
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.certification.rules.models import CertificationRules
from app.core import validation as v
from app.core.seeds import load_seed

RULES_SEED = "catalogs/certification.yaml"


def seeded_rules() -> dict:
    """CERT-CFG-1: the spec's rules (180 working days, 29 inspections), from seed/catalogs."""
    return load_seed(RULES_SEED)["rules"]


def current_rules(session: Session) -> CertificationRules:
    """CERT-CFG-1: the one active rules row (created from seed/catalogs when missing)."""
    rules = session.scalar(select(CertificationRules).where(CertificationRules.active.is_(True)))
    if rules is None:
        rules = CertificationRules(**seeded_rules(), active=True)
        session.add(rules)
        session.flush()
    return rules


def activate_rules(*, session: Session, user, rules: CertificationRules) -> CertificationRules:
    """CERT-CFG-1: a new rules row becomes the active one; the previous stays as history.
    Periods already opened keep the values they copied."""
    check = v.Checker()
    for name, label in (("required_workdays", "Días laborables por periodo"),
                        ("required_inspections", "Inspecciones por periodo")):
        setattr(rules, name, check(v.integer, getattr(rules, name), name, label, min=1))
    check.done()
    session.execute(
        update(CertificationRules).where(CertificationRules.active.is_(True)).values(active=False)
    )
    rules.active = True
    rules.created_by_id = getattr(user, "id", None)
    session.add(rules)
    session.flush()
    return rules
