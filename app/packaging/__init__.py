"""Packaging work orders (spec packaging-work-orders.md): OTs across departments, management
entries, the WF/FLT/ASIG rules and the function x role matrix, samples, quotations, SAP
material codes and the cascading OT form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.modules import Module
from app.packaging import (
    api,
    demo,
    material_api,
    material_views,
    quotation_api,
    quotation_views,
    quotation_workflow,
    sample_views,
    seed,
    views,
    workflow,
)
from app.packaging.cascade import api as cascade_api
from app.packaging.cascade import seed as cascade_seed

MODULE = Module(
    name="packaging", label=_l("Envases"), order=40,
    apis=(*api.APIS, *material_api.APIS, *quotation_api.QUOTATION_APIS, *cascade_api.APIS),
    pages=(views.register, material_views.register, quotation_views.register, sample_views.register,
           cascade_api.register_paths),
    workflows=(workflow.bind, quotation_workflow.bind),
    seed=seed.seed,
    seed_company=cascade_seed.copy_catalog,  # each company's own cascade (issue 19)
    demo=demo.load,
)
