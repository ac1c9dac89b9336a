"""Calibration work orders in the client portal (spec calibrations-portal.md, issue 10):
instruments, orders run by seed/workflows/calibration.yaml, execution (progress, results,
evidence, logistics), the ISO/IEC 17025 review checklist and certificates. Registered by
create_app(); demo data in demo.py (`flask seed --demo`)."""


def register(appbuilder) -> None:
    """Views and APIs of the module: the core half (api.py, views.py) and the certificates
    half (certificates API, settings, public verification, legacy paths)."""
    from app.calibration import api, certificate_models, views, workflow  # noqa: F401  (workflow binds the engine)
    from app.calibration.certificate_api import register_certificates

    api.register(appbuilder)
    views.register(appbuilder)
    register_certificates(appbuilder)


def seed(session) -> None:
    """Reference data (idempotent): each company's review checklist from
    seed/catalogs/calibration.yaml."""
    from sqlalchemy import select

    from app.calibration.checklist import ensure_checklist
    from app.core.tenancy import Company, company_scope

    for company_id in session.scalars(select(Company.id)).all():
        with company_scope(company_id):
            ensure_checklist(session, company_id=company_id)
