"""Calibration work orders in the client portal (spec calibrations-portal.md, issue 10):
instruments, orders run by seed/workflows/calibration.yaml, execution (progress, results,
evidence, logistics), the ISO/IEC 17025 review checklist and certificates. Registered by
create_app(); demo data in demo.py (`flask seed --demo`)."""


def register(appbuilder) -> None:
    """Views and APIs of the module."""
    from app.calibration import api, views, workflow  # noqa: F401  (workflow: binds the engine)

    try:
        from app.calibration import certificate_models  # noqa: F401  (cal-cert's half)
    except ImportError:
        pass
    api.register(appbuilder)
    views.register(appbuilder)
    try:  # the certificates half (certificates, settings, verification, legacy paths)
        from app.calibration.certificate_api import register_certificates
    except ModuleNotFoundError as exc:
        if exc.name != "app.calibration.certificate_api":
            raise
    else:
        try:
            register_certificates(appbuilder)
        except ModuleNotFoundError as exc:  # legacy.py not there yet: the rest of the half
            if exc.name != "app.calibration.legacy":
                raise
            from app.calibration.certificate_api import CertificateApi, CertificateSettingsView
            from app.calibration.verification import VerificationView

            appbuilder.add_api(CertificateApi)
            appbuilder.add_view_no_menu(CertificateSettingsView)
            appbuilder.add_view_no_menu(VerificationView)


def seed(session) -> None:
    """Reference data (idempotent): each company's review checklist from
    seed/catalogs/calibration.yaml."""
    from sqlalchemy import select

    from app.calibration.checklist import ensure_checklist
    from app.core.tenancy import Company, company_scope

    for company_id in session.scalars(select(Company.id)).all():
        with company_scope(company_id):
            ensure_checklist(session, company_id=company_id)
