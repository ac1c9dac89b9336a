"""The rules table's page: only Admin changes the rules (CERT-CFG-1)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.certification.rules.models import CertificationRules


def test_cert_cfg_1_only_admin_changes_the_rules(web, make_user, login, app, session):
    r = web.client.post("/certificaciones/reglas/add", data={"required_workdays": "150", "required_inspections": "20"})
    assert r.status_code in (302, 403)
    assert session.scalar(select(func.count()).select_from(CertificationRules)) == 1
    admin = make_user(roles=["Admin"], companies=[web.company])
    other = app.test_client()
    login(admin.username, test_client=other)
    other.post("/certificaciones/reglas/add", data={"required_workdays": "150", "required_inspections": "20"})
    session.expire_all()
    active = session.scalar(select(CertificationRules).where(CertificationRules.active.is_(True)))
    assert (active.required_workdays, active.required_inspections, active.created_by_id) == (150, 20, admin.id)
    r = other.post("/certificaciones/reglas/add", data={"required_workdays": "0", "required_inspections": "20"},
                   follow_redirects=True)
    assert session.scalar(select(func.count()).select_from(CertificationRules)) == 2
