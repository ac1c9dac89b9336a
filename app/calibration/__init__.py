"""Calibration work orders in the client portal (spec calibrations-portal.md, issue 10):
instruments, orders run by seed/workflows/calibration.yaml, execution (progress, results,
evidence, logistics), the ISO/IEC 17025 review checklist and certificates. Registered by
create_app(); demo data in demo.py (`flask seed --demo`)."""


def register(appbuilder) -> None:
    """Views and APIs of the module."""
    from app.calibration import models  # noqa: F401  (tables known before the first request)

    try:
        from app.calibration import certificate_models  # noqa: F401
    except ImportError:  # cal-cert's half not merged yet
        pass
