"""Calibration work orders in the client portal (spec calibrations-portal.md, issue 10):
instruments, orders run by seed/workflows/calibration.yaml, execution (progress, results,
evidence, logistics), the ISO/IEC 17025 review checklist and certificates."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.calibration import (
    api,
    certificate_api,
    checklist,
    demo,
    legacy,
    views,
    workflow,
)
from app.core.modules import Module

MODULE = Module(
    name="calibration", label=_l("Calibraciones"), order=30,
    apis=(*api.APIS, certificate_api.CertificateApi, legacy.LegacyCalibrationApi),
    pages=(views.register, certificate_api.register_pages, legacy.register_legacy),
    workflows=(workflow.bind,),
    seed=checklist.seed,
    seed_company=checklist.copy_checklist,
    demo=demo.load,
)
