"""Calibration work orders in the client portal (spec calibrations-portal.md, issue 10):
instruments, orders run by seed/workflows/calibration.yaml, execution (progress, results,
evidence, logistics), the ISO/IEC 17025 review checklist and certificates.

Layering: instruments, certificates <- orders (an order calibrates an instrument and issues
its certificates; certificates know their order by a string relationship, and their REST
endpoints get the orders' row rule from orders/api.py's CertificateApi). legacy.py and
demo.py, module-wide, use all three."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.calibration import demo, legacy
from app.calibration.certificates import views as certificate_views
from app.calibration.instruments import views as instrument_views
from app.calibration.instruments.api import InstrumentApi
from app.calibration.orders import api as order_api
from app.calibration.orders import checklist, workflow
from app.calibration.orders import views as order_views
from app.core.modules import Module

MODULE = Module(
    name="calibration", label=_l("Calibraciones"), order=30,
    apis=(InstrumentApi, *order_api.APIS, legacy.LegacyCalibrationApi),
    pages=(order_views.register, instrument_views.register, order_views.register_review,  # the menu's order
           certificate_views.register, legacy.register_legacy),
    workflows=(workflow.bind,),
    seed=checklist.seed,
    seed_company=checklist.copy_checklist,
    demo=demo.load,
)
