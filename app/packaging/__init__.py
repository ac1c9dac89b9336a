"""Packaging work orders (spec packaging-work-orders.md): OTs across departments, management
entries, the WF/FLT/ASIG rules and the function x role matrix, samples, quotations, SAP
material codes and the cascading OT form.

Layers: catalogs <- rules, cascade <- orders <- samples, quotations, materials (none imports
another of these three) <- demo, seed. The OT asks its samples through
orders.workflow.OrderSamples, bound below: samples depend on orders, not the other way."""
from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l

from app.core.modules import Module
from app.packaging import demo, seed
from app.packaging.cascade import api as cascade_api
from app.packaging.cascade import seed as cascade_seed
from app.packaging.cascade import views as cascade_views
from app.packaging.catalogs import api as catalog_api
from app.packaging.catalogs import views as catalog_views
from app.packaging.materials import api as material_api
from app.packaging.materials import views as material_views
from app.packaging.orders import api as order_api
from app.packaging.orders import views as order_views
from app.packaging.orders import workflow as order_workflow
from app.packaging.quotations import api as quotation_api
from app.packaging.quotations import views as quotation_views
from app.packaging.quotations import workflow as quotation_workflow
from app.packaging.samples import queries as sample_queries
from app.packaging.samples import services as samples
from app.packaging.samples import views as sample_views

MODULE = Module(
    name="packaging", label=_l("Envases"), order=40,
    apis=(*order_api.APIS, *catalog_api.CATALOG_APIS, *material_api.APIS, *quotation_api.QUOTATION_APIS,
          *cascade_api.APIS),
    pages=(order_views.register, catalog_views.register, cascade_views.register, material_views.register,
           quotation_views.register, sample_views.register, cascade_api.register_paths),
    workflows=(partial(order_workflow.bind, order_workflow.OrderSamples(
                   pending=sample_queries.samples_pending, exist=sample_queries.has_samples,
                   cut_in_room=sample_queries.cut_in_room, management=samples.management,
                   follow_state=samples.follow_ot_state)),
               quotation_workflow.bind),
    seed=seed.seed,
    seed_company=cascade_seed.copy_catalog,  # each company's own cascade (issue 19)
    demo=demo.load,
)
